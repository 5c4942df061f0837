//! Alert thresholds: how long a call may ring, talk or stay on hold before it is flagged, and which calls newly went
//! critical. Pure: `now` is passed in.
use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::call::Call;
use super::state::CallState;

/// How serious an alert is; critical sorts above warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertLevel {
    /// Over the warn threshold.
    Warn,
    /// Over the critical threshold.
    Critical,
}

/// A warn and a critical limit for one measure, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Over this many seconds: warn.
    #[serde(deserialize_with = "seconds")]
    pub warn_secs: u64,
    /// Over this many seconds: critical.
    #[serde(deserialize_with = "seconds")]
    pub critical_secs: u64,
}

/// The seconds a threshold limit may be: at least a second, at most a day.
pub const THRESHOLD_SECS: std::ops::RangeInclusive<u64> = 1..=86_400;

/// A limit as written: a whole number of seconds (its range is checked by [`Threshold::check`], which
/// names the key); anything else is refused saying what is accepted.
fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    use serde::de::{Error, Unexpected, Visitor};

    struct Seconds;
    impl Visitor<'_> for Seconds {
        type Value = u64;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let (min, max) = (THRESHOLD_SECS.start(), THRESHOLD_SECS.end());
            write!(f, "whole seconds from {min} to {max}")
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_i64<E: Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
        }

        fn visit_f64<E: Error>(self, v: f64) -> Result<u64, E> {
            // Said short: `1e300`, not its 301 digits.
            Err(E::custom(format_args!("{v:e} is not {}", Expected(&self))))
        }
    }

    /// What a visitor expects, as text.
    struct Expected<'a>(&'a Seconds);
    impl std::fmt::Display for Expected<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.expecting(f)
        }
    }

    d.deserialize_u64(Seconds)
}

impl Threshold {
    /// Checks the limits of the threshold named `name` (e.g. `alerts.ringing`): each within
    /// [`THRESHOLD_SECS`], warn below critical. The error names the key and what it accepts.
    pub fn check(&self, name: &str) -> Result<(), String> {
        let (min, max) = (THRESHOLD_SECS.start(), THRESHOLD_SECS.end());
        for (key, secs) in [
            ("warn_secs", self.warn_secs),
            ("critical_secs", self.critical_secs),
        ] {
            if !THRESHOLD_SECS.contains(&secs) {
                return Err(format!(
                    "{name}.{key} = {secs} is out of range: use {min} to {max} seconds"
                ));
            }
        }
        if self.warn_secs >= self.critical_secs {
            return Err(format!(
                "{name}.warn_secs ({}) must be below {name}.critical_secs ({})",
                self.warn_secs, self.critical_secs
            ));
        }
        Ok(())
    }

    /// The level of a duration: strictly over a limit counts.
    pub fn level(&self, d: SignedDuration) -> Option<AlertLevel> {
        let secs = u64::try_from(d.as_secs()).unwrap_or(0);
        if secs > self.critical_secs {
            Some(AlertLevel::Critical)
        } else if secs > self.warn_secs {
            Some(AlertLevel::Warn)
        } else {
            None
        }
    }
}

/// Thresholds for ringing, talking and held calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertConfig {
    /// Time a call has been ringing.
    pub ringing: Threshold,
    /// Time a call has been talking.
    pub talking: Threshold,
    /// Time a call has been on hold or parked (push's hold timer).
    pub hold: Threshold,
}

impl Default for AlertConfig {
    /// Ringing over 20 s warns, over 45 s is critical; talking over 15 min warns, over 30 min is critical;
    /// on hold or parked over 1 min warns, over 3 min is critical.
    fn default() -> Self {
        AlertConfig {
            ringing: Threshold {
                warn_secs: 20,
                critical_secs: 45,
            },
            talking: Threshold {
                warn_secs: 15 * 60,
                critical_secs: 30 * 60,
            },
            hold: Threshold {
                warn_secs: 60,
                critical_secs: 3 * 60,
            },
        }
    }
}

impl AlertConfig {
    /// Checks every threshold (see [`Threshold::check`]); the error names the first wrong key under
    /// `alerts`.
    pub fn check(&self) -> Result<(), String> {
        let all = [
            ("ringing", self.ringing),
            ("talking", self.talking),
            ("hold", self.hold),
        ];
        all.iter()
            .try_for_each(|(name, t)| t.check(&format!("alerts.{name}")))
    }

    /// The alert a call is under at `now`: ringing time while ringing, talk time while connected (the whole
    /// call when the answer time is unknown), hold time while on hold or parked. Calls in voicemail and
    /// ended calls carry none.
    pub fn level(&self, call: &Call, now: Timestamp) -> Option<AlertLevel> {
        match call.state() {
            CallState::Ringing => self.ringing.level(call.ring_time(now)?),
            CallState::Connected => self
                .talking
                .level(call.talk_time(now).unwrap_or_else(|| call.duration(now))),
            CallState::OnHold | CallState::Parked => self.hold.level(call.hold_time(now)?),
            CallState::VoiceMail | CallState::Ended(_) | CallState::Vanished => None,
        }
    }
}

/// How many live calls are over a threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertCounts {
    /// Over the warn threshold only.
    pub warn: usize,
    /// Over the critical threshold.
    pub critical: usize,
}

impl AlertCounts {
    /// Counts the levels of `calls` at `now`.
    pub fn of<'a>(config: &AlertConfig, calls: impl IntoIterator<Item = &'a Call>, now: Timestamp) -> Self {
        let mut counts = AlertCounts::default();
        for call in calls {
            match config.level(call, now) {
                Some(AlertLevel::Warn) => counts.warn += 1,
                Some(AlertLevel::Critical) => counts.critical += 1,
                None => {}
            }
        }
        counts
    }
}

/// The calls over the critical threshold at the last check, so that only a newly critical one rings.
#[derive(Debug, Clone, Default)]
pub struct CriticalWatch {
    ids: HashSet<String>,
}

impl CriticalWatch {
    /// Takes the ids critical now; true when one of them was not critical at the last check.
    pub fn update<'a>(&mut self, critical: impl IntoIterator<Item = &'a str>) -> bool {
        let now: HashSet<String> = critical.into_iter().map(str::to_owned).collect();
        let new = now.iter().any(|id| !self.ids.contains(id));
        self.ids = now;
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_exclusive() {
        let t = AlertConfig::default().ringing;
        let at = |s| t.level(SignedDuration::from_secs(s));
        assert_eq!(at(20), None);
        assert_eq!(at(21), Some(AlertLevel::Warn));
        assert_eq!(at(45), Some(AlertLevel::Warn));
        assert_eq!(at(46), Some(AlertLevel::Critical));
        assert_eq!(at(-5), None);
    }

    #[test]
    fn thresholds_outside_a_second_to_a_day_or_not_rising_are_refused_by_key() {
        assert_eq!(AlertConfig::default().check(), Ok(()));
        let mut config = AlertConfig::default();
        config.talking.critical_secs = 86_401;
        assert_eq!(
            config.check(),
            Err("alerts.talking.critical_secs = 86401 is out of range: use 1 to 86400 seconds".into())
        );
        config = AlertConfig::default();
        config.ringing.warn_secs = 0;
        assert_eq!(
            config.check(),
            Err("alerts.ringing.warn_secs = 0 is out of range: use 1 to 86400 seconds".into())
        );
        config = AlertConfig::default();
        config.hold.warn_secs = config.hold.critical_secs;
        assert_eq!(
            config.check(),
            Err("alerts.hold.warn_secs (180) must be below alerts.hold.critical_secs (180)".into())
        );
    }

    #[test]
    fn a_critical_call_is_new_once_and_again_after_it_recovers() {
        let mut watch = CriticalWatch::default();
        assert!(!watch.update([]));
        assert!(watch.update(["a"]), "a goes critical");
        assert!(!watch.update(["a"]), "still critical: no second ring");
        assert!(watch.update(["a", "b"]), "b is new");
        assert!(!watch.update(["b"]), "a leaving is not news");
        assert!(watch.update(["a", "b"]), "a is critical again");
    }
}
