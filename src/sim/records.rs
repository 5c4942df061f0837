//! Makes wire records of planned calls, shaped like the real captures (`assets/captures/`).
use std::sync::Arc;

use jiff::Timestamp;

use super::generator::{CallKind, Outcome, Phase, PlannedCall};
use super::users::{ACCOUNT_ID, Directory, Extension};
use crate::api::model::{
    CallAction, CallFields, CallReason, CallRecord, CallResult, CallType, Device, Direction, ExtensionRef,
    Leg, LegType, Party, Str,
};

const ACCEPTED: &str = "The call connected to and was accepted by this number.";
const HUNG_UP: &str = "The caller hung up before the call was answered";
const NOT_ANSWERED: &str = "The call was not answered within the allowed time";
const NO_ANSWER: &str = "The called party did not answer";
const BUSY: &str = "The called party was busy";

/// A result reason and its description.
type Reason = Option<(CallReason, &'static str)>;

/// One made record and which of its call's records it is (`RecordKey::slot`).
#[derive(Debug, Clone)]
struct OwnedRecord {
    slot: usize,
    record: CallRecord,
}

/// Makes the wire records of active-calls responses.
pub struct RecordMaker<'a> {
    pub dir: &'a Directory,
    /// `http://host:port` the client used.
    pub base: &'a str,
    pub detailed: bool,
    /// Account scope (record URIs under the account) or extension scope.
    pub account_scope: bool,
    pub now: i64,
    pub cache_window: i64,
}

impl RecordMaker<'_> {
    /// Record `slot` of `call` at `now` (see [`PlannedCall::record_keys`]).
    pub fn record(&self, call: &PlannedCall, slot: usize) -> Option<CallRecord> {
        self.records(call)
            .into_iter()
            .find(|r| r.slot == slot)
            .map(|r| r.record)
    }

    /// The records `call` contributes at `now` (one, or two for internal and transferred calls).
    fn records(&self, call: &PlannedCall) -> Vec<OwnedRecord> {
        let Some(phase) = call.phase(self.now, self.cache_window) else {
            return Vec::new();
        };
        let users = self.dir.users();
        let (Some(user), Some(peer)) = (users.get(call.user), users.get(call.peer)) else {
            return Vec::new();
        };
        match call.kind {
            CallKind::DirectInbound => vec![self.direct(call, phase, user, None)],
            CallKind::Outbound => vec![self.outbound(call, phase, user)],
            CallKind::Queue => match self.dir.extensions.get(call.queue) {
                Some(queue) => vec![self.queue(call, phase, user, queue)],
                None => Vec::new(),
            },
            CallKind::Internal => self.internal(call, phase, user, peer),
            CallKind::Transfer => self.transfer(call, phase, user, peer),
        }
    }

    fn direct(&self, call: &PlannedCall, phase: Phase, user: &Extension, hop: Option<Leg>) -> OwnedRecord {
        let (result, reason) = inbound_result(call, phase);
        let top = self.fields(
            call,
            user,
            Direction::Inbound,
            CallAction::PhoneCall,
            outside_party(call),
            named_party(user),
        );
        let mut legs = vec![leg(
            with_result(top.clone(), result.clone(), reason.clone()),
            LegType::Accept,
            true,
        )];
        if phase != Phase::Ringing && call.outcome == Outcome::Answered {
            legs.push(self.sip_leg(call, phase, user));
        }
        legs.extend(hop);
        let top = with_result(top, result, top_level_reason(call, phase, reason));
        self.wrap(call, 0, top, legs, phase)
    }

    fn outbound(&self, call: &PlannedCall, phase: Phase, user: &Extension) -> OwnedRecord {
        let (result, reason) = match (phase, call.outcome) {
            (Phase::Ringing, _) => (CallResult::InProgress, None),
            (Phase::Connected, _) => (CallResult::InProgress, accepted()),
            (Phase::Ended, Outcome::Answered) => (CallResult::CallConnected, accepted()),
            (Phase::Ended, Outcome::Missed) => (CallResult::NoAnswer, why(CallReason::NoAnswer, NO_ANSWER)),
            (Phase::Ended, Outcome::Voicemail) => (CallResult::Busy, why(CallReason::LineBusy, BUSY)),
            (Phase::Ended, Outcome::Abandoned) => (CallResult::HangUp, why(CallReason::HangUp, HUNG_UP)),
        };
        let mut from = self.device_party(user, true);
        from.phone_number = Some(user.phone_number.as_str().into());
        let to = Party {
            phone_number: Some(call.outside.number.as_str().into()),
            location: Some(call.outside.location.as_str().into()),
            ..Party::default()
        };
        let top = self.fields(call, user, Direction::Outbound, CallAction::VoipCall, from, to);
        let legs = vec![leg(
            with_result(top.clone(), result.clone(), reason.clone()),
            LegType::SipToPstnMetered,
            true,
        )];
        self.wrap(
            call,
            0,
            with_result(top, result, top_level_reason(call, phase, reason)),
            legs,
            phase,
        )
    }

    /// Queue calls look like an outbound VoIP call to the agent while live and turn into an inbound
    /// "Queue - CALLER" phone call once ended, exactly as in the captures.
    fn queue(&self, call: &PlannedCall, phase: Phase, user: &Extension, queue: &Extension) -> OwnedRecord {
        if phase != Phase::Ended {
            let reason = if phase == Phase::Connected {
                accepted()
            } else {
                None
            };
            let from = self.device_party(user, phase == Phase::Connected);
            let top = self.fields(
                call,
                user,
                Direction::Outbound,
                CallAction::VoipCall,
                from,
                device_target(user),
            );
            let top = with_result(top, CallResult::InProgress, reason);
            let legs = vec![leg(top.clone(), LegType::PstnToSip, true)];
            return self.wrap(call, 0, top, legs, phase);
        }
        let (result, reason) = match call.outcome {
            Outcome::Answered => (CallResult::Accepted, accepted()),
            Outcome::Missed => (CallResult::Missed, why(CallReason::NotAnswered, NOT_ANSWERED)),
            Outcome::Voicemail => (CallResult::Voicemail, why(CallReason::NotAnswered, NOT_ANSWERED)),
            Outcome::Abandoned => (CallResult::Abandoned, why(CallReason::HangUp, HUNG_UP)),
        };
        let caller = call.outside.name.as_deref().unwrap_or(&call.outside.number);
        let mut from = outside_party(call);
        from.name = Some(format!("{} - {caller}", queue.name()).into());
        let to = Party {
            name: Some(user.name().into()),
            phone_number: Some(queue.phone_number.as_str().into()),
            location: Some(queue.location.as_str().into()),
            ..Party::default()
        };
        let top = self.fields(call, user, Direction::Inbound, CallAction::PhoneCall, from, to);
        let top = with_result(top, result.clone(), reason.clone());
        let legs = vec![
            leg(top.clone(), LegType::Accept, true),
            leg(
                with_result(self.sip_fields(call, user), result, reason),
                LegType::PstnToSip,
                false,
            ),
        ];
        self.wrap(call, 0, top, legs, phase)
    }

    /// Two records sharing one telephony session: the caller's outbound one and the callee's inbound one.
    fn internal(
        &self,
        call: &PlannedCall,
        phase: Phase,
        caller: &Extension,
        callee: &Extension,
    ) -> Vec<OwnedRecord> {
        let (out_result, in_result, reason) = match (phase, call.outcome) {
            (Phase::Ringing, _) => (CallResult::InProgress, CallResult::InProgress, None),
            (Phase::Connected, _) => (CallResult::InProgress, CallResult::InProgress, accepted()),
            (Phase::Ended, Outcome::Answered) => {
                (CallResult::CallConnected, CallResult::Accepted, accepted())
            }
            (Phase::Ended, Outcome::Voicemail) => (
                CallResult::CallConnected,
                CallResult::Voicemail,
                why(CallReason::NotAnswered, NOT_ANSWERED),
            ),
            (Phase::Ended, _) => (
                CallResult::NoAnswer,
                CallResult::Missed,
                why(CallReason::HangUp, HUNG_UP),
            ),
        };
        let mut from = self.device_party(caller, true);
        from.extension_id = Some(caller.id.to_string().into());
        let to = Party {
            name: Some(callee.name().into()),
            extension_number: Some(callee.number.as_str().into()),
            extension_id: Some(callee.id.to_string().into()),
            ..Party::default()
        };
        let sides = [
            (
                0,
                caller,
                Direction::Outbound,
                CallAction::VoipCall,
                out_result,
                LegType::ExtensionToExtension,
            ),
            (
                1,
                callee,
                Direction::Inbound,
                CallAction::PhoneCall,
                in_result,
                LegType::Accept,
            ),
        ];
        sides
            .into_iter()
            .map(|(slot, owner, direction, action, result, leg_type)| {
                let top = self.fields(call, owner, direction, action, from.clone(), to.clone());
                let top = with_result(top, result, reason.clone());
                let legs = vec![leg(top.clone(), leg_type, true)];
                self.wrap(call, slot, top, legs, phase)
            })
            .collect()
    }

    /// A direct call with a `TransferCall` leg once handed over, and (account scope) the target's record.
    fn transfer(
        &self,
        call: &PlannedCall,
        phase: Phase,
        user: &Extension,
        target: &Extension,
    ) -> Vec<OwnedRecord> {
        let Some(at) = call.transfer_at.filter(|at| self.now >= *at) else {
            return vec![self.direct(call, phase, user, None)];
        };
        let (result, reason) = inbound_result(call, phase);
        let from = self.device_party(user, true);
        let hop = self.fields(
            call,
            user,
            Direction::Outbound,
            CallAction::Transfer,
            from,
            named_party(target),
        );
        let hop = leg(
            with_result(starting(hop, at), result.clone(), reason.clone()),
            LegType::TransferCall,
            false,
        );
        let first = self.direct(call, phase, user, Some(hop));
        let top = self.fields(
            call,
            target,
            Direction::Inbound,
            CallAction::PhoneCall,
            outside_party(call),
            named_party(target),
        );
        let top = with_result(starting(top, at), result, reason);
        let legs = vec![leg(top.clone(), LegType::Accept, true)];
        vec![first, self.wrap(call, 1, top, legs, phase)]
    }

    /// The fields of the user's phone answering over SIP: an outbound VoIP call from the device.
    fn sip_fields(&self, call: &PlannedCall, user: &Extension) -> CallFields {
        self.fields(
            call,
            user,
            Direction::Outbound,
            CallAction::VoipCall,
            self.device_party(user, true),
            device_target(user),
        )
    }

    /// The answering phone's leg of an inbound call.
    fn sip_leg(&self, call: &PlannedCall, phase: Phase, user: &Extension) -> Leg {
        let fields = self.sip_fields(call, user);
        let result = if phase == Phase::Ended {
            CallResult::Accepted
        } else {
            CallResult::InProgress
        };
        leg(
            with_result(starting(fields, call.answer), result, accepted()),
            LegType::PstnToSip,
            false,
        )
    }

    /// The fields every record and leg of `call` carries, as seen by `owner`, starting with the call.
    fn fields(
        &self,
        call: &PlannedCall,
        owner: &Extension,
        direction: Direction,
        action: CallAction,
        from: Party,
        to: Party,
    ) -> CallFields {
        CallFields {
            start_time: Some(ts(call.start)),
            call_type: Some(CallType::Voice),
            direction: Some(direction),
            action: Some(action),
            from: Some(Arc::new(from)),
            to: Some(Arc::new(to)),
            extension: Some(ExtensionRef {
                id: owner.id,
                uri: Some(format!("{}{}", self.base, owner.path()).into()),
            }),
            telephony_session_id: Some(call.telephony_session_id.as_str().into()),
            ..CallFields::default()
        }
    }

    fn device_party(&self, user: &Extension, with_device: bool) -> Party {
        Party {
            name: Some(user.name().into()),
            extension_number: Some(user.number.as_str().into()),
            device: with_device.then(|| Device {
                id: user.device_id.as_str().into(),
                uri: Some(
                    format!(
                        "{}/restapi/v1.0/account/{ACCOUNT_ID}/device/{}",
                        self.base, user.device_id
                    )
                    .into(),
                ),
            }),
            ..Party::default()
        }
    }

    /// Wraps fields into a record; adds durations once ended and drops legs in the Simple view.
    fn wrap(
        &self,
        call: &PlannedCall,
        slot: usize,
        mut top: CallFields,
        mut legs: Vec<Leg>,
        phase: Phase,
    ) -> OwnedRecord {
        let owner = if slot == 0 { call.user } else { call.peer };
        let id = call.record_ids[slot].clone();
        let party: Str = call.party_id(call.record_party(slot)).into();
        top.party_id = Some(party.clone());
        for l in &mut legs {
            l.fields.party_id = Some(party.clone());
        }
        let view = if self.detailed { "Detailed" } else { "Simple" };
        let scope = match (self.account_scope, self.dir.users().get(owner)) {
            (false, Some(ext)) => format!("/extension/{}", ext.id),
            _ => String::new(),
        };
        if phase == Phase::Ended {
            let start = top.start_time.map_or(call.start, |t| t.as_second());
            top.duration = Some((call.end - start).max(0) as u64);
            for l in legs.iter_mut().filter(|l| l.fields.duration.is_none()) {
                let leg_start = l.fields.start_time.map_or(call.start, |t| t.as_second());
                l.fields.duration = Some((call.end - leg_start).max(0) as u64);
            }
        }
        let changed = match phase {
            Phase::Ringing => call.start,
            Phase::Connected => call.answer,
            Phase::Ended => call.end,
        };
        let modified = legs
            .iter()
            .filter_map(|l| l.fields.start_time.map(|t| t.as_second()))
            .fold(changed, i64::max);
        OwnedRecord {
            slot,
            record: CallRecord {
                id: id.as_str().into(),
                uri: Some(
                    format!(
                        "{}/restapi/v1.0/account/{ACCOUNT_ID}{scope}/call-log/{id}?view={view}",
                        self.base
                    )
                    .into(),
                ),
                session_id: Some(call.session_id.as_str().into()),
                fields: top,
                legs: if self.detailed { legs } else { Vec::new() },
                last_modified_time: self.detailed.then(|| ts(modified)),
            },
        }
    }
}

fn inbound_result(call: &PlannedCall, phase: Phase) -> (CallResult, Reason) {
    match (phase, call.outcome) {
        (Phase::Ringing, _) => (CallResult::InProgress, None),
        (Phase::Connected, _) => (CallResult::InProgress, accepted()),
        (Phase::Ended, Outcome::Answered) => (CallResult::Accepted, accepted()),
        (Phase::Ended, Outcome::Voicemail) => {
            (CallResult::Voicemail, why(CallReason::NotAnswered, NOT_ANSWERED))
        }
        (Phase::Ended, _) => (CallResult::Missed, why(CallReason::HangUp, HUNG_UP)),
    }
}

/// While connected, the real service shows `reason` on the top level of some records and not others.
fn top_level_reason(call: &PlannedCall, phase: Phase, reason: Reason) -> Reason {
    if phase == Phase::Connected && !call.top_reason_while_live {
        None
    } else {
        reason
    }
}

fn accepted() -> Reason {
    why(CallReason::Accepted, ACCEPTED)
}

fn why(reason: CallReason, description: &'static str) -> Reason {
    Some((reason, description))
}

fn with_result(mut f: CallFields, result: CallResult, reason: Reason) -> CallFields {
    f.result = Some(result);
    f.reason_description = reason.as_ref().map(|(_, d)| Str::from(*d));
    f.reason = reason.map(|(r, _)| r);
    f
}

/// `fields` of a leg or record that began later than the call, at `at`.
fn starting(mut fields: CallFields, at: i64) -> CallFields {
    fields.start_time = Some(ts(at));
    fields
}

fn leg(fields: CallFields, leg_type: LegType, master: bool) -> Leg {
    Leg {
        fields,
        leg_type: Some(leg_type),
        master: Some(master),
    }
}

fn outside_party(call: &PlannedCall) -> Party {
    Party {
        name: call.outside.name.as_deref().map(Str::from),
        phone_number: Some(call.outside.number.as_str().into()),
        location: Some(call.outside.location.as_str().into()),
        ..Party::default()
    }
}

/// A user as the called party of an inbound call: name, direct number, location.
fn named_party(user: &Extension) -> Party {
    Party {
        name: Some(user.name().into()),
        phone_number: Some(user.phone_number.as_str().into()),
        location: Some(user.location.as_str().into()),
        ..Party::default()
    }
}

/// The user's phone as the target of a SIP leg: number, extension number, location.
fn device_target(user: &Extension) -> Party {
    Party {
        phone_number: Some(user.phone_number.as_str().into()),
        extension_number: Some(user.number.as_str().into()),
        location: Some(user.location.as_str().into()),
        ..Party::default()
    }
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::generator::Generator;
    use crate::sim::scenario::Scenario;

    #[test]
    fn record_keys_match_made_records() {
        let mut scenario = Scenario::demo();
        scenario.calls.arrivals_per_minute = 30.0;
        let dir = Directory::new(scenario.users, scenario.queues, false);
        let generator = Generator::new(scenario);
        let mut checked = 0;
        for step in 0..60 {
            let now = 1_767_600_000 + step * 37;
            let maker = RecordMaker {
                dir: &dir,
                base: "http://sim",
                detailed: true,
                account_scope: true,
                now,
                cache_window: 120,
            };
            for call in generator.calls_at(now) {
                let keys = call.record_keys(now, 120);
                let made = maker.records(&call);
                assert_eq!(keys.len(), made.len(), "{call:?}");
                for (key, r) in keys.iter().zip(&made) {
                    let f = &r.record.fields;
                    assert_eq!(key.slot, r.slot);
                    assert_eq!(f.direction.as_ref(), Some(&key.direction), "{call:?}");
                    assert_eq!(f.start_time.map(|t| t.as_second()), Some(key.start));
                    assert_eq!(
                        f.extension.as_ref().map(|e| e.id),
                        Some(dir.users()[key.owner].id)
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000);
    }
}
