//! Keys while the help overlay is open: movement keys scroll a help taller than the screen, any other
//! key closes it (and does nothing else); quitting still quits.
use crate::tui::app::App;
use crate::tui::keymap::Action;

/// The help overlay's first visible line, and what the last frame left out of it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HelpScroll {
    pub top: usize,
    /// The last `top` that still fills the overlay; 0 when everything fits.
    pub max: usize,
    /// Lines the overlay shows at once.
    pub page: usize,
}

impl HelpScroll {
    /// Scrolls for a movement key when there is something to scroll; false for any other key.
    fn scroll(&mut self, action: Option<Action>) -> bool {
        let top = match action {
            _ if self.max == 0 => return false,
            Some(Action::Down) => self.top + 1,
            Some(Action::Up) => self.top.saturating_sub(1),
            Some(Action::PageDown) => self.top + self.page,
            Some(Action::PageUp) => self.top.saturating_sub(self.page),
            Some(Action::Top) => 0,
            Some(Action::Bottom) => self.max,
            _ => return false,
        };
        self.top = top.min(self.max);
        true
    }
}

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
