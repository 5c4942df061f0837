//! Rate-limit tracking per RingCentral API group (reference §4): the latest `X-Rate-Limit-*` headers, a
//! local sliding-window log of what this client sent, and 429 penalties. Pure logic: every method takes
//! the current [`Instant`], so it is tested without HTTP or sleeping.
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::header::HeaderMap;

/// Active calls, call log, account presence.
pub const HEAVY: &str = "Heavy";
/// Extension list, directory.
pub const MEDIUM: &str = "Medium";
/// `extension/~` and other single-record reads.
pub const LIGHT: &str = "Light";
/// `/restapi/oauth/token` and `/revoke`.
pub const AUTH: &str = "Auth";

/// Default window when neither defaults nor headers give one.
const DEFAULT_WINDOW: Duration = Duration::from_secs(60);
/// Added to the window of each logged request: the server starts counting a little after we send.
const LATENCY_MARGIN: Duration = Duration::from_secs(1);
/// Longest `Retry-After` honoured; anything larger is treated as garbage.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// The default plan of a group before the first response tells otherwise (reference §4.1).
fn default_budget(group: &str) -> Option<u32> {
    match group.to_ascii_lowercase().as_str() {
        "heavy" => Some(10),
        "medium" => Some(40),
        "light" => Some(50),
        "auth" => Some(5),
        _ => None,
    }
}

/// The `X-Rate-Limit-*` headers of one response; a field is `None` when absent or unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RateLimitHeaders {
    /// `X-Rate-Limit-Group` (any case, e.g. `light`).
    pub group: Option<String>,
    /// `X-Rate-Limit-Limit`: requests allowed per window.
    pub limit: Option<u32>,
    /// `X-Rate-Limit-Remaining`: requests left in the window.
    pub remaining: Option<u32>,
    /// `X-Rate-Limit-Window`: window length.
    pub window: Option<Duration>,
}

impl RateLimitHeaders {
    /// Reads the headers (names are case-insensitive); `None` when none of them is usable.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let number = |name: &str| text(name).and_then(|v| v.parse::<u32>().ok());
        let parsed = RateLimitHeaders {
            group: text("x-rate-limit-group")
                .filter(|g| !g.is_empty() && g.len() <= 64 && g.chars().all(|c| c.is_ascii_graphic()))
                .map(str::to_owned),
            limit: number("x-rate-limit-limit"),
            remaining: number("x-rate-limit-remaining"),
            window: number("x-rate-limit-window")
                .filter(|w| *w > 0)
                .map(|w| Duration::from_secs(w.into())),
        };
        (parsed != RateLimitHeaders::default()).then_some(parsed)
    }
}

/// `Retry-After` as delta-seconds or an HTTP date (relative to `now`); `None` when absent or garbage.
pub(crate) fn retry_after(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    let delay = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = jiff::fmt::rfc2822::DateTimeParser::new()
                .parse_timestamp(value)
                .ok()?;
            Duration::try_from(at.duration_since(now)).unwrap_or(Duration::ZERO)
        }
    };
    (delay <= MAX_RETRY_AFTER).then_some(delay)
}

/// How much of a group's budget is left, for scheduling and the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headroom {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests that may still be sent now (0 during a penalty).
    pub remaining: u32,
    /// Window length.
    pub window: Duration,
    /// Time left of a 429 penalty, if one is running.
    pub penalty_remaining: Option<Duration>,
}

/// Budget state of one group.
#[derive(Debug)]
struct GroupState {
    /// Advertised limit; `None` for a group with no default until a response names one.
    limit: Option<u32>,
    window: Duration,
    /// When this client sent each request still inside the window, oldest first.
    sent: VecDeque<Instant>,
    /// Requests the server counted that this client did not send (another instance), and when they
    /// leave the window.
    foreign: Option<(u32, Instant)>,
    /// Nothing may be sent before this instant (429 penalty).
    penalty_until: Option<Instant>,
    /// The latest headers seen for this group.
    latest: Option<RateLimitHeaders>,
}

impl GroupState {
    fn new(group: &str) -> Self {
        GroupState {
            limit: default_budget(group),
            window: DEFAULT_WINDOW,
            sent: VecDeque::new(),
            foreign: None,
            penalty_until: None,
            latest: None,
        }
    }

    /// When a request logged at `at` stops counting.
    fn expiry(&self, at: Instant) -> Instant {
        at + self.window + LATENCY_MARGIN
    }

    fn prune(&mut self, now: Instant) {
        let window = self.window + LATENCY_MARGIN;
        self.sent.retain(|at| *at + window > now);
        if self.foreign.is_some_and(|(_, until)| until <= now) {
            self.foreign = None;
        }
        if self.penalty_until.is_some_and(|until| until <= now) {
            self.penalty_until = None;
        }
    }

    /// Requests counted against the budget at `t` (≥ now).
    fn used_at(&self, t: Instant) -> u32 {
        let local = self.sent.iter().filter(|at| self.expiry(**at) > t).count();
        let foreign = self.foreign.filter(|(_, until)| *until > t).map_or(0, |(n, _)| n);
        u32::try_from(local).unwrap_or(u32::MAX).saturating_add(foreign)
    }

    /// Zero when a request may go at `now`, else how long to wait. Call after `prune(now)`.
    fn wait(&self, now: Instant) -> Duration {
        if let Some(until) = self.penalty_until {
            return until.saturating_duration_since(now);
        }
        let Some(limit) = self.limit else {
            return Duration::ZERO;
        };
        if self.used_at(now) < limit {
            return Duration::ZERO;
        }
        let mut moments: Vec<Instant> = self.sent.iter().map(|at| self.expiry(*at)).collect();
        moments.extend(self.foreign.map(|(_, until)| until));
        moments.sort();
        moments
            .into_iter()
            .find(|t| self.used_at(*t) < limit)
            .map_or(self.window, |t| t.saturating_duration_since(now))
    }
}

/// Per-group budgets shared by every request of one client.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    groups: Mutex<HashMap<String, GroupState>>,
}

impl RateLimiter {
    fn groups(&self) -> MutexGuard<'_, HashMap<String, GroupState>> {
        self.groups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the pruned state of `group` (created on first use).
    fn with<R>(&self, group: &str, now: Instant, f: impl FnOnce(&mut GroupState) -> R) -> R {
        let mut groups = self.groups();
        let state = groups
            .entry(group.to_ascii_lowercase())
            .or_insert_with(|| GroupState::new(group));
        state.prune(now);
        f(state)
    }

    /// Zero when a request in `group` may be sent at `now`, else how long to wait.
    pub(crate) fn wait_before(&self, group: &str, now: Instant) -> Duration {
        self.with(group, now, |s| s.wait(now))
    }

    /// Logs a request about to be sent, or refuses with the time to wait.
    pub(crate) fn try_acquire(&self, group: &str, now: Instant) -> Result<(), Duration> {
        self.with(group, now, |s| {
            let wait = s.wait(now);
            if wait.is_zero() {
                s.sent.push_back(now);
                Ok(())
            } else {
                Err(wait)
            }
        })
    }

    /// Takes in a response's headers: limit and window replace the defaults, and requests the server
    /// counted beyond this client's own log are remembered for one window.
    pub(crate) fn record_response(&self, group: &str, headers: Option<&RateLimitHeaders>, now: Instant) {
        let Some(headers) = headers else { return };
        self.with(group, now, |s| {
            if let Some(limit) = headers.limit.filter(|l| *l > 0) {
                s.limit = Some(limit);
            }
            if let Some(window) = headers.window {
                s.window = window;
            }
            if let (Some(limit), Some(remaining)) = (s.limit, headers.remaining) {
                let used = limit.saturating_sub(remaining);
                let mine = u32::try_from(s.sent.len()).unwrap_or(u32::MAX);
                let foreign = used.saturating_sub(mine);
                s.foreign = (foreign > 0).then_some((foreign, now + s.window));
            }
            s.latest = Some(headers.clone());
        });
    }

    /// Starts (or extends) a 429 penalty: nothing is sent in `group` for `retry_after`.
    pub(crate) fn penalize(&self, group: &str, retry_after: Duration, now: Instant) {
        self.with(group, now, |s| {
            let until = now + retry_after;
            s.penalty_until = Some(s.penalty_until.map_or(until, |old| old.max(until)));
        });
    }

    /// Headroom of `group`, or `None` for a group with no known limit.
    pub(crate) fn headroom(&self, group: &str, now: Instant) -> Option<Headroom> {
        self.with(group, now, |s| {
            let limit = s.limit?;
            let penalty_remaining = s.penalty_until.map(|until| until.saturating_duration_since(now));
            let remaining = if penalty_remaining.is_some() {
                0
            } else {
                limit.saturating_sub(s.used_at(now))
            };
            Some(Headroom {
                limit,
                remaining,
                window: s.window,
                penalty_remaining,
            })
        })
    }

    /// When each request `group` still counts stops counting, from `now`, soonest first; requests the
    /// server counted for another client count until the end of their window.
    pub(crate) fn frees_in(&self, group: &str, now: Instant) -> Vec<Duration> {
        self.with(group, now, |s| {
            let foreign = s.foreign.map_or(Vec::new(), |(n, until)| vec![until; n as usize]);
            let mut moments: Vec<Duration> = s
                .sent
                .iter()
                .map(|at| s.expiry(*at))
                .chain(foreign)
                .map(|t| t.saturating_duration_since(now))
                .collect();
            moments.sort();
            moments
        })
    }

    /// The latest `X-Rate-Limit-*` headers seen for `group`.
    pub(crate) fn latest(&self, group: &str) -> Option<RateLimitHeaders> {
        self.groups()
            .get(&group.to_ascii_lowercase())
            .and_then(|s| s.latest.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use reqwest::header::HeaderValue;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn rl(limit: u32, remaining: u32, window: u64) -> RateLimitHeaders {
        RateLimitHeaders {
            group: Some("heavy".into()),
            limit: Some(limit),
            remaining: Some(remaining),
            window: Some(S(window)),
        }
    }

    #[test]
    fn parses_headers_case_insensitively() {
        let h = headers(&[
            ("X-Rate-Limit-Group", "light"),
            ("x-rate-limit-limit", "1000"),
            ("X-RATE-LIMIT-REMAINING", " 999 "),
            ("X-Rate-Limit-Window", "60"),
        ]);
        let parsed = RateLimitHeaders::from_headers(&h).unwrap();
        assert_eq!(
            parsed,
            RateLimitHeaders {
                group: Some("light".into()),
                limit: Some(1000),
                remaining: Some(999),
                window: Some(S(60))
            }
        );
    }

    #[test]
    fn tolerates_absent_and_garbage_headers() {
        assert_eq!(RateLimitHeaders::from_headers(&HeaderMap::new()), None);
        let h = headers(&[
            ("x-rate-limit-group", ""),
            ("x-rate-limit-limit", "-3"),
            ("x-rate-limit-remaining", "lots"),
            ("x-rate-limit-window", "0"),
        ]);
        assert_eq!(RateLimitHeaders::from_headers(&h), None);
        let h = headers(&[("x-rate-limit-remaining", "4"), ("x-rate-limit-limit", "1e9")]);
        assert_eq!(RateLimitHeaders::from_headers(&h).unwrap().remaining, Some(4));
    }

    #[test]
    fn retry_after_seconds_dates_and_garbage() {
        let now: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let get = |v: &str| retry_after(&headers(&[("retry-after", v)]), now);
        assert_eq!(get("7"), Some(S(7)));
        assert_eq!(get("Mon, 01 Jan 2024 00:00:30 GMT"), Some(S(30)));
        assert_eq!(get("Sun, 31 Dec 2023 23:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(get("soon"), None);
        assert_eq!(get("-1"), None);
        assert_eq!(get("99999999"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn default_budgets_before_any_response() {
        let limiter = RateLimiter::default();
        let now = Instant::now();
        for (group, limit) in [(HEAVY, 10), (MEDIUM, 40), (LIGHT, 50), (AUTH, 5)] {
            let h = limiter.headroom(group, now).unwrap();
            assert_eq!(
                (h.limit, h.remaining, h.window, h.penalty_remaining),
                (limit, limit, S(60), None)
            );
        }
        assert_eq!(limiter.headroom("Custom", now), None);
        assert!(limiter.try_acquire("Custom", now).is_ok());
    }

    #[test]
    fn heavy_budget_is_never_exceeded_in_a_window() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..10 {
            assert_eq!(limiter.try_acquire(HEAVY, t0 + S(i)), Ok(()));
        }
        let wait = limiter.try_acquire(HEAVY, t0 + S(10)).unwrap_err();
        assert_eq!(
            wait,
            S(51),
            "the first request leaves the window at 60 s + margin"
        );
        assert_eq!(limiter.wait_before("heavy", t0 + S(30)), S(31));
        assert_eq!(limiter.headroom(HEAVY, t0 + S(30)).unwrap().remaining, 0);
        assert_eq!(limiter.try_acquire(HEAVY, t0 + S(61)), Ok(()));
        assert!(limiter.try_acquire(HEAVY, t0 + S(61)).is_err());
    }

    #[test]
    fn frees_in_lists_when_each_counted_request_leaves_the_window() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert!(limiter.frees_in(HEAVY, t0).is_empty());
        limiter.try_acquire(HEAVY, t0).unwrap();
        limiter.try_acquire(HEAVY, t0 + S(5)).unwrap();
        limiter.record_response(HEAVY, Some(&rl(10, 6, 60)), t0 + S(10));
        assert_eq!(
            limiter.frees_in(HEAVY, t0 + S(10)),
            vec![S(51), S(56), S(60), S(60)],
            "two of ours, two counted for another client"
        );
        assert!(limiter.frees_in(HEAVY, t0 + S(70)).is_empty());
    }

    #[test]
    fn penalty_refuses_everything_until_retry_after() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        limiter.try_acquire(HEAVY, t0).unwrap();
        limiter.penalize(HEAVY, S(30), t0);
        assert_eq!(limiter.try_acquire(HEAVY, t0 + S(1)), Err(S(29)));
        let h = limiter.headroom(HEAVY, t0 + S(10)).unwrap();
        assert_eq!((h.remaining, h.penalty_remaining), (0, Some(S(20))));
        assert_eq!(
            limiter.wait_before(LIGHT, t0 + S(1)),
            Duration::ZERO,
            "other groups are unaffected"
        );
        limiter.penalize(HEAVY, S(5), t0 + S(2));
        assert_eq!(
            limiter.wait_before(HEAVY, t0 + S(2)),
            S(28),
            "a shorter penalty never shortens one"
        );
        assert_eq!(limiter.try_acquire(HEAVY, t0 + S(30)), Ok(()));
        assert_eq!(
            limiter.headroom(HEAVY, t0 + S(30)).unwrap().penalty_remaining,
            None
        );
    }

    #[test]
    fn server_reported_use_counts_requests_sent_by_others() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        limiter.try_acquire(HEAVY, t0).unwrap();
        // The server says 9 of 10 are used: 8 came from somewhere else.
        limiter.record_response(HEAVY, Some(&rl(10, 1, 60)), t0);
        assert_eq!(limiter.headroom(HEAVY, t0).unwrap().remaining, 1);
        limiter.try_acquire(HEAVY, t0 + S(1)).unwrap();
        assert_eq!(limiter.try_acquire(HEAVY, t0 + S(2)), Err(S(58)));
        assert_eq!(limiter.latest("HEAVY"), Some(rl(10, 1, 60)));
        // When the foreign requests leave the window only our own two count.
        assert_eq!(limiter.headroom(HEAVY, t0 + S(60)).unwrap().remaining, 8);
    }

    #[test]
    fn advertised_limit_and_window_replace_the_defaults() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        limiter.try_acquire(HEAVY, t0).unwrap();
        limiter.record_response(HEAVY, Some(&rl(2, 1, 10)), t0);
        limiter.try_acquire(HEAVY, t0).unwrap();
        assert_eq!(limiter.try_acquire(HEAVY, t0), Err(S(11)));
        let h = limiter.headroom(HEAVY, t0 + S(11)).unwrap();
        assert_eq!((h.limit, h.remaining, h.window), (2, 2, S(10)));
        limiter.record_response(HEAVY, None, t0);
        limiter.record_response(
            HEAVY,
            Some(&RateLimitHeaders {
                limit: Some(0),
                ..rl(2, 2, 10)
            }),
            t0,
        );
        assert_eq!(
            limiter.headroom(HEAVY, t0).unwrap().limit,
            2,
            "a zero limit is ignored"
        );
    }

    proptest! {
        /// Whatever the timing and headers, no window ever holds more sends than the limit allows.
        #[test]
        fn never_more_than_the_limit_in_any_window(
            steps in proptest::collection::vec((0u64..5_000, any::<bool>(), 0u32..12), 1..200)
        ) {
            let limiter = RateLimiter::default();
            let t0 = Instant::now();
            let mut t = t0;
            let mut sent = Vec::new();
            for (gap_ms, report, remaining) in steps {
                t += Duration::from_millis(gap_ms);
                if limiter.try_acquire(HEAVY, t).is_ok() {
                    sent.push(t);
                    if report {
                        limiter.record_response(HEAVY, Some(&rl(10, remaining.min(10), 60)), t);
                    }
                }
            }
            for (i, start) in sent.iter().enumerate() {
                let in_window = sent[i..].iter().filter(|s| **s < *start + S(60)).count();
                prop_assert!(in_window <= 10, "{in_window} sends within 60 s");
            }
        }
    }
}
