//! One tracked call: the latest record plus what the board observed about it over time.
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::privacy::MaskedName;
use super::push::Overlay;
use super::state::CallState;
use crate::api::model::{CallAction, CallReason, CallRecord, CallResult, Direction, LegType, Party};

/// A call on the board: its newest record and the times the board saw it change.
#[derive(Debug, Clone)]
pub struct Call {
    /// Shared with the poll that listed it: a record that did not change is not copied.
    record: Arc<CallRecord>,
    /// What the record (or its absence from a listing) says.
    record_state: CallState,
    /// When the record was true: the listing's `taken_at` or the delta's `at`.
    record_at: Timestamp,
    /// What push says about the call's telephony session, when it has said anything.
    push: Option<Box<Overlay>>,
    /// The call stands for a session only push knows (see [`super::push::PushSession::record`]).
    synthetic: bool,
    /// The state shown: the record's, refined by push (see [`Call::effective`]).
    state: CallState,
    first_seen: Timestamp,
    state_since: Timestamp,
    answered_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    /// The board saw the call ringing, so `answered_at` is an observed answer time.
    seen_ringing: bool,
    /// The record is a queue call's agent leg (see [`Call::is_queue_leg`]).
    queue_leg: bool,
    /// The lower-cased `from`, `to` and via labels, for sorting, in one allocation split at `key_ends`.
    keys: Box<str>,
    key_ends: [usize; 2],
}

impl Call {
    /// Starts tracking a record, true at `at`, first seen at `now`.
    pub(crate) fn new(record: &Arc<CallRecord>, at: Timestamp, now: Timestamp) -> Self {
        let state = CallState::derive(record);
        let mut call = Call {
            record: Arc::clone(record),
            answered_at: state.is_answered().then_some(now),
            ended_at: (!state.is_live()).then_some(now),
            seen_ringing: state == CallState::Ringing,
            record_state: state.clone(),
            record_at: at,
            push: None,
            synthetic: false,
            state,
            first_seen: now,
            state_since: now,
            queue_leg: false,
            keys: Box::default(),
            key_ends: [0; 2],
        };
        call.set_keys();
        call
    }

    /// A call standing for a session only push knows, from its synthesized record and overlay.
    pub(crate) fn synthetic(record: &Arc<CallRecord>, overlay: Overlay, now: Timestamp) -> Self {
        let mut call = Call::new(record, overlay.last_event, now);
        call.synthetic = true;
        call.set_push(Some(overlay), now);
        call
    }

    /// True for a call standing for a session only push knows.
    pub(crate) fn is_synthetic(&self) -> bool {
        self.synthetic
    }

    /// Takes a newer record of the same call, true at `at`, seen at `now`.
    pub(crate) fn update(&mut self, record: &Arc<CallRecord>, at: Timestamp, now: Timestamp) {
        self.record_state = CallState::derive(record);
        self.record_at = at;
        self.refresh(now);
        // Most records do not change between polls and arrive as the very same allocation. Another
        // allocation with equal content is adopted too (so the old one is freed) without redoing the keys.
        if !Arc::ptr_eq(record, &self.record) {
            let changed = **record != *self.record;
            self.record = Arc::clone(record);
            if changed {
                self.set_keys();
            }
        }
    }

    /// Takes what push says about the call's session (`None`: nothing), at `now`. Push's first event,
    /// answer and ringing count as the board's own observations when they came earlier.
    pub(crate) fn set_push(&mut self, overlay: Option<Overlay>, now: Timestamp) {
        if let Some(o) = &overlay {
            if self.push.as_deref() == Some(o) {
                return;
            }
            self.first_seen = self.first_seen.min(o.first_event);
            if let Some(at) = o.answered_at {
                self.answered_at = Some(self.answered_at.map_or(at, |t| t.min(at)));
            }
            self.seen_ringing |= o.seen_ringing;
        }
        self.push = overlay.map(Box::new);
        self.refresh(now);
    }

    /// True when a listing taken at `taken_at` that lacks the call must not vanish it: push knows it is
    /// ringing (Active Calls does not list calls being routed) or heard of it after the listing was taken;
    /// either only within `window` of its last event.
    pub(crate) fn outlives_listing(&self, taken_at: Timestamp, window: jiff::SignedDuration) -> bool {
        self.push.as_deref().is_some_and(|o| {
            let recent = o.last_event.checked_add(window).is_ok_and(|end| taken_at < end);
            (o.state == CallState::Ringing && recent) || (o.state.is_live() && o.last_event > taken_at)
        })
    }

    /// The state shown: the record's without push. With push, a session push saw end stays ended
    /// whatever a lagging listing says (with the listing's result when it has one, answered when the
    /// board saw it answered); a record that ended
    /// or vanished after push's last event ends the call (a lost Disconnected); otherwise push's state.
    fn effective(&self) -> CallState {
        let Some(o) = self.push.as_deref() else {
            return self.record_state.clone();
        };
        match (&o.state, &self.record_state) {
            (CallState::Ended(_), CallState::Ended(result)) => CallState::Ended(result.clone()),
            // Push heard only the end of a call the board saw answered.
            (CallState::Ended(CallResult::Missed), _) if self.answered_at.is_some() => {
                CallState::Ended(CallResult::CallConnected)
            }
            (CallState::Ended(result), _) => CallState::Ended(result.clone()),
            (_, record) if !record.is_live() && self.record_at > o.last_event => record.clone(),
            (pushed, _) => pushed.clone(),
        }
    }

    /// Moves to the effective state, keeping the times the board saw it change.
    fn refresh(&mut self, now: Timestamp) {
        // The common case (no push, the record's state unchanged) without cloning a state.
        if self.push.is_none() && self.record_state == self.state {
            return;
        }
        let state = self.effective();
        if state == self.state {
            return;
        }
        self.seen_ringing |= state == CallState::Ringing;
        if state.is_answered() && self.answered_at.is_none() {
            self.answered_at = Some(now);
        }
        self.ended_at = match (self.state.is_live(), state.is_live()) {
            (_, true) => None,
            (true, false) => Some(now),
            // Vanished (or ended) before: it ended when the board first saw it stop.
            (false, false) => self.ended_at,
        };
        if self.state.is_live() || state.is_live() {
            self.state_since = now;
        }
        self.state = state;
    }

    /// Marks the call as gone from a listing taken at `at`, seen at `now`.
    pub(crate) fn vanish(&mut self, at: Timestamp, now: Timestamp) {
        self.record_state = CallState::Vanished;
        self.record_at = at;
        self.refresh(now);
    }

    /// Reads the record anew: whether it is a queue leg, and the sort keys.
    fn set_keys(&mut self) {
        self.queue_leg = queue_leg(&self.record);
        let f = &self.record.fields;
        // A queue leg's `from` is the agent, who is the call's callee; its caller is not on the record.
        let (from, to) = match self.queue_leg {
            true => (None, f.from.as_deref()),
            false => (f.from.as_deref(), f.to.as_deref()),
        };
        let mut keys = party_label(from).to_lowercase();
        let from_end = keys.len();
        keys.push_str(&party_label(to).to_lowercase());
        let to_end = keys.len();
        keys.push_str(&self.via().unwrap_or_default().to_lowercase());
        self.keys = keys.into_boxed_str();
        self.key_ends = [from_end, to_end];
    }

    /// A copy of the call whose record `change` has rewritten (e.g. masked for display); states and
    /// observed times stay as they are.
    pub fn with_record(&self, change: impl FnOnce(&mut CallRecord)) -> Call {
        let mut record = CallRecord::clone(&self.record);
        change(&mut record);
        let mut call = self.clone();
        call.record = Arc::new(record);
        call.set_keys();
        call
    }

    /// The record's id, the key of the call.
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// The newest record of the call.
    pub fn record(&self) -> &CallRecord {
        &self.record
    }

    /// The derived state.
    pub fn state(&self) -> &CallState {
        &self.state
    }

    /// When the board first saw the call.
    pub fn first_seen(&self) -> Timestamp {
        self.first_seen
    }

    /// When the board saw the current state begin.
    pub fn state_since(&self) -> Timestamp {
        self.state_since
    }

    /// When the board first saw the call connected.
    pub fn answered_at(&self) -> Option<Timestamp> {
        self.answered_at
    }

    /// When the board saw the call end or vanish.
    pub fn ended_at(&self) -> Option<Timestamp> {
        self.ended_at
    }

    /// The call's start: `startTime`, or when the board first saw it.
    pub fn start(&self) -> Timestamp {
        self.record.fields.start_time.unwrap_or(self.first_seen)
    }

    /// Call length: ticking from the start while live, the API's `duration` once ended.
    pub fn duration(&self, now: Timestamp) -> SignedDuration {
        let end = match (&self.state, self.record.fields.duration) {
            (CallState::Ended(_), Some(secs)) => {
                return SignedDuration::from_secs(i64::try_from(secs).unwrap_or(i64::MAX));
            }
            (state, _) if state.is_live() => now,
            _ => self.ended_at.unwrap_or(now),
        };
        end.duration_since(self.start()).max(SignedDuration::ZERO)
    }

    /// When the call was answered: the latest start of an accepted leg after the call's start (exact,
    /// from the API), else when the board saw it go from ringing to connected.
    pub fn answer_time(&self) -> Option<Timestamp> {
        let start = self.start();
        let from_legs = self
            .record
            .legs
            .iter()
            .filter(|l| l.fields.reason == Some(CallReason::Accepted))
            .filter_map(|l| l.fields.start_time)
            .filter(|t| *t > start)
            .max();
        from_legs.or(self.answered_at.filter(|_| self.seen_ringing))
    }

    /// How long it rang: until answered, or until now while still ringing. `None` when not known.
    pub fn ring_time(&self, now: Timestamp) -> Option<SignedDuration> {
        let until = match self.state {
            CallState::Ringing => now,
            _ => self.answer_time()?,
        };
        Some(until.duration_since(self.start()).max(SignedDuration::ZERO))
    }

    /// How long it has been on hold or parked (push's hold timer), while it is.
    pub fn hold_time(&self, now: Timestamp) -> Option<SignedDuration> {
        let since = self.held_since()?;
        Some(now.duration_since(since).max(SignedDuration::ZERO))
    }

    /// When the hold or park began, while on hold or parked.
    pub(crate) fn held_since(&self) -> Option<Timestamp> {
        match self.state {
            CallState::OnHold | CallState::Parked => self.push.as_deref()?.held_since,
            _ => None,
        }
    }

    /// How long it has been talking (connected calls only, when the answer time is known).
    pub fn talk_time(&self, now: Timestamp) -> Option<SignedDuration> {
        match self.state {
            CallState::Connected => Some(now.duration_since(self.answer_time()?).max(SignedDuration::ZERO)),
            _ => None,
        }
    }

    /// True when the record is a queue call's agent leg, as Active Calls lists a queue call while it
    /// rings and talks: an outbound record from the agent's extension to that same extension's number
    /// over a PSTN-to-SIP leg (seed capture `queue_2_answered`). The call is inbound, the agent its
    /// callee; neither the caller nor the queue is on the record unless a leg names the queue.
    pub fn is_queue_leg(&self) -> bool {
        self.queue_leg
    }

    /// The call's direction as the board reads it: the record's, inbound for a queue leg.
    pub fn direction(&self) -> Option<&Direction> {
        static INBOUND: Direction = Direction::Inbound;
        match self.queue_leg {
            true => Some(&INBOUND),
            false => self.record.fields.direction.as_ref(),
        }
    }

    /// Who or what the call came through: the delegate, the call queue a `from` of the record or of a
    /// leg names (`Queue - CALLER`), or a notable routing action such as a transfer.
    pub fn via(&self) -> Option<String> {
        let f = &self.record.fields;
        if let Some(name) = f.delegate.as_ref().and_then(|d| d.name.as_deref()) {
            return Some(name.to_owned());
        }
        if let Some((queue, _)) = self
            .record
            .all_fields()
            .filter_map(|f| f.from.as_ref()?.name.as_deref())
            .find_map(|n| n.split_once(" - "))
        {
            return Some(queue.trim().to_owned());
        }
        self.record
            .all_fields()
            .filter_map(|f| f.action.as_ref())
            .find(|a| {
                !matches!(
                    a,
                    CallAction::PhoneCall | CallAction::VoipCall | CallAction::Unknown
                )
            })
            .map(|a| a.as_str().to_owned())
    }

    /// The lower-cased `from` label, for sorting.
    pub(crate) fn sort_key_from(&self) -> &str {
        &self.keys[..self.key_ends[0]]
    }

    /// The lower-cased `to` label, for sorting.
    pub(crate) fn sort_key_to(&self) -> &str {
        &self.keys[self.key_ends[0]..self.key_ends[1]]
    }

    /// The lower-cased via label, for sorting.
    pub(crate) fn sort_key_via(&self) -> &str {
        &self.keys[self.key_ends[1]..]
    }

    /// True when the needle's text occurs in any searchable field, compared lower-cased. Searched when
    /// asked rather than kept lower-cased beside every call: at 10,000 calls that copy cost 2.5 MB.
    pub(crate) fn matches(&self, needle: &Needle) -> bool {
        needle.text.is_empty()
            || searchable(&self.record, needle.masked).any(|field| contains_lowercased(field, &needle.text))
    }
}

/// See [`Call::is_queue_leg`].
fn queue_leg(r: &CallRecord) -> bool {
    let f = &r.fields;
    fn ext(p: Option<&Party>) -> Option<&str> {
        p?.extension_number.as_deref().filter(|e| !e.is_empty())
    }
    let from = ext(f.from.as_deref());
    f.direction == Some(Direction::Outbound)
        && from.is_some()
        && from == ext(f.to.as_deref())
        && f.to.as_ref().is_some_and(|p| p.phone_number.is_some())
        && r.legs.iter().any(|l| l.leg_type == Some(LegType::PstnToSip))
}

/// The most useful single label for a party: name, else number, else extension number.
pub fn party_label(party: Option<&Party>) -> &str {
    party
        .and_then(|p| {
            p.name
                .as_deref()
                .or(p.phone_number.as_deref())
                .or(p.extension_number.as_deref())
        })
        .unwrap_or("")
}

/// What the filter looks for.
#[derive(Debug, Default, Clone)]
pub(crate) struct Needle {
    /// The filter text, lower-cased.
    pub text: String,
    /// Privacy mode is on: only what it leaves on screen is searched, so typing digits cannot reveal
    /// which calls a masked number belongs to.
    pub masked: bool,
}

/// The fields the filter searches: the record id, the session ids, and every party's name and numbers.
/// `masked` leaves out what the privacy rule masks: phone numbers, and names as [`MaskedName`] says.
fn searchable(r: &CallRecord, masked: bool) -> impl Iterator<Item = &str> {
    let per_fields = r.all_fields().flat_map(move |f| {
        let parties = [&f.from, &f.to].into_iter().flatten().flat_map(move |p| {
            let numbers = [&p.phone_number, &p.dialer_phone_number, &p.dialed_phone_number]
                .into_iter()
                .flatten()
                .filter(move |_| !masked)
                .map(|s| s.as_str());
            let name = match masked {
                false => p.name.as_deref(),
                true => MaskedName::of(p).and_then(MaskedName::searchable),
            };
            name.into_iter()
                .chain(p.extension_number.as_deref())
                .chain(numbers)
        });
        f.telephony_session_id.as_deref().into_iter().chain(parties)
    });
    std::iter::once(r.id.as_str())
        .chain(r.session_id.as_deref())
        .chain(per_fields)
}

/// `text`, lower-cased, contains `needle` (lower-cased, not empty); allocates only for non-ASCII text.
fn contains_lowercased(text: &str, needle: &str) -> bool {
    if text.is_ascii() {
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        text.to_lowercase().contains(needle)
    }
}
