//! The hub protocol, version [`VERSION`]: what a board and `callboard serve` say to each other. Every
//! message is one JSON object tagged by `type`; over a socket each is one frame of [`codec`] (a 4-byte
//! big-endian length, then the JSON, at most [`MAX_FRAME`] bytes), and on NATS each is one message's
//! payload ([`encode`]/[`decode`], no length prefix).
//!
//! A board opens with [`Hello`]; the hub answers [`Welcome`] or `Refused`, then the view's full listing
//! and its deltas (numbered [`Numbered`], for [`Resume`]), status, directory entries and heartbeats. A
//! `hello`'s `version` and a `refused`'s `reason` keep their shape in every version, so two sides that
//! speak different versions still tell the user which side to upgrade ([`read_hello`], [`read_welcome`]).
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio_util::bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec};

use crate::api::{DirectoryEntry, Scope};
use crate::feed::{Delta, FeedState, Listing, Publisher, PushHealth, RateHeadroom, SourceError, UserInfo};
use crate::secret::Secret;

/// The protocol version this build speaks.
pub const VERSION: u32 = 1;

/// The largest frame a board accepts: a listing of a few thousand calls is a few megabytes.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

/// The largest frame the hub accepts: a board's messages are small, and a peer that has not said who
/// it is yet must not make the hub hold megabytes.
pub const MAX_FRAME_TO_HUB: usize = 64 * 1024;

/// A board's message to the hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToHub {
    /// The first message, always.
    Hello(Hello),
    /// Show another scope: account = everything the policy allows; an extension = that extension's
    /// calls if the policy allows them (`~` = the viewer's own extension in the policy).
    SetScope { scope: Scope },
    /// Ask the hub's source to list again now.
    Refresh,
    /// The board is still there.
    Heartbeat,
    /// A message of a kind this build does not know (a newer build's, of the same version): ignored.
    #[serde(other)]
    Unknown,
}

/// A board introducing itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// The protocol version the board speaks.
    pub version: u32,
    /// The board's name and version, for the hub's log (`callboard 0.1.0`).
    pub client: String,
    /// The viewer token (TCP only); sent, never logged.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "token")]
    pub token: Option<Secret>,
    /// Where the board left off, after a short disconnect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Resume>,
}

/// The last update a board saw from one hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    /// The hub's [`Welcome::hub`].
    pub hub: String,
    /// The `seq` of the last [`Numbered`] update the board received.
    pub seq: u64,
}

/// The hub's message to a board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToBoard {
    /// The board may attach.
    Welcome(Welcome),
    /// The board may not attach; `reason` says why and what to do. The hub closes the connection.
    Refused { reason: String },
    /// A listing or a delta, in the hub's order.
    Update(Numbered),
    /// The hub source's health (everything but the calls).
    Status(Status),
    /// The directory entries the viewer may see, all of them (sent again when the directory changes).
    Directory { entries: Vec<DirectoryEntry> },
    /// Something for the board's status line, such as a scope the policy does not allow.
    Notice { message: String },
    /// The hub is still there.
    Heartbeat,
    /// A message of a kind this build does not know (a newer build's, of the same version): ignored.
    #[serde(other)]
    Unknown,
}

/// What the hub tells a board it let in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    /// The protocol version the hub speaks.
    pub version: u32,
    /// This run of the hub (resuming works only with the same one).
    pub hub: String,
    /// This board's session on the hub, for both sides' logs.
    pub session: u64,
    /// What the viewer may see.
    pub view: View,
    /// Who the hub is logged in to RingCentral as, for the board's header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserInfo>,
    /// True when the updates that follow continue from the board's [`Resume`]; false when they start
    /// with a fresh listing.
    pub resumed: bool,
}

/// What one viewer may see, as the hub's policy says it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// The policy entry that matched (its name, user, group or `token`).
    pub viewer: String,
    /// The whole account.
    pub account: bool,
    /// Extensions by number or name (when not the whole account).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// Call queues by number or name (when not the whole account).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<String>,
    /// The viewer's own extension, which its extension scope shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_extension: Option<String>,
}

/// One update with its place in the hub's sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Numbered {
    /// Rises by one per update the hub publishes (before filtering, so a board may see gaps).
    pub seq: u64,
    /// The update, already filtered for the board's view.
    pub update: Update,
}

/// A listing of the viewer's scope, or one delta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Update {
    /// Every call of the board's scope its view allows.
    Listing(Arc<Listing>),
    /// One call or party changed.
    Delta(Delta),
}

/// The non-call part of the hub source's [`FeedState`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The board's scope on the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// When the hub's source lists next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_listing_at: Option<Timestamp>,
    /// The hub source's interval between listings.
    pub interval: SignedDuration,
    /// The hub's Heavy-group headroom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<RateHeadroom>,
    /// The hub source's last error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SourceError>,
    /// The board's scope change has not been listed yet.
    pub switching: bool,
    /// The hub's push connection.
    pub push: PushHealth,
    /// Who the hub is logged in to RingCentral as, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserInfo>,
}

impl Status {
    /// The status part of `state`, with the board's `scope`.
    pub fn of(state: &FeedState, scope: Option<Scope>) -> Status {
        Status {
            scope,
            next_listing_at: state.next_listing_at,
            interval: state.interval,
            rate: state.rate,
            error: state.error.clone(),
            switching: state.switching,
            push: state.push.clone(),
            user: state.user.clone(),
        }
    }

    /// Writes this status into a board-side `state`.
    pub fn apply(self, state: &mut FeedState) {
        state.scope = self.scope;
        state.next_listing_at = self.next_listing_at;
        state.interval = self.interval;
        state.rate = self.rate;
        state.error = self.error;
        state.switching = self.switching;
        state.push = self.push;
        state.user = self.user;
    }
}

impl Update {
    /// Publishes this update on a board's source, as of `now` when a listing does not say when it was
    /// taken (a listing without a scope is of the account).
    pub fn apply(self, out: &mut Publisher, now: Timestamp) {
        match self {
            Update::Listing(listing) => {
                let scope = listing.scope.clone().unwrap_or(Scope::Account);
                let taken_at = listing.taken_at.unwrap_or(now);
                out.list(scope, taken_at, Arc::clone(&listing.calls), listing.skipped);
            }
            Update::Delta(delta) => out.change(delta.at, delta.change),
        }
    }
}

/// A message that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The two sides speak different versions.
    #[error(
        "this board speaks hub protocol {board}, the hub speaks {hub}: upgrade the {older} side",
        older = if board < hub { "board's" } else { "hub's" }
    )]
    Version { board: u32, hub: u32 },
    /// The peer sent something that is not this protocol.
    #[error("{0}")]
    Garbled(String),
    /// The connection failed or a frame was too large.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One message as bytes (for NATS: the payload; over a socket, [`codec`] frames it).
pub fn encode<T: Serialize>(message: &T) -> Bytes {
    // The messages are plain data with string keys: serializing them cannot fail.
    Bytes::from(serde_json::to_vec(message).expect("hub messages serialize"))
}

/// One message from bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ProtocolError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ProtocolError::Garbled(format!(
            "not a callboard hub message ({:?} error at column {})",
            e.classify(),
            e.column()
        ))
    })
}

/// The frame layer: 4-byte big-endian lengths, frames up to [`MAX_FRAME`].
pub fn codec() -> LengthDelimitedCodec {
    codec_up_to(MAX_FRAME)
}

/// The frame layer, frames up to `max` bytes.
pub fn codec_up_to(max: usize) -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .length_field_length(4)
        .max_frame_length(max)
        .new_codec()
}

/// The fields of a first message that every version keeps.
#[derive(Deserialize)]
struct Opening {
    #[serde(rename = "type")]
    kind: String,
    version: Option<u32>,
    reason: Option<String>,
}

/// The hub's reading of a board's first message: its [`Hello`], or why the board cannot attach (a
/// version mismatch says which side to upgrade).
pub fn read_hello(bytes: &[u8]) -> Result<Hello, ProtocolError> {
    let opening: Opening = decode(bytes)?;
    match (opening.kind.as_str(), opening.version) {
        ("hello", Some(VERSION)) => decode(bytes),
        ("hello", Some(board)) => Err(ProtocolError::Version { board, hub: VERSION }),
        _ => Err(ProtocolError::Garbled(
            "the first message was not a hello: is this a callboard board?".into(),
        )),
    }
}

/// The board's reading of the hub's first message: its [`Welcome`], its refusal (as an error in the
/// hub's words), or a version mismatch.
pub fn read_welcome(bytes: &[u8]) -> Result<Welcome, ProtocolError> {
    let opening: Opening = decode(bytes)?;
    match (opening.kind.as_str(), opening.version) {
        ("welcome", Some(VERSION)) => decode(bytes),
        ("welcome", Some(hub)) => Err(ProtocolError::Version { board: VERSION, hub }),
        ("refused", _) => Err(ProtocolError::Garbled(format!(
            "the hub refused this board: {}",
            opening.reason.unwrap_or_default()
        ))),
        _ => Err(ProtocolError::Garbled(
            "the hub's first message was not a welcome: is this a callboard hub?".into(),
        )),
    }
}

/// A [`tokio_util::codec`] of JSON messages in [`codec`] frames: decodes `In`, encodes `Out`.
pub struct JsonCodec<In, Out> {
    /// Reads frames up to the codec's limit.
    reader: LengthDelimitedCodec,
    /// Writes frames up to [`MAX_FRAME`].
    writer: LengthDelimitedCodec,
    kinds: PhantomData<fn(Out) -> In>,
}

impl<In, Out> Default for JsonCodec<In, Out> {
    /// Frames up to [`MAX_FRAME`].
    fn default() -> Self {
        JsonCodec::up_to(MAX_FRAME)
    }
}

impl<In, Out> fmt::Debug for JsonCodec<In, Out> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsonCodec")
    }
}

/// The board's end: reads [`ToBoard`], writes [`ToHub`]. The first frame is raw: see [`read_welcome`].
pub type BoardCodec = JsonCodec<ToBoard, ToHub>;
/// The hub's end: reads [`ToHub`], writes [`ToBoard`]. The first frame is raw: see [`read_hello`].
pub type HubCodec = JsonCodec<ToHub, ToBoard>;

impl<In, Out> JsonCodec<In, Out> {
    /// A codec that refuses to read frames over `max` bytes (it writes frames up to [`MAX_FRAME`]).
    pub fn up_to(max: usize) -> Self {
        JsonCodec {
            reader: codec_up_to(max),
            writer: codec(),
            kinds: PhantomData,
        }
    }
}

impl<In: DeserializeOwned, Out> Decoder for JsonCodec<In, Out> {
    type Item = In;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<In>, ProtocolError> {
        match self.reader.decode(src)? {
            Some(frame) => decode(&frame).map(Some),
            None => Ok(None),
        }
    }
}

impl<In, Out: Serialize> Encoder<&Out> for JsonCodec<In, Out> {
    type Error = ProtocolError;

    fn encode(&mut self, item: &Out, dst: &mut BytesMut) -> Result<(), ProtocolError> {
        Ok(self.writer.encode(encode(item), dst)?)
    }
}

/// The token travels as a plain string inside the hello and nowhere else.
mod token {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::secret::Secret;

    pub fn serialize<S: Serializer>(token: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
        match token {
            Some(token) => s.serialize_some(token.expose()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Option::<String>::deserialize(d).map(|t| t.map(Secret::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::CallRecord;
    use crate::feed::{Change, PartyChange, PartyStatus};

    fn hello(token: Option<&str>) -> Hello {
        Hello {
            version: VERSION,
            client: "callboard test".into(),
            token: token.map(Secret::new),
            resume: Some(Resume {
                hub: "h1".into(),
                seq: 7,
            }),
        }
    }

    #[test]
    fn messages_survive_a_frame_round_trip() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let listing = Listing {
            seq: 3,
            scope: Some(Scope::Account),
            taken_at: Some(t0),
            calls: vec![Arc::new(CallRecord {
                id: "c1".into(),
                ..CallRecord::default()
            })]
            .into(),
            skipped: 1,
        };
        let party = PartyChange::new("s1", "p1", PartyStatus::Hold);
        let messages = [
            ToBoard::Update(Numbered {
                seq: 1,
                update: Update::Listing(Arc::new(listing)),
            }),
            ToBoard::Update(Numbered {
                seq: 2,
                update: Update::Delta(Delta {
                    seq: 4,
                    at: t0,
                    change: Change::Party(party),
                }),
            }),
            ToBoard::Status(Status {
                push: PushHealth::Live {
                    since: t0,
                    last_event: None,
                },
                interval: SignedDuration::from_secs(10),
                ..Status::default()
            }),
            ToBoard::Refused { reason: "no".into() },
            ToBoard::Heartbeat,
        ];
        let mut codec = HubCodec::default();
        let mut buf = BytesMut::new();
        for m in &messages {
            codec.encode(m, &mut buf).unwrap();
        }
        let mut board = BoardCodec::default();
        for m in &messages {
            assert_eq!(board.decode(&mut buf).unwrap().as_ref(), Some(m));
        }
        assert!(buf.is_empty());
    }

    #[test]
    fn a_hello_carries_its_token_but_never_shows_it() {
        let bytes = encode(&ToHub::Hello(hello(Some("s3cret-token"))));
        assert!(String::from_utf8_lossy(&bytes).contains("s3cret-token"));
        let read = read_hello(&bytes).unwrap();
        assert_eq!(read.token.as_ref().map(Secret::expose), Some("s3cret-token"));
        assert!(!format!("{read:?}").contains("s3cret"));
    }

    #[test]
    fn a_version_mismatch_names_the_side_to_upgrade_both_ways() {
        let newer_board = br#"{"type":"hello","version":2,"client":"callboard 9","future":[1]}"#;
        let err = read_hello(newer_board).unwrap_err().to_string();
        assert_eq!(
            err,
            "this board speaks hub protocol 2, the hub speaks 1: upgrade the hub's side"
        );
        let older_hub = br#"{"type":"welcome","version":0,"hub":"x"}"#;
        let err = read_welcome(older_hub).unwrap_err().to_string();
        assert_eq!(
            err,
            "this board speaks hub protocol 1, the hub speaks 0: upgrade the hub's side"
        );
        let newer_hub = br#"{"type":"welcome","version":3}"#;
        assert!(
            read_welcome(newer_hub)
                .unwrap_err()
                .to_string()
                .contains("upgrade the board's side")
        );
    }

    #[test]
    fn a_refusal_reads_in_the_hubs_words_whatever_its_version() {
        let refused = br#"{"type":"refused","reason":"user bob is not in the policy","v9":true}"#;
        let err = read_welcome(refused).unwrap_err().to_string();
        assert_eq!(err, "the hub refused this board: user bob is not in the policy");
    }

    #[test]
    fn a_message_of_an_unknown_kind_is_read_as_one_to_ignore() {
        let future = br#"{"type":"quality_report","mos":4.2}"#;
        assert_eq!(decode::<ToBoard>(future).unwrap(), ToBoard::Unknown);
        assert_eq!(decode::<ToHub>(future).unwrap(), ToHub::Unknown);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b"\x16\x03\x01\x02"[..],
            b"{}",
            b"[1,2]",
            b"{\"type\":\"hello\"}",
            b"",
        ] {
            assert!(read_hello(bytes).is_err(), "{bytes:?}");
            assert!(read_welcome(bytes).is_err(), "{bytes:?}");
            let kindless = !String::from_utf8_lossy(bytes).contains("type");
            assert!(!kindless || decode::<ToBoard>(bytes).is_err(), "{bytes:?}");
        }
    }

    #[test]
    fn an_oversized_frame_is_refused() {
        let oversized = |len: usize| {
            let mut buf = BytesMut::new();
            buf.extend_from_slice(&(len as u32).to_be_bytes());
            buf.extend_from_slice(b"{}");
            buf
        };
        assert!(
            BoardCodec::default()
                .decode(&mut oversized(MAX_FRAME + 1))
                .is_err()
        );
        let mut hub = HubCodec::up_to(MAX_FRAME_TO_HUB);
        assert!(hub.decode(&mut oversized(MAX_FRAME_TO_HUB + 1)).is_err());
        let big = ToBoard::Notice {
            message: "x".repeat(MAX_FRAME_TO_HUB * 2),
        };
        assert!(
            hub.encode(&big, &mut BytesMut::new()).is_ok(),
            "it still writes big frames"
        );
    }
}
