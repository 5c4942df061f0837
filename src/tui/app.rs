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
use super::keymap::{self, Action, Mode};
use super::privacy;
use super::theme::Theme;
use crate::api::Scope;
use crate::board::{AlertConfig, Board, BoardConfig, Call, List, Sort};
use crate::prefs::{Prefs, ThemeName};
use crate::snapshot::{PollCommand, Snapshot};

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
        }
    }
}

/// Everything the screen shows, owned by the UI task.
#[derive(Debug)]
pub struct App {
    pub(crate) board: Board,
    pub(crate) snapshot: Arc<Snapshot>,
    pub(crate) focus: List,
    /// The filter being typed, while the prompt is open.
    pub(crate) prompt: Option<String>,
    pub(crate) help: bool,
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
    poll_seq: Option<u64>,
    calls_scope: Option<Scope>,
    quit: bool,
}

/// A frozen screen: when it froze, and the newest snapshot held back.
#[derive(Debug)]
struct Paused {
    at: Timestamp,
    latest: Option<Arc<Snapshot>>,
    /// New polls held back.
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
        let mono = prefs.theme == ThemeName::Mono;
        App {
            board,
            snapshot: Arc::default(),
            focus: List::Live,
            prompt: None,
            help: false,
            offsets: [0; 2],
            pages: [1; 2],
            requested: None,
            theme: Theme::new(opts.no_color || mono || Theme::no_color_env()),
            demo: opts.demo,
            replay: opts.replay,
            tz: opts.tz.clone(),
            alerts: prefs.alerts,
            privacy: false,
            message: None,
            paused: None,
            bell: prefs.bell,
            bell_due: false,
            critical: HashSet::new(),
            prefs: prefs.clone(),
            prefs_path: opts.prefs_path.clone(),
            osc52: opts.osc52.then(Wrap::detect),
            clipboard: None,
            notes: Some(opts.notes.clone()),
            poll_seq: None,
            calls_scope: None,
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

    /// A call as the screen shows it: masked while privacy mode is on.
    pub fn shown<'a>(&self, call: &'a Call) -> Cow<'a, Call> {
        if self.privacy {
            Cow::Owned(call.with_record(privacy::mask_record))
        } else {
            Cow::Borrowed(call)
        }
    }

    /// While paused: when the screen froze and how many new polls are held back.
    pub fn paused(&self) -> Option<(Timestamp, usize)> {
        self.paused.as_ref().map(|p| (p.at, p.waiting))
    }

    /// True once when a new call went over the critical threshold and the bell is on.
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell_due)
    }

    /// Takes a new snapshot; merges its calls when it carries a new poll, forgetting calls of another scope.
    /// While paused it is held back (the newest one) until the pause ends.
    pub fn apply(&mut self, snapshot: Arc<Snapshot>, now: Timestamp) {
        if let Some(p) = &mut self.paused {
            let known = p.latest.as_ref().map(|s| s.poll_seq).or(self.poll_seq);
            if known != Some(snapshot.poll_seq) {
                p.waiting += 1;
            }
            p.latest = Some(snapshot);
            return;
        }
        if self.poll_seq != Some(snapshot.poll_seq) {
            if snapshot.calls_scope != self.calls_scope {
                self.board.reset_for_scope();
                self.offsets = [0; 2];
                self.calls_scope = snapshot.calls_scope.clone();
            }
            self.board.merge(&snapshot.calls, now);
            self.poll_seq = Some(snapshot.poll_seq);
        }
        self.snapshot = snapshot;
        self.watch_alerts(now);
    }

    /// A clock tick: ended calls whose window ran out go; alerts are checked. Nothing moves while paused.
    pub fn tick(&mut self, now: Timestamp) {
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
        self.paused.is_none() && s.fetched_at.is_some()
            || s.error.is_some()
            || s.switching
            || self.board.counts() != Default::default()
    }

    /// Handles a key; returns a command for the poller when the key asks for one.
    pub fn key(&mut self, ev: KeyEvent, now: Timestamp) -> Option<PollCommand> {
        if self.prompt.is_some() {
            return match keymap::lookup(&ev, Mode::Prompt) {
                Some(action) => self.act(action, now),
                None => {
                    if let KeyCode::Char(c) = ev.code
                        && !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    {
                        self.type_char(c);
                    }
                    None
                }
            };
        }
        let action = keymap::lookup(&ev, Mode::Board);
        if self.help && action != Some(Action::Quit) {
            // Any key closes the help, and does nothing else.
            self.help = false;
            return None;
        }
        self.act(action?, now)
    }

    /// Performs an action; returns a command for the poller when it asks for one.
    pub fn act(&mut self, action: Action, now: Timestamp) -> Option<PollCommand> {
        let page = self.pages[self.focus_index()].max(1) as isize;
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
            Action::Refresh => return Some(PollCommand::RefreshNow),
            Action::Filter => self.prompt = Some(self.board.filter().to_owned()),
            Action::Help => self.help = !self.help,
            Action::Back if self.help => self.help = false,
            Action::Back => self.board.set_filter(""),
            Action::Quit => self.quit = true,
            Action::Privacy => self.privacy = !self.privacy,
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

    /// Writes the preferences when they have a home; a failure is shown, never fatal.
    fn save_prefs(&mut self) {
        if let Some(path) = &self.prefs_path
            && let Err(e) = self.prefs.save(path)
        {
            let text = format!(
                "could not save preferences to {}: {e}; they last for this run",
                path.display()
            );
            self.message = Some((text, Timestamp::MAX));
        }
    }

    /// OSC 52 bytes to write to the terminal, once.
    pub fn take_clipboard(&mut self) -> Option<Vec<u8>> {
        self.clipboard.take()
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

    fn ask_scope(&mut self, scope: Scope) -> PollCommand {
        self.requested = Some(scope.clone());
        PollCommand::SetScope(scope)
    }

    fn type_char(&mut self, c: char) {
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

/// Index of a list in per-list arrays.
pub(crate) fn list_index(list: List) -> usize {
    match list {
        List::Live => 0,
        List::Ended => 1,
    }
}
