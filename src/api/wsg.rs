//! The wire format of RingCentral's WebSocket gateway (WSG) and of the telephony-session events it carries,
//! shared by the push client and the simulator so both speak exactly one format.
//!
//! Every WSG message, in both directions, is a JSON array `[meta, body?]`; [`Frame`] reads and writes it.
//! Parsing is lenient as RingCentral's own SDKs are: ids may be strings or numbers, unknown fields are
//! ignored, and status codes are compared case-insensitively and kept when unknown.
//! See <https://developers.ringcentral.com/guide/notifications/websockets/subscribing> and
//! <https://developers.ringcentral.com/guide/voice/telephony-session-notifications>.
use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use super::model::{Str, opt_string_or_number, string_or_number};

/// `POST /restapi/oauth/wstoken`: the single-use token for one connection to the gateway at `uri`.
/// Its `Debug` leaves the token out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WsToken {
    pub ws_access_token: String,
    /// `wss://…/ws` (the simulator's is `ws://127.0.0.1:PORT/ws`).
    pub uri: String,
    /// Seconds the token stays usable.
    pub expires_in: u64,
}

/// `meta.type` of a WSG message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageType {
    ClientRequest,
    ServerNotification,
    Error,
    ConnectionDetails,
    Heartbeat,
    /// A type this version does not know; the message is ignored.
    #[serde(other)]
    Unknown,
}

/// The session-recovery token the gateway hands out (`meta.wsc`); the highest `sequence` wins. Its
/// `Debug` leaves the token out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wsc {
    pub token: String,
    pub sequence: u64,
}

impl fmt::Debug for WsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsToken")
            .field("ws_access_token", &"<redacted>")
            .field("uri", &self.uri)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl fmt::Debug for Wsc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wsc")
            .field("token", &"<redacted>")
            .field("sequence", &self.sequence)
            .finish()
    }
}

/// The first element of every WSG message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(rename = "type")]
    pub kind: MessageType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// HTTP-like status of a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wsc: Option<Wsc>,
    /// Requests only: `POST`, `GET`, ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Requests only: the REST path, e.g. `/restapi/v1.0/subscription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Meta {
    /// A meta of `kind` with `message_id` and nothing else.
    pub fn new(kind: MessageType, message_id: impl Into<String>) -> Self {
        Meta {
            kind,
            message_id: Some(message_id.into()),
            status: None,
            headers: None,
            wsc: None,
            method: None,
            path: None,
        }
    }
}

/// One WSG message: its meta and, when there is one, its body still unparsed.
#[derive(Debug, Clone)]
pub struct Frame {
    pub meta: Meta,
    pub body: Option<Box<RawValue>>,
}

/// Why a WSG message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the WebSocket gateway sent a message that is not a JSON array of [meta, body]: {0}")]
    Shape(#[source] serde_json::Error),
    #[error("the WebSocket gateway sent an empty message array")]
    Empty,
    #[error("the WebSocket gateway sent a message whose meta is unreadable: {0}")]
    Meta(#[source] serde_json::Error),
}

impl Frame {
    /// A message of `meta` and `body` (none when `body` is `None`).
    pub fn new<B: Serialize>(meta: Meta, body: Option<&B>) -> Frame {
        let body = body.map(|b| serde_json::value::to_raw_value(b).expect("WSG bodies serialize"));
        Frame { meta, body }
    }

    /// Reads a text message.
    pub fn parse(text: &str) -> Result<Frame, FrameError> {
        let parts: Vec<&RawValue> = serde_json::from_str(text).map_err(FrameError::Shape)?;
        let mut parts = parts.into_iter();
        let meta = parts.next().ok_or(FrameError::Empty)?;
        let meta = serde_json::from_str(meta.get()).map_err(FrameError::Meta)?;
        let body = parts.next().map(RawValue::to_owned);
        Ok(Frame { meta, body })
    }

    /// The text message: `[meta]` or `[meta, body]`.
    pub fn to_text(&self) -> String {
        let meta = serde_json::to_string(&self.meta).expect("meta serializes");
        match &self.body {
            Some(body) => format!("[{meta},{}]", body.get()),
            None => format!("[{meta}]"),
        }
    }

    /// The body read as `T`.
    pub fn body_as<'a, T: Deserialize<'a>>(&'a self) -> Option<Result<T, serde_json::Error>> {
        self.body.as_ref().map(|b| serde_json::from_str(b.get()))
    }
}

/// `recoveryState` of a `ConnectionDetails` after a connect with `&wsc=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecoveryState {
    Successful,
    Failed,
}

/// The body of the `ConnectionDetails` message the gateway sends first on every connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections_per_session: Option<u32>,
    /// Missed events replayed on a successful recovery, at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_buffer_size: Option<u32>,
    /// Seconds after a drop within which `&wsc=` recovers the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_timeout: Option<u64>,
    /// Seconds without client traffic before the gateway sends WSG-902 and closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<u64>,
    /// Seconds after which the gateway closes the connection whatever happens (WSG-903).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absolute_timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_active_requests: Option<u32>,
    /// Only on a connection that asked to recover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_state: Option<RecoveryState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_error_code: Option<String>,
}

/// The body of an `Error` message (`WSG-902` idle timeout, `WSG-903` absolute timeout, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WsgError {
    pub error_code: String,
    #[serde(default)]
    pub message: String,
}

/// `deliveryMode` of a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryMode {
    /// `WebSocket` here.
    pub transport_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<bool>,
}

/// The body of `POST /restapi/v1.0/subscription` sent as a `ClientRequest` over the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRequest {
    pub event_filters: Vec<String>,
    pub delivery_mode: DeliveryMode,
}

/// The reply body to a subscription request (`SubscriptionInfo`); filters come back with `~` expanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionInfo {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub event_filters: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<DeliveryMode>,
}

/// The body of a `ServerNotification`: the same envelope a webhook receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification<B> {
    /// Unique per notification: what duplicates are recognised by.
    pub uuid: String,
    /// The filter path the event matched (extension-specific when the party has an extension).
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub body: B,
}

/// The body of a telephony-session event: one session, and (in practice) one party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEvent {
    /// Rises across the whole session, over all its parties; events may arrive out of order.
    #[serde(default)]
    pub sequence: u64,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_id: Option<Str>,
    #[serde(deserialize_with = "string_or_number")]
    pub telephony_session_id: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    #[serde(default)]
    pub parties: Vec<EventParty>,
}

/// `origin` of a session (`Call`, `RingOut`, `Conference`, …), kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    #[serde(rename = "type")]
    pub kind: String,
}

/// One party of a telephony-session event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventParty {
    #[serde(deserialize_with = "string_or_number")]
    pub id: Str,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_id: Option<Str>,
    /// Set for parties inside the account; the external caller has none.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<Str>,
    /// `Inbound` or `Outbound`, from this party's side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<EventEnd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<EventEnd>,
    pub status: EventStatus,
    /// `{}` or `{id}` when parked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub park: Option<Park>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_call: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_call: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stand_alone: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
}

/// `from` or `to` of an event party (`CallPartyShortInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventEnd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<Str>,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_id: Option<Str>,
}

/// `park` of an event party.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Park {
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<Str>,
}

/// `status` of an event party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventStatus {
    pub code: StatusCode,
    /// `BlindTransfer`, `AttendedTransfer`, `CallPark`, … (kept as text: real events carry values the
    /// published enum lacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The session the party moved to, on `Gone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_id: Option<PeerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcc: Option<bool>,
}

/// `status.peerId`: where a `Gone` party went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerId {
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_id: Option<Str>,
    #[serde(deserialize_with = "string_or_number")]
    pub telephony_session_id: Str,
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub party_id: Option<Str>,
}

/// `status.code` of a party. Read case-insensitively (the docs spell `Voicemail`, the enum `VoiceMail`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusCode {
    Setup,
    Proceeding,
    Answered,
    Disconnected,
    Gone,
    Parked,
    Hold,
    VoiceMail,
    FaxReceive,
    VoiceMailScreening,
    /// A code this version does not know, kept verbatim.
    Other(String),
}

impl StatusCode {
    const KNOWN: [(StatusCode, &'static str); 10] = [
        (StatusCode::Setup, "Setup"),
        (StatusCode::Proceeding, "Proceeding"),
        (StatusCode::Answered, "Answered"),
        (StatusCode::Disconnected, "Disconnected"),
        (StatusCode::Gone, "Gone"),
        (StatusCode::Parked, "Parked"),
        (StatusCode::Hold, "Hold"),
        (StatusCode::VoiceMail, "VoiceMail"),
        (StatusCode::FaxReceive, "FaxReceive"),
        (StatusCode::VoiceMailScreening, "VoiceMailScreening"),
    ];

    /// The code as RingCentral's enum spells it.
    pub fn as_str(&self) -> &str {
        match self {
            StatusCode::Other(s) => s,
            known => Self::KNOWN
                .iter()
                .find(|(c, _)| c == known)
                .map_or("", |(_, s)| s),
        }
    }
}

impl From<&str> for StatusCode {
    fn from(s: &str) -> Self {
        let alias = match s.to_ascii_lowercase().as_str() {
            "vmscreening" => "VoiceMailScreening",
            _ => s,
        };
        Self::KNOWN
            .iter()
            .find(|(_, wire)| wire.eq_ignore_ascii_case(alias))
            .map_or_else(|| StatusCode::Other(s.to_owned()), |(code, _)| code.clone())
    }
}

impl Serialize for StatusCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StatusCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from(String::deserialize(d)?.as_str()))
    }
}

/// The event filters for one scope: the whole account's sessions, or one extension's.
pub fn telephony_filter(extension: Option<&str>) -> String {
    match extension {
        Some(ext) => format!("/restapi/v1.0/account/~/extension/{ext}/telephony/sessions"),
        None => "/restapi/v1.0/account/~/telephony/sessions".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RingCentral's documented extension-level event (`telephony-session-event.json`), inside its frame.
    const DOC_EVENT: &str = r#"[{"type":"ServerNotification","messageId":"1823485288313944239","status":200,"headers":{"RCRequestId":"x"}},
    {"uuid":"1823485288313944239","event":"/restapi/v1.0/account/809646016/extension/809646016/telephony/sessions",
     "timestamp":"2020-06-14T19:27:18.390Z","subscriptionId":"53300e7c-5e69-42bf-ab4d-179aabc6e869","ownerId":"809646016",
     "body":{"sequence":3,"sessionId":"425008160016","telephonySessionId":"s-a6abd24ca6774373a8120a3390d3cbe8",
       "serverId":"10.13.22.28.TAM","eventTime":"2020-06-14T19:27:18.340Z",
       "parties":[{"accountId":"809646016","extensionId":"809646016","id":"p-a6abd24ca6774373a8120a3390d3cbe8-2",
         "direction":"Inbound","to":{"phoneNumber":"+19043014558","name":"TESTER Babji","extensionId":"809646016"},
         "from":{"phoneNumber":"+14083388064"},"status":{"code":"Setup","rcc":false},"park":{},
         "missedCall":false,"standAlone":false,"muted":false}],
       "origin":{"type":"Call"}}}]"#;

    #[test]
    fn reads_the_documented_event() {
        let frame = Frame::parse(DOC_EVENT).unwrap();
        assert_eq!(frame.meta.kind, MessageType::ServerNotification);
        let n: Notification<SessionEvent> = frame.body_as().unwrap().unwrap();
        assert_eq!(n.body.sequence, 3);
        assert_eq!(n.body.parties[0].status.code, StatusCode::Setup);
        assert_eq!(n.body.parties[0].extension_id.as_deref(), Some("809646016"));
    }

    #[test]
    fn a_frame_survives_a_round_trip() {
        let frame = Frame::parse(DOC_EVENT).unwrap();
        let again = Frame::parse(&frame.to_text()).unwrap();
        assert_eq!(again.meta, frame.meta);
        assert_eq!(again.body.unwrap().get(), frame.body.unwrap().get());
    }

    #[test]
    fn tokens_stay_out_of_debug_output() {
        let token = WsToken {
            ws_access_token: "SECRET-WS".into(),
            uri: "wss://ws.example/ws".into(),
            expires_in: 600,
        };
        let wsc = Wsc {
            token: "SECRET-WSC".into(),
            sequence: 3,
        };
        let shown = format!("{token:?} {wsc:?}");
        assert!(
            !shown.contains("SECRET") && shown.contains("ws.example") && shown.contains('3'),
            "{shown}"
        );
    }

    #[test]
    fn status_codes_are_read_case_insensitively_and_unknown_ones_kept() {
        assert_eq!(StatusCode::from("Voicemail"), StatusCode::VoiceMail);
        assert_eq!(StatusCode::from("VMScreening"), StatusCode::VoiceMailScreening);
        assert_eq!(StatusCode::from("Tds"), StatusCode::Other("Tds".into()));
        assert_eq!(StatusCode::Hold.as_str(), "Hold");
    }

    #[test]
    fn numeric_ids_and_unknown_message_types_are_tolerated() {
        let text = r#"[{"type":"SomethingNew"},{"telephonySessionId":42,"parties":[{"id":7,"status":{"code":"Hold"}}]}]"#;
        let frame = Frame::parse(text).unwrap();
        assert_eq!(frame.meta.kind, MessageType::Unknown);
        let body: SessionEvent = frame.body_as().unwrap().unwrap();
        assert_eq!(
            (body.telephony_session_id.as_str(), body.parties[0].id.as_str()),
            ("42", "7")
        );
        assert!(Frame::parse("{}").is_err());
        assert!(Frame::parse("[]").is_err());
    }
}
