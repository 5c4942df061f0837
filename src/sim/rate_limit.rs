//! Server-side rate limiting like RingCentral's: a sliding window per (user, group) and a penalty that
//! restarts with every request sent during it.
use std::collections::{HashMap, VecDeque};
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

/// A usage-plan group (`X-Rate-Limit-Group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateGroup {
    Heavy,
    Medium,
    Light,
    Auth,
}

impl RateGroup {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            RateGroup::Heavy => "Heavy",
            RateGroup::Medium => "Medium",
            RateGroup::Light => "Light",
            RateGroup::Auth => "Auth",
        }
    }
}

impl fmt::Display for RateGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Requests allowed per window for each group, the window and the penalty.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Requests per window in the Heavy group (active calls).
    pub heavy: u32,
    /// Medium group (extension directory).
    pub medium: u32,
    /// Light group (single extension).
    pub light: u32,
    /// Auth group (token, revoke).
    pub auth: u32,
    /// Sliding window length.
    pub window_secs: u64,
    /// How long a throttled user is refused; restarts with each request made during it.
    pub penalty_secs: u64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            heavy: 10,
            medium: 40,
            light: 50,
            auth: 5,
            window_secs: 60,
            penalty_secs: 60,
        }
    }
}

impl fmt::Display for RateLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Heavy {}, Medium {}, Light {}, Auth {} per {} s, {} s penalty",
            self.heavy, self.medium, self.light, self.auth, self.window_secs, self.penalty_secs
        )
    }
}

impl RateLimits {
    /// What makes these limits looser than RingCentral's default usage plan (the [`Default`]), or `None`
    /// when nothing does: smaller limits and longer windows or penalties are as real, some plans are tighter.
    pub fn looser_than_ringcentral(&self) -> Option<String> {
        let real = RateLimits::default();
        let looser = [
            ("heavy", self.heavy > real.heavy, self.heavy, real.heavy),
            ("medium", self.medium > real.medium, self.medium, real.medium),
            ("light", self.light > real.light, self.light, real.light),
            ("auth", self.auth > real.auth, self.auth, real.auth),
            (
                "window_secs",
                self.window_secs < real.window_secs,
                self.window_secs as u32,
                real.window_secs as u32,
            ),
            (
                "penalty_secs",
                self.penalty_secs < real.penalty_secs,
                self.penalty_secs as u32,
                real.penalty_secs as u32,
            ),
        ];
        let said: Vec<String> = looser
            .iter()
            .filter(|(_, loose, _, _)| *loose)
            .map(|(name, _, value, real)| format!("{name} = {value} (RingCentral: {real})"))
            .collect();
        (!said.is_empty()).then(|| said.join(", "))
    }

    /// These limits with what they are, as benchmarks and the simulator's banner say them.
    pub fn label(&self) -> String {
        if self.looser_than_ringcentral().is_some() {
            format!("UNREALISTIC limits, looser than RingCentral's ({self})")
        } else if *self == RateLimits::default() {
            format!("RingCentral's default limits ({self})")
        } else {
            format!("limits tighter than RingCentral's ({self})")
        }
    }

    /// The per-window limit of `group`.
    pub fn limit(&self, group: RateGroup) -> u32 {
        match group {
            RateGroup::Heavy => self.heavy,
            RateGroup::Medium => self.medium,
            RateGroup::Light => self.light,
            RateGroup::Auth => self.auth,
        }
    }
}

/// What a request gets: the header values, and whether it was throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateVerdict {
    pub group: RateGroup,
    /// `X-Rate-Limit-Limit`.
    pub limit: u32,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: u32,
    /// `X-Rate-Limit-Window`.
    pub window_secs: u64,
    /// `Some(penalty seconds)` when the request must get a 429.
    pub throttled: Option<u64>,
}

#[derive(Debug, Default)]
struct Bucket {
    accepted: VecDeque<Timestamp>,
    penalty_until: Option<Timestamp>,
}

/// All buckets of one simulator.
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    buckets: HashMap<(String, RateGroup), Bucket>,
}

impl RateLimiter {
    /// A limiter with no history.
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            buckets: HashMap::new(),
        }
    }

    /// Counts one request by `user` in `group` at `now`.
    pub fn check(&mut self, user: &str, group: RateGroup, now: Timestamp) -> RateVerdict {
        let limit = self.limits.limit(group);
        let window = secs(self.limits.window_secs);
        let penalty = secs(self.limits.penalty_secs);
        let bucket = self.buckets.entry((user.to_owned(), group)).or_default();
        while bucket
            .accepted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            bucket.accepted.pop_front();
        }
        let in_penalty = bucket.penalty_until.is_some_and(|until| now < until);
        let used = u32::try_from(bucket.accepted.len()).unwrap_or(u32::MAX);
        let throttled = in_penalty || used >= limit;
        if throttled {
            bucket.penalty_until = now.checked_add(penalty).ok();
        } else {
            bucket.penalty_until = None;
            bucket.accepted.push_back(now);
        }
        let used = u32::try_from(bucket.accepted.len()).unwrap_or(u32::MAX);
        RateVerdict {
            group,
            limit,
            remaining: if throttled { 0 } else { limit.saturating_sub(used) },
            window_secs: self.limits.window_secs,
            throttled: throttled.then_some(self.limits.penalty_secs),
        }
    }
}

fn secs(s: u64) -> SignedDuration {
    SignedDuration::from_secs(i64::try_from(s).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_say_when_they_are_looser_than_ringcentral() {
        let real = RateLimits::default();
        assert_eq!(real.looser_than_ringcentral(), None);
        assert!(
            real.label()
                .starts_with("RingCentral's default limits (Heavy 10, Medium 40, Light 50, Auth 5 per 60 s")
        );
        let tight = RateLimits {
            heavy: 3,
            penalty_secs: 120,
            ..real.clone()
        };
        assert_eq!(tight.looser_than_ringcentral(), None);
        assert!(tight.label().starts_with("limits tighter"), "{}", tight.label());
        let loose = RateLimits {
            heavy: 1000,
            window_secs: 10,
            ..real
        };
        assert_eq!(
            loose.looser_than_ringcentral().unwrap(),
            "heavy = 1000 (RingCentral: 10), window_secs = 10 (RingCentral: 60)"
        );
        assert!(loose.label().starts_with("UNREALISTIC"));
    }

    #[test]
    fn penalty_restarts_on_each_request_during_it() {
        let mut rl = RateLimiter::new(RateLimits::default());
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let at = |s: i64| t0.checked_add(SignedDuration::from_secs(s)).unwrap();
        for i in 0..10 {
            let v = rl.check("u", RateGroup::Heavy, at(i));
            assert_eq!((v.throttled, v.remaining), (None, 9 - i as u32));
        }
        assert_eq!(rl.check("u", RateGroup::Heavy, at(10)).throttled, Some(60));
        assert!(rl.check("other", RateGroup::Heavy, at(10)).throttled.is_none());
        assert!(rl.check("u", RateGroup::Light, at(10)).throttled.is_none());
        // Inside the penalty (restarted at 65 → until 125), even though the window has room again.
        assert!(rl.check("u", RateGroup::Heavy, at(65)).throttled.is_some());
        assert!(rl.check("u", RateGroup::Heavy, at(124)).throttled.is_some());
        assert!(rl.check("u", RateGroup::Heavy, at(184)).throttled.is_none());
    }
}
