//! The live call table. Only the rows on screen are built, so drawing cost does not grow with calls.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::summary::alert_symbol;
use super::{empty_note, place, section, window_table};
use crate::board::{AlertLevel, Call, List, SortColumn};
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::sanitize::fit;
use crate::tui::theme::Theme;

/// A table column: fixed width, or flexible with a minimum and a share of the spare room.
struct Col {
    column: SortColumn,
    min: u16,
    share: u16,
}

const fn col(column: SortColumn, min: u16, share: u16) -> Col {
    Col { column, min, share }
}

/// Every column's width rule, in the default order.
const COLUMNS: [Col; 7] = [
    col(SortColumn::State, 7, 0),
    col(SortColumn::Duration, 8, 0),
    col(SortColumn::Direction, 5, 0),
    col(SortColumn::From, 18, 3),
    col(SortColumn::To, 18, 3),
    col(SortColumn::Via, 14, 2),
    col(SortColumn::Start, 8, 0),
];

/// Which columns go first when the terminal is narrow.
const DROP_ORDER: [SortColumn; 3] = [SortColumn::Start, SortColumn::Via, SortColumn::Direction];

/// The `chosen` columns that fit in `width`, in the chosen order, with their widths.
fn columns(width: u16, chosen: &[SortColumn]) -> Vec<(SortColumn, u16)> {
    let mut cols: Vec<&Col> = chosen
        .iter()
        .filter_map(|c| COLUMNS.iter().find(|col| col.column == *c))
        .collect();
    let need =
        |cols: &[&Col]| cols.iter().map(|c| c.min).sum::<u16>() + (cols.len() as u16).saturating_sub(1);
    for drop in DROP_ORDER {
        if need(&cols) <= width || cols.len() <= 1 {
            break;
        }
        cols.retain(|c| c.column != drop);
    }
    let spare = width.saturating_sub(need(&cols).min(width));
    let shares: u16 = cols.iter().map(|c| c.share).sum::<u16>().max(1);
    let mut given = 0;
    let last_flex = cols.iter().rposition(|c| c.share > 0);
    cols.iter()
        .enumerate()
        .map(|(i, c)| {
            let extra = if Some(i) == last_flex {
                spare - given
            } else {
                spare * c.share / shares
            };
            given += extra;
            (c.column, c.min + extra)
        })
        .collect()
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &mut App, now: Timestamp) {
    let theme = app.theme;
    let board = &app.board;
    let focused = app.focus == List::Live;
    let sort = board.sort();
    let shown = board.len(List::Live);
    let total = board.counts().live;
    let mut title = vec![Span::raw(format!("Live calls {total}"))];
    if !board.filter().is_empty() {
        title.push(Span::raw(format!(" · {shown} match")));
    }
    title.push(Span::styled(
        format!(
            " · sorted by {} {}",
            sort.column.title().to_lowercase(),
            arrow(sort.descending)
        ),
        theme.dim(),
    ));
    let block = section(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let win = place(app, List::Live, inner.height.saturating_sub(1) as usize, true);
    let board = &app.board;

    let cols = columns(inner.width, &app.columns);
    let header = Row::new(cols.iter().map(|&(c, w)| {
        let mut t = c.title().to_owned();
        if c == sort.column {
            t.push(' ');
            t.push_str(arrow(sort.descending));
        }
        let w = w as usize;
        let t = fit(&t, w);
        Cell::from(if c == SortColumn::Duration {
            format!("{t:>w$}")
        } else {
            t
        })
    }))
    .style(theme.header());
    let rows: Vec<Row> = board
        .window(List::Live, win.offset, win.height)
        .map(|call| row(&app.shown(call), &cols, app, now))
        .collect();
    let widths: Vec<Constraint> = cols.iter().map(|&(_, w)| Constraint::Length(w)).collect();
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    window_table(frame, inner, table, win, focused, theme);

    if shown == 0 {
        let note = if total > 0 {
            format!("no live call matches “{}”", board.filter())
        } else if app.snapshot.listing.taken_at.is_none() {
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

/// The via text; in conversation view a session of several records says how many.
fn via(call: &Call, app: &App) -> String {
    let via = call.via().unwrap_or_default();
    let records = if app.board.grouped() {
        app.board.conversation(call).len()
    } else {
        1
    };
    match records {
        1 => via,
        n if via.is_empty() => format!("⧉ {n} records"),
        n => format!("⧉ {n} · {via}"),
    }
}

fn arrow(descending: bool) -> &'static str {
    if descending { "▼" } else { "▲" }
}

fn row(call: &Call, cols: &[(SortColumn, u16)], app: &App, now: Timestamp) -> Row<'static> {
    let theme: Theme = app.theme;
    let f = &call.record().fields;
    Row::new(cols.iter().map(|&(c, w)| {
        let w = w as usize;
        let (text, style) = match c {
            SortColumn::State => (format::state(call.state()), theme.state(call.state())),
            SortColumn::Duration => {
                let level = app.alerts.level(call, now);
                let d = format::clock(call.duration(now));
                let w = w.saturating_sub(1);
                let style = match level {
                    Some(AlertLevel::Critical) => theme.critical(),
                    Some(AlertLevel::Warn) => theme.warn(),
                    None => theme.text(),
                };
                (format!("{}{d:>w$}", alert_symbol(level)), style)
            }
            SortColumn::Direction => (format::direction(f.direction.as_ref()).to_owned(), theme.text()),
            SortColumn::From => (format::party(f.from.as_deref()), theme.text()),
            SortColumn::To => (format::party(f.to.as_deref()), theme.text()),
            SortColumn::Via => (via(call, app), theme.dim()),
            SortColumn::Start => (format::time_of_day(call.start(), &app.tz), theme.dim()),
        };
        Cell::from(Line::from(Span::styled(fit(&text, w), style)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_from_the_right_by_priority() {
        let all = SortColumn::ALL;
        let names = |w| columns(w, &all).into_iter().map(|(c, _)| c).collect::<Vec<_>>();
        assert_eq!(names(120).len(), 7);
        assert!(!names(80).contains(&SortColumn::Start));
        assert!(names(80).contains(&SortColumn::Via));
        assert_eq!(
            names(60),
            [
                SortColumn::State,
                SortColumn::Duration,
                SortColumn::Direction,
                SortColumn::From,
                SortColumn::To
            ]
        );
        for w in [60, 80, 97, 120, 200] {
            let cols = columns(w, &all);
            let used: u16 = cols.iter().map(|c| c.1).sum::<u16>() + cols.len() as u16 - 1;
            assert_eq!(used, w, "width {w}");
        }
    }
}
