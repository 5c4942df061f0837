//! Keys while the help overlay is open: movement keys scroll a help taller than the screen, any other
//! key closes it (and does nothing else); quitting still quits.
use crate::tui::app::App;
use crate::tui::keymap::Action;

/// Takes a board key while help is shown; false when help is closed or the key quits (the board acts).
pub(super) fn key(app: &mut App, action: Option<Action>) -> bool {
    if !app.help || action == Some(Action::Quit) {
        return false;
    }
    if !app.help_scroll.scroll(action) {
        app.help = false;
    }
    true
}
