//! Keys while the selected call is shown full-screen (`Enter`): movement keys scroll it, Esc, Enter or
//! `q` go back to the board, Ctrl-C quits.
use crossterm::event::KeyEvent;

use crate::tui::app::App;
use crate::tui::keymap::{self, Action, Mode};

/// Handles a key in the call view.
pub(super) fn key(app: &mut App, ev: &KeyEvent) {
    let action = keymap::lookup(ev, Mode::Call);
    let Some(scroll) = &mut app.call_view else {
        return;
    };
    match action {
        Some(Action::Quit) => app.quit = true,
        Some(Action::Cancel) => app.call_view = None,
        other => {
            scroll.scroll(other);
        }
    }
}
