//! The column chooser popup: every live-table column, shown ones ticked, in table order; a ticked column
//! the live table has no room for at this width says so.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{calls, fit_line, popup};
use crate::board::Column;
use crate::tui::app::App;

/// Marks a ticked column the live table left out for want of room.
const NO_ROOM: &str = "(no room)";

/// Draws the chooser over `area` while it is open; `table_width` is the live table's width.
pub(super) fn render(frame: &mut Frame, area: Rect, table_width: u16, app: &App, now: Timestamp) {
    let Some(chooser) = &app.chooser else { return };
    let theme = app.theme;
    // The chooser applies each change at once, so the live table shows the ticked columns that fit.
    let shown: Vec<Column> = calls::columns(app, table_width, now)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let size = (
        area.width.saturating_sub(4).min(44),
        chooser.items.len() as u16 + 2,
    );
    let titles = (" Columns ", " Space show · J/K move · Enter done ");
    let inner = popup(frame, area, size, titles, theme);
    let w = inner.width as usize;
    let lines: Vec<Line> = chooser
        .items
        .iter()
        .enumerate()
        .map(|(i, (column, on))| {
            let style = if i == chooser.cursor {
                theme.selected()
            } else {
                Style::new()
            };
            let mark = if *on { "[x]" } else { "[ ]" };
            let note = if *on && !shown.contains(column) {
                NO_ROOM
            } else {
                ""
            };
            let text = format!(
                " {mark} {:<6} {note:<w$}",
                column.header(),
                w = w.saturating_sub(12)
            );
            fit_line(vec![(text, style)], w)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
