//! One tracked call: the latest record plus what the board observed about it over time.
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::privacy::MaskedName;
use crate::api::model::{CallAction, CallReason, CallRecord, CallResult, Party};

/// Where a call is in its life, derived from the record (or from its absence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallState {
    /// In progress and nobody has accepted it yet.
    Ringing,
    /// In progress with `reason: Accepted` on the record or on any leg.
    Connected,
    /// Finished with this result; still in the API's cache.
    Ended(CallResult),
    /// Left the list without ever showing an ended record.
    Vanished,
}

impl CallState {
    /// Derives the state of a record as listed by Active Calls.
    pub fn derive(record: &CallRecord) -> Self {
        match &record.fields.result {
            None | Some(CallResult::InProgress) => {
                let accepted = record
                    .all_fields()
                    .any(|f| f.reason == Some(CallReason::Accepted));
                if accepted { Self::Connected } else { Self::Ringing }
            }
            Some(result) => Self::Ended(result.clone()),
        }
    }

    /// True while the call is ringing or connected.
    pub fn is_live(&self) -> bool {
        matches!(self, Self::Ringing | Self::Connected)
    }

    /// Order used when sorting by state: ringing first, then talking, then finished.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Self::Ringing => 0,
            Self::Connected => 1,
            Self::Ended(_) => 2,
            Self::Vanished => 3,
        }
    }
}

/// A call on the board: its newest record and the times the board saw it change.
#[derive(Debug, Clone)]
pub struct Call {
    /// Shared with the poll that listed it: a record that did not change is not copied.
    record: Arc<CallRecord>,
    state: CallState,
    first_seen: Timestamp,
    state_since: Timestamp,
    answered_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    /// The board saw the call ringing, so `answered_at` is an observed answer time.
    seen_ringing: bool,
    /// The lower-cased `from`, `to` and via labels, for sorting, in one allocation split at `key_ends`.
    keys: Box<str>,
    key_ends: [usize; 2],
}

impl Call {
    /// Starts tracking a record first seen at `now`.
    pub(crate) fn new(record: &Arc<CallRecord>, now: Timestamp) -> Self {
        let state = CallState::derive(record);
        let mut call = Call {
            record: Arc::clone(record),
            answered_at: (state == CallState::Connected).then_some(now),
            ended_at: (!state.is_live()).then_some(now),
            seen_ringing: state == CallState::Ringing,
            state,
            first_seen: now,
            state_since: now,
            keys: Box::default(),
            key_ends: [0; 2],
        };
        call.set_keys();
        call
    }

    /// Takes a newer record of the same call seen at `now`.
    pub(crate) fn update(&mut self, record: &Arc<CallRecord>, now: Timestamp) {
        let state = CallState::derive(record);
        if state != self.state {
            self.seen_ringing |= state == CallState::Ringing;
            if state == CallState::Connected && self.answered_at.is_none() {
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

    /// Marks the call as gone from the list at `now`.
    pub(crate) fn vanish(&mut self, now: Timestamp) {
        self.state = CallState::Vanished;
        self.state_since = now;
        self.ended_at = Some(now);
    }

    fn set_keys(&mut self) {
        let mut keys = party_label(self.record.fields.from.as_deref()).to_lowercase();
        let from_end = keys.len();
        keys.push_str(&party_label(self.record.fields.to.as_deref()).to_lowercase());
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
            (CallState::Ringing | CallState::Connected, _) => now,
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

    /// How long it has been talking (connected calls only, when the answer time is known).
    pub fn talk_time(&self, now: Timestamp) -> Option<SignedDuration> {
        match self.state {
            CallState::Connected => Some(now.duration_since(self.answer_time()?).max(SignedDuration::ZERO)),
            _ => None,
        }
    }

    /// Who or what the call came through: the delegate, the call queue named in `from`, or a notable
    /// routing action such as a transfer.
    pub fn via(&self) -> Option<String> {
        let f = &self.record.fields;
        if let Some(name) = f.delegate.as_ref().and_then(|d| d.name.as_deref()) {
            return Some(name.to_owned());
        }
        if let Some((queue, _)) = f
            .from
            .as_ref()
            .and_then(|p| p.name.as_deref())
            .and_then(|n| n.split_once(" - "))
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
