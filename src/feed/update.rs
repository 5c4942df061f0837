//! The two kinds of board update a source publishes: a [`Listing`] (everything one scope holds, as a poll
//! returns it) and a [`Delta`] (one call, or one party of a call, changed). Listings and deltas of one
//! source share one sequence, so a reader applies exactly the updates it has not seen, in order.
use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::api::Scope;
use crate::api::model::{CallRecord, Direction, Party, Str};
use crate::api::wsg::{EventEnd, Notification, SessionEvent, StatusCode};

/// Every call of one scope at one time: what may mark calls vanished (see [`crate::board::Board`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// The update's place in the source's sequence: after the listing it follows, or before a later
    /// listing that was taken before it happened (which keeps it).
    pub seq: u64,
    /// When the change happened at the source (an event's `eventTime`).
    pub at: Timestamp,
    pub change: Change,
}

/// What a delta changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// A call's whole record, new or changed; keyed by the record's `id`.
    Call(Arc<CallRecord>),
    /// One party of a telephony session, as a telephony-session event reports it.
    Party(PartyChange),
}

/// One party of a telephony session changed (the `parties[]` entry of a telephony-session event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyChange {
    /// The call's `telephonySessionId`.
    pub session_id: Str,
    /// The party's `id` (a record's or leg's `partyId`).
    pub party_id: Str,
    pub status: PartyStatus,
    /// The event's `sequence`: rises across the session over all its parties (0 when unknown). A change
    /// with a lower sequence than one already applied to the same party is stale.
    pub sequence: u64,
    /// `status.reason` (`BlindTransfer`, `CallPark`, …), verbatim.
    pub reason: Option<Str>,
    /// Where a `Gone` party went: the session that continues the conversation.
    pub peer: Option<Peer>,
    /// Replaces the record's `from` when given.
    pub from: Option<Arc<Party>>,
    /// Replaces the record's `to` when given.
    pub to: Option<Arc<Party>>,
    /// Replaces the record's `direction` when given.
    pub direction: Option<Direction>,
    /// The party's `extensionId`; replaces the record's extension when given. `None` for a party outside
    /// the account (the external caller).
    pub extension_id: Option<u64>,
    /// The party is a call-queue member's leg of a queue call.
    pub queue_call: bool,
    /// The park location's id, while parked.
    pub park_id: Option<Str>,
}

/// `status.peerId` of a `Gone` party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    pub session_id: Str,
    pub party_id: Option<Str>,
}

/// A party's `status.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartyStatus {
    /// Being set up: the call rings.
    Setup,
    /// Ringing at the far end.
    Proceeding,
    /// Talking.
    Answered,
    /// Put on hold.
    Hold,
    /// Parked on a park location.
    Parked,
    /// In voicemail (or voicemail screening).
    VoiceMail,
    /// The party left the call.
    Disconnected,
    /// The party left the session for another (a transfer, a pickup, a conference).
    Gone,
    /// A code the board does not show (`FaxReceive`, one RingCentral adds later): the party's state does
    /// not change.
    Other,
}

impl PartyStatus {
    /// The board's reading of a wire status code.
    pub fn from_code(code: &StatusCode) -> PartyStatus {
        match code {
            StatusCode::Setup => PartyStatus::Setup,
            StatusCode::Proceeding => PartyStatus::Proceeding,
            StatusCode::Answered => PartyStatus::Answered,
            StatusCode::Hold => PartyStatus::Hold,
            StatusCode::Parked => PartyStatus::Parked,
            StatusCode::VoiceMail | StatusCode::VoiceMailScreening => PartyStatus::VoiceMail,
            StatusCode::Disconnected => PartyStatus::Disconnected,
            StatusCode::Gone => PartyStatus::Gone,
            StatusCode::FaxReceive | StatusCode::Other(_) => PartyStatus::Other,
        }
    }

    /// True once the party has left (Disconnected or Gone).
    pub fn is_final(self) -> bool {
        matches!(self, PartyStatus::Disconnected | PartyStatus::Gone)
    }
}

impl PartyChange {
    /// A change of `party` of `session` to `status`, with nothing else known.
    pub fn new(session: impl Into<Str>, party: impl Into<Str>, status: PartyStatus) -> PartyChange {
        PartyChange {
            session_id: session.into(),
            party_id: party.into(),
            status,
            sequence: 0,
            reason: None,
            peer: None,
            from: None,
            to: None,
            direction: None,
            extension_id: None,
            queue_call: false,
            park_id: None,
        }
    }

    /// The changes one telephony-session event carries (one per party, in practice one), each with the
    /// time it happened: `eventTime`, else the notification's `timestamp`, else `received`.
    pub fn from_event(
        event: &Notification<SessionEvent>,
        received: Timestamp,
    ) -> Vec<(Timestamp, PartyChange)> {
        let body = &event.body;
        let at = body.event_time.or(event.timestamp).unwrap_or(received);
        body.parties
            .iter()
            .map(|p| {
                let change = PartyChange {
                    session_id: body.telephony_session_id.clone(),
                    party_id: p.id.clone(),
                    status: PartyStatus::from_code(&p.status.code),
                    sequence: body.sequence,
                    reason: p.status.reason.as_deref().map(Str::from),
                    peer: p.status.peer_id.as_ref().map(|peer| Peer {
                        session_id: peer.telephony_session_id.clone(),
                        party_id: peer.party_id.clone(),
                    }),
                    from: p.from.as_ref().map(end_party),
                    to: p.to.as_ref().map(end_party),
                    direction: p.direction.as_deref().map(Direction::from),
                    extension_id: p.extension_id.as_deref().and_then(|id| id.parse().ok()),
                    queue_call: p.queue_call.unwrap_or(false),
                    park_id: p.park.as_ref().and_then(|park| park.id.clone()),
                };
                (at, change)
            })
            .collect()
    }
}

/// An event's `from`/`to` as a call-log party.
fn end_party(end: &EventEnd) -> Arc<Party> {
    Arc::new(Party {
        name: end.name.clone(),
        phone_number: end.phone_number.clone(),
        extension_id: end.extension_id.clone(),
        ..Party::default()
    })
}
