//! The mass-deletion guard: how many deletions a plan may make without an explicit allowance,
//! shared by every kind of change that deletes (organization imports, bulk user deletion, and
//! whatever deletes next).
//!
//! Modelled on Entra Connect's accidental-deletion threshold: a plan that deletes more than
//! min(500, 10% of what exists) stops before any write unless the admin allows at least that many
//! deletions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The most deletions that never need an allowance, whatever the size.
pub const DELETION_CAP: usize = 500;
/// The share of existing objects (in percent) that may go without an allowance.
pub const DELETION_SHARE_PERCENT: usize = 10;

/// min(500, 10% of `existing`), rounded down.
pub fn deletion_threshold(existing: usize) -> usize {
    (existing * DELETION_SHARE_PERCENT / 100).min(DELETION_CAP)
}

/// What a plan's deletions mean for the guard: shown in every review, checked on every apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DeletionGuard {
    /// Deletions the plan makes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub deletes: usize,
    /// Objects of that kind that exist now.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub existing: usize,
    /// Deletions allowed without an allowance: min(500, 10% of `existing`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub threshold: usize,
    /// The plan deletes more than the threshold: applying needs an allowance of `deletes`.
    pub needs_allowance: bool,
    /// The rule's cap ([`DELETION_CAP`]), so screens word the rule without repeating it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cap: usize,
    /// The rule's share of what exists, in percent ([`DELETION_SHARE_PERCENT`]).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub share_percent: usize,
}

impl DeletionGuard {
    /// The guard for `deletes` deletions out of `existing` objects.
    pub fn new(deletes: usize, existing: usize) -> Self {
        let threshold = deletion_threshold(existing);
        DeletionGuard {
            deletes,
            existing,
            threshold,
            needs_allowance: deletes > threshold,
            cap: DELETION_CAP,
            share_percent: DELETION_SHARE_PERCENT,
        }
    }

    /// Refuses unless the deletions are within the threshold or `allowed` covers all of them.
    pub fn check(&self, allowed: Option<usize>) -> Result<(), DeletionRefusal> {
        if !self.needs_allowance || allowed.is_some_and(|a| a >= self.deletes) {
            Ok(())
        } else {
            Err(DeletionRefusal {
                deletes: self.deletes,
                existing: self.existing,
                threshold: self.threshold,
            })
        }
    }
}

/// A plan refused for deleting too much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletionRefusal {
    /// Deletions the plan makes.
    pub deletes: usize,
    /// Objects that exist.
    pub existing: usize,
    /// The most allowed without an allowance.
    pub threshold: usize,
}

impl fmt::Display for DeletionRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the plan deletes {} of {}, more than the {} allowed without an explicit allowance \
             (min({DELETION_CAP}, {DELETION_SHARE_PERCENT}%)); nothing was written",
            self.deletes, self.existing, self.threshold
        )
    }
}

impl std::error::Error for DeletionRefusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_ten_percent_capped_at_500() {
        assert_eq!(deletion_threshold(0), 0);
        assert_eq!(deletion_threshold(9), 0);
        assert_eq!(deletion_threshold(30), 3);
        assert_eq!(deletion_threshold(4_999), 499);
        assert_eq!(deletion_threshold(100_000), 500);
    }

    #[test]
    fn an_allowance_must_cover_every_deletion() {
        let guard = DeletionGuard::new(5, 20);
        assert_eq!(guard.threshold, 2);
        assert!(guard.needs_allowance);
        let refusal = guard.check(None).expect_err("over the threshold");
        assert_eq!((refusal.deletes, refusal.threshold), (5, 2));
        assert!(guard.check(Some(4)).is_err());
        assert!(guard.check(Some(5)).is_ok());
        let within = DeletionGuard::new(2, 20);
        assert!(!within.needs_allowance);
        assert!(within.check(None).is_ok());
    }
}
