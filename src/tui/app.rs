//! The UI's state and what keys and snapshots do to it. Pure: no terminal, no clock; `now` is passed in.
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::clipboard::{self, Wrap};
use super::columns::{ColumnChooser, effective};
use super::keymap::{self, Action, Mode};
use super::picker::{Command, Picker, parse_command};
use super::privacy;
use super::theme::Theme;
use crate::api::Scope;
use crate::api::model::{CallRecord, Party};
use crate::board::{AlertConfig, Board, BoardConfig, Call, List, Sort, SortColumn};
use crate::directory::{self, Directory};
use crate::feed::{FeedCommand, FeedState};
use crate::prefs::{Favourite, MAX_FAVOURITES, Prefs, ThemeName};
use tokio::sync::watch;

/// Longest filter text kept.
const MAX_FILTER: usize = 200;
/// How long the copy message stays on screen.
const MESSAGE_FOR: SignedDuration = SignedDuration::from_secs(4);
/// How long an outside note stays on screen.
const NOTE_FOR: SignedDuration = SignedDuration::from_secs(15);

/// Where the UI reads the time from.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(Timestamp::now))
    }

    /// A clock stopped at `t` (tests, demos).
    pub fn fixed(t: Timestamp) -> Self {
        Clock(Arc::new(move || t))
    }

    /// A clock reading `now` (e.g. recorded time during a replay).
    pub fn from_fn(now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
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

    fn read(&self) -> Option<String> {
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
    /// No colour (the `NO_COLOR` environment variable is honoured as well).
    pub no_color: bool,
    /// How long ended calls stay listed.
    pub ended_window: SignedDuration,
    /// How many ended calls are kept at most.
    pub ended_cap: usize,
    /// Where `now` comes from.
    pub clock: Clock,
    /// Time zone for start times.
    pub tz: TimeZone,
    /// Sort order, columns, theme, alert thresholds, bell and favourites.
    pub prefs: Prefs,
    /// Where changed preferences are saved; `None` keeps them for this run only.
    pub prefs_path: Option<PathBuf>,
    /// `y`/`Y` copy through OSC 52 (off with `--no-osc52`).
    pub osc52: bool,
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
            no_color: false,
            ended_window: board.ended_window,
            ended_cap: board.ended_cap,
            clock: Clock::system(),
            tz: TimeZone::system(),
            prefs: Prefs::default(),
            prefs_path: None,
            osc52: true,
            notes: Notes::default(),
            directory: None,
        }
    }
}

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

/// Everything the screen shows, owned by the UI task.
#[derive(Debug)]
pub struct App {
    pub(crate) board: Board,
    pub(crate) snapshot: Arc<FeedState>,
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
    /// The scope last asked for with a key.
    pub(crate) requested: Option<Scope>,
    pub(crate) theme: Theme,
    pub(crate) demo: bool,
    pub(crate) replay: bool,
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
    pub(crate) columns: Vec<SortColumn>,
    /// Colour is allowed (no `NO_COLOR`, no `--no-color`): the theme preference decides.
    color_allowed: bool,
    /// The latest account directory, once known.
    pub(crate) directory: Option<Arc<Directory>>,
    directory_rx: Option<watch::Receiver<Option<Arc<Directory>>>>,
    paused: Option<Paused>,
    bell: bool,
    bell_due: bool,
    /// Live calls over the critical threshold at the last check, to ring only for new ones.
    critical: HashSet<String>,
    prefs: Prefs,
    prefs_path: Option<PathBuf>,
    /// A short message (e.g. what was copied) and until when it shows.
    pub(crate) message: Option<(String, Timestamp)>,
    /// How to reach the clipboard; `None` when OSC 52 is off.
    osc52: Option<Wrap>,
    /// OSC 52 bytes waiting for the terminal writer.
    clipboard: Option<Vec<u8>>,
    /// Outside messages; `None` once one was shown.
    notes: Option<Notes>,
    /// The scope of the listing the board holds.
    listing_scope: Option<Scope>,
    quit: bool,
}

/// A frozen screen: when it froze, and the newest snapshot held back.
#[derive(Debug)]
struct Paused {
    at: Timestamp,
    latest: Option<Arc<FeedState>>,
    /// New updates held back.
    waiting: usize,
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
            snapshot: Arc::default(),
            focus: List::Live,
            prompt: None,
            help: false,
            help_scroll: HelpScroll::default(),
            offsets: [0; 2],
            pages: [1; 2],
            requested: None,
            theme: theme(color_allowed, prefs.theme),
            demo: opts.demo,
            replay: opts.replay,
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
            bell: prefs.bell,
            bell_due: false,
            critical: HashSet::new(),
            prefs: prefs.clone(),
            prefs_path: opts.prefs_path.clone(),
            osc52: opts.osc52.then(Wrap::detect),
            clipboard: None,
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
        let dir = self
            .directory
            .as_deref()
            .filter(|d| needs_names(call.record(), d));
        if !self.privacy && dir.is_none() {
            return Cow::Borrowed(call);
        }
        Cow::Owned(call.with_record(|r| {
            if let Some(dir) = dir {
                name_parties(r, dir);
            }
            if self.privacy {
                privacy::mask_record(r);
            }
        }))
    }

    /// Takes the newest directory the directory task published.
    fn refresh_directory(&mut self) {
        if let Some(rx) = &mut self.directory_rx
            && rx.has_changed().unwrap_or(false)
        {
            self.directory = rx.borrow_and_update().clone();
        }
    }

    /// The open picker.
    pub fn picker(&self) -> Option<&Picker> {
        self.picker.as_ref()
    }

    /// `extension 101 (Kenji Sato)` for a watched extension the directory knows.
    pub(crate) fn directory_scope_label(&self) -> Option<String> {
        let Some(Scope::Extension(id)) = self.current_scope() else {
            return None;
        };
        let entry = self.directory.as_deref()?.by_id(id)?;
        Some(match (&entry.number, &entry.name) {
            (Some(n), Some(name)) => format!("extension {n} ({name})"),
            _ => format!("extension {}", directory::label(entry)),
        })
    }

    /// While paused: when the screen froze and how many new polls are held back.
    pub fn paused(&self) -> Option<(Timestamp, usize)> {
        self.paused.as_ref().map(|p| (p.at, p.waiting))
    }

    /// True once when a new call went over the critical threshold and the bell is on.
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell_due)
    }

    /// Takes a new feed state; merges the updates the board has not seen, forgetting calls of another
    /// scope. While paused it is held back (the newest one) until the pause ends.
    pub fn apply(&mut self, state: Arc<FeedState>, now: Timestamp) {
        self.refresh_directory();
        if let Some(p) = &mut self.paused {
            let known = p.latest.as_ref().map_or(self.board.seen(), |s| s.last_update());
            if known != state.last_update() {
                p.waiting += 1;
            }
            p.latest = Some(state);
            return;
        }
        if state.listing.scope != self.listing_scope {
            self.board.reset_for_scope();
            self.offsets = [0; 2];
            self.listing_scope = state.listing.scope.clone();
        }
        self.board.catch_up(&state.listing, &state.deltas, now);
        self.snapshot = state;
        self.watch_alerts(now);
    }

    /// A clock tick: ended calls whose window ran out go; alerts are checked. Nothing moves while paused.
    pub fn tick(&mut self, now: Timestamp) {
        self.refresh_directory();
        if self.paused.is_none() {
            self.board.expire(now);
            self.watch_alerts(now);
        }
        if let Some(note) = self.notes.as_ref().and_then(Notes::read) {
            self.notes = None;
            self.message = Some((note, now.checked_add(NOTE_FOR).unwrap_or(now)));
        }
    }

    /// Notes the calls now over the critical threshold; a new one rings the bell when it is on.
    fn watch_alerts(&mut self, now: Timestamp) {
        let critical: HashSet<String> = self
            .board
            .critical_ids(&self.alerts, now)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if self.bell && critical.iter().any(|id| !self.critical.contains(id)) {
            self.bell_due = true;
        }
        self.critical = critical;
    }

    /// True while something on screen changes with time (durations, ages, countdowns).
    pub fn ticking(&self) -> bool {
        let s = &self.snapshot;
        self.paused.is_none() && s.listing.taken_at.is_some()
            || s.error.is_some()
            || s.switching
            || self.board.counts() != Default::default()
    }

    /// Handles a key; returns a command for the poller when the key asks for one.
    pub fn key(&mut self, ev: KeyEvent, now: Timestamp) -> Option<FeedCommand> {
        self.message = None;
        if self.chooser.is_some() {
            return self.act(keymap::lookup(&ev, Mode::Columns)?, now);
        }
        let typing = if self.picker.is_some() {
            Some(Mode::Picker)
        } else {
            self.prompt.as_ref().map(|_| Mode::Prompt)
        };
        if let Some(mode) = typing {
            return match keymap::lookup(&ev, mode) {
                Some(action) => self.act(action, now),
                None => {
                    if let Some(c) = typed(&ev) {
                        self.type_char(c);
                    }
                    None
                }
            };
        }
        let action = keymap::lookup(&ev, Mode::Board);
        if self.help && action != Some(Action::Quit) {
            // A help taller than the screen scrolls; any other key closes it, and does nothing else.
            if !self.help_scroll.scroll(action) {
                self.help = false;
            }
            return None;
        }
        match (action?, ev.code) {
            (Action::Favourite, KeyCode::Char(digit)) => self.favourite(digit),
            (action, _) => self.act(action, now),
        }
    }

    /// Performs an action; returns a command for the poller when it asks for one.
    pub fn act(&mut self, action: Action, now: Timestamp) -> Option<FeedCommand> {
        let page = self.pages[self.focus_index()].max(1) as isize;
        if let Some(chooser) = &mut self.chooser {
            match action {
                Action::Down => chooser.step(1),
                Action::Up => chooser.step(-1),
                Action::ColumnLeft => chooser.shift(-1),
                Action::ColumnRight => chooser.shift(1),
                Action::ToggleColumn => {
                    chooser.toggle();
                }
                Action::Quit => self.quit = true,
                _ => self.chooser = None,
            }
            if let Some(chooser) = &self.chooser
                && chooser.shown() != self.columns
            {
                self.columns = chooser.shown();
                self.prefs.columns = self.columns.clone();
                self.save_prefs();
            }
            return None;
        }
        if let Some(picker) = &mut self.picker {
            let len = picker.matches(self.directory.as_deref()).len();
            let step = match action {
                Action::Down => Some(1),
                Action::Up => Some(-1),
                Action::FilterErase => Some(0),
                _ => None,
            };
            if let Some(step) = step {
                if step == 0 {
                    picker.erase();
                } else {
                    picker.step(step, len);
                }
                return None;
            }
        }
        match action {
            Action::Down => self.board.move_selection(self.focus, 1),
            Action::Up => self.board.move_selection(self.focus, -1),
            Action::PageDown => self.board.move_selection(self.focus, page),
            Action::PageUp => self.board.move_selection(self.focus, -page),
            Action::Top => self.board.select_index(self.focus, 0),
            Action::Bottom => self.board.select_index(self.focus, usize::MAX),
            Action::FocusNext => {
                self.focus = match self.focus {
                    List::Live => List::Ended,
                    List::Ended => List::Live,
                }
            }
            Action::SortNext | Action::SortPrev | Action::SortInvert => {
                let Sort { column, descending } = self.board.sort();
                let sort = match action {
                    Action::SortNext => Sort {
                        column: column.step(1),
                        descending,
                    },
                    Action::SortPrev => Sort {
                        column: column.step(-1),
                        descending,
                    },
                    _ => Sort {
                        column,
                        descending: !descending,
                    },
                };
                self.board.set_sort(sort, now);
                self.prefs.sort = sort;
                self.save_prefs();
            }
            Action::ToggleScope => {
                let to_account = !self.current_scope().is_some_and(|s| s.is_account());
                return Some(self.ask_scope(if to_account {
                    Scope::Account
                } else {
                    Scope::own_extension()
                }));
            }
            Action::AccountScope => return Some(self.ask_scope(Scope::Account)),
            Action::ExtensionScope => return Some(self.ask_scope(Scope::own_extension())),
            Action::Refresh => return Some(FeedCommand::Refresh),
            Action::Filter => self.prompt = Some(self.board.filter().to_owned()),
            Action::Help => {
                self.help = !self.help;
                self.help_scroll.top = 0;
            }
            Action::Back if self.help => self.help = false,
            Action::Back => self.board.set_filter(""),
            Action::Quit => self.quit = true,
            Action::Privacy => {
                self.privacy = !self.privacy;
                self.board.set_masked(self.privacy);
            }
            Action::Conversations => {
                let grouped = !self.board.grouped();
                if grouped && !self.current_scope().is_some_and(Scope::is_account) {
                    self.say(
                        "conversations join the records of one call in account scope; switch with a first",
                    );
                } else {
                    self.board.set_grouped(grouped);
                }
            }
            Action::Pause => match self.paused.take() {
                None => {
                    self.paused = Some(Paused {
                        at: now,
                        latest: None,
                        waiting: 0,
                    })
                }
                Some(Paused {
                    latest: Some(snapshot),
                    ..
                }) => self.apply(snapshot, now),
                Some(_) => {}
            },
            Action::CopyId | Action::CopyRecord => self.copy(action == Action::CopyRecord, now),
            Action::FilterKeep => self.prompt = None,
            Action::FilterClear => {
                self.prompt = None;
                self.board.set_filter("");
            }
            Action::Picker | Action::Command => {
                if self.may_watch_others() {
                    self.picker = Some(Picker::new(action == Action::Command));
                }
            }
            Action::Cancel => self.picker = None,
            Action::Columns => self.chooser = Some(ColumnChooser::new(&self.columns)),
            Action::ToggleTheme => {
                self.prefs.theme = match self.prefs.theme {
                    ThemeName::Color => ThemeName::Mono,
                    ThemeName::Mono => ThemeName::Color,
                };
                self.theme = theme(self.color_allowed, self.prefs.theme);
                if !self.color_allowed {
                    self.say("colour is off (NO_COLOR or --no-color); the choice is saved");
                }
                self.save_prefs();
            }
            // Only the column chooser acts on these.
            Action::ToggleColumn | Action::ColumnLeft | Action::ColumnRight => {}
            Action::Choose => return self.choose(),
            Action::AddFavourite => self.add_favourite(),
            // Needs the digit pressed: handled in `key`.
            Action::Favourite => {}
            Action::FilterErase => {
                if let Some(p) = &mut self.prompt {
                    p.pop();
                    let text = p.clone();
                    self.board.set_filter(&text);
                }
            }
        }
        None
    }

    /// The scope shown: the poller's, else the one asked for.
    pub fn current_scope(&self) -> Option<&Scope> {
        self.snapshot.scope.as_ref().or(self.requested.as_ref())
    }

    /// True for admins (or while the user is not known yet); otherwise says why not.
    fn may_watch_others(&mut self) -> bool {
        let admin = self.snapshot.user.as_ref().is_none_or(|u| u.admin);
        if !admin {
            self.say("only admins can watch other extensions; you see your own extension's calls");
        }
        admin
    }

    /// Watches what the picker points at, or runs the `:` command.
    fn choose(&mut self) -> Option<FeedCommand> {
        let picker = self.picker.take()?;
        let dir = self.directory.as_deref();
        if picker.command {
            match parse_command(&picker.query) {
                Ok(Command::Account) => return Some(self.ask_scope(Scope::Account)),
                Ok(Command::Extension(query)) if dir.is_none() && is_id(&query) => {
                    return Some(self.ask_scope(Scope::Extension(query)));
                }
                Ok(Command::Extension(_)) => {}
                Err(e) => {
                    self.say(e);
                    return None;
                }
            }
        }
        match picker.chosen(dir) {
            Some(entry) => Some(self.ask_scope(Scope::Extension(entry.id.clone()))),
            None => {
                self.say(match dir {
                    None => "the extension directory is still loading; try again in a moment, or type \
                             :ext followed by an extension id"
                        .into(),
                    Some(_) => format!("no extension matches “{}”", picker.query),
                });
                None
            }
        }
    }

    /// Adds the watched extension to the favourites and saves them.
    fn add_favourite(&mut self) {
        let Some(Scope::Extension(id)) = self
            .current_scope()
            .cloned()
            .filter(|s| *s != Scope::own_extension())
        else {
            self.say("watch an extension first (x), then add it with f");
            return;
        };
        let favourites = &mut self.prefs.favourites;
        if let Some(i) = favourites.iter().position(|f| f.id == id) {
            self.say(format!("already favourite {}", i + 1));
            return;
        }
        if favourites.len() >= MAX_FAVOURITES {
            self.say(format!(
                "all {MAX_FAVOURITES} favourite keys are taken; remove one from the favourites in prefs.toml"
            ));
            return;
        }
        let label = self
            .directory
            .as_deref()
            .and_then(|d| d.by_id(&id))
            .map_or_else(|| format!("id {id}"), directory::label);
        favourites.push(Favourite {
            id,
            label: label.clone(),
        });
        let count = favourites.len();
        self.say(format!("{label} is favourite {count}"));
        self.save_prefs();
    }

    /// Watches favourite `digit` (1–9), or the account for 0.
    fn favourite(&mut self, digit: char) -> Option<FeedCommand> {
        let n = digit.to_digit(10)? as usize;
        if n == 0 {
            return Some(self.ask_scope(Scope::Account));
        }
        if !self.may_watch_others() {
            return None;
        }
        match self.prefs.favourites.get(n - 1) {
            Some(f) => {
                let id = f.id.clone();
                Some(self.ask_scope(Scope::Extension(id)))
            }
            None => {
                self.say(format!(
                    "no favourite {n} yet: watch an extension (x) and press f to add it"
                ));
                None
            }
        }
    }

    /// Writes the preferences when they have a home; a failure is shown, never fatal.
    fn save_prefs(&mut self) {
        if let Some(path) = &self.prefs_path
            && let Err(e) = self.prefs.save(path)
        {
            let text = format!(
                "could not save preferences to {}: {e}; they last for this run",
                path.display()
            );
            self.say(text);
        }
    }

    /// OSC 52 bytes to write to the terminal, once.
    pub fn take_clipboard(&mut self) -> Option<Vec<u8>> {
        self.clipboard.take()
    }

    /// Shows `text` until the next key.
    fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), Timestamp::MAX));
    }

    /// The message to show at `now`, if one is current.
    pub fn message(&self, now: Timestamp) -> Option<&str> {
        self.message
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(text, _)| text.as_str())
    }

    /// Copies the selected call's telephonySessionId, or its whole record as JSON.
    fn copy(&mut self, record: bool, now: Timestamp) {
        let text = match self.board.selected(self.focus) {
            None => "no call selected to copy".to_owned(),
            Some(call) => {
                let mut copied = call.record().clone();
                if self.privacy {
                    privacy::mask_record(&mut copied);
                }
                let (what, value) = if record {
                    let json = serde_json::to_string(&copied).unwrap_or_default();
                    (format!("call {} as JSON", call.id()), json)
                } else {
                    let id = copied.fields.telephony_session_id.as_deref();
                    (
                        format!("telephonySessionId {}", id.unwrap_or("(none)")),
                        id.unwrap_or_default().to_owned(),
                    )
                };
                match self.osc52 {
                    Some(wrap) => {
                        self.clipboard = Some(clipboard::osc52(&value, wrap));
                        format!("copied {what} to the clipboard (OSC 52)")
                    }
                    None => format!("not copied: the clipboard is off (--no-osc52); {what}"),
                }
            }
        };
        self.message = Some((text, now.checked_add(MESSAGE_FOR).unwrap_or(now)));
    }

    fn ask_scope(&mut self, scope: Scope) -> FeedCommand {
        self.requested = Some(scope.clone());
        FeedCommand::SetScope(scope)
    }

    /// Types into the picker when it is open, else into the filter prompt.
    fn type_char(&mut self, c: char) {
        if let Some(picker) = &mut self.picker {
            picker.push(c);
            return;
        }
        if let Some(p) = &mut self.prompt
            && p.chars().count() < MAX_FILTER
            && !c.is_control()
        {
            p.push(c);
            let text = p.clone();
            self.board.set_filter(&text);
        }
    }

    pub(crate) fn focus_index(&self) -> usize {
        list_index(self.focus)
    }
}

/// The theme for a preference, in colour only when colour is allowed.
fn theme(color_allowed: bool, name: ThemeName) -> Theme {
    Theme::new(!color_allowed || name == ThemeName::Mono)
}

/// The character a key types, when it types one (no Ctrl or Alt).
fn typed(ev: &KeyEvent) -> Option<char> {
    match ev.code {
        KeyCode::Char(c) if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
        _ => None,
    }
}

/// True for an extension id (digits).
fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// True when a party of the record has an extension but no name the directory could give.
fn needs_names(r: &CallRecord, dir: &Directory) -> bool {
    parties(r).any(|p| p.name.is_none() && lookup(p, dir).is_some())
}

/// Names parties that have an extension id or number but no name.
fn name_parties(r: &mut CallRecord, dir: &Directory) {
    for f in r.all_fields_mut() {
        for p in [&mut f.from, &mut f.to].into_iter().flatten() {
            if p.name.is_none()
                && let Some(name) = lookup(p, dir).and_then(|e| e.name.as_deref())
            {
                Arc::make_mut(p).name = Some(name.into());
            }
        }
    }
}

fn parties(r: &CallRecord) -> impl Iterator<Item = &Party> {
    r.all_fields()
        .flat_map(|f| [&f.from, &f.to].into_iter().flatten().map(|p| &**p))
}

fn lookup<'a>(p: &Party, dir: &'a Directory) -> Option<&'a directory::DirectoryEntry> {
    p.extension_id
        .as_deref()
        .and_then(|id| dir.by_id(id))
        .or_else(|| p.extension_number.as_deref().and_then(|n| dir.by_number(n)))
}

/// Index of a list in per-list arrays.
pub(crate) fn list_index(list: List) -> usize {
    match list {
        List::Live => 0,
        List::Ended => 1,
    }
}
