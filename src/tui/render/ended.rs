//! The recently-ended list: newest first, final result, duration, `from → to` and time left in the window.
use jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};

use super::calls::{cell, count_title, styled, with_context};
use super::{empty_note, place, section, window_table};
use crate::board::{self, Column, List, format, layout};
use crate::tui::app::App;

/// Width of the time-left column (`1m42s left`), the list's own, right of the call's columns.
const LEFT: u16 = 10;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &mut App, now: Timestamp) {
    let theme = app.theme;
    let board = &app.board;
    let focused = app.focus == List::Ended;
    let window = format::short(board.config().ended_window);
    let mut title = count_title("Recently ended", List::Ended, board.counts().ended, app);
    title.push(Span::styled(format!(" · kept {window}"), theme.dim()));
    let block = section(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // Without focus the list shows its newest calls; with focus it scrolls to the selection.
    let win = place(app, List::Ended, inner.height as usize, focused);
    let board = &app.board;
    let shown = board.len(List::Ended);
    if shown == 0 {
        let note = if board.filter().is_empty() {
            "no calls ended recently"
        } else {
            "no ended call matches"
        };
        empty_note(frame, inner, note, theme);
        return;
    }

    // The call's columns (result, duration, parties) as the column definitions lay them out; the time
    // left and the space before it stay for the list's own column.
    let cols = layout(
        board::Table::Ended,
        inner.width.saturating_sub(LEFT + 1),
        &Column::ALL,
        &[],
    );
    let widths: Vec<u16> = cols.iter().map(|&(_, w)| w).chain([LEFT]).collect();
    let rows: Vec<Row> = board
        .window(List::Ended, win.offset, win.height)
        .map(|call| {
            let call = app.shown(call);
            let left = format!("{} left", format::short(coarse(board.time_left(&call, now))));
            let left = Cell::from(Span::styled(
                format!("{left:>w$}", w = LEFT as usize),
                theme.dim(),
            ));
            with_context(&call, app, now, |cx| {
                Row::new(
                    cols.iter()
                        .map(|&(c, w)| match c {
                            // FROM holds `from → to` here, so both parties stay in view.
                            Column::From => styled(c, &call, board::route(&call, cx, w.into()), w, app, now),
                            _ => cell(c, &call, cx, w, app),
                        })
                        .chain([left]),
                )
            })
        })
        .collect();
    let table = Table::new(rows, widths.into_iter().map(Constraint::Length)).column_spacing(1);
    window_table(frame, inner, table, win, focused, theme);
}

/// Time left rounded up to the next 10 s: the column changes every 10 s, not every second, which keeps an
/// idle board's terminal output low over slow SSH links.
fn coarse(left: SignedDuration) -> SignedDuration {
    SignedDuration::from_secs((left.as_secs() + 9) / 10 * 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_moves_in_ten_second_steps() {
        let s = SignedDuration::from_secs;
        assert_eq!(coarse(s(0)), s(0));
        assert_eq!(coarse(s(1)), s(10));
        assert_eq!(coarse(s(96)), s(100));
        assert_eq!(coarse(s(120)), s(120));
    }
}
