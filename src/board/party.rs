//! A party delta on a call's record: which call holds the party, and the record the change makes of it.
use jiff::Timestamp;

use super::call::CallState;
use crate::api::model::{CallFields, CallReason, CallRecord, CallResult, ExtensionRef};
use crate::feed::{PartyChange, PartyStatus};

/// True when `record` belongs to the party's telephony session and it or one of its legs is the party.
pub(crate) fn holds(record: &CallRecord, change: &PartyChange) -> bool {
    record.fields.telephony_session_id.as_ref() == Some(&change.session_id)
        && record.all_fields().any(|f| is_party(f, change))
}

/// The record after `change` at `at`, for a call that was `was`: the status sets the result (and the
/// accepted reason on the party's fields), given parties, direction and extension replace the record's.
///
/// An end (Disconnected, then usually Gone) for a call that has already ended changes nothing: the first
/// end decided whether it was answered.
pub(crate) fn apply(record: &CallRecord, change: &PartyChange, was: &CallState, at: Timestamp) -> CallRecord {
    let mut record = record.clone();
    let (result, reason) = match change.status {
        PartyStatus::Setup | PartyStatus::Proceeding => (CallResult::InProgress, None),
        PartyStatus::Answered | PartyStatus::Hold | PartyStatus::Parked => {
            (CallResult::InProgress, Some(CallReason::Accepted))
        }
        PartyStatus::VoiceMail | PartyStatus::Other => return record,
        PartyStatus::Disconnected | PartyStatus::Gone if !was.is_live() => return record,
        PartyStatus::Disconnected | PartyStatus::Gone if *was == CallState::Connected => {
            (CallResult::CallConnected, None)
        }
        PartyStatus::Disconnected | PartyStatus::Gone => (CallResult::Missed, None),
    };
    record.fields.result = Some(result);
    record.fields.reason = reason.clone();
    for fields in record.all_fields_mut().filter(|f| is_party(f, change)) {
        fields.reason = reason.clone();
    }
    let fields = &mut record.fields;
    fields.from = change.from.clone().or(fields.from.take());
    fields.to = change.to.clone().or(fields.to.take());
    fields.direction = change.direction.clone().or(fields.direction.take());
    if let Some(id) = change.extension_id {
        fields.extension = Some(ExtensionRef { id, uri: None });
    }
    record.last_modified_time = Some(at);
    record
}

fn is_party(fields: &CallFields, change: &PartyChange) -> bool {
    fields.party_id.as_ref() == Some(&change.party_id)
}
