//! Screens as text: an app drawn on ratatui's test backend, read back one line per row.
use callboard::tui::{App, draw};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use super::board::now;

/// The buffer as text: one line per row, trailing blanks trimmed, wide characters counted once.
pub fn text(buffer: &Buffer) -> String {
    let mut out = String::new();
    for row in buffer.content.chunks(buffer.area.width as usize) {
        let mut line = String::new();
        let mut skip = 0;
        for cell in row {
            if skip == 0 {
                line.push_str(cell.symbol());
            }
            skip = skip
                .max(unicode_width::UnicodeWidthStr::width(cell.symbol()))
                .saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `app` drawn at `at` on a `width`x`height` test backend.
pub fn drawn(app: &mut App, width: u16, height: u16, at: Timestamp) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| draw(f, app, at)).expect("draw");
    terminal.backend().buffer().clone()
}

/// `app` drawn at the test board's [`now`], as [`text`] under a first line giving the size.
pub fn screen(app: &mut App, width: u16, height: u16) -> String {
    format!("{width}x{height}\n") + &text(&drawn(app, width, height, now()))
}
