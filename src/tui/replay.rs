//! A recording on the board: the frames recorded time has reached are merged as they come due, and the
//! status reads the scope and age of the last listing merged.
use std::sync::Arc;

use jiff::Timestamp;

use super::app::App;
use crate::record::player::Player;

impl App {
    /// The recording played, when the board shows one.
    pub fn player(&self) -> Option<&Player> {
        self.player.as_ref()
    }

    /// Merges the frames of the recording played that are due at recorded time `now`; nothing without one.
    pub(crate) fn play(&mut self, now: Timestamp) {
        if let Some(player) = &mut self.player
            && player.play(&mut self.board, now)
        {
            self.feed = Arc::new(player.state());
        }
    }

    /// Steps the recording played `by` frames and pauses there; nothing without one.
    pub(crate) fn step(&mut self, by: isize) {
        if let Some(player) = &mut self.player
            && player.step(&mut self.board, by)
        {
            self.feed = Arc::new(player.state());
        }
    }
}
