//! A plain-text table of the board for when stdout is not a terminal: no colour, sanitised, fixed columns.
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::format;
use super::sanitize::{fit, width};
use crate::board::{Board, List};

/// Column titles and widths; the last column (ID) is not cut.
const COLUMNS: [(&str, usize); 7] = [
    ("STATE", 12),
    ("DUR", 8),
    ("DIR", 4),
    ("FROM", 32),
    ("TO", 32),
    ("VIA", 20),
    ("START", 8),
];

/// Live calls then recently ended ones, one per line under a header; times in `tz`.
pub fn plain_table(board: &Board, now: Timestamp, tz: &TimeZone) -> String {
    let mut out = String::new();
    let mut push_row = |cells: [String; 7], id: &str| {
        for ((text, (_, w)), i) in cells.iter().zip(COLUMNS).zip(0..) {
            let text = if i == 1 {
                format!("{text:>w$}")
            } else {
                fit(text, w)
            };
            out.push_str(&text);
            out.push_str(&" ".repeat(w.saturating_sub(width(&text)) + 1));
        }
        out.push_str(&fit(id, 64));
        out.truncate(out.trim_end().len());
        out.push('\n');
    };
    push_row(COLUMNS.map(|(t, _)| t.to_owned()), "ID");
    for list in [List::Live, List::Ended] {
        for call in board.window(list, 0, usize::MAX) {
            let f = &call.record().fields;
            push_row(
                [
                    format::state(call.state()),
                    format::clock(call.duration(now)),
                    format::direction(f.direction.as_ref()).to_owned(),
                    format::party(f.from.as_deref()),
                    format::party(f.to.as_deref()),
                    call.via().unwrap_or_default(),
                    format::time_of_day(call.start(), tz),
                ],
                call.id(),
            );
        }
    }
    out
}
