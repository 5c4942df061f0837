//! What `callboard once` prints: the plain table, a JSON array, or one JSON object per line. The JSON
//! shape is a stable, documented subset of each call; state and duration come from the board model.
mod plain;
pub mod tail;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::api::model::{CallFields, Leg, Party};
use crate::board::{Board, Call, CallState, List};
pub use plain::plain_table;

/// Output format of `once` and `replay --once`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The plain table the board prints when stdout is not a terminal (sanitised text).
    #[default]
    Table,
    /// One JSON array of calls.
    Json,
    /// One JSON object per call, one per line.
    Ndjson,
}

/// One call as `once` prints it in JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOut<'a> {
    pub id: &'a str,
    pub telephony_session_id: Option<&'a str>,
    /// `ringing`, `connected`, `onHold`, `parked`, `voicemail`, `ended` or `vanished`.
    pub state: &'static str,
    pub result: Option<&'a str>,
    pub direction: Option<&'a str>,
    pub from: PartyOut<'a>,
    pub to: PartyOut<'a>,
    pub start_time: Timestamp,
    pub duration_seconds: i64,
    /// Seconds on hold or parked so far (push's hold timer), while on hold or parked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_seconds: Option<i64>,
    pub legs: Vec<LegOut<'a>>,
}

/// A call party in JSON output.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyOut<'a> {
    pub name: Option<&'a str>,
    pub phone_number: Option<&'a str>,
    pub extension_number: Option<&'a str>,
}

/// One leg in JSON output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LegOut<'a> {
    pub leg_type: Option<&'a str>,
    pub master: Option<bool>,
    pub direction: Option<&'a str>,
    pub from: PartyOut<'a>,
    pub to: PartyOut<'a>,
    pub result: Option<&'a str>,
    pub reason: Option<&'a str>,
}

impl<'a> CallOut<'a> {
    /// The JSON view of `call` at `now`.
    pub fn new(call: &'a Call, now: Timestamp) -> Self {
        let record = call.record();
        let f = &record.fields;
        CallOut {
            id: call.id(),
            telephony_session_id: f.telephony_session_id.as_deref(),
            state: state_word(call.state()),
            // A call push saw end keeps its last listed record (still "In Progress") until a listing
            // shows it ended: the result is the one its state ended with.
            result: match call.state() {
                CallState::Ended(result) => Some(result.as_str()),
                _ => f.result.as_ref().map(|r| r.as_str()),
            },
            direction: f.direction.as_ref().map(|d| d.as_str()),
            from: party(f.from.as_deref()),
            to: party(f.to.as_deref()),
            start_time: call.start(),
            duration_seconds: call.duration(now).as_secs(),
            hold_seconds: call.hold_time(now).map(|d| d.as_secs()),
            legs: record.legs.iter().map(leg).collect(),
        }
    }
}

/// The lower-case word for a state in JSON output.
pub fn state_word(state: &CallState) -> &'static str {
    match state {
        CallState::Ringing => "ringing",
        CallState::Connected => "connected",
        CallState::OnHold => "onHold",
        CallState::Parked => "parked",
        CallState::VoiceMail => "voicemail",
        CallState::Ended(_) => "ended",
        CallState::Vanished => "vanished",
    }
}

fn party(p: Option<&Party>) -> PartyOut<'_> {
    p.map(|p| PartyOut {
        name: p.name.as_deref(),
        phone_number: p.phone_number.as_deref(),
        extension_number: p.extension_number.as_deref(),
    })
    .unwrap_or_default()
}

fn leg(l: &Leg) -> LegOut<'_> {
    let f: &CallFields = &l.fields;
    LegOut {
        leg_type: l.leg_type.as_ref().map(|t| t.as_str()),
        master: l.master,
        direction: f.direction.as_ref().map(|d| d.as_str()),
        from: party(f.from.as_deref()),
        to: party(f.to.as_deref()),
        result: f.result.as_ref().map(|r| r.as_str()),
        reason: f.reason.as_ref().map(|r| r.as_str()),
    }
}

/// Every call on the board (live, then recently ended) at `now`.
pub fn calls(board: &Board, now: Timestamp) -> Vec<CallOut<'_>> {
    [List::Live, List::Ended]
        .into_iter()
        .flat_map(|list| board.window(list, 0, usize::MAX))
        .map(|call| CallOut::new(call, now))
        .collect()
}

/// The board in `format`, ending with a newline (nothing at all for an empty NDJSON board).
pub fn text(board: &Board, now: Timestamp, tz: &TimeZone, format: Format) -> String {
    match format {
        Format::Table => plain_table(board, now, tz),
        Format::Json => json_line(&calls(board, now)),
        Format::Ndjson => calls(board, now).iter().map(json_line).collect(),
    }
}

/// One value as compact JSON plus a newline. serde escapes every control character, so text from the
/// API cannot drive the terminal.
fn json_line<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising these plain structs cannot fail: all keys are strings and no map is involved.
    let mut line = serde_json::to_string(value).unwrap_or_default();
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::api::model::CallRecord;

    fn record(json: &str) -> Arc<CallRecord> {
        Arc::new(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn json_escapes_control_characters_from_the_api() {
        let now: Timestamp = "2026-01-05T09:00:10Z".parse().unwrap();
        let mut board = Board::default();
        board.merge(
            &[record(
                r#"{"id":"a","startTime":"2026-01-05T09:00:00Z","result":"In Progress",
                    "from":{"name":"\u001b]52;c;ZXZpbA==\u0007Eve"}}"#,
            )],
            now,
        );
        let out = text(&board, now, &TimeZone::UTC, Format::Ndjson);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out}");
        assert!(out.contains(r#""name":"\u001b]52;c;ZXZpbA==\u0007Eve""#), "{out}");
        assert!(out.contains(r#""state":"ringing""#) && out.contains(r#""durationSeconds":10"#));
        let table = text(&board, now, &TimeZone::UTC, Format::Table);
        assert!(!table.contains('\u{1b}'), "{table}");
    }

    #[test]
    fn an_empty_board_is_an_empty_array_or_nothing() {
        let board = Board::default();
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(text(&board, now, &TimeZone::UTC, Format::Json), "[]\n");
        assert_eq!(text(&board, now, &TimeZone::UTC, Format::Ndjson), "");
    }
}
