//! Keys while the alert thresholds (`t`) are open: move between the limits, raise or lower one, turn the
//! bell on or off; Enter puts the values to use and saves them, Esc closes without.
use crossterm::event::KeyEvent;

use super::save_prefs;
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{self, Action, Mode};

/// Handles a key in the thresholds editor; asks to save the preferences when the values are kept.
pub(super) fn key(app: &mut App, ev: &KeyEvent) -> Vec<Effect> {
    let (Some(editor), Some(action)) = (&mut app.thresholds, keymap::lookup(ev, Mode::Thresholds)) else {
        return Vec::new();
    };
    match action {
        Action::Down => editor.step(1),
        Action::Up => editor.step(-1),
        Action::More => editor.adjust(true),
        Action::Less => editor.adjust(false),
        Action::ToggleBell => editor.bell = !editor.bell,
        Action::Save => {
            let (alerts, bell) = (editor.alerts, editor.bell);
            app.thresholds = None;
            app.alerts = alerts;
            app.prefs.alerts = alerts;
            app.prefs.bell = bell;
            app.say(if app.prefs_path.is_some() {
                "alert thresholds and bell saved"
            } else {
                "alert thresholds and bell in use for this run (no preferences file to save them to)"
            });
            return save_prefs(app);
        }
        Action::Quit => app.quit = true,
        _ => app.thresholds = None,
    }
    Vec::new()
}
