//! When each live call's ring, talk or hold clock started, sorted, so the summary line and the alert counts at
//! any moment come from a few binary searches instead of a pass over every call: a frame costs the same
//! at 10,000 calls as at 100. Rebuilt whenever the live list changes.
use jiff::{SignedDuration, Timestamp};

use super::alerts::{AlertConfig, AlertCounts, Threshold};
use super::call::Call;
use super::state::CallState;
use super::summary::Summary;

/// The live list's clocks (indices are positions in the list they were built from).
#[derive(Debug, Default)]
pub(super) struct Clocks {
    /// The summary without its two longest-call lengths.
    counts: Summary,
    /// Earliest start of any live call.
    earliest: Option<Timestamp>,
    /// Earliest start of any ringing call.
    earliest_ringing: Option<Timestamp>,
    /// When each ringing call started ringing, oldest first.
    ringing: Vec<(Timestamp, usize)>,
    /// When each connected call started talking (its start when the answer time is unknown), oldest first.
    talking: Vec<(Timestamp, usize)>,
    /// When each call on hold or parked was put there, oldest first.
    holding: Vec<(Timestamp, usize)>,
}

impl Clocks {
    /// Indexes `live` (ringing and connected calls) and counts `ended`.
    pub(super) fn build(live: &[Call], ended: &[Call]) -> Self {
        let mut clocks = Clocks {
            counts: Summary::counts(live, ended),
            ..Clocks::default()
        };
        for (i, call) in live.iter().enumerate() {
            let start = call.start();
            clocks.earliest = Some(clocks.earliest.map_or(start, |e| e.min(start)));
            match call.state() {
                CallState::Ringing => {
                    clocks.earliest_ringing = Some(clocks.earliest_ringing.map_or(start, |e| e.min(start)));
                    clocks.ringing.push((start, i));
                }
                CallState::Connected => clocks.talking.push((call.answer_time().unwrap_or(start), i)),
                CallState::OnHold | CallState::Parked => {
                    clocks.holding.extend(call.held_since().map(|since| (since, i)));
                }
                CallState::VoiceMail | CallState::Ended(_) | CallState::Vanished => {}
            }
        }
        clocks.ringing.sort_unstable();
        clocks.talking.sort_unstable();
        clocks.holding.sort_unstable();
        clocks
    }

    /// The counts of the summary, which do not depend on the time.
    pub(super) fn counts(&self) -> &Summary {
        &self.counts
    }

    /// Live calls by state, the longest live and ringing calls at `now`, ended calls by result.
    pub(super) fn summary(&self, now: Timestamp) -> Summary {
        let since = |start: Timestamp| now.duration_since(start).max(SignedDuration::ZERO);
        Summary {
            longest: self.earliest.map(since),
            longest_ringing: self.earliest_ringing.map(since),
            ..self.counts
        }
    }

    /// How many live calls are over the warn and the critical thresholds at `now`.
    pub(super) fn alert_counts(&self, config: &AlertConfig, now: Timestamp) -> AlertCounts {
        let count = |clocks: &[(Timestamp, usize)], t: &Threshold| {
            let over = |secs| over(clocks, secs, now).len();
            let critical = over(t.critical_secs);
            (over(t.warn_secs).saturating_sub(critical), critical)
        };
        let (ring_warn, ring_critical) = count(&self.ringing, &config.ringing);
        let (talk_warn, talk_critical) = count(&self.talking, &config.talking);
        let (hold_warn, hold_critical) = count(&self.holding, &config.hold);
        AlertCounts {
            warn: ring_warn + talk_warn + hold_warn,
            critical: ring_critical + talk_critical + hold_critical,
        }
    }

    /// Positions of the live calls over the critical threshold at `now`.
    pub(super) fn critical(&self, config: &AlertConfig, now: Timestamp) -> impl Iterator<Item = usize> {
        over(&self.ringing, config.ringing.critical_secs, now)
            .iter()
            .chain(over(&self.talking, config.talking.critical_secs, now))
            .chain(over(&self.holding, config.hold.critical_secs, now))
            .map(|&(_, i)| i)
    }
}

/// The clocks that have run more than `secs` whole seconds at `now` (a prefix: they are oldest first).
fn over(clocks: &[(Timestamp, usize)], secs: u64, now: Timestamp) -> &[(Timestamp, usize)] {
    // Whole seconds strictly over `secs` means at least `secs + 1` seconds.
    let cutoff = i64::try_from(secs)
        .ok()
        .and_then(|s| s.checked_add(1))
        .and_then(|s| now.checked_sub(SignedDuration::from_secs(s)).ok());
    match cutoff {
        Some(cutoff) => &clocks[..clocks.partition_point(|(t, _)| *t <= cutoff)],
        None => &[],
    }
}
