//! The board model: every call a source has listed or changed, merged update after update, with derived
//! states, a recently-ended list, sorting, filtering and a selection that sticks to a call. Pure: no I/O
//! and no clock of its own; callers pass `now`.
//!
//! # Merge rules
//! Updates come as listings ([`Listing`]: every call of a scope) and deltas ([`Delta`]: one call, or one
//! party of a call). Calls are keyed by record `id`, so a call in both a listing and a delta is one call.
//! - A listing replaces the record of every call it holds and marks vanished every live call it lacks.
//! - A delta adds or changes one call and never marks anything vanished.
//! - Between a listing and a delta for the same call, the newer by update time wins (the listing's
//!   `taken_at` against the delta's `at`; a tie goes to the listing). So a listing leaves alone a call
//!   whose last delta is newer than it, whether the listing lacks the call or holds an older record of
//!   it; and a delta no newer than the last listing merged is already in it and is skipped.
//! - Between two deltas for the same call the newer by `at` wins, whatever order they arrive in.
//! - An id whose ended window ran out comes back only live.
//!
//! ## Push (party deltas)
//! A party delta is a telephony-session event: it changes what push knows of its session ([`PushSession`],
//! keyed by `telephonySessionId`, then party id) and, through it, every call of that session.
//! - Per party, a change with a lower `sequence` than the last applied (without sequences: an older time)
//!   is stale and ignored; a duplicate changes nothing. So duplicate and reordered events never double
//!   count nor move a state backwards.
//! - A session's state comes from its parties ([`PushSession::state`]): ended once every party is
//!   Disconnected or Gone, else parked, on hold, talking, voicemail, ringing — the first some party is in.
//!   Hold and park carry their own timer, from the event that began them.
//! - A session known only from push (Active Calls does not return calls being routed) is a call of its
//!   own: a record synthesized from its parties, keyed by the session id. When a listing brings records
//!   of that session they take over, keeping push's first-seen, answer and hold times.
//! - While push has the session live, its state is the call's (a listing cannot show hold or park) —
//!   except that a listing newer than push's last event that shows the call ended, or lacks it, ends it
//!   (a lost Disconnected), as without push.
//! - A listing never drops a call push knows is ringing (within the ended window of its last event), nor
//!   one push heard of after the listing was taken.
//! - A listing never resurrects a call push saw end: a lagging listing showing it in progress leaves it
//!   ended.
//! - A call known only from push that no listing confirms goes once the ended window has run from its
//!   last event (the zombie of a lost Disconnected).
//! - `Gone` with a `peerId` links the peer's session into the party's conversation, so a transferred
//!   call is one conversation (one row when grouped, every party in [`Board::push_sessions`]).
//! - However many events a catch-up brings, the calls take them in one pass (an index by session, no scan
//!   per event).
#![warn(missing_docs)]
mod alerts;
mod call;
mod clocks;
mod column;
mod conversation;
pub mod format;
#[cfg(test)]
mod merge_tests;
pub mod privacy;
mod push;
#[cfg(test)]
mod push_tests;
mod reconcile;
mod sort;
mod state;
mod summary;
mod view;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::api::model::{CallRecord, Str};
use crate::feed::{Change, Delta, Listing};
pub use alerts::{AlertConfig, AlertCounts, AlertLevel, CriticalWatch, Threshold};
use call::Needle;
pub use call::{Call, party_label};
use clocks::Clocks;
pub use column::{
    Align, CALLER_NOT_LISTED, CellContext, Column, QUEUE_CALL, Table, Tone, Width, layout, route,
};
use conversation::{SessionIndex, conversation_of};
pub use conversation::{parties, session_of};
use push::PushSessions;
pub use push::{PushParty, PushSession};
pub use sort::Sort;
pub use state::CallState;
pub use summary::Summary;
use view::View;

/// Limits of the recently-ended list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardConfig {
    /// How long an ended or vanished call stays listed, from when the board saw it end.
    pub ended_window: SignedDuration,
    /// At most this many ended calls are kept; the oldest go first.
    pub ended_cap: usize,
}

impl Default for BoardConfig {
    /// The API's ~120 s cache and 500 calls.
    fn default() -> Self {
        BoardConfig {
            ended_window: SignedDuration::from_secs(120),
            ended_cap: 500,
        }
    }
}

/// Which of the two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum List {
    /// Ringing and connected calls, in the chosen sort order.
    Live,
    /// Ended and vanished calls, newest first.
    Ended,
}

/// Totals over all calls, ignoring the filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every live call: ringing, connected, on hold, parked, in voicemail.
    pub live: usize,
    /// Ringing calls.
    pub ringing: usize,
    /// Connected calls.
    pub connected: usize,
    /// Calls on hold.
    pub on_hold: usize,
    /// Parked calls.
    pub parked: usize,
    /// Ended and vanished calls still in the window.
    pub ended: usize,
}

/// All calls of one scope, merged from successive listings and deltas.
#[derive(Debug, Default)]
pub struct Board {
    config: BoardConfig,
    live: Vec<Call>,
    ended: Vec<Call>,
    /// Ids whose ended window ran out, with when, so a record the API still caches does not come back.
    expired: HashMap<String, Timestamp>,
    sort: Sort,
    needle: Needle,
    filter: String,
    grouped: bool,
    live_view: View,
    ended_view: View,
    clocks: Clocks,
    sessions: SessionIndex,
    /// The newest update merged (a listing's or delta's `seq`); 0 before any.
    seen: u64,
    /// When the last listing merged was taken.
    listed_at: Option<Timestamp>,
    /// Ids last changed by a delta newer than the last listing, with the delta's time.
    changed_at: HashMap<String, Timestamp>,
    /// What push said about each telephony session.
    push: PushSessions,
    /// Sessions push changed since the calls last took their state.
    push_dirty: HashSet<Str>,
    /// A listing brought the first record of a session shown by a synthesized call.
    takeover: bool,
}

impl Board {
    /// An empty board.
    pub fn new(config: BoardConfig) -> Self {
        Board {
            config,
            ..Board::default()
        }
    }

    /// The limits in use.
    pub fn config(&self) -> BoardConfig {
        self.config
    }

    /// Merges what a source's state holds that this board has not merged yet: `listing` when it is newer,
    /// then every newer delta, in order. True when anything was merged.
    pub fn catch_up(&mut self, listing: &Listing, deltas: &[Delta], now: Timestamp) -> bool {
        let before = self.seen;
        let listed = listing.seq > self.seen;
        if listed {
            self.apply_listing(listing, now);
        }
        let mut changed = false;
        for delta in deltas.iter().filter(|d| d.seq > before) {
            changed |= self.apply_delta(delta, now);
        }
        // One re-sort for the listing and every delta of the state, not one each.
        if changed || self.takeover {
            self.settle(now);
        } else if listed {
            self.finish(now);
        }
        self.seen != before
    }

    /// The newest update merged through [`Board::catch_up`] (0 before any).
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Merges a listing (see the merge rules above), seen at `now`; one without `taken_at` counts as taken
    /// at `now`.
    pub fn merge_listing(&mut self, listing: &Listing, now: Timestamp) {
        self.apply_listing(listing, now);
        self.settle_or_finish(now);
    }

    /// [`Board::settle`] when a listing took over a synthesized call, else [`Board::finish`].
    fn settle_or_finish(&mut self, now: Timestamp) {
        if self.takeover {
            self.settle(now);
        } else {
            self.finish(now);
        }
    }

    /// Applies a listing to the calls without re-sorting.
    fn apply_listing(&mut self, listing: &Listing, now: Timestamp) {
        self.seen = self.seen.max(listing.seq);
        self.apply_records(&listing.calls, listing.taken_at.unwrap_or(now), now);
    }

    /// Merges a whole listing's records (every page) as a listing taken at `now`. Calls are keyed by record `id`; a
    /// live call missing from `records` becomes [`CallState::Vanished`].
    pub fn merge(&mut self, records: &[Arc<CallRecord>], now: Timestamp) {
        self.apply_records(records, now, now);
        self.settle_or_finish(now);
    }

    /// Applies a listing's records to the calls (live or ended by their state), without re-sorting.
    fn apply_records(&mut self, records: &[Arc<CallRecord>], taken_at: Timestamp, now: Timestamp) {
        self.changed_at.retain(|_, at| *at > taken_at);
        self.listed_at = Some(taken_at);
        let mut incoming: HashMap<&str, &Arc<CallRecord>> = HashMap::with_capacity(records.len());
        for r in records {
            incoming.entry(r.id.as_str()).or_insert(r);
        }
        let newer_delta = &self.changed_at;
        let window = self.config.ended_window;
        let mut live = Vec::with_capacity(records.len() + newer_delta.len());
        let mut ended = Vec::with_capacity(self.ended.len());
        for mut call in std::mem::take(&mut self.ended) {
            match incoming.remove(call.id()) {
                Some(record) if !newer_delta.contains_key(call.id()) => call.update(record, taken_at, now),
                _ => {}
            }
            if call.state().is_live() {
                live.push(call)
            } else {
                ended.push(call)
            }
        }
        for mut call in std::mem::take(&mut self.live) {
            match incoming.remove(call.id()) {
                _ if newer_delta.contains_key(call.id()) => {}
                Some(record) => call.update(record, taken_at, now),
                None if call.is_synthetic() || call.outlives_listing(taken_at, window) => {}
                None => call.vanish(taken_at, now),
            }
            if call.state().is_live() {
                live.push(call)
            } else {
                ended.push(call)
            }
        }
        self.live = live;
        self.ended = ended;
        for record in records {
            if incoming.remove(record.id.as_str()).is_some() {
                self.add(record, taken_at, now);
            }
        }
    }

    /// Merges one delta (see the merge rules above), seen at `now`.
    pub fn merge_delta(&mut self, delta: &Delta, now: Timestamp) {
        if self.apply_delta(delta, now) {
            self.settle(now);
        }
    }

    /// Applies one delta to its call without re-sorting; true when a call changed. A party delta only
    /// changes what push knows; [`Board::settle`] passes that on to the calls.
    fn apply_delta(&mut self, delta: &Delta, now: Timestamp) -> bool {
        self.seen = self.seen.max(delta.seq);
        let record = match &delta.change {
            Change::Party(change) => {
                let changed = self.push.apply(change, delta.at);
                if changed {
                    self.push_dirty.insert(change.session_id.clone());
                }
                return changed;
            }
            Change::Call(record) => record,
        };
        if self.listed_at.is_some_and(|listed| delta.at <= listed) {
            return false;
        }
        if self
            .changed_at
            .get(record.id.as_str())
            .is_some_and(|at| delta.at <= *at)
        {
            return false;
        }
        self.changed_at.insert(record.id.to_string(), delta.at);
        let known = self
            .live
            .iter_mut()
            .chain(&mut self.ended)
            .find(|c| c.id() == record.id.as_str());
        match known {
            Some(call) => call.update(record, delta.at, now),
            None => self.add(record, delta.at, now),
        }
        true
    }

    /// Passes push's news on to the calls, moves calls between the lists by their state (deltas change
    /// states in place), then [`Board::finish`].
    fn settle(&mut self, now: Timestamp) {
        self.reconcile(now);
        let (live, ended) = std::mem::take(&mut self.live)
            .into_iter()
            .chain(std::mem::take(&mut self.ended))
            .partition(|c| c.state().is_live());
        self.live = live;
        self.ended = ended;
        self.finish(now);
    }

    /// Drops what expired and re-sorts.
    fn finish(&mut self, now: Timestamp) {
        self.drop_expired(now);
        self.rebuild(now);
    }

    /// Starts tracking a call whose record was true at `at`, first seen at `now`, with what push knows
    /// of its session; an expired id comes back only live.
    fn add(&mut self, record: &Arc<CallRecord>, at: Timestamp, now: Timestamp) {
        let mut call = Call::new(record, at, now);
        if let Some(session) = session_of(&call).and_then(|s| self.push.get_mut(s)) {
            self.takeover |= !session.listed;
            session.listed = true;
            let overlay = session.overlay();
            call.set_push(Some(overlay), now);
        }
        if call.state().is_live() {
            self.expired.remove(call.id());
            self.live.push(call);
        } else if !self.expired.contains_key(call.id()) {
            self.ended.push(call);
        }
    }

    /// Drops ended calls whose window has run out at `now`; true when any went.
    pub fn expire(&mut self, now: Timestamp) -> bool {
        let changed = self.drop_expired(now);
        if changed {
            self.rebuild(now);
        }
        changed
    }

    fn drop_expired(&mut self, now: Timestamp) -> bool {
        let window = self.config.ended_window;
        self.expired.retain(|_, at| in_window(*at, window, now));
        let before = self.ended.len();
        let (expired, changed_at) = (&mut self.expired, &mut self.changed_at);
        let mut gone_sessions: Vec<Str> = Vec::new();
        self.ended.retain(|c| {
            let keep = c.ended_at().is_some_and(|at| in_window(at, window, now));
            if !keep {
                expired.insert(c.id().to_owned(), now);
                changed_at.remove(c.id());
                gone_sessions.extend(session_of(c).map(Str::from));
            }
            keep
        });
        let mut changed = self.ended.len() != before;
        if !self.push.is_empty() {
            changed |= self.expire_push(&gone_sessions, now);
        }
        changed
    }

    /// Forgets every call (for a new scope), keeping sort and filter.
    pub fn reset_for_scope(&mut self) {
        self.live.clear();
        self.ended.clear();
        self.expired.clear();
        self.live_view = View::default();
        self.ended_view = View::default();
        self.clocks = Clocks::default();
        self.sessions = SessionIndex::default();
        self.seen = 0;
        self.listed_at = None;
        self.changed_at.clear();
        self.push.clear();
        self.push_dirty.clear();
        self.takeover = false;
    }

    /// The live list's order.
    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// Re-sorts the live list; the selection stays on the same call.
    pub fn set_sort(&mut self, sort: Sort, now: Timestamp) {
        self.sort = sort;
        self.rebuild(now);
    }

    /// The filter text as typed.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Shows only calls with a party name, number or extension number, record id or session id
    /// containing `text` (case-insensitive). Empty shows all.
    pub fn set_filter(&mut self, text: &str) {
        self.filter = text.to_owned();
        self.needle.text = text.to_lowercase();
        self.rebuild_views();
    }

    /// With `masked`, the filter searches only what privacy mode leaves on screen: no phone numbers and
    /// no names of parties outside the account.
    pub fn set_masked(&mut self, masked: bool) {
        self.needle.masked = masked;
        self.rebuild_views();
    }

    /// True while records of one telephony session show as one conversation row.
    pub fn grouped(&self) -> bool {
        self.grouped
    }

    /// Shows each telephony session once (its first record in the list's order), or every record.
    pub fn set_grouped(&mut self, grouped: bool) {
        self.grouped = grouped;
        self.rebuild_views();
    }

    /// Every call, live then ended, of `call`'s conversation: its telephony session and the sessions a
    /// `Gone` party linked to it (just `call` without a session).
    pub fn conversation<'a>(&'a self, call: &'a Call) -> Vec<&'a Call> {
        match conversation_of(&self.push, call) {
            Some(key) => self
                .sessions
                .candidates(key)
                .map(|(list, i)| &self.calls(list)[i])
                .filter(|c| conversation_of(&self.push, c) == Some(key))
                .collect(),
            None => vec![call],
        }
    }

    fn rebuild_views(&mut self) {
        self.live_view
            .rebuild(&self.live, &self.needle, self.grouped, &self.push);
        self.ended_view
            .rebuild(&self.ended, &self.needle, self.grouped, &self.push);
    }

    /// Totals over all calls, ignoring the filter.
    pub fn counts(&self) -> Counts {
        let s = self.clocks.counts();
        Counts {
            live: self.live.len(),
            ringing: s.ringing,
            connected: s.talking,
            on_hold: s.on_hold,
            parked: s.parked,
            ended: self.ended.len(),
        }
    }

    /// Live calls by direction and state, the longest calls, ended calls by result; ignores the filter.
    pub fn summary(&self, now: Timestamp) -> Summary {
        self.clocks.summary(now)
    }

    /// How many live calls are over an alert threshold at `now`; ignores the filter.
    pub fn alert_counts(&self, config: &AlertConfig, now: Timestamp) -> AlertCounts {
        self.clocks.alert_counts(config, now)
    }

    /// Ids of the live calls over the critical threshold at `now`.
    pub fn critical_ids(&self, config: &AlertConfig, now: Timestamp) -> Vec<&str> {
        self.clocks
            .critical(config, now)
            .map(|i| self.live[i].id())
            .collect()
    }

    /// How many rows a list shows (after the filter).
    pub fn len(&self, list: List) -> usize {
        self.view(list).rows.len()
    }

    /// True when a list shows no rows.
    pub fn is_empty(&self, list: List) -> bool {
        self.len(list) == 0
    }

    /// The rows `[offset, offset + height)` of a list, for drawing only what is on screen.
    pub fn window(&self, list: List, offset: usize, height: usize) -> impl Iterator<Item = &Call> {
        let calls = self.calls(list);
        let rows = &self.view(list).rows;
        let start = offset.min(rows.len());
        let end = offset.saturating_add(height).min(rows.len());
        rows[start..end].iter().map(move |&i| &calls[i])
    }

    /// The selected call of a list.
    pub fn selected(&self, list: List) -> Option<&Call> {
        let view = self.view(list);
        view.selected.as_ref()?;
        view.rows.get(view.pos).map(|&i| &self.calls(list)[i])
    }

    /// The row index of a list's selection.
    pub fn selected_index(&self, list: List) -> Option<usize> {
        let view = self.view(list);
        view.selected.as_ref().map(|_| view.pos)
    }

    /// Selects the row at `index` (clamped to the list).
    pub fn select_index(&mut self, list: List, index: usize) {
        let (view, calls) = match list {
            List::Live => (&mut self.live_view, &self.live),
            List::Ended => (&mut self.ended_view, &self.ended),
        };
        view.select(calls, index);
    }

    /// Moves a list's selection by `delta` rows, stopping at the ends.
    pub fn move_selection(&mut self, list: List, delta: isize) {
        let pos = self.view(list).pos.saturating_add_signed(delta);
        self.select_index(list, pos);
    }

    /// A call by id, live or ended.
    pub fn get(&self, id: &str) -> Option<&Call> {
        self.live.iter().chain(&self.ended).find(|c| c.id() == id)
    }

    /// Time an ended call has left in the window at `now` (zero if not ended; saturates at the end of time).
    pub fn time_left(&self, call: &Call, now: Timestamp) -> SignedDuration {
        let end = call
            .ended_at()
            .map(|at| at.checked_add(self.config.ended_window).unwrap_or(Timestamp::MAX));
        end.map_or(SignedDuration::ZERO, |end| {
            end.duration_since(now).max(SignedDuration::ZERO)
        })
    }

    fn calls(&self, list: List) -> &[Call] {
        match list {
            List::Live => &self.live,
            List::Ended => &self.ended,
        }
    }

    fn view(&self, list: List) -> &View {
        match list {
            List::Live => &self.live_view,
            List::Ended => &self.ended_view,
        }
    }

    fn rebuild(&mut self, now: Timestamp) {
        let sort = self.sort;
        // Ids are unique and break every tie, so an unstable sort gives the same order, faster.
        self.live.sort_unstable_by(|a, b| sort.compare(a, b, now));
        self.ended.sort_unstable_by(|a, b| {
            b.ended_at()
                .cmp(&a.ended_at())
                .then_with(|| b.start().cmp(&a.start()))
                .then_with(|| a.id().cmp(b.id()))
        });
        if self.ended.len() > self.config.ended_cap {
            for call in self.ended.drain(self.config.ended_cap..) {
                self.expired.insert(call.id().to_owned(), now);
            }
        }
        self.clocks = Clocks::build(&self.live, &self.ended);
        let push = &self.push;
        self.sessions = SessionIndex::build(&self.live, &self.ended, |c| conversation_of(push, c));
        self.rebuild_views();
    }
}

/// True while `now` is less than `window` after `at` (a window past the end of time never closes).
fn in_window(at: Timestamp, window: SignedDuration, now: Timestamp) -> bool {
    at.checked_add(window).map_or(true, |end| now < end)
}
