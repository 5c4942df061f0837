//! The recently-ended list: newest first, final result, duration, parties and time left in the window.
use jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};

use super::{empty_note, place, section, window_table};
use crate::board::List;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::sanitize::fit;

/// Width of the result column (`✓ Accepted`, `? vanished`).
const RESULT: u16 = 11;
/// Width of the duration column.
const NUM: u16 = 7;
/// Width of the time-left column (`1m42s left`).
const LEFT: u16 = 10;
/// Narrower than this, the `to` column is left out.
const WITH_TO: u16 = 64;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &mut App, now: Timestamp) {
    let theme = app.theme;
    let board = &app.board;
    let focused = app.focus == List::Ended;
    let window = format::short(board.config().ended_window);
    let title = vec![
        Span::raw(format!("Recently ended {}", board.counts().ended)),
        Span::styled(format!(" · kept {window}"), theme.dim()),
    ];
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

    let with_to = inner.width >= WITH_TO;
    let fixed = RESULT + NUM + LEFT + if with_to { 4 } else { 3 };
    let flex = inner.width.saturating_sub(fixed);
    let (from_w, to_w) = if with_to {
        (flex - flex / 2, flex / 2)
    } else {
        (flex, 0)
    };
    let mut widths = vec![RESULT, NUM, from_w];
    if with_to {
        widths.push(to_w);
    }
    widths.push(LEFT);

    let rows: Vec<Row> = board
        .window(List::Ended, win.offset, win.height)
        .map(|call| {
            let call = app.shown(call);
            let f = &call.record().fields;
            let mut cells = vec![
                Cell::from(Span::styled(
                    fit(&format::state(call.state()), RESULT as usize),
                    theme.state(call.state()),
                )),
                Cell::from(format!(
                    "{:>w$}",
                    format::clock(call.duration(now)),
                    w = NUM as usize
                )),
                Cell::from(fit(&format::party(f.from.as_deref()), from_w as usize)),
            ];
            if with_to {
                cells.push(Cell::from(fit(&format::party(f.to.as_deref()), to_w as usize)));
            }
            let left = format!("{} left", format::short(coarse(board.time_left(&call, now))));
            cells.push(Cell::from(Span::styled(
                format!("{left:>w$}", w = LEFT as usize),
                theme.dim(),
            )));
            Row::new(cells)
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
