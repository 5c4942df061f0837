//! The two kinds of board update a source publishes: a [`Listing`] (everything one scope holds, as a poll
//! returns it) and a [`Delta`] (one call, or one party of a call, changed). Listings and deltas of one
//! source share one sequence, so a reader applies exactly the updates it has not seen, in order.
use std::sync::Arc;

use jiff::Timestamp;

use crate::api::Scope;
use crate::api::model::{CallRecord, Direction, Party, Str};

/// Every call of one scope at one time: what may mark calls vanished (see [`crate::board::Board`]).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The update's place in the source's sequence; 0 before the first listing.
    pub seq: u64,
    /// The scope the listing covers.
    pub scope: Option<Scope>,
    /// When it was taken: what the merge rules weigh against a delta's `at` (a delta newer than this
    /// survives it). A source whose listings lag the calls they show stamps them that much earlier.
    pub taken_at: Option<Timestamp>,
    /// All records (all pages), shared with the board.
    pub calls: Arc<[Arc<CallRecord>]>,
    /// Records the parser had to skip.
    pub skipped: usize,
}

/// One change to one call, at `at`: never marks anything vanished.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    /// The update's place in the source's sequence: after the listing it follows, or before a later
    /// listing that was taken before it happened (which keeps it).
    pub seq: u64,
    /// When the change happened at the source (an event's `eventTime`).
    pub at: Timestamp,
    pub change: Change,
}

/// What a delta changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A call's whole record, new or changed; keyed by the record's `id`.
    Call(Arc<CallRecord>),
    /// One party of a telephony session, as a telephony-session event reports it.
    Party(PartyChange),
}

/// One party of a telephony session changed (the `parties[]` entry of a telephony-session event).
#[derive(Debug, Clone, PartialEq)]
pub struct PartyChange {
    /// The call's `telephonySessionId`.
    pub session_id: Str,
    /// The party's `id` (a record's or leg's `partyId`).
    pub party_id: Str,
    pub status: PartyStatus,
    /// Replaces the record's `from` when given.
    pub from: Option<Arc<Party>>,
    /// Replaces the record's `to` when given.
    pub to: Option<Arc<Party>>,
    /// Replaces the record's `direction` when given.
    pub direction: Option<Direction>,
    /// The party's `extensionId`; replaces the record's extension when given.
    pub extension_id: Option<u64>,
}

/// A party's `status.code`, as far as the board can show it today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyStatus {
    /// Being set up: the call rings.
    Setup,
    /// Ringing at the far end.
    Proceeding,
    /// Talking.
    Answered,
    /// The party left the call.
    Disconnected,
    /// The party left the session for another (a transfer, a pickup, a conference).
    Gone,
}
