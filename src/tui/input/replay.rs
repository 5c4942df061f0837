//! Keys of a replay: `←`/`→` step a frame back or forward (and pause there), Space pauses and resumes.
use crossterm::event::{KeyCode, KeyEvent};
use jiff::Timestamp;

use crate::tui::app::App;

/// Handles a replay's key at recorded time `now`; false for any other key, or when no recording plays.
pub(super) fn key(app: &mut App, ev: &KeyEvent, now: Timestamp) -> bool {
    let Some(player) = &app.player else {
        return false;
    };
    match ev.code {
        KeyCode::Left => app.step(-1),
        KeyCode::Right => app.step(1),
        KeyCode::Char(' ') => {
            let clock = player.clock();
            clock.set_paused(!clock.paused());
            app.play(now);
        }
        _ => return false,
    }
    true
}
