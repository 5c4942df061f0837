//! The UI's state and what feed updates and ticks do to it. Pure: no terminal, no clock; `now` is passed in.
//! Keys are handled per mode in [`super::input`]; side effects leave as [`Effect`]s.
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use ratatui::layout::Rect;
use tokio::sync::watch;

use super::chooser::{ColumnChooser, effective};
use super::clipboard::Clipboard;
use super::effect::Effect;
use super::help_scroll::HelpScroll;
use super::options::{Notes, UiOptions};
use super::pause::Paused;
use super::picker::Picker;
use super::theme::Theme;
use super::thresholds::ThresholdEditor;
use crate::api::Scope;
use crate::board::privacy::mask_record;
use crate::board::{AlertConfig, Board, BoardConfig, Call, Column, CriticalWatch, List};
use crate::directory::Directory;
use crate::feed::{FeedCommand, FeedState};
use crate::prefs::{Prefs, ThemeName};
use crate::record::player::Player;

/// How long an outside note stays on screen.
const NOTE_FOR: SignedDuration = SignedDuration::from_secs(15);

/// Everything the screen shows, owned by the UI task.
#[derive(Debug)]
pub struct App {
    pub(crate) board: Board,
    pub(crate) feed: Arc<FeedState>,
    pub(crate) focus: List,
    /// The filter being typed, while the prompt is open.
    pub(crate) prompt: Option<String>,
    pub(crate) help: bool,
    /// Where the help overlay is scrolled to, and how far it can scroll (kept by the renderer).
    pub(crate) help_scroll: HelpScroll,
    /// First visible row of the live and ended lists, kept by the renderer.
    pub(crate) offsets: [usize; 2],
    /// Visible rows of the live and ended lists at the last draw, for paging.
    pub(crate) pages: [usize; 2],
    /// Where the rows of the live and ended lists were drawn, for mouse clicks.
    pub(crate) rows_at: [Rect; 2],
    /// The selected call is shown full-screen (`Enter`), scrolled as kept here.
    pub(crate) call_view: Option<HelpScroll>,
    /// Legs of the selected call scrolled past in the leg pane (`J`/`K`).
    pub(crate) legs_skipped: usize,
    /// The focused list has the whole height; the lower panes are hidden (`z`).
    pub(crate) zoom: bool,
    /// The alert thresholds editor, while open.
    pub(crate) thresholds: Option<ThresholdEditor>,
    /// The scope last asked for with a key.
    pub(crate) requested: Option<Scope>,
    /// `R` was pressed and no listing has arrived since: the status line says when it will.
    pub(crate) refresh_asked: bool,
    pub(crate) theme: Theme,
    pub(crate) demo: bool,
    pub(crate) replay: bool,
    /// The recording played, when the board shows one.
    pub(crate) player: Option<Player>,
    /// The server's host, for the header.
    pub(crate) server: Option<String>,
    /// `--record` is writing.
    pub(crate) recording: bool,
    pub(crate) tz: TimeZone,
    /// Ringing and talking thresholds.
    pub(crate) alerts: AlertConfig,
    /// Phone numbers and external names are masked.
    pub(crate) privacy: bool,
    /// The extension picker or `:` command line, while open.
    pub(crate) picker: Option<Picker>,
    /// The column chooser, while open.
    pub(crate) chooser: Option<ColumnChooser>,
    /// Live-table columns, left to right.
    pub(crate) columns: Vec<Column>,
    /// Colour is allowed (no `NO_COLOR`, no `--no-color`): the theme preference decides.
    pub(crate) color_allowed: bool,
    /// The latest account directory, once known.
    pub(crate) directory: Option<Arc<Directory>>,
    directory_rx: Option<watch::Receiver<Option<Arc<Directory>>>>,
    pub(crate) paused: Option<Paused>,
    /// Live calls over the critical threshold at the last check, to ring only for new ones.
    critical: CriticalWatch,
    pub(crate) prefs: Prefs,
    /// Where changed preferences are saved; `None` keeps them for this run only.
    pub(crate) prefs_path: Option<PathBuf>,
    /// A short message (e.g. what was copied) and until when it shows.
    pub(crate) message: Option<(String, Timestamp)>,
    /// How to reach the clipboard; `None` when OSC 52 is off.
    pub(crate) osc52: Option<Clipboard>,
    /// Outside messages; `None` once one was shown.
    notes: Option<Notes>,
    /// The scope of the listing the board holds.
    listing_scope: Option<Scope>,
    pub(crate) quit: bool,
}

impl App {
    /// A fresh app; colour is off when the option or `NO_COLOR` says so.
    pub fn new(opts: &UiOptions) -> Self {
        let prefs = &opts.prefs;
        let mut board = Board::new(BoardConfig {
            ended_window: opts.ended_window,
            ended_cap: opts.ended_cap,
        });
        board.set_sort(prefs.sort, opts.clock.now());
        let color_allowed = !(opts.no_color || Theme::no_color_env());
        App {
            board,
            feed: Arc::default(),
            focus: List::Live,
            prompt: None,
            help: false,
            help_scroll: HelpScroll::default(),
            offsets: [0; 2],
            pages: [1; 2],
            rows_at: [Rect::default(); 2],
            call_view: None,
            legs_skipped: 0,
            zoom: false,
            thresholds: None,
            requested: None,
            refresh_asked: false,
            theme: theme(color_allowed, prefs.theme),
            demo: opts.demo,
            replay: opts.replay || opts.player.is_some(),
            player: opts.player.clone(),
            server: opts.server.clone(),
            recording: opts.recording,
            tz: opts.tz.clone(),
            alerts: prefs.alerts,
            privacy: false,
            message: None,
            picker: None,
            chooser: None,
            columns: effective(&prefs.columns),
            color_allowed,
            directory: opts.directory.as_ref().and_then(|rx| rx.borrow().clone()),
            directory_rx: opts.directory.clone(),
            paused: None,
            critical: CriticalWatch::default(),
            prefs: prefs.clone(),
            prefs_path: opts.prefs_path.clone(),
            osc52: opts.osc52,
            notes: Some(opts.notes.clone()),
            listing_scope: None,
            quit: false,
        }
    }

    /// The board.
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// The list keys move in.
    pub fn focus(&self) -> List {
        self.focus
    }

    /// True once the user asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// True while the help overlay is shown.
    pub fn help_shown(&self) -> bool {
        self.help
    }

    /// True while the selected call is shown full-screen.
    pub fn call_view_shown(&self) -> bool {
        self.call_view.is_some()
    }

    /// The thresholds in use: ringing, talking and hold.
    pub fn alerts(&self) -> AlertConfig {
        self.alerts
    }

    /// The filter text while the prompt is open.
    pub fn prompt(&self) -> Option<&str> {
        self.prompt.as_deref()
    }

    /// True while privacy mode masks phone numbers and external names; whatever is copied from the
    /// screen must be masked the same way (see [`App::shown`]).
    pub fn privacy(&self) -> bool {
        self.privacy
    }

    /// A call as the screen shows it: parties without a name named from the directory, then masked while
    /// privacy mode is on.
    pub fn shown<'a>(&self, call: &'a Call) -> Cow<'a, Call> {
        let dir = self.directory.as_deref().filter(|d| d.needs_names(call.record()));
        if !self.privacy && dir.is_none() {
            return Cow::Borrowed(call);
        }
        Cow::Owned(call.with_record(|r| {
            if let Some(dir) = dir {
                dir.name_parties(r);
            }
            if self.privacy {
                mask_record(r);
            }
        }))
    }

    /// The open picker.
    pub fn picker(&self) -> Option<&Picker> {
        self.picker.as_ref()
    }

    /// While paused: when the screen froze and how many feed states with new updates are held back.
    pub fn paused(&self) -> Option<(Timestamp, usize)> {
        self.paused.as_ref().map(|p| (p.at, p.waiting))
    }

    /// The scope shown: the feed's, else the one asked for.
    pub fn current_scope(&self) -> Option<&Scope> {
        self.feed.scope.as_ref().or(self.requested.as_ref())
    }

    /// The message to show at `now`, if one is current.
    pub fn message(&self, now: Timestamp) -> Option<&str> {
        self.message
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(text, _)| text.as_str())
    }

    /// Shows `text` until the next key.
    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), Timestamp::MAX));
    }

    /// Takes a new feed state; merges the updates the board has not seen, forgetting calls of another
    /// scope. While paused it is held back (the newest one) until the pause ends. Rings for a newly critical
    /// call.
    pub fn apply(&mut self, state: Arc<FeedState>, now: Timestamp) -> Vec<Effect> {
        self.refresh_directory();
        if self.player.is_some() {
            // A replay's feed only says a frame is due: the player has the frames.
            self.play(now);
            return self.watch_alerts(now);
        }
        if let Some(p) = &mut self.paused {
            p.hold(state, self.board.seen());
            return Vec::new();
        }
        if state.listing.scope != self.listing_scope {
            self.board.reset_for_scope();
            self.offsets = [0; 2];
            self.listing_scope = state.listing.scope.clone();
        }
        self.board.catch_up(&state.listing, &state.deltas, now);
        if state.listing.seq != self.feed.listing.seq {
            self.refresh_asked = false;
        }
        self.feed = state;
        self.watch_alerts(now)
    }

    /// A clock tick: ended calls whose window ran out go; alerts are checked. Nothing moves while paused.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Effect> {
        self.refresh_directory();
        let mut effects = Vec::new();
        if self.paused.is_none() {
            self.play(now);
            self.board.expire(now);
            effects = self.watch_alerts(now);
        }
        if let Some(note) = self.notes.as_ref().and_then(Notes::read) {
            self.notes = None;
            self.message = Some((note, now.checked_add(NOTE_FOR).unwrap_or(now)));
        }
        effects
    }

    /// True while something on screen changes with time (durations, ages, countdowns).
    pub fn ticking(&self) -> bool {
        let s = &self.feed;
        self.paused.is_none() && s.listing.taken_at.is_some()
            || s.error.is_some()
            || s.switching
            || self.board.counts() != Default::default()
    }

    /// Takes the newest directory the directory task published.
    fn refresh_directory(&mut self) {
        if let Some(rx) = &mut self.directory_rx
            && rx.has_changed().unwrap_or(false)
        {
            self.directory = rx.borrow_and_update().clone();
        }
    }

    /// Notes the calls now over the critical threshold; a new one rings the bell when it is on.
    pub(crate) fn watch_alerts(&mut self, now: Timestamp) -> Vec<Effect> {
        let new = self.critical.update(self.board.critical_ids(&self.alerts, now));
        if new && self.prefs.bell {
            vec![Effect::Bell]
        } else {
            Vec::new()
        }
    }

    /// Remembers the scope asked for; the command that asks the feed for it.
    pub(crate) fn ask_scope(&mut self, scope: Scope) -> Effect {
        self.requested = Some(scope.clone());
        Effect::Feed(FeedCommand::SetScope(scope))
    }

    /// Uses the theme preference, in colour only when colour is allowed.
    pub(crate) fn set_theme(&mut self, name: ThemeName) {
        self.prefs.theme = name;
        self.theme = theme(self.color_allowed, name);
    }

    pub(crate) fn focus_index(&self) -> usize {
        list_index(self.focus)
    }
}

/// The theme for a preference, in colour only when colour is allowed.
fn theme(color_allowed: bool, name: ThemeName) -> Theme {
    Theme::new(!color_allowed || name == ThemeName::Mono)
}

/// Index of a list in per-list arrays.
pub(crate) fn list_index(list: List) -> usize {
    match list {
        List::Live => 0,
        List::Ended => 1,
    }
}
