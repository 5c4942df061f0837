//! A plain-text table of the board for scripts and pipes: no colour, sanitised, fixed widths from each
//! column's plain-table width.
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::board::{Board, CellContext, Column, List, Table};
use crate::text::{fit, width};

/// Widest the last column (the call id, which has no column of its own) is printed.
const ID_WIDTH: usize = 64;

/// Live calls then recently ended ones, one per line under a header; times in `tz`.
pub fn plain_table(board: &Board, now: Timestamp, tz: &TimeZone) -> String {
    let columns: Vec<(Column, usize)> = Column::ALL
        .into_iter()
        .filter_map(|c| Some((c, usize::from(c.width(Table::Plain)?.min))))
        .collect();
    let mut out = String::new();
    let mut push_row = |cells: Vec<String>, id: &str| {
        for (text, &(column, w)) in cells.iter().zip(&columns) {
            let text = column.align().place(text, w);
            out.push_str(&text);
            out.push_str(&" ".repeat(w.saturating_sub(width(&text)) + 1));
        }
        out.push_str(&fit(id, ID_WIDTH));
        out.truncate(out.trim_end().len());
        out.push('\n');
    };
    push_row(columns.iter().map(|(c, _)| c.header().to_owned()).collect(), "ID");
    let cx = CellContext {
        now,
        tz,
        records: 1,
        caller: None,
        queue: None,
    };
    for list in [List::Live, List::Ended] {
        for call in board.window(list, 0, usize::MAX) {
            push_row(
                columns.iter().map(|(c, _)| c.cell(call, &cx)).collect(),
                call.id(),
            );
        }
    }
    out
}
