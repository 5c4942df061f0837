//! Which telephony-session events to apply: each notification once (by `uuid`, remembered for a few
//! minutes: a recovery replays up to 100 events the client may already have), and each party's changes
//! only forward (an event with a lower `sequence` than one already applied to the same party is stale;
//! events may arrive out of order). Memory stays bounded: both records expire.
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::super::model::Str;
use super::super::wsg::{Notification, SessionEvent};
use crate::feed::PartyChange;

/// How long a notification's `uuid` is remembered.
const UUID_TTL: Duration = Duration::from_secs(300);
/// Most `uuid`s remembered at once; the oldest go first.
const UUID_CAP: usize = 20_000;
/// How long a party's last sequence is remembered after its last event.
const PARTY_TTL: Duration = Duration::from_secs(600);

/// The dedupe and ordering guard of one subscription's events.
#[derive(Default)]
pub struct EventGate {
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
    parties: HashMap<(Str, Str), (u64, Instant)>,
    /// When `parties` was last swept.
    swept: Option<Instant>,
}

impl EventGate {
    /// The party changes of `event`, received at `now` (wall time `received`), that are neither a repeat
    /// nor older than what was applied already.
    pub fn admit(
        &mut self,
        event: &Notification<SessionEvent>,
        now: Instant,
        received: Timestamp,
    ) -> Vec<(Timestamp, PartyChange)> {
        self.expire(now);
        if self.seen.contains_key(&event.uuid) {
            return Vec::new();
        }
        self.seen.insert(event.uuid.clone(), now);
        self.order.push_back((now, event.uuid.clone()));
        PartyChange::from_event(event, received)
            .into_iter()
            .filter(|(_, change)| self.forward(change, now))
            .collect()
    }

    /// True when `change` is newer than the last applied change of its party (a sequence of 0 is unknown
    /// and always applies).
    fn forward(&mut self, change: &PartyChange, now: Instant) -> bool {
        let key = (change.session_id.clone(), change.party_id.clone());
        match self.parties.get_mut(&key) {
            Some((last, _)) if change.sequence != 0 && change.sequence <= *last => false,
            Some((last, at)) => {
                *last = (*last).max(change.sequence);
                *at = now;
                true
            }
            None => {
                self.parties.insert(key, (change.sequence, now));
                true
            }
        }
    }

    fn expire(&mut self, now: Instant) {
        while let Some((at, _)) = self.order.front() {
            if now.saturating_duration_since(*at) < UUID_TTL && self.order.len() <= UUID_CAP {
                break;
            }
            if let Some((_, uuid)) = self.order.pop_front() {
                self.seen.remove(&uuid);
            }
        }
        if self
            .swept
            .is_none_or(|at| now.saturating_duration_since(at) >= PARTY_TTL / 10)
        {
            self.parties
                .retain(|_, (_, at)| now.saturating_duration_since(*at) < PARTY_TTL);
            self.swept = Some(now);
        }
    }

    /// `uuid`s and parties remembered now.
    #[cfg(test)]
    pub fn remembered(&self) -> (usize, usize) {
        (self.seen.len(), self.parties.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wsg::{EventParty, EventStatus, StatusCode};
    use crate::feed::PartyStatus;

    fn event(uuid: &str, sequence: u64, code: StatusCode) -> Notification<SessionEvent> {
        Notification {
            uuid: uuid.into(),
            event: "/restapi/v1.0/account/1/telephony/sessions".into(),
            timestamp: None,
            subscription_id: None,
            owner_id: None,
            body: SessionEvent {
                sequence,
                session_id: None,
                telephony_session_id: "s-1".into(),
                server_id: None,
                event_time: None,
                origin: None,
                parties: vec![EventParty {
                    id: "p-1".into(),
                    account_id: None,
                    extension_id: None,
                    direction: None,
                    from: None,
                    to: None,
                    status: EventStatus {
                        code,
                        reason: None,
                        description: None,
                        peer_id: None,
                        rcc: None,
                    },
                    park: None,
                    queue_call: None,
                    missed_call: None,
                    stand_alone: None,
                    muted: None,
                }],
            },
        }
    }

    fn statuses(gate: &mut EventGate, e: &Notification<SessionEvent>, now: Instant) -> Vec<PartyStatus> {
        gate.admit(e, now, Timestamp::UNIX_EPOCH)
            .into_iter()
            .map(|(_, c)| c.status)
            .collect()
    }

    #[test]
    fn repeats_and_stale_events_are_dropped() {
        let t0 = Instant::now();
        let mut gate = EventGate::default();
        let answered = event("u2", 3, StatusCode::Answered);
        assert_eq!(statuses(&mut gate, &answered, t0), [PartyStatus::Answered]);
        assert!(statuses(&mut gate, &answered, t0).is_empty(), "a duplicate uuid");
        let setup_late = event("u1", 2, StatusCode::Setup);
        assert!(
            statuses(&mut gate, &setup_late, t0).is_empty(),
            "an older sequence arrives late"
        );
        let same_seq = event("u2b", 3, StatusCode::Answered);
        assert!(
            statuses(&mut gate, &same_seq, t0).is_empty(),
            "the same sequence twice"
        );
        let hold = event("u3", 5, StatusCode::Hold);
        assert_eq!(statuses(&mut gate, &hold, t0), [PartyStatus::Hold]);
    }

    #[test]
    fn memory_is_bounded_in_time() {
        let t0 = Instant::now();
        let mut gate = EventGate::default();
        for i in 0..100 {
            gate.admit(
                &event(&format!("u{i}"), i + 1, StatusCode::Hold),
                t0,
                Timestamp::UNIX_EPOCH,
            );
        }
        assert_eq!(gate.remembered(), (100, 1));
        let later = t0 + PARTY_TTL + Duration::from_secs(1);
        let fresh = event("new", 0, StatusCode::Answered);
        gate.admit(&fresh, later, Timestamp::UNIX_EPOCH);
        assert_eq!(gate.remembered(), (1, 1), "old uuids and parties expired");
    }
}
