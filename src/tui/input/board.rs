//! Keys on the board itself (nothing open over it): moving, sorting, filtering, scopes and favourites,
//! pause, privacy, copying, the leg pane and zoom, and opening the prompt, picker, chooser, thresholds,
//! call view and help.
use crossterm::event::KeyCode;
use jiff::{SignedDuration, Timestamp};

use super::save_prefs;
use super::scope;
use crate::board::List;
use crate::board::privacy::mask_record;
use crate::feed::FeedCommand;
use crate::prefs::ThemeName;
use crate::tui::app::App;
use crate::tui::chooser::ColumnChooser;
use crate::tui::clipboard::{self, Clipboard};
use crate::tui::effect::Effect;
use crate::tui::help_scroll::HelpScroll;
use crate::tui::keymap::Action;
use crate::tui::pause::Paused;
use crate::tui::picker::Picker;
use crate::tui::thresholds::ThresholdEditor;

/// How long the copy message stays on screen.
const MESSAGE_FOR: SignedDuration = SignedDuration::from_secs(4);

/// Performs a board action for the key `code` at `now`; returns what it asks of the outside world.
pub(super) fn act(app: &mut App, action: Action, code: KeyCode, now: Timestamp) -> Vec<Effect> {
    let page = app.pages[app.focus_index()].max(1) as isize;
    if matches!(
        action,
        Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom
            | Action::FocusNext
    ) {
        app.legs_skipped = 0;
    }
    match action {
        Action::Down => app.board.move_selection(app.focus, 1),
        Action::Up => app.board.move_selection(app.focus, -1),
        Action::PageDown => app.board.move_selection(app.focus, page),
        Action::PageUp => app.board.move_selection(app.focus, -page),
        Action::Top => app.board.select_index(app.focus, 0),
        Action::Bottom => app.board.select_index(app.focus, usize::MAX),
        Action::FocusNext => {
            app.focus = match app.focus {
                List::Live => List::Ended,
                List::Ended => List::Live,
            }
        }
        Action::SortNext | Action::SortPrev | Action::SortInvert => return sort(app, action, now),
        Action::ToggleScope | Action::AccountScope | Action::ExtensionScope => {
            return scope::switch(app, action).into_iter().collect();
        }
        Action::Favourite => {
            return match code {
                KeyCode::Char(digit) => scope::favourite(app, digit).into_iter().collect(),
                _ => Vec::new(),
            };
        }
        Action::AddFavourite => return scope::add_favourite(app),
        Action::Refresh => {
            app.refresh_asked = true;
            return vec![Effect::Feed(FeedCommand::Refresh)];
        }
        Action::Filter => app.prompt = Some(app.board.filter().to_owned()),
        Action::Help => {
            app.help = !app.help;
            app.help_scroll.top = 0;
        }
        Action::Back => app.board.set_filter(""),
        Action::Quit => app.quit = true,
        Action::Privacy => {
            app.privacy = !app.privacy;
            app.board.set_masked(app.privacy);
        }
        Action::Conversations => conversations(app),
        Action::Pause => return pause(app, now),
        Action::CopyId | Action::CopyRecord => return copy(app, action == Action::CopyRecord, now),
        Action::Picker | Action::Command => {
            if scope::may_watch_others(app) {
                app.picker = Some(Picker::new(action == Action::Command));
            }
        }
        Action::Columns => app.chooser = Some(ColumnChooser::new(&app.columns)),
        Action::OpenCall => {
            if app.board.selected(app.focus).is_some() {
                app.call_view = Some(HelpScroll::default());
            } else {
                app.say("no call selected to open");
            }
        }
        Action::LegsDown | Action::LegsUp => scroll_legs(app, action == Action::LegsDown),
        Action::Zoom => app.zoom = !app.zoom,
        Action::Thresholds => app.thresholds = Some(ThresholdEditor::new(app.alerts, app.prefs.bell)),
        Action::ToggleTheme => {
            app.set_theme(match app.prefs.theme {
                ThemeName::Color => ThemeName::Mono,
                ThemeName::Mono => ThemeName::Color,
            });
            if !app.color_allowed {
                app.say("colour is off (NO_COLOR or --no-color); the choice is saved");
            }
            return save_prefs(app);
        }
        // The prompt, the picker and the chooser act on these while open.
        Action::FilterKeep
        | Action::FilterClear
        | Action::FilterErase
        | Action::Choose
        | Action::Cancel
        | Action::ToggleColumn
        | Action::ColumnLeft
        | Action::ColumnRight
        | Action::More
        | Action::Less
        | Action::ToggleBell
        | Action::Save => {}
    }
    Vec::new()
}

/// Scrolls the leg pane one leg down or up, keeping the last leg in reach.
fn scroll_legs(app: &mut App, down: bool) {
    let legs = app.board.selected(app.focus).map_or(0, |c| c.record().legs.len());
    app.legs_skipped = if down {
        (app.legs_skipped + 1).min(legs.saturating_sub(1))
    } else {
        app.legs_skipped.saturating_sub(1)
    };
}

/// Sorts by the next or previous column, or flips the direction; the order is saved.
fn sort(app: &mut App, action: Action, now: Timestamp) -> Vec<Effect> {
    let sort = app.board.sort();
    let sort = match action {
        Action::SortNext => sort.step(1),
        Action::SortPrev => sort.step(-1),
        _ => sort.inverted(),
    };
    app.board.set_sort(sort, now);
    app.prefs.sort = sort;
    save_prefs(app)
}

/// Joins the records of one call into conversations (account scope only), or shows each record.
fn conversations(app: &mut App) {
    let grouped = !app.board.grouped();
    if grouped && !app.current_scope().is_some_and(|s| s.is_account()) {
        app.say("conversations join the records of one call in account scope; switch with a first");
    } else {
        app.board.set_grouped(grouped);
    }
}

/// Freezes the screen, or unfreezes it and applies the newest state held back.
fn pause(app: &mut App, now: Timestamp) -> Vec<Effect> {
    match app.paused.take() {
        None => {
            app.paused = Some(Paused::at(now));
            Vec::new()
        }
        Some(Paused {
            latest: Some(state), ..
        }) => app.apply(state, now),
        Some(_) => Vec::new(),
    }
}

/// Copies the selected call's telephonySessionId, or its whole record as JSON, masked while privacy mode
/// is on.
fn copy(app: &mut App, record: bool, now: Timestamp) -> Vec<Effect> {
    let mut effects = Vec::new();
    let text = match app.board.selected(app.focus) {
        None => "no call selected to copy".to_owned(),
        Some(call) => {
            let mut copied = call.record().clone();
            if app.privacy {
                mask_record(&mut copied);
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
            match app.osc52 {
                Some(Clipboard::Reachable(wrap)) => {
                    effects.push(Effect::Copy(clipboard::osc52(&value, wrap)));
                    format!("copied {what} to the clipboard (OSC 52)")
                }
                Some(Clipboard::Blocked(why)) => format!("not copied: {why}; {what}"),
                None => format!("not copied: the clipboard is off (--no-osc52); {what}"),
            }
        }
    };
    app.message = Some((text, now.checked_add(MESSAGE_FOR).unwrap_or(now)));
    effects
}
