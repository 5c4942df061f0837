//! Keys while the help overlay is open: movement keys scroll a help taller than the screen, any other
//! key closes it and does nothing else. `q` and Esc close help, as in htop and k9s; Ctrl-C still quits.
use crossterm::event::{KeyEvent, KeyModifiers};

use crate::tui::app::App;
use crate::tui::keymap::Action;

/// Takes a board key while help is shown; false when help is closed or the key is Ctrl-C (the board
/// acts: it quits).
pub(super) fn key(app: &mut App, ev: &KeyEvent, action: Option<Action>) -> bool {
    let interrupt = action == Some(Action::Quit) && ev.modifiers.contains(KeyModifiers::CONTROL);
    if !app.help || interrupt {
        return false;
    }
    if !app.help_scroll.scroll(action) {
        app.help = false;
    }
    true
}
