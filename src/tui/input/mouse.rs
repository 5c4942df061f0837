//! The mouse, when `--mouse` (or `mouse = true` in prefs) captures it: a click selects a row of the live
//! or ended list and focuses that list, the wheel moves the selection, or scrolls the call view or help.
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use crate::board::List;
use crate::tui::app::{App, list_index};
use crate::tui::keymap::Action;

impl App {
    /// Handles a mouse event; true when it changed what the screen shows.
    pub fn mouse(&mut self, ev: MouseEvent) -> bool {
        let step = match ev.kind {
            MouseEventKind::ScrollDown => Action::Down,
            MouseEventKind::ScrollUp => Action::Up,
            MouseEventKind::Down(MouseButton::Left) => return self.click(Position::new(ev.column, ev.row)),
            _ => return false,
        };
        if let Some(scroll) = &mut self.call_view {
            return scroll.scroll(Some(step));
        }
        if self.help {
            return self.help_scroll.scroll(Some(step));
        }
        if self.overlay_open() {
            return false;
        }
        self.board
            .move_selection(self.focus, if step == Action::Down { 1 } else { -1 });
        self.legs_skipped = 0;
        true
    }

    /// Selects the row under a click in either list, focusing that list.
    fn click(&mut self, at: Position) -> bool {
        if self.call_view.is_some() || self.help || self.overlay_open() {
            return false;
        }
        for list in [List::Live, List::Ended] {
            let idx = list_index(list);
            let rows = self.rows_at[idx];
            if !rows.contains(at) {
                continue;
            }
            let row = self.offsets[idx] + usize::from(at.y - rows.y);
            if row >= self.board.len(list) {
                return false;
            }
            self.focus = list;
            self.board.select_index(list, row);
            self.legs_skipped = 0;
            return true;
        }
        false
    }

    /// True while the prompt, picker, chooser or thresholds editor takes the input.
    fn overlay_open(&self) -> bool {
        self.prompt.is_some() || self.picker.is_some() || self.chooser.is_some() || self.thresholds.is_some()
    }
}
