//! Keys, handled per mode: the column chooser, the thresholds editor, the picker, the filter prompt, the
//! call view and the help overlay each take the keys while open, else the board does. The mouse is in
//! [`mouse`]. Every handler returns the [`Effect`]s its key asks for.
mod board;
mod call_view;
mod chooser;
mod help;
mod mouse;
mod picker;
mod prompt;
mod replay;
mod scope;
mod thresholds;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use super::app::App;
use super::effect::Effect;
use super::keymap::{self, Mode};

impl App {
    /// Handles a key at `now`; returns what it asks the run loop to do.
    pub fn key(&mut self, ev: KeyEvent, now: Timestamp) -> Vec<Effect> {
        self.message = None;
        if self.chooser.is_some() {
            return chooser::key(self, &ev);
        }
        if self.thresholds.is_some() {
            return thresholds::key(self, &ev);
        }
        if self.picker.is_some() {
            return picker::key(self, &ev);
        }
        if self.prompt.is_some() {
            prompt::key(self, &ev);
            return Vec::new();
        }
        if self.call_view.is_some() {
            call_view::key(self, &ev);
            return Vec::new();
        }
        let action = keymap::lookup(&ev, Mode::Board);
        if help::key(self, &ev, action) {
            return Vec::new();
        }
        if replay::key(self, &ev, now) {
            return self.watch_alerts(now);
        }
        match action {
            Some(action) => board::act(self, action, ev.code, now),
            None => Vec::new(),
        }
    }
}

/// Asks to save the preferences when they have a home.
fn save_prefs(app: &App) -> Vec<Effect> {
    let save = |path: &PathBuf| Effect::SavePrefs {
        prefs: app.prefs.clone(),
        path: path.clone(),
    };
    app.prefs_path.iter().map(save).collect()
}

/// The character a key types, when it types one (no Ctrl or Alt).
fn typed(ev: &KeyEvent) -> Option<char> {
    match ev.code {
        KeyCode::Char(c) if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
        _ => None,
    }
}
