//! One source of time for everything that waits or measures: the client's rate limits and token expiry,
//! the feed's schedule and the simulator. The system clock in use; in tests a manual clock that moves
//! only when told, or a scaled clock on which a minute of polling passes in a couple of real seconds.
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

/// Monotonic time ([`Clock::now`]) and the wall-clock time that goes with it ([`Clock::wall`]).
/// Cheap to clone; clones share the same time.
#[derive(Clone)]
pub struct Clock(Arc<Inner>);

enum Inner {
    /// The machine's clocks, shifted by everything [`Clock::advance`] added.
    System { offset: Mutex<Duration> },
    /// Time running `factor` times faster than the machine's, from `origin` (at `wall_origin`).
    Scaled {
        origin: Instant,
        wall_origin: Timestamp,
        factor: u32,
    },
    /// Time that moves only through [`Clock::advance`]; sleepers wake when it passes their deadline.
    Manual {
        origin: Instant,
        wall_origin: Timestamp,
        elapsed: watch::Sender<Duration>,
    },
}

impl Clock {
    /// The machine's clocks.
    pub fn system() -> Self {
        Clock(Arc::new(Inner::System {
            offset: Mutex::new(Duration::ZERO),
        }))
    }

    /// Time that runs `factor` times faster than real time, starting now (tests of minute-long behaviour
    /// on a real network stack). A factor of 0 is taken as 1.
    pub fn scaled(factor: u32) -> Self {
        Clock(Arc::new(Inner::Scaled {
            origin: Instant::now(),
            wall_origin: Timestamp::now(),
            factor: factor.max(1),
        }))
    }

    /// A clock stopped at wall-clock time `start` that moves only when [`Clock::advance`] is called.
    pub fn manual(start: Timestamp) -> Self {
        Clock(Arc::new(Inner::Manual {
            origin: Instant::now(),
            wall_origin: start,
            elapsed: watch::Sender::new(Duration::ZERO),
        }))
    }

    /// True for a clock built with [`Clock::manual`].
    pub fn is_manual(&self) -> bool {
        matches!(*self.0, Inner::Manual { .. })
    }

    /// How many waits are asleep on this manual clock (none on the others): a test moves time only once
    /// what runs on the clock is waiting for it.
    pub fn sleepers(&self) -> usize {
        match &*self.0 {
            Inner::Manual { elapsed, .. } => elapsed.receiver_count(),
            _ => 0,
        }
    }

    /// Moves time forward by `by`: a manual clock wakes the sleepers it passes; the system clock keeps
    /// the shift for good (a simulator's demo can skip ahead); a scaled clock ignores it.
    pub fn advance(&self, by: Duration) {
        match &*self.0 {
            Inner::System { offset } => {
                let mut offset = offset.lock().unwrap_or_else(PoisonError::into_inner);
                *offset = offset.saturating_add(by);
            }
            Inner::Scaled { .. } => {}
            Inner::Manual { elapsed, .. } => elapsed.send_modify(|e| *e = e.saturating_add(by)),
        }
    }

    /// Monotonic now: what deadlines, rate-limit windows and token lifetimes are measured in.
    pub fn now(&self) -> Instant {
        match &*self.0 {
            Inner::System { offset } => {
                let offset = *offset.lock().unwrap_or_else(PoisonError::into_inner);
                later(Instant::now(), offset)
            }
            Inner::Scaled { origin, factor, .. } => later(*origin, origin.elapsed().saturating_mul(*factor)),
            Inner::Manual { origin, elapsed, .. } => later(*origin, *elapsed.borrow()),
        }
    }

    /// Wall-clock now, for display and for the simulator's timestamps.
    pub fn wall(&self) -> Timestamp {
        self.wall_at(self.now())
    }

    /// The wall-clock time of a monotonic instant of this clock (saturating at the ends of time).
    pub fn wall_at(&self, at: Instant) -> Timestamp {
        // A system clock's instants carry its offset, and so does the wall time they map to.
        let (origin, wall_origin) = match &*self.0 {
            Inner::System { .. } => (Instant::now(), Timestamp::now()),
            Inner::Scaled {
                origin, wall_origin, ..
            }
            | Inner::Manual {
                origin, wall_origin, ..
            } => (*origin, *wall_origin),
        };
        let since = match at.checked_duration_since(origin) {
            Some(ahead) => SignedDuration::try_from(ahead).unwrap_or(SignedDuration::MAX),
            None => -SignedDuration::try_from(origin - at).unwrap_or(SignedDuration::MAX),
        };
        wall_origin
            .saturating_add(since)
            .unwrap_or(if since.is_negative() {
                Timestamp::MIN
            } else {
                Timestamp::MAX
            })
    }

    /// Waits until this clock reaches `deadline`.
    pub async fn sleep_until(&self, deadline: Instant) {
        match &*self.0 {
            Inner::System { .. } | Inner::Scaled { .. } => loop {
                let left = deadline.saturating_duration_since(self.now());
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(self.real(left)).await;
            },
            Inner::Manual { elapsed, .. } => {
                let mut rx = elapsed.subscribe();
                while self.now() < deadline {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// How much real time `duration` of this clock's time takes (rounded up, so no sleep wakes early).
    fn real(&self, duration: Duration) -> Duration {
        match &*self.0 {
            Inner::Scaled { factor, .. } => {
                let nanos = duration.as_nanos().div_ceil(u128::from(*factor));
                Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            }
            _ => duration,
        }
    }

    /// Waits for `duration` of this clock's time.
    pub async fn sleep(&self, duration: Duration) {
        self.sleep_until(later(self.now(), duration)).await;
    }

    /// Waits until `deadline`, or forever when there is none (a loop waiting only for commands).
    pub async fn sleep_until_some(&self, deadline: Option<Instant>) {
        match deadline {
            Some(deadline) => self.sleep_until(deadline).await,
            None => std::future::pending().await,
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match &*self.0 {
            Inner::System { .. } => "Clock::System",
            Inner::Scaled { .. } => "Clock::Scaled",
            Inner::Manual { .. } => "Clock::Manual",
        })
    }
}

/// `at + by`, or far in the future when that overflows.
fn later(at: Instant, by: Duration) -> Instant {
    at.checked_add(by)
        .unwrap_or_else(|| at + Duration::from_secs(100 * 365 * 24 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_moves_only_when_advanced_and_wakes_its_sleepers() {
        let start: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let clock = Clock::manual(start);
        let t0 = clock.now();
        assert_eq!(clock.wall(), start);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(30)).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(20));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "20 s is not 30 s");
        clock.advance(Duration::from_secs(10));
        sleeper.await.unwrap();
        assert_eq!(clock.now() - t0, Duration::from_secs(30));
        assert_eq!(clock.wall().as_second() - start.as_second(), 30);
    }

    #[tokio::test]
    async fn a_scaled_clock_runs_faster_and_its_sleeps_are_short() {
        let clock = Clock::scaled(100);
        let (t0, real) = (clock.now(), Instant::now());
        clock.sleep(Duration::from_secs(2)).await;
        assert!(clock.now() - t0 >= Duration::from_secs(2));
        assert!(real.elapsed() < Duration::from_secs(1), "{:?}", real.elapsed());
    }

    #[test]
    fn the_system_clock_keeps_an_advance_in_both_times() {
        let clock = Clock::system();
        let before = clock.wall();
        clock.advance(Duration::from_secs(3600));
        let shifted = clock.wall().as_second() - before.as_second();
        assert!((3599..=3601).contains(&shifted), "{shifted}");
        assert!(clock.now() > Instant::now() + Duration::from_secs(3500));
    }
}
