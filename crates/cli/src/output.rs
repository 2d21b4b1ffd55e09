//! Rendering for people (tables) and scripts (JSON).

use crate::args::Output;
use crate::error::{CliError, CliResult};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// Prints JSON to stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> CliResult<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Input(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Renders rows under a header, columns padded to their display width (Hangul is two columns
/// wide in a terminal).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// `YYYY-MM-DD HH:MM` (UTC) for epoch seconds.
pub fn format_time(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A doctor report: every check as a table (or the report as JSON), then a one-line verdict.
pub fn print_doctor(report: &cloo_console::tenants::DoctorReport, out: Output) -> CliResult<()> {
    use cloo_console::tenants::CheckStatus;
    if out == Output::Json {
        return print_json(report);
    }
    let rows: Vec<Vec<String>> = report
        .checks
        .iter()
        .map(|c| {
            let status = match c.status {
                CheckStatus::Ok => "ok",
                CheckStatus::Info => "info",
                CheckStatus::Warn => "WARN",
                CheckStatus::Fail => "FAIL",
            };
            vec![status.to_owned(), c.name.clone(), c.detail.clone()]
        })
        .collect();
    println!(
        "{} (server {})",
        report.base_url,
        report.server_version.as_deref().unwrap_or("unknown")
    );
    print!("{}", table(&["STATUS", "CHECK", "DETAIL"], &rows));
    let count = |s: CheckStatus| report.checks.iter().filter(|c| c.status == s).count();
    println!(
        "{}: {} failures, {} warnings",
        match report.worst() {
            CheckStatus::Fail => "unhealthy",
            CheckStatus::Warn => "usable with warnings",
            _ => "healthy",
        },
        count(CheckStatus::Fail),
        count(CheckStatus::Warn)
    );
    Ok(())
}

/// Notification channels, a line each, by position.
pub fn print_channels(
    channels: &cloo_console::notifications::ChannelsView,
    out: Output,
) -> CliResult<()> {
    if out == Output::Json {
        return print_json(channels);
    }
    for (what, list) in [("email", &channels.emails), ("webhook", &channels.webhooks)] {
        for c in list {
            println!(
                "{what} {}  {}  {}  {}",
                c.position, c.name, c.kind, c.reaches
            );
        }
    }
    if !channels.events.is_empty() {
        println!("events: {}", channels.events.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format_in_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(format_time(1_795_365_074), "2026-11-22 16:31");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00");
    }

    #[test]
    fn wide_characters_align() {
        let t = table(
            &["NAME", "ROLE"],
            &[
                vec!["김민준".into(), "user".into()],
                vec!["Al".into(), "admin".into()],
            ],
        );
        let column_of = |line: &str, word: &str| line[..line.find(word).expect(word)].width();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(column_of(lines[0], "ROLE"), 8);
        assert_eq!(column_of(lines[1], "user"), 8);
        assert_eq!(column_of(lines[2], "admin"), 8);
    }
}
