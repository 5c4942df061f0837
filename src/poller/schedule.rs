//! When to poll next: the interval bounded by the Heavy group's rate limit, the pages the last poll cost,
//! a plan that starts a poll only once its pages fit in the budget, and exponential backoff with jitter
//! after failures. Pure arithmetic, no clock.
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

/// Heavy requests a minute the safety-net listings may spend while push is live, however many pages a
/// listing takes: the rest of the budget stays for refresh-now, scope switches and resyncs.
pub const SAFETY_HEAVY_PER_MINUTE: u32 = 2;

/// Delay before the next safety-net listing (push live) after one that cost `pages` requests: the
/// safety interval, stretched so a multi-page listing still spends at most
/// [`SAFETY_HEAVY_PER_MINUTE`] Heavy requests a minute (a 3-page listing every 90 s, not every 60 s).
pub fn after_safety_listing(safety: Duration, pages: u32) -> Duration {
    let per_page = Duration::from_secs(60) / SAFETY_HEAVY_PER_MINUTE;
    safety.max(per_page * pages.max(1))
}

/// A group's budget as a poll plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Requests allowed per window.
    pub limit: u32,
    /// When each request the budget still counts stops counting, from now, soonest first.
    pub frees_in: Vec<Duration>,
    /// Time left of a 429 penalty: nothing may go before it ends.
    pub penalty: Option<Duration>,
}

/// How long to wait before starting a poll of `pages` pages, so that its pages go back to back: until as
/// many of them as one window holds fit in the budget. Starting earlier would not finish the poll any
/// sooner, only stamp its listing earlier (a listing is as old as its first page) and hold its last pages
/// back. A poll of more pages than the limit still waits inside for its own first pages to leave the
/// window, the shortest gap there can be.
pub fn start_in(pages: u32, budget: &Budget) -> Duration {
    let need = pages.clamp(1, budget.limit.max(1)) as usize;
    let may_stay = (budget.limit as usize).saturating_sub(need);
    let must_leave = budget.frees_in.len().saturating_sub(may_stay);
    let fits = match must_leave {
        0 => Duration::ZERO,
        n => budget.frees_in.get(n - 1).copied().unwrap_or_default(),
    };
    fits.max(budget.penalty.unwrap_or_default())
}

/// The oldest a listing gets when polls of `pages` pages run every `interval` on their plan: the budget
/// its pages take (the time the limit needs to allow them again) plus one interval.
pub fn listing_age_bound(interval: Duration, pages: u32, limit: Limit) -> Duration {
    limit.min_interval() * pages.max(1) + interval
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

    #[test]
    fn a_safety_listing_spends_at_most_two_heavy_requests_a_minute() {
        let safety = Duration::from_secs(60);
        assert_eq!(after_safety_listing(safety, 1), safety);
        assert_eq!(after_safety_listing(safety, 2), safety);
        assert_eq!(after_safety_listing(safety, 3), Duration::from_secs(90));
        assert_eq!(after_safety_listing(safety, 10), Duration::from_secs(300));
        assert_eq!(
            after_safety_listing(Duration::from_secs(600), 3),
            Duration::from_secs(600)
        );
    }

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

    fn budget(limit: u32, frees_in: &[u64]) -> Budget {
        Budget {
            limit,
            frees_in: frees_in.iter().copied().map(S).collect(),
            penalty: None,
        }
    }

    #[test]
    fn a_poll_starts_only_when_its_pages_fit() {
        assert_eq!(start_in(3, &budget(10, &[])), S(0));
        assert_eq!(start_in(3, &budget(10, &[5; 7])), S(0), "7 used, 3 free");
        // Nine used, freed at 7, 25 and 43 s three at a time: three pages fit once the first three go.
        let nine = [7, 7, 7, 25, 25, 25, 43, 43, 43];
        assert_eq!(start_in(1, &budget(10, &nine)), S(0));
        assert_eq!(start_in(2, &budget(10, &nine)), S(7));
        assert_eq!(start_in(3, &budget(10, &nine)), S(7));
        assert_eq!(start_in(5, &budget(10, &nine)), S(25));
        // More pages than the limit: start when the whole budget is free, the rest waits inside the poll.
        assert_eq!(start_in(12, &budget(10, &nine)), S(43));
        assert_eq!(start_in(12, &budget(10, &[])), S(0));
        // Another client's requests counted beyond the limit must leave too; a penalty comes first.
        let over = budget(10, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        assert_eq!(start_in(1, &over), S(2));
        let penalised = Budget {
            penalty: Some(S(30)),
            ..budget(10, &[])
        };
        assert_eq!(start_in(1, &penalised), S(30));
        assert_eq!(
            start_in(0, &budget(0, &[4])),
            S(4),
            "no limit known: one request at a time"
        );
    }

    #[test]
    fn a_listing_is_never_older_than_its_pages_budget_plus_an_interval() {
        let heavy = Limit::HEAVY_DEFAULT;
        assert_eq!(listing_age_bound(S(10), 3, heavy), S(28));
        assert_eq!(listing_age_bound(S(10), 10, heavy), S(70));
        // Polls of three pages every 18 s (after_success) on their plan, the client counting each request
        // for 61 s: every so often one waits for budget, and no listing outlives the bound.
        let (mut sent, mut start, mut waits) = (Vec::<u64>::new(), 0, 0);
        for _ in 0..30 {
            sent.extend([start; 3]);
            let due = start + after_success(S(10), 3, heavy).as_secs();
            sent.retain(|at| at + 61 > due);
            let frees: Vec<u64> = sent.iter().map(|at| at + 61 - due).collect();
            let wait = start_in(3, &budget(10, &frees)).as_secs();
            waits += u32::from(wait > 0);
            assert!(sent.len() + 3 <= 10 || wait > 0, "{sent:?} at {due}");
            assert!(S(due + wait - start) <= listing_age_bound(S(10), 3, heavy));
            start = due + wait;
        }
        assert!(waits > 0, "the plan did wait");
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
