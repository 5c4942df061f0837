//! The alert thresholds popup (`t`): warn and critical limits for ringing, talking and hold, and the
//! bell, the row under the cursor highlighted.
use jiff::SignedDuration;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::{fit_line, popup};
use crate::board::format;
use crate::tui::app::App;
use crate::tui::thresholds::{MEASURES, ROWS};

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(editor) = &app.thresholds else { return };
    let theme = app.theme;
    let size = (area.width.saturating_sub(4).min(48), ROWS as u16 + 3);
    let titles = (" Alert thresholds ", " ←/→ change · Enter save · Esc close ");
    let inner = popup(frame, area, size, titles, theme);
    let w = inner.width as usize;
    let limit = |secs: u64| format::short(SignedDuration::from_secs(i64::try_from(secs).unwrap_or(i64::MAX)));
    let mut rows: Vec<String> = Vec::with_capacity(ROWS);
    for (i, (name, _)) in MEASURES.iter().enumerate() {
        let t = editor.threshold(i);
        rows.push(format!("{name:<9}warn over      {:>7}", limit(t.warn_secs)));
        rows.push(format!("{name:<9}critical over  {:>7}", limit(t.critical_secs)));
    }
    let bell = if editor.bell { "on" } else { "off" };
    rows.push(format!("{:<9}new critical   {bell:>7}", "bell"));
    let mut lines = vec![fit_line(
        vec![(" A live call is flagged when…".into(), theme.dim())],
        w,
    )];
    lines.extend(rows.into_iter().enumerate().map(|(i, text)| {
        let style = if i == editor.cursor {
            theme.selected()
        } else {
            Style::new()
        };
        fit_line(vec![(format!(" {text:<w$}", w = w.saturating_sub(1)), style)], w)
    }));
    frame.render_widget(Paragraph::new(lines), inner);
}
