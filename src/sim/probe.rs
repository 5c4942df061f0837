//! Probe calls: recognisable calls (`PROBE 0001`, `PROBE 0002`, …) at a fixed period, planned like every
//! other call, so both the polling endpoints and the gateway show them. A benchmark filters the board by
//! `PROBE` and times when each one first shows against when the simulator planned or sent its first event.
//!
//! Probe `n` starts ringing at Unix second `n × every_secs`, is for the admin demo user, rings `ring_secs`
//! and talks `talk_secs`; its number (`n` modulo 10 000) is its caller's name.
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::generator::{CallKind, Outcome, Outside, PlannedCall, record_id, splitmix};
use super::scenario::ProbeSettings;
use crate::api::wsg::SessionEvent;

/// What every probe caller's name starts with.
pub const PREFIX: &str = "PROBE ";
/// Salt of the probes' RNG stream, so their ids never follow the ordinary calls'.
const PROBE_SALT: u64 = 0x5EED_0F90_BE5A_11CE;

impl ProbeSettings {
    /// The probe calls starting in `[first_start, last_start]` (Unix seconds) for which
    /// `visible(start, end)` holds.
    pub(crate) fn calls(
        &self,
        seed: u64,
        first_start: i64,
        last_start: i64,
        visible: impl Fn(i64, i64) -> bool,
    ) -> Vec<PlannedCall> {
        let Ok(every) = i64::try_from(self.every_secs) else {
            return Vec::new();
        };
        if every == 0 {
            return Vec::new();
        }
        let first = first_start.div_euclid(every) + i64::from(first_start.rem_euclid(every) != 0);
        (first..=last_start.div_euclid(every))
            .filter_map(|n| {
                let call = self.call(seed, n, every);
                visible(call.start, call.end).then_some(call)
            })
            .collect()
    }

    /// The longest a probe lives, seconds.
    pub(crate) fn life(&self) -> i64 {
        i64::try_from(self.ring_secs + self.talk_secs).unwrap_or(i64::MAX)
    }

    fn call(&self, seed: u64, n: i64, every: i64) -> PlannedCall {
        let mut rng = SmallRng::seed_from_u64(splitmix(seed ^ PROBE_SALT ^ splitmix(n as u64)));
        let start = n * every;
        let answer = start + self.ring_secs as i64;
        let number = n.rem_euclid(10_000);
        PlannedCall {
            kind: CallKind::DirectInbound,
            outcome: Outcome::Answered,
            start,
            answer,
            end: answer + self.talk_secs as i64,
            transfer_at: None,
            user: 0,
            peer: 1,
            // Not a queue call: no queue.
            queue: 0,
            outside: Outside {
                name: Some(name(n)),
                number: format!("+1650555{number:04}"),
                location: "Probe".to_owned(),
            },
            record_ids: [record_id(&mut rng), record_id(&mut rng)],
            session_id: format!("{}016", rng.random_range(100_000_000u64..1_000_000_000)),
            telephony_session_id: format!("s-{:016x}{:016x}", rng.random::<u64>(), rng.random::<u64>()),
            top_reason_while_live: true,
            interlude: None,
        }
    }
}

/// The caller name of probe `n`: `PROBE 0007`.
pub fn name(n: i64) -> String {
    format!("{PREFIX}{:04}", n.rem_euclid(10_000))
}

/// The probe an event belongs to (its party's caller name), when it is one.
pub fn of_event(event: &SessionEvent) -> Option<&str> {
    let name = event.parties.first()?.from.as_ref()?.name.as_ref()?.as_str();
    name.starts_with(PREFIX).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(secs: u64) -> ProbeSettings {
        ProbeSettings {
            every_secs: secs,
            ..ProbeSettings::default()
        }
    }

    #[test]
    fn probes_start_on_multiples_of_the_period_with_numbered_names() {
        let calls = every(5).calls(7, 1_767_600_001, 1_767_600_020, |_, _| true);
        let starts: Vec<i64> = calls.iter().map(|c| c.start).collect();
        assert_eq!(
            starts,
            [1_767_600_005, 1_767_600_010, 1_767_600_015, 1_767_600_020]
        );
        let first = &calls[0];
        assert_eq!(first.outside.name.as_deref(), Some(name(353_520_001).as_str()));
        assert_eq!(name(353_520_001), "PROBE 0001");
        assert_eq!(
            (
                first.answer - first.start,
                first.end - first.answer,
                first.outcome
            ),
            (8, 20, Outcome::Answered)
        );
        assert_ne!(calls[0].telephony_session_id, calls[1].telephony_session_id);
        assert_eq!(
            calls,
            every(5).calls(7, 1_767_600_001, 1_767_600_020, |_, _| true)
        );
    }

    #[test]
    fn no_probes_when_off_and_only_visible_ones_otherwise() {
        assert!(ProbeSettings::default().calls(7, 0, 1000, |_, _| true).is_empty());
        let late = every(10).calls(7, 0, 100, |start, _| start >= 50);
        assert_eq!(late.len(), 6);
    }
}
