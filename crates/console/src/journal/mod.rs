//! The operation journal as the shells read it: a filtered page of entries, one entry in full
//! (before and after), a CSV export, and the `--since` forms people type (`24h`, `7d`,
//! `2026-12-01`).

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Journal, Target};
use cloo_store::{JournalFilter, JournalRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Which entries to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct JournalQuery {
    /// Only this tenant (name or id; a removed tenant by its id).
    #[serde(default)]
    #[ts(optional)]
    pub tenant: Option<String>,
    /// Only entries started at or after this (epoch milliseconds).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub since: Option<i64>,
    /// Only entries started before this (epoch milliseconds).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub until: Option<i64>,
    /// Only these outcomes (`done`, `failed`, `refused`, `cancelled`, `interrupted`, `running`).
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Only operations in this area (`user`, `group`, `org`…) or of this kind (`user.delete`).
    #[serde(default)]
    #[ts(optional)]
    pub operation: Option<String>,
    /// Only entries whose target, actor or message contains this.
    #[serde(default)]
    #[ts(optional)]
    pub text: Option<String>,
    /// At most this many (newest first); all when absent.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub limit: Option<u32>,
    /// Skip this many.
    #[serde(default)]
    #[ts(type = "number")]
    pub offset: u32,
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct JournalEntry {
    /// Entry id.
    #[ts(type = "number")]
    pub id: i64,
    /// Tenant id.
    pub tenant_id: String,
    /// Tenant name at the time.
    pub tenant_name: String,
    /// Who: the account the console signed in with.
    pub actor: String,
    /// Epoch milliseconds.
    #[ts(type = "number")]
    pub started_at: i64,
    /// Epoch milliseconds.
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
    /// Operation kind (`user.set_role`).
    pub operation: String,
    /// What it acted on.
    pub target: String,
    /// The plan it applied.
    pub plan_id: Option<String>,
    /// `running`, `done`, `failed`, `refused`, `cancelled` or `interrupted`.
    pub outcome: String,
    /// The error code when it did not succeed.
    pub error_code: Option<String>,
    /// What went wrong, in one sentence.
    pub message: String,
    /// The state before (only in a single entry; `null` in pages).
    #[ts(type = "unknown")]
    pub before: Value,
    /// The state after (only in a single entry; `null` in pages).
    #[ts(type = "unknown")]
    pub after: Value,
}

/// A page of entries.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct JournalPage {
    /// The entries, newest first.
    pub entries: Vec<JournalEntry>,
    /// How many match in all.
    #[ts(type = "number")]
    pub total: u64,
}

fn parse_json(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

fn entry_of(row: JournalRow, with_states: bool) -> JournalEntry {
    JournalEntry {
        before: if with_states {
            parse_json(row.before.as_deref())
        } else {
            Value::Null
        },
        after: if with_states {
            parse_json(row.after.as_deref())
        } else {
            Value::Null
        },
        id: row.id,
        tenant_id: row.tenant_id,
        tenant_name: row.tenant_name,
        actor: row.actor,
        started_at: row.started_at,
        finished_at: row.finished_at,
        operation: row.operation,
        target: row.target,
        plan_id: row.plan_id,
        outcome: row.outcome,
        error_code: row.error_code,
        message: row.message,
    }
}

/// Reads a `--since` value: a span back from `now_ms` (`90m`, `24h`, `7d`, `2w`) or a UTC date
/// (`2026-12-01`) or date and time (`2026-12-01T08:30`). Returns epoch milliseconds.
pub fn parse_since(text: &str, now_ms: i64) -> ConsoleResult<i64> {
    let text = text.trim();
    let bad = || {
        ConsoleError::invalid(
            "since",
            format!(
                "{text:?} is not a time: use a span such as 90m, 24h, 7d, 2w, or a date such as 2026-12-01 (UTC)"
            ),
        )
    };
    if let Some(unit) = text.chars().last().filter(char::is_ascii_alphabetic) {
        let amount: i64 = text[..text.len() - 1].parse().map_err(|_| bad())?;
        let minutes = match unit {
            'm' => 1,
            'h' => 60,
            'd' => 60 * 24,
            'w' => 60 * 24 * 7,
            _ => return Err(bad()),
        };
        return Ok(now_ms - amount.max(0) * minutes * 60_000);
    }
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, "00:00"));
    let mut d = date.split('-').map(str::parse::<i64>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(day)), None) = (d.next(), d.next(), d.next(), d.next())
    else {
        return Err(bad());
    };
    let mut t = time.split(':').map(str::parse::<i64>);
    let (Some(Ok(hh)), Some(Ok(mm))) = (t.next(), t.next()) else {
        return Err(bad());
    };
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || !(0..24).contains(&hh)
        || !(0..60).contains(&mm)
    {
        return Err(bad());
    }
    Ok((days_from_civil(y, m, day) * 86_400 + hh * 3600 + mm * 60) * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Journal<'_> {
    async fn filter_of(&self, query: &JournalQuery) -> ConsoleResult<JournalFilter> {
        let tenant_id = match &query.tenant {
            None => None,
            Some(name) => Some(
                match self.c.tenant_ref(&Target::Tenant(name.clone())).await {
                    Ok(t) => t.key,
                    // A removed tenant is still in the journal under its id.
                    Err(ConsoleError::NotFound { .. }) => name.clone(),
                    Err(e) => return Err(e),
                },
            ),
        };
        let operation_prefix = query.operation.as_ref().map(|o| {
            if o.contains('.') {
                o.clone()
            } else {
                format!("{o}.")
            }
        });
        Ok(JournalFilter {
            tenant_id,
            since: query.since,
            until: query.until,
            outcomes: query.outcomes.clone(),
            operation_prefix,
            text: query.text.clone().filter(|t| !t.trim().is_empty()),
            limit: query.limit,
            offset: query.offset,
        })
    }

    /// A page of entries, newest first (before and after left out: see [`Journal::get`]).
    pub async fn list(&self, query: &JournalQuery) -> ConsoleResult<JournalPage> {
        let filter = self.filter_of(query).await?;
        let (rows, total) = self.c.store.journal(&filter).await?;
        Ok(JournalPage {
            entries: rows.into_iter().map(|r| entry_of(r, false)).collect(),
            total,
        })
    }

    /// One entry in full.
    pub async fn get(&self, id: i64) -> ConsoleResult<JournalEntry> {
        self.c
            .store
            .journal_entry(id)
            .await?
            .map(|r| entry_of(r, true))
            .ok_or_else(|| {
                ConsoleError::not_found(
                    "journal entry",
                    &id.to_string(),
                    format!("no journal entry {id}"),
                )
            })
    }

    /// Every matching entry as CSV (RFC 4180, UTF-8), before and after included as JSON.
    pub async fn export_csv(&self, query: &JournalQuery) -> ConsoleResult<String> {
        let filter = self.filter_of(query).await?;
        let (rows, _) = self.c.store.journal(&filter).await?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let fail = |e: csv::Error| ConsoleError::Internal(format!("CSV: {e}"));
        writer
            .write_record([
                "id",
                "started_at",
                "finished_at",
                "tenant",
                "actor",
                "operation",
                "target",
                "outcome",
                "error_code",
                "message",
                "plan_id",
                "before",
                "after",
            ])
            .map_err(fail)?;
        for r in rows {
            writer
                .write_record([
                    r.id.to_string(),
                    iso_time(r.started_at),
                    r.finished_at.map(iso_time).unwrap_or_default(),
                    r.tenant_name,
                    r.actor,
                    r.operation,
                    r.target,
                    r.outcome,
                    r.error_code.unwrap_or_default(),
                    r.message,
                    r.plan_id.unwrap_or_default(),
                    r.before.unwrap_or_default(),
                    r.after.unwrap_or_default(),
                ])
                .map_err(fail)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| ConsoleError::Internal(format!("CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| ConsoleError::Internal(e.to_string()))
    }
}

impl Journal<'_> {
    /// Writes [`Journal::export_csv`] into the user's downloads folder (else the home folder)
    /// as `cloosphere-journal-<time>.csv`; gives the file's path.
    pub async fn export_to_downloads(
        &self,
        query: &JournalQuery,
    ) -> ConsoleResult<std::path::PathBuf> {
        let text = self.export_csv(query).await?;
        crate::downloads::save_to_downloads("cloosphere-journal", "csv", &text)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for epoch milliseconds.
pub fn iso_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_spans_and_utc_dates() {
        let now = 1_796_000_000_000;
        assert_eq!(parse_since("24h", now).expect("24h"), now - 86_400_000);
        assert_eq!(parse_since("90m", now).expect("90m"), now - 5_400_000);
        assert_eq!(parse_since("2w", now).expect("2w"), now - 14 * 86_400_000);
        assert_eq!(parse_since("1970-01-02", now).expect("date"), 86_400_000);
        assert_eq!(
            parse_since("2026-12-01T08:30", now).expect("date and time"),
            1_796_113_800_000
        );
        for bad in ["yesterday", "7x", "2026-13-01", "2026-12", ""] {
            let e = parse_since(bad, now).expect_err(bad);
            assert_eq!(e.view().field.as_deref(), Some("since"), "{bad}");
        }
    }

    #[test]
    fn times_print_as_iso_utc() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_796_113_800_123), "2026-12-01T08:30:00.123Z");
    }
}
