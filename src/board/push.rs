//! What push (telephony-session events) says about each telephony session: every party's latest status
//! with the sequence that set it, when that status began, names and numbers, and where a `Gone` party
//! went. A session's state comes from its parties (see [`PushSession::state`]). Pure: event times come
//! with the changes.
use std::collections::HashMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::state::CallState;
use crate::api::model::{CallFields, CallReason, CallRecord, CallResult, Delegate, ExtensionRef, Party, Str};
use crate::feed::{PartyChange, PartyStatus};

/// One party of a session as the newest event for it said.
#[derive(Debug, Clone, PartialEq)]
pub struct PushParty {
    /// The newest change applied (names, numbers and direction kept from an earlier one that gave them
    /// when it leaves them out; status and sequence the latest).
    pub latest: PartyChange,
    /// When the current status began (the event's time): the hold timer of a held party.
    pub since: Timestamp,
    /// When the newest event for this party happened.
    at: Timestamp,
}

/// What one telephony session's events said: its parties in the order they first appeared.
#[derive(Debug, Clone)]
pub struct PushSession {
    id: Str,
    parties: Vec<PushParty>,
    first_event: Timestamp,
    last_event: Timestamp,
    answered_at: Option<Timestamp>,
    reached_voicemail: bool,
    /// Some party was ever live (a session first seen ended makes no call of its own).
    seen_live: bool,
    /// Some party was ever ringing.
    seen_ringing: bool,
    /// A listing has held a record of this session, so records, not a synthesized call, show it.
    pub(super) listed: bool,
}

/// What a session's push state lends the board's calls of that session.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Overlay {
    /// The session's state.
    pub state: CallState,
    /// When the hold or park began, while on hold or parked.
    pub held_since: Option<Timestamp>,
    pub first_event: Timestamp,
    pub last_event: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub seen_ringing: bool,
}

impl PushSession {
    fn new(id: Str, at: Timestamp) -> Self {
        PushSession {
            id,
            parties: Vec::new(),
            first_event: at,
            last_event: at,
            answered_at: None,
            reached_voicemail: false,
            seen_live: false,
            seen_ringing: false,
            listed: false,
        }
    }

    /// The `telephonySessionId`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Every party, in the order they first appeared.
    pub fn parties(&self) -> &[PushParty] {
        &self.parties
    }

    /// True once some party was in the call (a session first heard of ended makes no call of its own).
    pub fn seen_live(&self) -> bool {
        self.seen_live
    }

    /// When the newest event of the session happened.
    pub fn last_event(&self) -> Timestamp {
        self.last_event
    }

    /// Applies one party's change at `at`; true when anything changed. A change with a lower sequence
    /// than the party's last (or, without sequences, an older time) is stale and a duplicate changes
    /// nothing, so reordered and repeated events never move a party backwards.
    fn apply(&mut self, change: &PartyChange, at: Timestamp) -> bool {
        match self
            .parties
            .iter_mut()
            .find(|p| p.latest.party_id == change.party_id)
        {
            Some(p) => {
                let had = &p.latest;
                let stale = match (had.sequence, change.sequence) {
                    (0, _) | (_, 0) => at < p.at,
                    (had, new) => new <= had,
                };
                if stale || (had.status == change.status && p.at == at) {
                    return false;
                }
                p.at = p.at.max(at);
                // A code the board does not show leaves the party's status as it was.
                let status = match change.status {
                    PartyStatus::Other => had.status,
                    status => status,
                };
                if status != had.status {
                    p.since = at;
                }
                p.latest = PartyChange {
                    status,
                    sequence: had.sequence.max(change.sequence),
                    from: change.from.clone().or(had.from.clone()),
                    to: change.to.clone().or(had.to.clone()),
                    direction: change.direction.clone().or(had.direction.clone()),
                    extension_id: change.extension_id.or(had.extension_id),
                    queue_call: change.queue_call || had.queue_call,
                    ..change.clone()
                };
                if change.status == PartyStatus::Other {
                    return false;
                }
            }
            None => self.parties.push(PushParty {
                latest: change.clone(),
                since: at,
                at,
            }),
        }
        let status = change.status;
        self.first_event = self.first_event.min(at);
        self.last_event = self.last_event.max(at);
        self.seen_live |= !status.is_final() && status != PartyStatus::Other;
        self.seen_ringing |= matches!(status, PartyStatus::Setup | PartyStatus::Proceeding);
        self.reached_voicemail |= status == PartyStatus::VoiceMail;
        if matches!(
            status,
            PartyStatus::Answered | PartyStatus::Hold | PartyStatus::Parked
        ) {
            self.answered_at = Some(self.answered_at.map_or(at, |t| t.min(at)));
        }
        true
    }

    /// The session's state from its parties. Ended once every party is Disconnected or Gone (answered
    /// if any party ever answered, else voicemail if it reached voicemail, else missed). While any party
    /// is in the call, the first of these that some party is in decides: **parked**, **on hold**,
    /// **talking** (Answered), **voicemail**, **ringing** (Setup, Proceeding); a session whose live
    /// parties all have codes the board does not show is talking. So a held party puts the whole call on
    /// hold while the other side still counts as answered, and a transfer target ringing does not turn
    /// an answered call back into a ringing one.
    pub fn state(&self) -> CallState {
        self.deciding().0
    }

    /// The state and the parties whose status decides it.
    fn deciding(&self) -> (CallState, Vec<&PushParty>) {
        let live: Vec<&PushParty> = self
            .parties
            .iter()
            .filter(|p| !p.latest.status.is_final())
            .collect();
        if live.is_empty() {
            let result = if self.answered_at.is_some() {
                CallResult::CallConnected
            } else if self.reached_voicemail {
                CallResult::Voicemail
            } else {
                CallResult::Missed
            };
            return (CallState::Ended(result), Vec::new());
        }
        let order: [(&[PartyStatus], CallState); 5] = [
            (&[PartyStatus::Parked], CallState::Parked),
            (&[PartyStatus::Hold], CallState::OnHold),
            (&[PartyStatus::Answered], CallState::Connected),
            (&[PartyStatus::VoiceMail], CallState::VoiceMail),
            (&[PartyStatus::Setup, PartyStatus::Proceeding], CallState::Ringing),
        ];
        for (codes, state) in order {
            let with: Vec<&PushParty> = live
                .iter()
                .copied()
                .filter(|p| codes.contains(&p.latest.status))
                .collect();
            if !with.is_empty() {
                return (state, with);
            }
        }
        (CallState::Connected, live)
    }

    /// What the session lends its calls now.
    pub(crate) fn overlay(&self) -> Overlay {
        let (state, deciding) = self.deciding();
        let held_since = matches!(state, CallState::OnHold | CallState::Parked)
            .then(|| deciding.iter().map(|p| p.since).min())
            .flatten();
        Overlay {
            state,
            held_since,
            first_event: self.first_event,
            last_event: self.last_event,
            answered_at: self.answered_at,
            seen_ringing: self.seen_ringing,
        }
    }

    /// Caller, queue and agent of a queue call: the queue is where the caller's party went, the agent
    /// the newest queue member's party still in the call (else the newest). `None` for other calls.
    pub fn queue_route(&self) -> Option<[Option<&Party>; 3]> {
        let members: Vec<&PushParty> = self.parties.iter().filter(|p| p.latest.queue_call).collect();
        let agent = members
            .iter()
            .rev()
            .find(|p| !p.latest.status.is_final())
            .or(members.last())?;
        let caller_party = self.parties.iter().find(|p| !p.latest.queue_call);
        let caller = caller_party
            .and_then(|p| p.latest.from.as_deref())
            .or(agent.latest.from.as_deref());
        let queue = caller_party.and_then(|p| p.latest.to.as_deref());
        Some([caller, queue, agent.latest.to.as_deref()])
    }

    /// A record standing for a session no listing has shown yet: from → to and direction as its first
    /// party inside the account sees them (else its first party), that party as the extension, a queue
    /// call's caller as `from`, its agent as `to` and its queue as the delegate; keyed by the session id.
    pub(crate) fn record(&self) -> CallRecord {
        // A party inside the account sees the call as its record would (an inbound call's caller → the
        // user, Inbound); the outside caller's own party sees it the other way round (Outbound).
        let first = |pick: fn(&PartyChange) -> bool| {
            let parties = || self.parties.iter().map(|p| &p.latest);
            parties()
                .find(|p| p.extension_id.is_some() && pick(p))
                .or_else(|| parties().find(|p| pick(p)))
        };
        let route = self.queue_route();
        let from = match route {
            Some([Some(caller), _, _]) => Some(Arc::new(caller.clone())),
            _ => first(|p| p.from.is_some()).and_then(|p| p.from.clone()),
        };
        let to = match route {
            Some([_, _, Some(agent)]) => Some(Arc::new(agent.clone())),
            _ => first(|p| p.to.is_some()).and_then(|p| p.to.clone()),
        };
        let delegate = route.and_then(|[_, queue, _]| queue).map(|q| {
            Box::new(Delegate {
                id: q.extension_id.clone().unwrap_or_default(),
                name: q.name.clone().or(q.phone_number.clone()),
            })
        });
        let state = self.state();
        let (result, reason) = match &state {
            CallState::Ended(result) => (result.clone(), None),
            CallState::Ringing => (CallResult::InProgress, None),
            _ => (CallResult::InProgress, Some(CallReason::Accepted)),
        };
        CallRecord {
            id: self.id.clone(),
            fields: CallFields {
                start_time: Some(self.first_event),
                result: Some(result),
                reason,
                direction: first(|p| p.direction.is_some()).and_then(|p| p.direction.clone()),
                from,
                to,
                delegate,
                extension: first(|p| p.extension_id.is_some())
                    .and_then(|p| p.extension_id)
                    .map(|id| ExtensionRef { id, uri: None }),
                telephony_session_id: Some(self.id.clone()),
                ..CallFields::default()
            },
            last_modified_time: Some(self.last_event),
            ..CallRecord::default()
        }
    }
}

/// Every session push has reported, by `telephonySessionId`, and the links `Gone` made between them.
#[derive(Debug, Default)]
pub(crate) struct PushSessions {
    sessions: HashMap<Str, PushSession>,
    /// A session another continues (`Gone` with `peerId`), to the conversation it belongs to.
    links: HashMap<Str, Str>,
}

impl PushSessions {
    /// True before any event.
    pub(crate) fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// A session by id.
    pub(crate) fn get(&self, id: &str) -> Option<&PushSession> {
        self.sessions.get(id)
    }

    /// A session by id, to change.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut PushSession> {
        self.sessions.get_mut(id)
    }

    /// Applies one change at `at`; true when it changed anything. A `Gone` party with a peer links the
    /// peer's session into this session's conversation.
    pub(crate) fn apply(&mut self, change: &PartyChange, at: Timestamp) -> bool {
        let session = self
            .sessions
            .entry(change.session_id.clone())
            .or_insert_with(|| PushSession::new(change.session_id.clone(), at));
        let changed = session.apply(change, at);
        if changed
            && change.status == PartyStatus::Gone
            && let Some(peer) = &change.peer
        {
            self.link(&change.session_id, &peer.session_id);
        }
        changed
    }

    /// The conversation a session belongs to: the first session of a chain of transfers.
    pub(crate) fn conversation<'a>(&'a self, session: &'a str) -> &'a str {
        let mut at = session;
        // Links only ever point at a root, but a bounded walk keeps bad data from looping.
        for _ in 0..8 {
            match self.links.get(at) {
                Some(next) => at = next,
                None => break,
            }
        }
        at
    }

    /// Puts `peer`'s conversation into `session`'s.
    fn link(&mut self, session: &str, peer: &str) {
        let root = Str::from(self.conversation(session));
        let other = Str::from(self.conversation(peer));
        if root == other {
            return;
        }
        for target in self.links.values_mut().filter(|t| **t == other) {
            *target = root.clone();
        }
        self.links.insert(other, root);
    }

    /// Forgets the sessions whose last event is more than `window` before `now` and that `keep` does not
    /// hold on to; returns the ids of those no listing showed (their synthesized calls go too).
    pub(crate) fn expire(
        &mut self,
        window: SignedDuration,
        now: Timestamp,
        keep: impl Fn(&PushSession) -> bool,
    ) -> Vec<Str> {
        let mut unlisted = Vec::new();
        self.sessions.retain(|id, s| {
            let fresh = s.last_event.checked_add(window).is_ok_and(|end| now < end);
            let stays = fresh || keep(s);
            if !stays && !s.listed {
                unlisted.push(id.clone());
            }
            stays
        });
        let sessions = &self.sessions;
        self.links
            .retain(|from, to| sessions.contains_key(from) || sessions.contains_key(to));
        unlisted
    }

    /// Forgets everything (a new scope).
    pub(crate) fn clear(&mut self) {
        self.sessions.clear();
        self.links.clear();
    }
}
