//! Drift: the same settings read from several tenants at once (a bounded number at a time) and
//! compared key by key by `cloo_domain::settings::drift`.

use super::Settings;
use crate::Target;
use crate::error::ConsoleResult;
use cloo_domain::settings::Tab;
use cloo_domain::settings::drift::{DriftRow, compare};
use futures_util::future::join_all;
use serde::Serialize;
use ts_rs::TS;

/// How many tenants are read at once.
pub const DRIFT_READS_AT_ONCE: usize = 8;

/// Settings compared across tenants.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DriftReport {
    /// The tenants, in the order of each row's values.
    pub tenants: Vec<String>,
    /// Every key that is not the same everywhere.
    pub rows: Vec<DriftRow>,
}

impl Settings<'_> {
    /// Reads `tabs` (all when empty) from every tenant, `DRIFT_READS_AT_ONCE` at a time, and
    /// compares them key by key. `names` label the tenants in the report.
    pub async fn diff(
        &self,
        targets: &[(String, Target)],
        tabs: &[Tab],
    ) -> ConsoleResult<DriftReport> {
        // Chunks rather than a sliding window: a stream of closures borrowing `self` makes a
        // future the desktop's command runner (which needs `Send` for any lifetime) rejects.
        let mut ordered = Vec::with_capacity(targets.len());
        for chunk in targets.chunks(DRIFT_READS_AT_ONCE) {
            let reads = chunk.iter().map(|(_, target)| self.answers(target, tabs));
            for answers in join_all(reads).await {
                ordered.push(answers?);
            }
        }
        Ok(DriftReport {
            tenants: targets.iter().map(|(name, _)| name.clone()).collect(),
            rows: compare(&ordered),
        })
    }
}
