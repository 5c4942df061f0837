//! Keys while the column chooser (`C`) is open: move through the columns, show or hide one, move it left
//! or right; the live table follows at once and the choice is saved.
use crossterm::event::KeyEvent;

use super::save_prefs;
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{self, Action, Mode};

/// Handles a key in the chooser; asks to save the preferences when the columns changed.
pub(super) fn key(app: &mut App, ev: &KeyEvent) -> Vec<Effect> {
    let (Some(chooser), Some(action)) = (&mut app.chooser, keymap::lookup(ev, Mode::Columns)) else {
        return Vec::new();
    };
    match action {
        Action::Down => chooser.step(1),
        Action::Up => chooser.step(-1),
        Action::ColumnLeft => chooser.shift(-1),
        Action::ColumnRight => chooser.shift(1),
        Action::ToggleColumn => {
            chooser.toggle();
        }
        Action::Quit => app.quit = true,
        _ => app.chooser = None,
    }
    match &app.chooser {
        Some(chooser) if chooser.shown() != app.columns => {
            app.columns = chooser.shown();
            app.prefs.columns = app.columns.clone();
            save_prefs(app)
        }
        _ => Vec::new(),
    }
}
