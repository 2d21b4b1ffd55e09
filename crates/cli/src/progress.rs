//! How clooctl watches a long operation: a progress bar on stderr when it is a terminal (nothing
//! otherwise, so scripts see clean output), and Ctrl-C asks the operation to stop between two
//! requests; a second Ctrl-C ends clooctl at once.

use cloo_console::{CancellationToken, Observer, Progress};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// An observer for one command, with the bar it draws.
pub struct Watch {
    /// What the operation reports to and is cancelled by.
    pub observer: Observer,
    bar: Option<ProgressBar>,
}

impl Watch {
    /// Starts watching: the bar (on a terminal) and the Ctrl-C handler.
    pub fn start() -> Watch {
        let token = CancellationToken::new();
        let cancel = token.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nstopping after the current request (Ctrl-C again to quit at once)…");
                cancel.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        if !std::io::stderr().is_terminal() {
            return Watch {
                observer: Observer::quiet().cancelled_by(token),
                bar: None,
            };
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let drawn = bar.clone();
        let observer = Observer::watching(move |p: &Progress| {
            drawn.set_length(p.total);
            drawn.set_position(p.done);
            drawn.set_message(describe(p));
        })
        .cancelled_by(token);
        Watch {
            observer,
            bar: Some(bar),
        }
    }
}

/// The bar's message: the step (its code read as words) and the counters, the time left last.
fn describe(p: &Progress) -> String {
    let mut counters: Vec<String> = p
        .counters
        .iter()
        .filter(|(name, _)| name.as_str() != "seconds_left")
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    if let Some(left) = p.counters.get("seconds_left") {
        counters.push(match left {
            0..90 => format!("about {left} s left"),
            _ => format!("about {} min left", (left + 30) / 60),
        });
    }
    let step = p.step.replace('_', " ");
    if counters.is_empty() {
        step
    } else {
        format!("{step} ({})", counters.join(", "))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_reads_the_step_and_puts_the_time_left_last() {
        let mut counters = std::collections::BTreeMap::new();
        counters.insert("requests".to_owned(), 12);
        counters.insert("seconds_left".to_owned(), 150);
        let p = Progress {
            operation: cloo_console::OperationKind::OrgImport,
            step: "reading_members".into(),
            done: 3,
            total: 9,
            counters,
        };
        assert_eq!(
            describe(&p),
            "reading members (12 requests, about 3 min left)"
        );
    }
}
