//! When to poll next: the interval bounded by the Heavy group's rate limit, the pages the last poll cost,
//! and exponential backoff with jitter after failures. Pure arithmetic, no clock.
use std::time::Duration;

/// Default poll interval: 6 Heavy requests a minute, leaving 4 of the default 10 for refresh-now and
/// extra pages, so a board left running all day never meets a 429.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// First retry delay after a failure.
pub const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// Longest retry delay after repeated failures.
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// A group's advertised limit: `limit` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub limit: u32,
    pub window: Duration,
}

impl Limit {
    /// RingCentral's default Heavy group: 10 requests per 60 s.
    pub const HEAVY_DEFAULT: Limit = Limit {
        limit: 10,
        window: Duration::from_secs(60),
    };

    /// The shortest interval one request per poll can sustain without exceeding the limit.
    pub fn min_interval(self) -> Duration {
        self.window / self.limit.max(1)
    }
}

/// The interval to use: the requested one (or the default), never below what the limit sustains.
/// Returns the interval and, when the request had to be raised, a note saying so.
pub fn effective_interval(requested: Option<Duration>, limit: Limit) -> (Duration, Option<String>) {
    let floor = limit.min_interval();
    match requested {
        Some(r) if r < floor => (
            floor,
            Some(format!(
                "--interval {}s is faster than the rate limit allows ({} requests per {}s); polling every {}s",
                r.as_secs_f64(),
                limit.limit,
                limit.window.as_secs(),
                floor.as_secs_f64()
            )),
        ),
        Some(r) => (r, None),
        None => (DEFAULT_INTERVAL.max(floor), None),
    }
}

/// Delay before the next poll after a successful one that cost `pages` requests.
pub fn after_success(interval: Duration, pages: u32, limit: Limit) -> Duration {
    interval.max(limit.min_interval() * pages.max(1))
}

/// Delay before retry number `failures` (1 = first failure): `BACKOFF_BASE` doubling up to `BACKOFF_CAP`,
/// scaled by `jitter` in `[0.5, 1.0]` so many boards do not retry in step; never below the server's
/// `Retry-After` nor the poll interval.
pub fn after_failure(
    failures: u32,
    jitter: f64,
    retry_after: Option<Duration>,
    interval: Duration,
) -> Duration {
    let exp = BACKOFF_BASE
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    let jittered = exp.mul_f64(jitter.clamp(0.5, 1.0));
    jittered.max(retry_after.unwrap_or_default()).max(interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn default_interval_leaves_headroom_under_the_heavy_limit() {
        let (i, note) = effective_interval(None, Limit::HEAVY_DEFAULT);
        assert_eq!(i, S(10));
        assert!(note.is_none());
        assert!(60 / i.as_secs() < 10);
    }

    #[test]
    fn a_too_fast_interval_is_raised_with_a_note() {
        let (i, note) = effective_interval(Some(S(2)), Limit::HEAVY_DEFAULT);
        assert_eq!(i, S(6));
        assert!(note.unwrap().contains("polling every 6s"));
        assert_eq!(effective_interval(Some(S(30)), Limit::HEAVY_DEFAULT).0, S(30));
        let tight = Limit {
            limit: 2,
            window: S(60),
        };
        assert_eq!(effective_interval(None, tight).0, S(30));
    }

    #[test]
    fn multi_page_polls_stretch_the_interval() {
        assert_eq!(after_success(S(10), 1, Limit::HEAVY_DEFAULT), S(10));
        assert_eq!(after_success(S(10), 3, Limit::HEAVY_DEFAULT), S(18));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let i = S(1);
        assert_eq!(after_failure(1, 1.0, None, i), S(2));
        assert_eq!(after_failure(2, 1.0, None, i), S(4));
        assert_eq!(after_failure(3, 0.5, None, i), S(4));
        assert_eq!(after_failure(30, 1.0, None, i), BACKOFF_CAP);
        assert_eq!(after_failure(1, 1.0, Some(S(45)), i), S(45));
        assert_eq!(after_failure(1, 1.0, None, S(10)), S(10));
        let three_pages = after_success(S(10), 3, Limit::HEAVY_DEFAULT);
        assert_eq!(
            after_failure(1, 1.0, None, three_pages),
            S(18),
            "a 3-page retry waits for 3 pages"
        );
    }
}
