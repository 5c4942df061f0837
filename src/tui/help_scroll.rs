//! How far the help overlay or the call view is scrolled: state the renderer keeps and movement keys change.
use super::keymap::Action;

/// A scrolled view's first visible line, and what the last frame left out of it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HelpScroll {
    pub top: usize,
    /// The last `top` that still fills the view; 0 when everything fits.
    pub max: usize,
    /// Lines the view shows at once.
    pub page: usize,
}

impl HelpScroll {
    /// Scrolls for a movement key when there is something to scroll; false for any other key.
    pub(crate) fn scroll(&mut self, action: Option<Action>) -> bool {
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
