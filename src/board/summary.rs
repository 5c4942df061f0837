//! The one-line summary: live calls by direction and state, the longest calls, and ended calls by result.
use jiff::SignedDuration;

use super::call::Call;
use super::state::CallState;
use crate::api::model::{CallResult, Direction};

/// Totals over the live and recently-ended calls, ignoring the filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Live inbound calls.
    pub inbound: usize,
    /// Live outbound calls.
    pub outbound: usize,
    /// Ringing calls.
    pub ringing: usize,
    /// Connected calls.
    pub talking: usize,
    /// Calls on hold.
    pub on_hold: usize,
    /// Parked calls.
    pub parked: usize,
    /// Calls in voicemail.
    pub in_voicemail: usize,
    /// Length of the longest live call.
    pub longest: Option<SignedDuration>,
    /// Ringing time of the longest-ringing call.
    pub longest_ringing: Option<SignedDuration>,
    /// Ended calls that were answered (here or elsewhere).
    pub answered: usize,
    /// Ended calls that were missed or abandoned.
    pub missed: usize,
    /// Ended calls that went to voicemail.
    pub voicemail: usize,
    /// Every other ended call (busy, declined, failed, vanished…).
    pub other: usize,
}

impl Summary {
    /// The counts of `live` and `ended` calls; the two longest-call lengths depend on the time and are
    /// left for the caller.
    pub(super) fn counts(live: &[Call], ended: &[Call]) -> Self {
        let mut s = Summary::default();
        for call in live {
            // A queue leg reads as the inbound call it is (see `Call::is_queue_leg`).
            match call.direction() {
                Some(Direction::Inbound) => s.inbound += 1,
                Some(Direction::Outbound) => s.outbound += 1,
                _ => {}
            }
            let bucket = match call.state() {
                CallState::Ringing => &mut s.ringing,
                CallState::OnHold => &mut s.on_hold,
                CallState::Parked => &mut s.parked,
                CallState::VoiceMail => &mut s.in_voicemail,
                _ => &mut s.talking,
            };
            *bucket += 1;
        }
        for call in ended {
            let bucket = match call.state() {
                CallState::Ended(
                    CallResult::Accepted | CallResult::CallConnected | CallResult::AnsweredElsewhere,
                ) => &mut s.answered,
                CallState::Ended(CallResult::Missed | CallResult::Abandoned | CallResult::NoAnswer) => {
                    &mut s.missed
                }
                CallState::Ended(CallResult::Voicemail | CallResult::SentToVoicemail) => &mut s.voicemail,
                _ => &mut s.other,
            };
            *bucket += 1;
        }
        s
    }
}
