//! A call's state: ringing, talking, on hold, parked, in voicemail, ended or vanished.
use crate::api::model::{CallReason, CallRecord, CallResult};

/// Where a call is in its life, derived from the record (or from its absence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallState {
    /// In progress and nobody has accepted it yet.
    Ringing,
    /// In progress with `reason: Accepted` on the record or on any leg.
    Connected,
    /// Answered, and a party put it on hold (push only).
    OnHold,
    /// Parked on a park location (push only).
    Parked,
    /// The caller is in voicemail (push only).
    VoiceMail,
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

    /// True while the call is ringing, connected, on hold, parked or in voicemail.
    pub fn is_live(&self) -> bool {
        !matches!(self, Self::Ended(_) | Self::Vanished)
    }

    /// True for the states of an answered call still going on: connected, on hold, parked.
    pub fn is_answered(&self) -> bool {
        matches!(self, Self::Connected | Self::OnHold | Self::Parked)
    }

    /// Order used when sorting by state: ringing first, then talking, on hold, parked, in voicemail,
    /// then finished.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Self::Ringing => 0,
            Self::Connected => 1,
            Self::OnHold => 2,
            Self::Parked => 3,
            Self::VoiceMail => 4,
            Self::Ended(_) => 5,
            Self::Vanished => 6,
        }
    }
}
