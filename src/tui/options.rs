//! How the UI is run: its options, where it reads the wall-clock time, and where outside notes come from.
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use crate::board::BoardConfig;
use crate::directory::Directory;
use crate::prefs::Prefs;
use crate::record::player::Player;
use crate::tui::clipboard::{Clipboard, Wrap};

/// Where the UI reads the wall-clock time shown on screen (durations, ages, the status clock) from.
#[derive(Clone)]
pub struct WallClock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl WallClock {
    /// The system clock.
    pub fn system() -> Self {
        WallClock(Arc::new(Timestamp::now))
    }

    /// A clock stopped at `t` (tests, demos).
    pub fn fixed(t: Timestamp) -> Self {
        WallClock(Arc::new(move || t))
    }

    /// A clock reading `now` (e.g. recorded time during a replay).
    pub fn from_fn(now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        WallClock(Arc::new(now))
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl fmt::Debug for WallClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WallClock")
    }
}

/// One-off messages for the status bar from outside the poller (e.g. a recording that stopped), read
/// on each tick; the first one is shown once.
#[derive(Clone, Default)]
pub struct Notes(Option<Arc<dyn Fn() -> Option<String> + Send + Sync>>);

impl Notes {
    /// Notes read from `read`.
    pub fn from_fn(read: impl Fn() -> Option<String> + Send + Sync + 'static) -> Self {
        Notes(Some(Arc::new(read)))
    }

    /// The next note, if there is one.
    pub(crate) fn read(&self) -> Option<String> {
        self.0.as_ref().and_then(|read| read())
    }
}

impl fmt::Debug for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Notes")
    }
}

/// How the UI is run.
#[derive(Debug, Clone)]
pub struct UiOptions {
    /// Connected to the simulator: show a `DEMO` marker.
    pub demo: bool,
    /// Playing a recording: show a `REPLAY` marker.
    pub replay: bool,
    /// The recording to play, frame by frame on its own clock (a `REPLAY` marker with its position).
    pub player: Option<Player>,
    /// The RingCentral server's host, shown in the header (`None` on the simulator, which shows `DEMO`).
    pub server: Option<String>,
    /// `--record` is writing: show a `REC` marker.
    pub recording: bool,
    /// No colour (the `NO_COLOR` environment variable is honoured as well).
    pub no_color: bool,
    /// How long ended calls stay listed.
    pub ended_window: SignedDuration,
    /// How many ended calls are kept at most.
    pub ended_cap: usize,
    /// Where `now` comes from.
    pub clock: WallClock,
    /// Time zone for start times.
    pub tz: TimeZone,
    /// Sort order, columns, theme, alert thresholds, bell and favourites.
    pub prefs: Prefs,
    /// Where changed preferences are saved; `None` keeps them for this run only.
    pub prefs_path: Option<PathBuf>,
    /// How `y`/`Y` reach the clipboard through OSC 52 ([`Clipboard::detect`] at start); `None` with
    /// `--no-osc52`.
    pub osc52: Option<Clipboard>,
    /// Draw through ratatui's stock crossterm backend instead of the board's own (`CALLBOARD_BACKEND=crossterm`).
    pub stock_backend: bool,
    /// Capture the mouse (`--mouse`, or `mouse = true` in prefs): clicks select, the wheel scrolls.
    pub mouse: bool,
    /// Where one-off status-bar messages come from.
    pub notes: Notes,
    /// The account directory as the directory task publishes it.
    pub directory: Option<watch::Receiver<Option<Arc<Directory>>>>,
}

impl Default for UiOptions {
    fn default() -> Self {
        let board = BoardConfig::default();
        UiOptions {
            demo: false,
            replay: false,
            player: None,
            server: None,
            recording: false,
            no_color: false,
            ended_window: board.ended_window,
            ended_cap: board.ended_cap,
            clock: WallClock::system(),
            tz: TimeZone::system(),
            prefs: Prefs::default(),
            prefs_path: None,
            osc52: Some(Clipboard::Reachable(Wrap::Plain)),
            stock_backend: false,
            mouse: false,
            notes: Notes::default(),
            directory: None,
        }
    }
}

/// The variable that picks what the board draws through.
pub const BACKEND_VAR: &str = "CALLBOARD_BACKEND";

/// Whether `CALLBOARD_BACKEND`'s value asks for ratatui's stock crossterm backend (`crossterm`) rather
/// than the board's own (`lean`, or unset); any other value is an error in words.
pub fn stock_backend(value: Option<&str>) -> Result<bool, String> {
    match value {
        None | Some("" | "lean") => Ok(false),
        Some("crossterm") => Ok(true),
        Some(other) => Err(format!(
            "{BACKEND_VAR}={} is not known: set it to crossterm for ratatui's stock backend, or to lean (the \
             default) for the board's own",
            crate::text::clean(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_setting_takes_crossterm_or_lean_and_names_anything_else() {
        assert_eq!(stock_backend(None), Ok(false));
        assert_eq!(stock_backend(Some("lean")), Ok(false));
        assert_eq!(stock_backend(Some("crossterm")), Ok(true));
        let err = stock_backend(Some("curses")).unwrap_err();
        assert!(
            err.contains("CALLBOARD_BACKEND=curses") && err.contains("crossterm"),
            "{err}"
        );
    }
}
