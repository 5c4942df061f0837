//! What the app asks the outside world to do. Key handlers, feed updates and ticks return effects; the run
//! loop carries them out, so the app itself never writes to the terminal, a file or a channel. A status-bar
//! message is not one: it is screen state, which handlers set on the app (`App::say`).
use std::path::PathBuf;

use crate::feed::FeedCommand;
use crate::prefs::Prefs;

/// One side effect for the run loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a command to the feed (change scope, refresh now).
    Feed(FeedCommand),
    /// Write the preferences to the prefs file; a failure is shown, never fatal.
    SavePrefs {
        /// What to write.
        prefs: Prefs,
        /// Where.
        path: PathBuf,
    },
    /// Write these OSC 52 bytes to the terminal, which puts their text on the clipboard.
    Copy(Vec<u8>),
    /// Ring the terminal bell.
    Bell,
}
