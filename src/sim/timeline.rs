//! The telephony-session events of a planned call, as a pure function of the plan: what RingCentral's
//! WebSocket gateway pushes while the polling endpoints show the same call (same `telephonySessionId`,
//! the same party ids as the records carry, ended when the records say ended).
//!
//! Each event carries one party; `sequence` rises over the whole session. The external caller's party has
//! no `extensionId`; queue calls have the caller, the queue and then the agent as parties; a transfer
//! ends the user's party with `Gone` and a `peerId` naming the target's party (in the same session, as the
//! records show it); voicemail parties go `VoiceMail`; holds and parks come from the plan's interlude.
use jiff::Timestamp;

use super::generator::{CallKind, InterludeKind, Outcome, PlannedCall};
use super::users::{ACCOUNT_ID, Directory, Extension};
use crate::api::model::Str;
use crate::api::wsg::{EventEnd, EventParty, EventStatus, Origin, Park, PeerId, SessionEvent, StatusCode};

/// One event and when it happens (Unix milliseconds, also its `eventTime`).
#[derive(Debug, Clone, PartialEq)]
pub struct TimedEvent {
    pub at_ms: i64,
    pub event: SessionEvent,
}

/// Every event of `call`, in order (time, then sequence).
pub fn timeline(call: &PlannedCall, dir: &Directory) -> Vec<TimedEvent> {
    let users = dir.users();
    let (Some(user), Some(peer)) = (users.get(call.user), users.get(call.peer)) else {
        return Vec::new();
    };
    let mut b = Builder {
        call,
        parties: Vec::new(),
        steps: Vec::new(),
    };
    let outside = EventEnd {
        phone_number: Some(call.outside.number.as_str().into()),
        name: call.outside.name.as_deref().map(Str::from),
        ..EventEnd::default()
    };
    match call.kind {
        CallKind::DirectInbound | CallKind::Transfer => {
            let caller = b.party(1, None, "Outbound", outside.clone(), number_of(user));
            let own = b.party(2, Some(user), "Inbound", outside.clone(), named(user));
            b.ring(&[caller, own]);
            b.settle(own, &[caller, own], &[own], true);
            if let Some(at) = call.transfer_at.filter(|_| call.kind == CallKind::Transfer) {
                let target = b.party(3, Some(peer), "Inbound", outside, named(peer));
                b.transfer(own, target, at);
            }
        }
        CallKind::Outbound => {
            let own = b.party(1, Some(user), "Outbound", named(user), outside);
            b.ring(&[own]);
            b.settle(own, &[own], &[own], false);
        }
        CallKind::Queue => {
            let Some(queue) = dir.extensions.get(call.queue) else {
                return Vec::new();
            };
            let caller = b.party(1, None, "Outbound", outside.clone(), number_of(queue));
            let line = b.party(2, Some(queue), "Inbound", outside.clone(), named(queue));
            let agent = b.party(3, Some(user), "Inbound", outside, named(user));
            b.parties[agent].queue_call = true;
            b.ring(&[caller, line, agent]);
            b.settle(agent, &[caller, line, agent], &[line, agent], true);
        }
        CallKind::Internal => {
            let own = b.party(1, Some(user), "Outbound", named(user), named(peer));
            let callee = b.party(2, Some(peer), "Inbound", named(user), named(peer));
            b.ring(&[own, callee]);
            b.settle(own, &[own, callee], &[callee], true);
        }
    }
    b.finish()
}

/// A party's fixed details.
struct Template {
    n: u8,
    extension_id: Option<String>,
    direction: &'static str,
    from: EventEnd,
    to: EventEnd,
    queue_call: bool,
}

/// One status change of one party.
struct Step {
    t: i64,
    /// Order among changes of the same second: a cause before its effect.
    rank: u8,
    party: usize,
    code: StatusCode,
    reason: Option<&'static str>,
    peer: Option<PeerId>,
    park: Option<String>,
}

struct Builder<'a> {
    call: &'a PlannedCall,
    parties: Vec<Template>,
    steps: Vec<Step>,
}

impl Builder<'_> {
    fn party(
        &mut self,
        n: u8,
        ext: Option<&Extension>,
        direction: &'static str,
        from: EventEnd,
        to: EventEnd,
    ) -> usize {
        self.parties.push(Template {
            n,
            extension_id: ext.map(|e| e.id.to_string()),
            direction,
            from,
            to,
            queue_call: false,
        });
        self.parties.len() - 1
    }

    fn step(&mut self, t: i64, party: usize, code: StatusCode, reason: Option<&'static str>) {
        let rank = match code {
            StatusCode::Setup => 0,
            StatusCode::Proceeding => 1,
            StatusCode::Gone => 2,
            StatusCode::Answered => 3,
            StatusCode::VoiceMail => 5,
            StatusCode::Disconnected => 6,
            _ => 4,
        };
        self.steps.push(Step {
            t,
            rank,
            party,
            code,
            reason,
            peer: None,
            park: None,
        });
    }

    fn ring(&mut self, parties: &[usize]) {
        for &p in parties {
            self.step(self.call.start, p, StatusCode::Setup, None);
            self.step(self.call.start, p, StatusCode::Proceeding, None);
        }
    }

    /// How the call goes on from ringing: answered by `own` (with its interlude) or not, then every party
    /// of `all` ends at the call's end; `rung` are the parties that rang unanswered. `voicemail` is false
    /// for outbound calls, whose "voicemail" outcome is a busy line.
    fn settle(&mut self, own: usize, all: &[usize], rung: &[usize], voicemail: bool) {
        let (answer, end) = (self.call.answer, self.call.end);
        let reason = match self.call.outcome {
            Outcome::Answered => {
                for &p in all {
                    self.step(answer, p, StatusCode::Answered, None);
                }
                self.interlude(own);
                None
            }
            Outcome::Missed => Some("NoAnswer"),
            Outcome::Voicemail if voicemail => {
                self.step(answer, rung[0], StatusCode::VoiceMail, Some("Voicemail"));
                Some("Voicemail")
            }
            Outcome::Voicemail => Some("TargetBusy"),
            Outcome::Abandoned => Some("Cancelled"),
        };
        for &p in all {
            let why = reason.filter(|_| rung.contains(&p)).unwrap_or("CallFinished");
            self.step(end, p, StatusCode::Disconnected, Some(why));
        }
    }

    fn interlude(&mut self, own: usize) {
        let Some(pause) = &self.call.interlude else {
            return;
        };
        let (code, reason, park) = match &pause.kind {
            InterludeKind::Hold => (StatusCode::Hold, None, None),
            InterludeKind::Park(id) => (StatusCode::Parked, Some("CallPark"), Some(id.clone())),
        };
        let resumed = if park.is_some() { Some("Pickup") } else { None };
        self.step(pause.from, own, code, reason);
        self.steps.last_mut().expect("just pushed").park = park;
        self.step(pause.until, own, StatusCode::Answered, resumed);
    }

    /// `own` hands the call to `target` at `at`: `own` goes `Gone` (with `peerId`) instead of ending, the
    /// target rings, answers and ends with the call.
    fn transfer(&mut self, own: usize, target: usize, at: i64) {
        let call = self.call;
        for step in self.steps.iter_mut().filter(|s| s.party == own && s.t >= at) {
            (step.t, step.rank, step.code) = (at, 2, StatusCode::Gone);
            step.reason = Some("AttendedTransfer");
            step.peer = Some(PeerId {
                session_id: Some(call.session_id.as_str().into()),
                telephony_session_id: call.telephony_session_id.as_str().into(),
                party_id: Some(call.party_id(self.parties[target].n).into()),
            });
        }
        self.step(at, target, StatusCode::Setup, None);
        self.step(at, target, StatusCode::Proceeding, None);
        self.step(at, target, StatusCode::Answered, None);
        self.step(call.end, target, StatusCode::Disconnected, Some("CallFinished"));
    }

    fn finish(mut self) -> Vec<TimedEvent> {
        let parties = &self.parties;
        self.steps.sort_by_key(|s| (s.t, s.rank, parties[s.party].n));
        let call = self.call;
        let mut same_second = 0;
        let mut events: Vec<TimedEvent> = Vec::with_capacity(self.steps.len());
        for (i, step) in self.steps.into_iter().enumerate() {
            same_second = match events.last() {
                Some(prev) if prev.at_ms.div_euclid(1000) == step.t => same_second + 1,
                _ => 0,
            };
            let at_ms = step.t * 1000 + (same_second * 10).min(990);
            let p = &parties[step.party];
            let missed = call.outcome == Outcome::Missed && step.code == StatusCode::Disconnected;
            let party = EventParty {
                id: call.party_id(p.n).into(),
                account_id: Some(ACCOUNT_ID.into()),
                extension_id: p.extension_id.as_deref().map(Str::from),
                direction: Some(p.direction.to_owned()),
                from: Some(p.from.clone()),
                to: Some(p.to.clone()),
                status: EventStatus {
                    code: step.code,
                    reason: step.reason.map(str::to_owned),
                    description: None,
                    peer_id: step.peer,
                    rcc: Some(false),
                },
                park: Some(Park {
                    id: step.park.map(Str::from),
                }),
                queue_call: p.queue_call.then_some(true),
                missed_call: Some(missed),
                stand_alone: Some(false),
                muted: Some(false),
            };
            events.push(TimedEvent {
                at_ms,
                event: SessionEvent {
                    sequence: i as u64 + 1,
                    session_id: Some(call.session_id.as_str().into()),
                    telephony_session_id: call.telephony_session_id.as_str().into(),
                    server_id: Some("10.13.22.28.TAM".to_owned()),
                    event_time: Timestamp::from_millisecond(at_ms).ok(),
                    origin: Some(Origin {
                        kind: "Call".to_owned(),
                    }),
                    parties: vec![party],
                },
            });
        }
        events
    }
}

/// An extension as the called end: number, name and extension id.
fn named(ext: &Extension) -> EventEnd {
    EventEnd {
        name: Some(ext.name().into()),
        extension_id: Some(ext.id.to_string().into()),
        ..number_of(ext)
    }
}

/// An extension's direct number only, as the outside caller's party sees it.
fn number_of(ext: &Extension) -> EventEnd {
    EventEnd {
        phone_number: Some(ext.phone_number.as_str().into()),
        ..EventEnd::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::generator::Generator;
    use crate::sim::scenario::Scenario;

    fn calls() -> (Directory, Vec<PlannedCall>) {
        let mut scenario = Scenario::demo();
        scenario.calls.arrivals_per_minute = 30.0;
        let dir = Directory::new(scenario.users, scenario.queues, false);
        let calls = Generator::new(scenario).calls_between(1_767_600_000, 1_767_603_600);
        (dir, calls)
    }

    #[test]
    fn every_party_ends_once_with_rising_sequence_and_one_party_per_event() {
        let (dir, calls) = calls();
        assert!(calls.len() > 500);
        for call in &calls {
            let events = timeline(call, &dir);
            assert!(events.windows(2).all(|w| w[0].at_ms < w[1].at_ms), "{call:?}");
            let mut finals = std::collections::HashMap::new();
            for (i, e) in events.iter().enumerate() {
                assert_eq!(e.event.sequence, i as u64 + 1);
                assert_eq!(e.event.parties.len(), 1);
                let p = &e.event.parties[0];
                assert!(
                    !finals.contains_key(&p.id),
                    "event after the end of {}: {call:?}",
                    p.id
                );
                if matches!(p.status.code, StatusCode::Disconnected | StatusCode::Gone) {
                    finals.insert(p.id.clone(), e.at_ms);
                }
            }
            let last = events.last().expect("events").at_ms.div_euclid(1000);
            assert_eq!(last, call.end, "{call:?}");
        }
    }

    #[test]
    fn records_and_events_name_the_same_parties() {
        let (dir, calls) = calls();
        for call in &calls {
            let parties: Vec<_> = timeline(call, &dir)
                .into_iter()
                .map(|e| e.event.parties[0].id.to_string())
                .collect();
            let slots = if matches!(call.kind, CallKind::Internal) || call.transfer_at.is_some() {
                2
            } else {
                1
            };
            for slot in 0..slots {
                assert!(
                    parties.contains(&call.party_id(call.record_party(slot))),
                    "{call:?}"
                );
            }
        }
    }

    #[test]
    fn holds_parks_transfers_voicemail_and_queues_all_occur() {
        let (dir, calls) = calls();
        let codes: Vec<StatusCode> = calls
            .iter()
            .flat_map(|c| timeline(c, &dir))
            .map(|e| e.event.parties[0].status.code.clone())
            .collect();
        for code in [
            StatusCode::Hold,
            StatusCode::Parked,
            StatusCode::Gone,
            StatusCode::VoiceMail,
        ] {
            assert!(codes.contains(&code), "{code:?}");
        }
        let queue = calls
            .iter()
            .find(|c| c.kind == CallKind::Queue)
            .expect("a queue call");
        let events = timeline(queue, &dir);
        let caller = &events[0].event.parties[0];
        assert_eq!(
            (caller.extension_id.as_ref(), caller.id.to_string()),
            (None, queue.party_id(1))
        );
        assert!(events.iter().any(|e| e.event.parties[0].queue_call == Some(true)));
    }
}
