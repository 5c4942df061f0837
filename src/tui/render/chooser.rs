//! The column chooser popup: every live-table column, shown ones ticked, in table order.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{fit_line, popup};
use crate::tui::app::App;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(chooser) = &app.chooser else { return };
    let theme = app.theme;
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
            let text = format!(" {mark} {:<w$}", column.header(), w = w.saturating_sub(5));
            fit_line(vec![(text, style)], w)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
