//! Serde types for the Active Calls response (`CallLogResponse`), per the reference §2.
//!
//! Every optional field is `Option`, unknown fields are ignored, and enum-like fields keep values never
//! seen before (`Other(String)`) instead of failing. One malformed record never loses the rest of a page:
//! [`ActiveCallsPage::parse`] skips it and reports why.

use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

mod flat_fields;
mod shared;

pub(crate) use shared::Pool;
pub use shared::Str;

/// Declares an enum-like API string field: known values as variants, anything else kept in `Other`.
macro_rules! api_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this version of callboard does not know, kept verbatim.
            Other(Str),
        }

        impl $name {
            /// The exact string RingCentral sends for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)+
                    other => Self::Other(other.into()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(Self::from(flat_fields::Text::deserialize(d)?.as_str()))
            }
        }
    };
}

api_enum!(
    /// `CallDirectionEnum`.
    Direction { Inbound = "Inbound", Outbound = "Outbound" }
);
api_enum!(
    /// `CallTypeEnum`.
    CallType { Voice = "Voice", Fax = "Fax" }
);
api_enum!(
    /// `CallTransportEnum`.
    Transport { Pstn = "PSTN", Voip = "VoIP" }
);
api_enum!(
    /// `CallActionEnum` (the values a call board meets most; the rest are kept as `Other`).
    CallAction {
        PhoneCall = "Phone Call",
        VoipCall = "VoIP Call",
        AcceptCall = "Accept Call",
        Transfer = "Transfer",
        FindMe = "FindMe",
        FollowMe = "FollowMe",
        Hunting = "Hunting",
        RingDirectly = "Ring Directly",
        ConferenceCall = "Conference Call",
        CallPark = "Call Park",
        Pickup = "Pickup",
        Monitoring = "Monitoring",
        Unknown = "Unknown",
    }
);
api_enum!(
    /// `CallResultEnum` (common values; the rest are kept as `Other`).
    CallResult {
        InProgress = "In Progress",
        Accepted = "Accepted",
        Missed = "Missed",
        Voicemail = "Voicemail",
        SentToVoicemail = "Sent to Voicemail",
        Abandoned = "Abandoned",
        Busy = "Busy",
        Declined = "Declined",
        Rejected = "Rejected",
        NoAnswer = "No Answer",
        HangUp = "Hang Up",
        CallFailed = "Call Failed",
        CallFailure = "Call Failure",
        AnsweredElsewhere = "Answered Elsewhere",
        CallConnected = "Call connected",
        Stopped = "Stopped",
        Unknown = "Unknown",
    }
);
api_enum!(
    /// `CallResultReasonEnum` (common values; the rest are kept as `Other`).
    CallReason {
        Accepted = "Accepted",
        Connected = "Connected",
        HangUp = "Hang Up",
        NotAnswered = "Not Answered",
        NoAnswer = "No Answer",
        LineBusy = "Line Busy",
        Stopped = "Stopped",
        BadNumber = "Bad Number",
        InternalError = "Internal Error",
        Unknown = "Unknown",
    }
);
api_enum!(
    /// `CallLegTypeEnum` (common values; the rest are kept as `Other`).
    LegType {
        Accept = "Accept",
        PstnToSip = "PstnToSip",
        SipToPstnMetered = "SipToPstnMetered",
        SipToPstnUnmetered = "SipToPstnUnmetered",
        ExtensionToExtension = "ExtensionToExtension",
        TransferCall = "TransferCall",
        FindMe = "FindMe",
        FollowMe = "FollowMe",
        Hunting = "Hunting",
        RingDirectly = "RingDirectly",
        ConferenceCall = "ConferenceCall",
        Monitoring = "Monitoring",
        Unknown = "Unknown",
    }
);

/// `{uri}` link inside `navigation`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageLink {
    /// Absolute URI of the page.
    pub uri: String,
}

/// `PageNavigationModel`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Navigation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_page: Option<PageLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<PageLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_page: Option<PageLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_page: Option<PageLink>,
}

/// `EnumeratedPagingModel`; only `perPage` is required by the spec, and even that is tolerated missing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_start: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_end: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_elements: Option<u32>,
}

/// `{id, uri}` of a device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Device {
    /// Device id (a string on the wire).
    #[serde(deserialize_with = "string_or_number")]
    pub id: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<Str>,
}

/// A call party (`CallLogFromParty` / `CallLogToParty`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<Str>,
    /// A string here, unlike `extension.id`; a number is tolerated.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// `from` only: the number that dialled (inbound calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialer_phone_number: Option<Str>,
    /// `to` only: the number that was dialled (outbound calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialed_phone_number: Option<Str>,
}

impl Party {
    /// True for a party inside the account: it has an extension number or an extension id.
    pub fn is_account_extension(&self) -> bool {
        self.extension_number.is_some() || self.extension_id.is_some()
    }

    /// The queue part of a queue call's caller-id name (`Support - CALLER` → `Support`).
    pub fn queue_part(&self) -> Option<&str> {
        let (queue, _) = self.name.as_deref()?.split_once(" - ")?;
        Some(queue.trim())
    }
}

/// `ExtensionInfoCallLog`: the extension a call belongs to. `id` is a JSON number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExtensionRef {
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<Str>,
}

/// `CallLogDelegateInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Delegate {
    #[serde(deserialize_with = "string_or_number")]
    pub id: Str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
}

/// `{telephonySessionId}` of a warm-transfer peer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_session_id: Option<Str>,
}

/// `CallLogRecordingInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recording {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<Str>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_uri: Option<Str>,
}

/// The fields a record and its legs share (`BaseCallLogRecord`), all optional here. The nested objects are
/// behind pointers (parties shared, the rarely present rest boxed): a board holds about 2.3 of these per
/// call (the record and its legs) for thousands of calls.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallFields {
    #[serde(default, serialize_with = "millis", skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    /// Seconds; absent while the call is in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub call_type: Option<CallType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<CallAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<CallResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CallReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_description: Option<Str>,
    /// Interned: records and legs naming the same party share one.
    #[serde(
        default,
        deserialize_with = "shared::party",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<Arc<Party>>,
    /// Interned: records and legs naming the same party share one.
    #[serde(
        default,
        deserialize_with = "shared::party",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<Arc<Party>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegate: Option<Box<Delegate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation_type: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_session_id: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_uuid_info: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_id: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_target: Option<Box<SessionRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferee: Option<Box<SessionRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_type: Option<Str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<Box<Recording>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_recording: Option<bool>,
    /// Newest spec only: whether the call reached a finished state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
}

/// `CallLogRecordLegInfo`: one leg of a call (`view=Detailed` only). Deserialized in [`flat_fields`].
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Leg {
    #[serde(flatten)]
    pub fields: CallFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leg_type: Option<LegType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<bool>,
}

/// `CallLogRecord`: one call as Active Calls lists it. Only `id` (a string or a number) is required here.
/// Deserialized in [`flat_fields`].
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    pub id: Str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<Str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Str>,
    #[serde(flatten)]
    pub fields: CallFields,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub legs: Vec<Leg>,
    #[serde(serialize_with = "millis", skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<Timestamp>,
}

/// The wire envelope (`CallLogResponse`) with records kept raw so each can fail on its own.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallLogResponse<R = CallRecord> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    pub records: Vec<R>,
    #[serde(default)]
    pub paging: Paging,
    #[serde(default)]
    pub navigation: Navigation,
}

/// A record the parser had to skip, with the reason and its id when one could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedRecord {
    /// Position in the page's `records` array.
    pub index: usize,
    /// The record's `id`, if it had a readable one.
    pub id: Option<String>,
    /// What was wrong, for a warning.
    pub error: String,
}

/// One parsed page of active calls: the good records, the skipped ones, and where the next page is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActiveCallsPage {
    /// Shared, so a record that did not change between polls is the same allocation in both.
    pub records: Vec<Arc<CallRecord>>,
    pub skipped: Vec<SkippedRecord>,
    pub paging: Paging,
    pub navigation: Navigation,
}

impl CallRecord {
    /// The record's own fields, then each leg's.
    pub fn all_fields(&self) -> impl Iterator<Item = &CallFields> {
        std::iter::once(&self.fields).chain(self.legs.iter().map(|l| &l.fields))
    }

    /// The record's own fields, then each leg's, to change.
    pub fn all_fields_mut(&mut self) -> impl Iterator<Item = &mut CallFields> {
        std::iter::once(&mut self.fields).chain(self.legs.iter_mut().map(|l| &mut l.fields))
    }

    /// The master leg, if the record has legs and one is marked master.
    pub fn master_leg(&self) -> Option<&Leg> {
        self.legs.iter().find(|l| l.master == Some(true))
    }
}

/// Writes a timestamp the way RingCentral does: UTC with milliseconds (`2021-01-19T23:58:57.000Z`).
fn millis<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(&t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")),
        None => s.serialize_none(),
    }
}

/// The `id` of a record that failed to parse, when it has a readable one.
pub(crate) fn record_id(record: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Id {
        id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Id>(record.get()).ok()?.id? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    String(Str),
    Number(serde_json::Number),
}

impl From<StringOrNumber> for Str {
    fn from(v: StringOrNumber) -> Self {
        match v {
            StringOrNumber::String(s) => s,
            StringOrNumber::Number(n) => n.to_string().into(),
        }
    }
}

pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
    StringOrNumber::deserialize(d).map(Str::from)
}

pub(crate) fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Str>, D::Error> {
    Option::<StringOrNumber>::deserialize(d).map(|o| o.map(Str::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_are_kept_verbatim() {
        let r: CallResult = serde_json::from_str("\"Teleported\"").unwrap();
        assert_eq!(r, CallResult::Other("Teleported".into()));
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"Teleported\"");
        assert_eq!(CallResult::from("In Progress"), CallResult::InProgress);
    }

    #[test]
    fn a_bad_record_is_skipped_and_the_rest_kept() {
        let body = br#"{"records":[{"id":"a","startTime":"2021-01-19T23:58:57.000Z"},
            {"id":"b","startTime":42},{"noid":true},{"id":7,"extension":{"id":5}}],
            "paging":{"perPage":100},"navigation":{}}"#;
        let page = ActiveCallsPage::parse(body).unwrap();
        let ids: Vec<_> = page.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "7"]);
        assert_eq!(page.skipped.len(), 2);
        assert_eq!(page.skipped[0].id.as_deref(), Some("b"));
        assert_eq!(page.skipped[1].index, 2);
    }

    #[test]
    fn records_and_legs_read_their_own_keys_and_the_shared_fields() {
        let body = br#"{"records":[{"\u0069d":"esc","sessionId":12,"result":"Missed","legs":[
            {"legType":"Accept","master":true,"direction":"Inbound","from":{"name":"A"}}],
            "lastModifiedTime":"2021-01-20T00:15:02Z","unknown":{"x":[1]}}]}"#;
        let page = ActiveCallsPage::parse(body).unwrap();
        let r = &page.records[0];
        assert_eq!((r.id.as_str(), r.session_id.as_deref()), ("esc", Some("12")));
        assert_eq!(r.fields.result, Some(CallResult::Missed));
        assert!(r.last_modified_time.is_some());
        let leg = &r.legs[0];
        assert_eq!(
            (leg.leg_type.clone(), leg.master),
            (Some(LegType::Accept), Some(true))
        );
        assert_eq!(leg.fields.direction, Some(Direction::Inbound));
        assert_eq!(leg.fields.from.as_ref().unwrap().name.as_deref(), Some("A"));
    }

    #[test]
    fn captures_survive_a_round_trip() {
        for name in ["direct_2_answered", "queue_3_ended"] {
            let path = format!("{}/assets/captures/{name}.json", env!("CARGO_MANIFEST_DIR"));
            let page = ActiveCallsPage::parse(&std::fs::read(path).unwrap()).unwrap();
            let again = serde_json::to_vec(&CallLogResponse {
                records: page.records.iter().map(|r| CallRecord::clone(r)).collect(),
                ..CallLogResponse::default()
            })
            .unwrap();
            assert_eq!(ActiveCallsPage::parse(&again).unwrap().records, page.records);
            assert!(!page.records[0].legs.is_empty());
        }
    }

    #[test]
    fn a_broken_envelope_is_an_error() {
        assert!(ActiveCallsPage::parse(b"{\"records\": [").is_err());
        assert!(ActiveCallsPage::parse(b"[]").is_err());
    }

    #[test]
    fn timestamps_are_written_with_milliseconds_like_the_api() {
        let rec: CallRecord =
            serde_json::from_str(r#"{"id":"x","startTime":"2021-01-19T23:58:57Z"}"#).unwrap();
        let json = serde_json::to_string(&rec).unwrap();
        assert_eq!(json, r#"{"id":"x","startTime":"2021-01-19T23:58:57.000Z"}"#);
    }

    #[test]
    fn serialized_records_omit_absent_fields() {
        let rec = CallRecord {
            id: "x".into(),
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&rec).unwrap(), r#"{"id":"x"}"#);
    }
}
