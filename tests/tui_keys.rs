//! Keys and feed states drive the app state as the keymap says, with no terminal involved.
use crate::support::app::app;
use crate::support::board::{feed_state, now};
use crate::support::captures::capture;

use std::sync::Arc;

use callboard::api::Scope;
use callboard::board::{Column, List};
use callboard::feed::{Change, Delta, FeedCommand};
use callboard::tui::{App, Effect};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) -> Option<FeedCommand> {
    command(app.key(KeyEvent::new(code, KeyModifiers::NONE), now()))
}

/// The command for the feed among a key's effects.
fn command(effects: Vec<Effect>) -> Option<FeedCommand> {
    effects.into_iter().find_map(|e| match e {
        Effect::Feed(c) => Some(c),
        _ => None,
    })
}

fn ch(app: &mut App, c: char) -> Option<FeedCommand> {
    key(app, KeyCode::Char(c))
}

fn ctrl(app: &mut App, c: char) -> Option<FeedCommand> {
    command(app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL), now()))
}

fn selected(app: &App) -> String {
    app.board().selected(app.focus()).unwrap().id().to_owned()
}

#[test]
fn scope_keys_send_set_scope() {
    let (mut app, last) = app();
    assert_eq!(ch(&mut app, 's'), Some(FeedCommand::SetScope(Scope::Account)));
    let mut on_account = last.clone();
    on_account.seq += 1;
    on_account.scope = Some(Scope::Account);
    app.apply(Arc::new(on_account), now());
    assert_eq!(
        ch(&mut app, 's'),
        Some(FeedCommand::SetScope(Scope::own_extension()))
    );
    assert_eq!(ch(&mut app, 'a'), Some(FeedCommand::SetScope(Scope::Account)));
    assert_eq!(
        ch(&mut app, 'e'),
        Some(FeedCommand::SetScope(Scope::own_extension()))
    );
}

#[test]
fn refresh_keys_send_refresh_now() {
    let (mut app, _) = app();
    assert_eq!(ch(&mut app, 'R'), Some(FeedCommand::Refresh));
    assert_eq!(ctrl(&mut app, 'r'), Some(FeedCommand::Refresh));
    assert_eq!(key(&mut app, KeyCode::F(5)), Some(FeedCommand::Refresh));
}

#[test]
fn quit_keys() {
    for quit in [
        KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE),
    ] {
        let (mut app, _) = app();
        app.key(quit, now());
        assert!(app.should_quit());
    }
}

#[test]
fn filter_prompt_is_incremental() {
    let (mut app, _) = app();
    ch(&mut app, '/');
    assert_eq!(app.prompt(), Some(""));
    for c in "tyler".chars() {
        ch(&mut app, c);
    }
    assert_eq!(app.board().filter(), "tyler");
    // `q` is typed, not quit, inside the prompt.
    ch(&mut app, 'q');
    assert!(!app.should_quit());
    assert_eq!(app.board().len(List::Live), 0);
    key(&mut app, KeyCode::Backspace);
    let matching = app.board().len(List::Live);
    assert!(matching > 0 && matching < app.board().counts().live);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.prompt(), None);
    assert_eq!(app.board().filter(), "tyler");
    // Reopening edits the kept filter; Esc clears it.
    ch(&mut app, '/');
    assert_eq!(app.prompt(), Some("tyler"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.board().filter(), "");
    assert_eq!(app.board().len(List::Live), app.board().counts().live);
}

#[test]
fn escape_on_the_board_clears_a_kept_filter() {
    let (mut app, _) = app();
    ch(&mut app, '/');
    ch(&mut app, 'x');
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.board().filter(), "");
}

#[test]
fn help_opens_and_any_key_closes_it_q_included() {
    let (mut app, _) = app();
    ch(&mut app, '?');
    assert!(app.help_shown());
    let before = selected(&app);
    ch(&mut app, 'j');
    assert!(!app.help_shown());
    assert_eq!(selected(&app), before, "the closing key does nothing else");
    ch(&mut app, '?');
    ch(&mut app, 'x');
    assert!(!app.help_shown(), "an unbound key closes it too");
    key(&mut app, KeyCode::F(1));
    assert!(app.help_shown());
    ch(&mut app, 'q');
    assert!(!app.help_shown(), "q closes help, as in htop and k9s");
    assert!(!app.should_quit(), "and only closes help");
    ch(&mut app, '?');
    key(&mut app, KeyCode::Esc);
    assert!(!app.help_shown() && !app.should_quit(), "Esc closes help");
    ch(&mut app, '?');
    ctrl(&mut app, 'c');
    assert!(app.should_quit(), "Ctrl-C quits from help");
}

#[test]
fn navigation_moves_the_selection_in_the_focused_list() {
    let (mut app, _) = app();
    let ids: Vec<String> = app
        .board()
        .window(List::Live, 0, 100)
        .map(|c| c.id().to_owned())
        .collect();
    assert_eq!(selected(&app), ids[0]);
    ch(&mut app, 'j');
    assert_eq!(selected(&app), ids[1]);
    key(&mut app, KeyCode::Down);
    assert_eq!(selected(&app), ids[2]);
    ch(&mut app, 'k');
    assert_eq!(selected(&app), ids[1]);
    ch(&mut app, 'G');
    assert_eq!(selected(&app), *ids.last().unwrap());
    key(&mut app, KeyCode::Home);
    assert_eq!(selected(&app), ids[0]);
    key(&mut app, KeyCode::PageDown);
    assert_ne!(selected(&app), ids[0]);

    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus(), List::Ended);
    ch(&mut app, 'g');
    let newest = app
        .board()
        .window(List::Ended, 0, 1)
        .next()
        .unwrap()
        .id()
        .to_owned();
    assert_eq!(selected(&app), newest);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus(), List::Live);
}

#[test]
fn sort_keys_change_column_and_order_but_keep_the_selection() {
    let (mut app, _) = app();
    ch(&mut app, 'j');
    let chosen = selected(&app);
    assert_eq!(app.board().sort().column, Column::Duration);
    ch(&mut app, '>');
    assert_eq!(app.board().sort().column, Column::Direction);
    ch(&mut app, '<');
    ch(&mut app, '<');
    assert_eq!(app.board().sort().column, Column::State);
    let descending = app.board().sort().descending;
    ch(&mut app, 'r');
    assert_eq!(app.board().sort().descending, !descending);
    ch(&mut app, 'I');
    assert_eq!(app.board().sort().descending, descending);
    key(&mut app, KeyCode::F(6));
    assert_eq!(app.board().sort().column, Column::Duration);
    assert_eq!(selected(&app), chosen);
}

#[test]
fn from_and_to_sort_a_to_z_on_their_first_press() {
    let (mut app, _) = app();
    let from_names = |app: &App| -> Vec<String> {
        app.board()
            .window(List::Live, 0, 100)
            // A queue leg's caller is not on its record: it sorts as an empty FROM.
            .filter(|c| !c.is_queue_leg())
            .map(|c| callboard::board::party_label(c.record().fields.from.as_deref()).to_lowercase())
            .collect()
    };
    ch(&mut app, '>');
    ch(&mut app, '>');
    assert_eq!(app.board().sort().column, Column::From);
    assert!(!app.board().sort().descending, "FROM starts A→Z");
    let names = from_names(&app);
    assert!(names.is_sorted(), "{names:?}");
    ch(&mut app, 'o');
    assert_eq!(app.board().sort().column, Column::To);
    assert!(!app.board().sort().descending, "TO starts A→Z");
    ch(&mut app, 'r');
    assert!(app.board().sort().descending);
    ch(&mut app, '>');
    ch(&mut app, '>');
    assert_eq!(app.board().sort().column, Column::Start);
    assert!(app.board().sort().descending, "times start newest first");
}

#[test]
fn a_new_calls_scope_replaces_the_old_calls() {
    let (mut app, last) = app();
    assert!(app.board().counts().live > 0);
    let mut other = feed_state(last.listing.seq + 1, vec![capture("queue_1_ringing")], now());
    other.scope = Some(Scope::Account);
    other.listing.scope = Some(Scope::Account);
    app.apply(Arc::new(other), now());
    assert_eq!(app.board().counts().live, 1);
    assert_eq!(
        app.board().counts().ended,
        0,
        "ended calls of the old scope go too"
    );
}

#[test]
fn deltas_after_the_listing_reach_the_board_once_and_wait_while_paused() {
    let (mut app, last) = app();
    let live = app.board().counts().live;
    let mut record = capture("queue_1_ringing");
    record.id = "LIfromDelta".into();
    let mut next = last.clone();
    next.seq += 1;
    next.deltas = Arc::new([Delta {
        seq: last.listing.seq + 1,
        at: last.listing.taken_at.unwrap() + jiff::SignedDuration::from_secs(1),
        change: Change::Call(Arc::new(record)),
    }]);
    ch(&mut app, ' ');
    app.apply(Arc::new(next.clone()), now());
    assert_eq!(
        app.paused().map(|(_, waiting)| waiting),
        Some(1),
        "a delta is a new update"
    );
    assert_eq!(app.board().counts().live, live, "held back while paused");
    ch(&mut app, ' ');
    assert_eq!(app.board().counts().live, live + 1);
    next.seq += 1;
    app.apply(Arc::new(next), now());
    assert_eq!(app.board().counts().live, live + 1, "merged once");
    assert_eq!(
        app.board().seen(),
        last.listing.seq + 1,
        "the delta is the newest update merged"
    );
    assert!(app.board().get("LIfromDelta").is_some());
}

#[test]
fn a_state_without_a_new_listing_does_not_merge() {
    let (mut app, last) = app();
    let live = app.board().counts().live;
    let mut same_poll = last.clone();
    same_poll.seq += 1;
    same_poll.listing.calls = Arc::new([]);
    app.apply(Arc::new(same_poll), now());
    assert_eq!(app.board().counts().live, live);
}
