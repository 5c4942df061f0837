//! Simulated time: the real clock (plus any manual advance) or a fully manual clock for tests.
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// The simulator's notion of "now". Cheap to clone; clones share the same time.
#[derive(Debug, Clone)]
pub struct SimClock {
    inner: Arc<Mutex<ClockState>>,
}

#[derive(Debug)]
enum ClockState {
    /// Wall-clock time shifted by everything `advance` added.
    Real { offset: SignedDuration },
    /// Time that moves only through `advance`.
    Manual { now: Timestamp },
}

impl SimClock {
    /// Wall-clock time.
    pub fn real() -> Self {
        Self::with(ClockState::Real {
            offset: SignedDuration::ZERO,
        })
    }

    /// A clock frozen at `start` that moves only when [`SimClock::advance`] is called.
    pub fn manual(start: Timestamp) -> Self {
        Self::with(ClockState::Manual { now: start })
    }

    fn with(state: ClockState) -> Self {
        Self {
            inner: Arc::new(Mutex::new(state)),
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> Timestamp {
        match &*self.lock() {
            ClockState::Real { offset } => Timestamp::now().saturating_add(*offset).unwrap_or(Timestamp::MAX),
            ClockState::Manual { now } => *now,
        }
    }

    /// Moves simulated time forward (on a real clock, adds a permanent offset).
    pub fn advance(&self, by: Duration) {
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        match &mut *self.lock() {
            ClockState::Real { offset } => *offset = offset.saturating_add(by),
            ClockState::Manual { now } => *now = now.saturating_add(by).unwrap_or(Timestamp::MAX),
        }
    }

    /// True for a clock built with [`SimClock::manual`].
    pub fn is_manual(&self) -> bool {
        matches!(&*self.lock(), ClockState::Manual { .. })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let start: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let clock = SimClock::manual(start);
        let shared = clock.clone();
        assert_eq!(clock.now(), start);
        shared.advance(Duration::from_secs(90));
        assert_eq!(clock.now().as_second() - start.as_second(), 90);
        assert!(clock.is_manual());
    }
}
