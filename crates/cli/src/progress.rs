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

fn describe(p: &Progress) -> String {
    let counters: Vec<String> = p
        .counters
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    if counters.is_empty() {
        p.step.clone()
    } else {
        format!("{} ({})", p.step, counters.join(", "))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
