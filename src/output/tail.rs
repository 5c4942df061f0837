//! What `callboard tail` prints: one line per call state change, as an aligned table row or one JSON
//! object. [`Changes`] finds the changes by comparing each call on the board with the state it reported
//! last, so a source's listings and deltas read alike.
use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::{PartyOut, json_line, party, state_word};
use crate::board::{Board, Call, List, party_label};
use crate::text::{fit, width};

/// Output format of `tail`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TailFormat {
    /// Aligned columns under a header (sanitised text).
    #[default]
    Table,
    /// One JSON object per change, one per line.
    Ndjson,
}

/// One call's state change, as `tail` prints it in JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition<'a> {
    /// When the change reached the board.
    pub time: Timestamp,
    pub telephony_session_id: Option<&'a str>,
    /// The call record's id, as `once` prints it: one record per extension's leg of a session.
    pub id: &'a str,
    /// Whose leg the record is: the account extension's id, as telephony-session events name it.
    pub extension_id: Option<String>,
    /// The party's id, when the record names one (telephony-session events do).
    pub party_id: Option<&'a str>,
    pub direction: Option<&'a str>,
    pub from: PartyOut<'a>,
    pub to: PartyOut<'a>,
    /// The state before (`null` for a call the board had not seen).
    pub previous_state: Option<&'static str>,
    /// The state now, the same words as `once`'s `state`.
    pub state: &'static str,
    /// Labels of `from` and `to` for the table.
    #[serde(skip)]
    labels: [&'a str; 2],
    #[serde(skip)]
    start: Timestamp,
}

impl<'a> Transition<'a> {
    fn new(call: &'a Call, previous: Option<&'static str>, time: Timestamp) -> Self {
        let f = &call.record().fields;
        Transition {
            // Milliseconds are enough to order a log, and keep lines short.
            time: time.round(jiff::Unit::Millisecond).unwrap_or(time),
            telephony_session_id: f.telephony_session_id.as_deref(),
            id: call.id(),
            extension_id: f.extension.as_ref().map(|e| e.id.to_string()),
            party_id: f.party_id.as_deref(),
            direction: f.direction.as_ref().map(|d| d.as_str()),
            from: party(f.from.as_deref()),
            to: party(f.to.as_deref()),
            previous_state: previous,
            state: state_word(call.state()),
            labels: [party_label(f.from.as_deref()), party_label(f.to.as_deref())],
            start: call.start(),
        }
    }
}

/// The state each call on the board had when it was last reported.
#[derive(Debug, Default)]
pub struct Changes {
    /// Call id → (state word, the pass that last saw the call).
    reported: HashMap<Box<str>, (&'static str, u64)>,
    pass: u64,
}

impl Changes {
    /// Every call on `board` whose state differs from the one last reported (a call not seen before is a
    /// change from nothing), at `now`, by start time then id. A call that left the board is forgotten
    /// without a line: leaving the ended window is not a change of state.
    pub fn since_last<'b>(&mut self, board: &'b Board, now: Timestamp) -> Vec<Transition<'b>> {
        self.pass += 1;
        let pass = self.pass;
        let mut out = Vec::new();
        for call in [List::Live, List::Ended]
            .into_iter()
            .flat_map(|list| board.window(list, 0, usize::MAX))
        {
            let state = state_word(call.state());
            match self.reported.get_mut(call.id()) {
                Some((was, seen)) => {
                    *seen = pass;
                    if *was != state {
                        out.push(Transition::new(call, Some(*was), now));
                        *was = state;
                    }
                }
                None => {
                    self.reported.insert(call.id().into(), (state, pass));
                    out.push(Transition::new(call, None, now));
                }
            }
        }
        self.reported.retain(|_, (_, seen)| *seen == pass);
        out.sort_unstable_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(b.id)));
        out
    }

    /// Forgets every call (the board was reset for another scope).
    pub fn clear(&mut self) {
        self.reported.clear();
    }
}

/// Columns of the table before the record id, with their widths.
const COLUMNS: [(&str, usize); 5] = [
    ("TIME", 19),
    ("CHANGE", 20),
    ("FROM", 22),
    ("TO", 22),
    ("SESSION", 34),
];
/// Widest the last column (the record id) is printed.
const ID_WIDTH: usize = 64;

/// The table's header line.
pub fn header(format: TailFormat) -> String {
    match format {
        TailFormat::Table => row(COLUMNS.map(|(name, _)| name.to_owned()), "ID"),
        TailFormat::Ndjson => String::new(),
    }
}

/// One change as a line in `format` (with its newline); times in `tz`. Text from the API is cleaned
/// in the table and escaped in JSON, so it cannot drive the terminal.
pub fn line(change: &Transition<'_>, format: TailFormat, tz: &TimeZone) -> String {
    match format {
        TailFormat::Ndjson => json_line(change),
        TailFormat::Table => {
            let [from, to] = change.labels;
            let cells = [
                tz.to_datetime(change.time)
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                format!("{} → {}", change.previous_state.unwrap_or("—"), change.state),
                from.to_owned(),
                to.to_owned(),
                change.telephony_session_id.unwrap_or("-").to_owned(),
            ];
            row(cells, change.id)
        }
    }
}

/// Cells fitted to [`COLUMNS`] and the record id, with a newline.
fn row(cells: [String; 5], id: &str) -> String {
    let mut out = String::new();
    for (text, (_, w)) in cells.iter().zip(COLUMNS) {
        let text = fit(text, w);
        out.push_str(&text);
        out.push_str(&" ".repeat(w.saturating_sub(width(&text)) + 1));
    }
    out.push_str(&fit(id, ID_WIDTH));
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::api::model::CallRecord;

    fn record(id: &str, result: &str, reason: &str) -> Arc<CallRecord> {
        let json = format!(
            r#"{{"id":"{id}","telephonySessionId":"s-{id}","partyId":"p-{id}-1","startTime":"2026-01-05T09:00:00Z",
                "result":"{result}","reason":"{reason}","direction":"Inbound","extension":{{"id":62264425016}},
                "from":{{"name":"\u001b[31mEve","phoneNumber":"+15550100"}},"to":{{"name":"Desk","extensionNumber":"101"}}}}"#
        );
        Arc::new(serde_json::from_str(&json).unwrap())
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_767_603_600 + secs).unwrap()
    }

    fn states(changes: &[Transition<'_>]) -> Vec<(String, Option<&'static str>, &'static str)> {
        changes
            .iter()
            .map(|c| (c.id.to_owned(), c.previous_state, c.state))
            .collect()
    }

    #[test]
    fn each_update_reports_only_the_calls_whose_state_changed() {
        let mut board = Board::default();
        let mut changes = Changes::default();
        board.merge(&[record("a", "In Progress", "")], at(0));
        assert_eq!(
            states(&changes.since_last(&board, at(0))),
            [("a".into(), None, "ringing")]
        );
        board.merge(&[record("a", "In Progress", "")], at(5));
        assert!(changes.since_last(&board, at(5)).is_empty(), "nothing changed");
        board.merge(
            &[
                record("a", "In Progress", "Accepted"),
                record("b", "In Progress", ""),
            ],
            at(10),
        );
        assert_eq!(
            states(&changes.since_last(&board, at(10))),
            [
                ("a".into(), Some("ringing"), "connected"),
                ("b".into(), None, "ringing")
            ]
        );
        board.merge(&[record("b", "Missed", "")], at(15));
        assert_eq!(
            states(&changes.since_last(&board, at(15))),
            [
                ("a".into(), Some("connected"), "vanished"),
                ("b".into(), Some("ringing"), "ended")
            ]
        );
        // Both leave the ended window: no line, and they are forgotten.
        board.expire(at(1000));
        assert!(changes.since_last(&board, at(1000)).is_empty());
        assert!(changes.reported.is_empty());
    }

    #[test]
    fn lines_name_the_call_and_keep_the_terminal_safe() {
        let mut board = Board::default();
        board.merge(&[record("a", "In Progress", "")], at(0));
        let mut changes = Changes::default();
        let change = &changes.since_last(&board, at(0))[0];
        let json = line(change, TailFormat::Ndjson, &TimeZone::UTC);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["telephonySessionId"], "s-a");
        assert_eq!(value["partyId"], "p-a-1");
        assert_eq!(value["extensionId"], "62264425016");
        assert_eq!(value["previousState"], serde_json::Value::Null);
        assert_eq!(value["state"], "ringing");
        assert_eq!(value["to"]["extensionNumber"], "101");
        assert_eq!(value["time"], "2026-01-05T09:00:00Z");
        assert!(!json.contains('\u{1b}'), "{json}");
        let table = line(change, TailFormat::Table, &TimeZone::UTC);
        assert!(!table.contains('\u{1b}'), "{table}");
        assert!(table.starts_with("2026-01-05 09:00:00 — → ringing"), "{table}");
        assert!(
            table.trim_end().ends_with("s-a                                a"),
            "{table}"
        );
        let head = header(TailFormat::Table);
        let column = |text: &str, at: &str| text.find(at).map(|i| width(&text[..i]));
        assert_eq!(
            column(&head, "SESSION"),
            column(&table, "s-a"),
            "aligned:\n{head}{table}"
        );
        assert_eq!(header(TailFormat::Ndjson), "");
    }
}
