//! The extension picker popup: the query, the matching extensions of the directory, the selection.
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::{fit_line, popup};
use crate::directory;
use crate::text;
use crate::tui::app::App;

/// Widest the popup gets.
const WIDTH: u16 = 64;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(picker) = app.picker() else { return };
    let theme = app.theme;
    let size = (
        area.width.saturating_sub(4).min(WIDTH),
        area.height.saturating_sub(4).clamp(5, 18),
    );
    let (title, prompt) = if picker.command {
        (" Command ", ":")
    } else {
        (" Watch an extension ", "› ")
    };
    let inner = popup(
        frame,
        area,
        size,
        (title, " Enter watch · Esc close · ↑↓ choose "),
        theme,
    );
    let w = inner.width as usize;
    let query = text::clean(&picker.query);
    let mut lines = vec![fit_line(
        vec![(prompt.into(), theme.title()), (query.clone(), theme.text())],
        w,
    )];
    let dir = app.directory.as_deref();
    let matches = picker.matches(dir);
    let rows = inner.height.saturating_sub(1) as usize;
    let note = match dir {
        None => Some("the extension directory is loading…".to_owned()),
        Some(_) if picker.command && matches.is_empty() => Some(":ext 101 · :ext name · :account".to_owned()),
        Some(_) if matches.is_empty() => Some(format!("no extension matches “{query}”")),
        Some(_) => None,
    };
    if let Some(note) = note {
        lines.push(fit_line(vec![(note, theme.dim())], w));
    }
    let offset = picker.selected.saturating_sub(rows.saturating_sub(1));
    for (i, entry) in matches.iter().enumerate().skip(offset).take(rows) {
        let style = if i == picker.selected {
            theme.selected()
        } else {
            Style::new()
        };
        let kind = entry.kind.as_deref().unwrap_or_default();
        let text = format!(
            " {:<w$}",
            directory::label(entry),
            w = w.saturating_sub(kind.len() + 3)
        );
        lines.push(fit_line(
            vec![(text, style), (format!(" {kind} "), theme.dim())],
            w,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let cursor = inner.x + (text::width(prompt) + text::width(&query)) as u16;
    if cursor < inner.right() {
        frame.set_cursor_position(Position::new(cursor, inner.y));
    }
}
