//! The bottom line: the filter prompt while typing, else a current message (what was copied, why a key
//! did nothing), else the filter in use and key hints.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::fit_line;
use crate::board::List;
use crate::text;
use crate::tui::app::App;
use crate::tui::keymap;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App, now: Timestamp) {
    let theme = app.theme;
    let width = area.width as usize;
    let board = &app.board;
    let mut pieces: Vec<(String, Style)> = Vec::new();
    if let Some(text) = app.prompt() {
        let typed = text::clean(text);
        // Keep the end of long input in view.
        let room = width.saturating_sub(40).max(10);
        let shown: String = {
            let chars: Vec<char> = typed.chars().collect();
            let mut start = chars.len();
            let mut w = 0;
            while start > 0 && w + text::width(&chars[start - 1].to_string()) <= room {
                start -= 1;
                w += text::width(&chars[start].to_string());
            }
            chars[start..].iter().collect()
        };
        let cursor_x = area.x + 3 + text::width(&shown) as u16;
        pieces.push((" / ".into(), theme.title()));
        pieces.push((shown, theme.text()));
        // The rows each list shows, as its title counts them.
        let (live, ended) = (board.len(List::Live), board.len(List::Ended));
        let noun = super::calls::row_noun(app);
        pieces.push((
            format!("   {live} live · {ended} ended {noun} match · Enter keep · Esc clear"),
            theme.dim(),
        ));
        frame.render_widget(Paragraph::new(fit_line(pieces, width)), area);
        if cursor_x < area.right() {
            frame.set_cursor_position(Position::new(cursor_x, area.y));
        }
        return;
    }
    pieces.push((" ".into(), Style::new()));
    if let Some(message) = app.message(now) {
        pieces.push((message.to_owned(), theme.notice()));
        frame.render_widget(Paragraph::new(fit_line(pieces, width)), area);
        return;
    }
    if !board.filter().is_empty() {
        pieces.push(("filter ".into(), theme.dim()));
        pieces.push((format!("“{}”", board.filter()), theme.notice()));
        pieces.push(("  Esc clears   ".into(), theme.dim()));
    }
    for (key, word) in keymap::hints() {
        pieces.push((key, theme.title()));
        pieces.push((format!(" {word}  "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(fit_line(pieces, width)), area);
}
