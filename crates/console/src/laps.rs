//! Milliseconds per phase of a long use case (a plan, an apply), reported with its result so
//! an admin, a scheduler log or the benchmark can see where the time went.

use std::collections::BTreeMap;
use std::time::Instant;

/// A stopwatch that records the time since the last lap under a phase name.
#[derive(Debug)]
pub(crate) struct Laps {
    since: Instant,
    phases: BTreeMap<String, u64>,
}

impl Laps {
    /// Starts timing the first phase now.
    pub(crate) fn start() -> Laps {
        Laps {
            since: Instant::now(),
            phases: BTreeMap::new(),
        }
    }

    /// Ends the current phase as `name` (added to an earlier phase of that name) and starts the
    /// next.
    pub(crate) fn lap(&mut self, name: &str) {
        *self.phases.entry(name.to_owned()).or_default() += self.since.elapsed().as_millis() as u64;
        self.since = Instant::now();
    }

    /// The phases recorded.
    pub(crate) fn into_phases(self) -> BTreeMap<String, u64> {
        self.phases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_named_twice_adds_up_and_the_time_between_laps_is_counted_once() {
        let mut laps = Laps::start();
        std::thread::sleep(std::time::Duration::from_millis(20));
        laps.lap("read");
        std::thread::sleep(std::time::Duration::from_millis(20));
        laps.lap("write");
        std::thread::sleep(std::time::Duration::from_millis(20));
        laps.lap("read");
        let phases = laps.into_phases();
        assert_eq!(phases.len(), 2);
        assert!(phases["read"] >= 40 && phases["write"] >= 20, "{phases:?}");
    }
}
