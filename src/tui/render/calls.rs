//! The live call table. Only the rows on screen are built, so drawing cost does not grow with calls.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::summary::alert_symbol;
use super::{empty_note, place, section, window_table};
use crate::api::model::Party;
use crate::board::privacy::mask_party;
use crate::board::{self, AlertLevel, Call, CellContext, Column, List, Tone, layout};
use crate::text::fit;
use crate::tui::app::{App, list_index};

pub(super) fn render(frame: &mut Frame, area: Rect, app: &mut App, now: Timestamp) {
    let theme = app.theme;
    let board = &app.board;
    let focused = app.focus == List::Live;
    let sort = board.sort();
    let shown = board.len(List::Live);
    let total = board.counts().live;
    let mut title = count_title("Live", List::Live, total, app);
    title.push(Span::styled(
        format!(
            " · sorted by {} {}",
            sort.column.header().to_lowercase(),
            arrow(sort.descending)
        ),
        theme.dim(),
    ));
    let block = section(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let win = place(app, List::Live, inner.height.saturating_sub(1) as usize, true);
    let board = &app.board;

    let cols = columns(app, inner.width, now);
    let header = Row::new(cols.iter().map(|&(c, w)| {
        let mut t = c.header().to_owned();
        if c == sort.column {
            t.push(' ');
            t.push_str(arrow(sort.descending));
        }
        let w = w as usize;
        Cell::from(c.align().place(&fit(&t, w), w))
    }))
    .style(theme.header());
    let rows: Vec<Row> = board
        .window(List::Live, win.offset, win.height)
        .map(|call| {
            let call = app.shown(call);
            with_context(&call, app, now, |cx| {
                Row::new(cols.iter().map(|&(c, w)| cell(c, &call, cx, w, app)))
            })
        })
        .collect();
    let widths: Vec<Constraint> = cols.iter().map(|&(_, w)| Constraint::Length(w)).collect();
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    window_table(frame, inner, table, win, focused, theme);

    if shown == 0 {
        let note = if total > 0 {
            format!("no live call matches “{}”", board.filter())
        } else if app.feed.listing.taken_at.is_none() {
            "no live calls yet".to_owned()
        } else {
            "no live calls".to_owned()
        };
        let body = Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        };
        empty_note(frame, body, &note, theme);
    }
}

/// What a list's rows are: calls, or conversations while `c` groups them.
pub(super) fn row_noun(app: &App) -> &'static str {
    if app.board.grouped() {
        "conversations"
    } else {
        "calls"
    }
}

/// A list's title and count: `Live calls 7`, `Live calls 7 · 2 match` while filtered (the rows the list
/// shows, as the filter prompt counts them), and `⧉ Live conversations 5 · of 7 calls` while grouped.
pub(super) fn count_title(name: &str, list: List, calls: usize, app: &App) -> Vec<Span<'static>> {
    let board = &app.board;
    let shown = board.len(list);
    let filtered = !board.filter().is_empty();
    let mut title = Vec::new();
    if board.grouped() {
        title.push(Span::styled("⧉ ", app.theme.notice()));
        if filtered {
            title.push(Span::raw(format!("{name} conversations · {shown} match")));
        } else {
            title.push(Span::raw(format!("{name} conversations {shown}")));
        }
        title.push(Span::styled(format!(" · of {calls} calls"), app.theme.dim()));
    } else {
        title.push(Span::raw(format!("{name} calls {calls}")));
        if filtered {
            title.push(Span::raw(format!(" · {shown} match")));
        }
    }
    title
}

fn arrow(descending: bool) -> &'static str {
    if descending { "▼" } else { "▲" }
}

/// The live table's chosen columns laid out in `width` cells for the rows on screen (the window the last
/// [`place`] left in the app): a column with no text in any of them yields its room to the others. The
/// column chooser reads it too, to mark the columns left out for want of room.
pub(super) fn columns(app: &App, width: u16, now: Timestamp) -> Vec<(Column, u16)> {
    let idx = list_index(List::Live);
    let rows: Vec<_> = app
        .board
        .window(List::Live, app.offsets[idx], app.pages[idx])
        .map(|call| app.shown(call))
        .collect();
    // One context a row, whatever the number of columns.
    let mut with_text = vec![rows.is_empty(); app.columns.len()];
    for call in &rows {
        with_context(call, app, now, |cx| {
            for (has, column) in with_text.iter_mut().zip(&app.columns) {
                *has = *has || !column.cell(call, cx).trim().is_empty();
            }
        });
    }
    let blank: Vec<Column> = app
        .columns
        .iter()
        .zip(&with_text)
        .filter(|(_, has)| !**has)
        .map(|(&c, _)| c)
        .collect();
    layout(board::Table::Live, width, &app.columns, &blank)
}

/// `read` given what `call`'s cells need to know besides the call.
pub(super) fn with_context<R>(
    call: &Call,
    app: &App,
    now: Timestamp,
    read: impl FnOnce(&CellContext) -> R,
) -> R {
    // In conversation view a row stands for every record of its session.
    let records = if app.board.grouped() {
        app.board.conversation(call).len()
    } else {
        1
    };
    // A queue leg lacks its caller and queue; push may have seen them on the call's session.
    let [caller, queue] = match call.is_queue_leg() {
        true => queue_seen(app, call),
        false => [None, None],
    };
    let cx = CellContext {
        now,
        tz: &app.tz,
        records,
        caller: caller.as_ref(),
        queue: queue.as_ref(),
    };
    read(&cx)
}

/// The caller and queue push saw on `call`'s sessions, masked in privacy mode.
fn queue_seen(app: &App, call: &Call) -> [Option<Party>; 2] {
    let sessions = app.board.push_sessions(call);
    let Some([caller, queue, _]) = sessions.iter().find_map(|s| s.queue_route()) else {
        return [None, None];
    };
    [caller, queue].map(|p| {
        let mut p = p?.clone();
        if app.privacy() {
            mask_party(&mut p);
        }
        Some(p)
    })
}

/// One cell of `column` for `call` (whose context is `cx`) in `width` cells, styled as the column's tone
/// says; shared by the live table and the ended list.
pub(super) fn cell(column: Column, call: &Call, cx: &CellContext, width: u16, app: &App) -> Cell<'static> {
    styled(column, call, column.cell(call, cx), width, app, cx.now)
}

/// `text` placed in `column`'s cell of `width` cells for `call`, styled as the column's tone says.
pub(super) fn styled(
    column: Column,
    call: &Call,
    text: String,
    width: u16,
    app: &App,
    now: Timestamp,
) -> Cell<'static> {
    let theme = app.theme;
    let w = width as usize;
    let (text, style) = match column.tone() {
        Tone::Text => (column.align().place(&text, w), theme.text()),
        Tone::Dim => (column.align().place(&text, w), theme.dim()),
        Tone::State => (column.align().place(&text, w), theme.state(call.state())),
        Tone::Alert => match app.alerts.level(call, now) {
            None => (column.align().place(&text, w), theme.text()),
            Some(level) => {
                let style = match level {
                    AlertLevel::Critical => theme.critical(),
                    AlertLevel::Warn => theme.warn(),
                };
                let placed = column.align().place(&text, w.saturating_sub(1));
                (format!("{}{placed}", alert_symbol(Some(level))), style)
            }
        },
    };
    Cell::from(Line::from(Span::styled(fit(&text, w), style)))
}
