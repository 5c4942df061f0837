//! Watching any extension: the picker and `:ext`, favourites on 1–9 kept in prefs.toml, names from the
//! directory, and what a non-admin is told.
use crate::support::app::options;
use crate::support::board::{feed_state, live_records, now, party, polls};
use crate::support::screen::screen;

use std::sync::Arc;

use callboard::api::Scope;
use callboard::directory::{Directory, DirectoryEntry};
use callboard::feed::FeedCommand;
use callboard::prefs::{Prefs, ThemeName};
use callboard::tui::{App, Effect, UiOptions, draw};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::watch;

fn entry(id: &str, number: &str, name: &str, kind: &str) -> DirectoryEntry {
    DirectoryEntry {
        id: id.into(),
        number: Some(number.into()),
        name: Some(name.into()),
        kind: Some(kind.into()),
    }
}

fn directory() -> Directory {
    Directory::new(
        Some(now()),
        vec![
            entry("62264425016", "11115", "Tyler Liu", "User"),
            entry("62264425101", "101", "Ana Gómez", "User"),
            entry("62264425117", "117", "Kenji Sato", "User"),
            entry("62264425200", "200", "Support", "Department"),
        ],
    )
}

/// The test board with a directory, admin or not, saving preferences to `prefs_path`.
fn app_with(admin: bool, opts: impl FnOnce(&mut UiOptions)) -> App {
    let (_tx, rx) = watch::channel(Some(Arc::new(directory())));
    let mut o = options(true);
    o.directory = Some(rx);
    opts(&mut o);
    let mut app = App::new(&o);
    for (i, (at, calls)) in polls().into_iter().enumerate() {
        let mut s = feed_state(i as u64 + 1, calls, at);
        s.user.as_mut().unwrap().admin = admin;
        app.apply(Arc::new(s), at);
    }
    app
}

/// Presses a key and carries out its effects as the run loop does: saves the preferences, returns the
/// command for the feed.
fn key(app: &mut App, code: KeyCode) -> Option<FeedCommand> {
    let mut command = None;
    for effect in app.key(KeyEvent::new(code, KeyModifiers::NONE), now()) {
        match effect {
            Effect::Feed(c) => command = Some(c),
            Effect::SavePrefs { prefs, path } => prefs.save(&path).unwrap(),
            Effect::Copy(_) | Effect::Bell => {}
        }
    }
    command
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn watch(id: &str) -> Option<FeedCommand> {
    Some(FeedCommand::SetScope(Scope::Extension(id.into())))
}

#[test]
fn the_picker_searches_by_name_or_number() {
    let mut app = app_with(true, |_| {});
    key(&mut app, KeyCode::Char('x'));
    assert!(app.picker().is_some());
    insta::assert_snapshot!("picker_open_120x40", screen(&mut app, 120, 40));
    type_text(&mut app, "kenji");
    insta::assert_snapshot!("picker_search_80x24", screen(&mut app, 80, 24));
    assert_eq!(key(&mut app, KeyCode::Enter), watch("62264425117"));
    assert!(app.picker().is_none());

    key(&mut app, KeyCode::Char('x'));
    type_text(&mut app, "1");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    // Matches of "1": 11115, 101, 117 (Support 200 has no 1).
    assert_eq!(key(&mut app, KeyCode::Enter), watch("62264425117"));

    key(&mut app, KeyCode::Char('x'));
    type_text(&mut app, "zzz");
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.picker().unwrap().query, "zz");
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    assert!(app.message(now()).unwrap().contains("no extension matches"));
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(key(&mut app, KeyCode::Esc), None);
    assert!(app.picker().is_none());
}

#[test]
fn colon_commands_pick_extensions_and_the_account() {
    let mut app = app_with(true, |_| {});
    key(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "ext 101");
    assert_eq!(key(&mut app, KeyCode::Enter), watch("62264425101"));
    key(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "account");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        Some(FeedCommand::SetScope(Scope::Account))
    );
    key(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "frobnicate");
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    assert!(app.message(now()).unwrap().contains("unknown command"));
}

#[test]
fn a_non_admin_is_told_why_not() {
    let mut app = app_with(false, |_| {});
    assert_eq!(key(&mut app, KeyCode::Char('x')), None);
    assert!(app.picker().is_none());
    assert!(app.message(now()).unwrap().contains("only admins"));
    assert!(screen(&mut app, 120, 40).contains("only admins can watch other extensions"));
    assert_eq!(key(&mut app, KeyCode::Char('3')), None);
    // Account scope is refused at once, with the reason, and no request is asked of the feed.
    for account in ['a', '0'] {
        assert_eq!(key(&mut app, KeyCode::Char(account)), None, "{account}");
        let told = app.message(now()).unwrap();
        assert!(
            told.contains("needs an admin") && told.contains("ReadCompanyCallLog"),
            "{told}"
        );
    }
}

#[test]
fn favourites_persist_in_the_prefs_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("callboard/prefs.toml");
    let mut app = app_with(true, |o| o.prefs_path = Some(path.clone()));
    assert_eq!(key(&mut app, KeyCode::Char('1')), None, "no favourite yet");
    key(&mut app, KeyCode::Char('x'));
    type_text(&mut app, "ana");
    let cmd = key(&mut app, KeyCode::Enter);
    assert_eq!(cmd, watch("62264425101"));
    key(&mut app, KeyCode::Char('f'));
    assert!(
        app.message(now()).unwrap().contains("watch an extension first"),
        "own extension is not a favourite"
    );
    // The poller switches.
    let mut s = feed_state(9, live_records(), now());
    s.scope = Some(Scope::Extension("62264425101".into()));
    s.listing.scope = s.scope.clone();
    app.apply(Arc::new(s), now());
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.message(now()), Some("101 Ana Gómez is favourite 1"));
    // The status names the watched extension from the directory.
    assert!(screen(&mut app, 120, 40).contains("extension 101 (Ana Gómez)"));

    let prefs = Prefs::load(&path).unwrap();
    assert_eq!(prefs.favourites.len(), 1);
    assert_eq!(prefs.favourites[0].id, "62264425101");
    let mut again = app_with(true, |o| o.prefs = prefs);
    assert_eq!(key(&mut again, KeyCode::Char('1')), watch("62264425101"));
    assert_eq!(
        key(&mut again, KeyCode::Char('0')),
        Some(FeedCommand::SetScope(Scope::Account))
    );
}

#[test]
fn preferences_round_trip_through_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("prefs.toml");
    let mut prefs = Prefs {
        theme: ThemeName::Mono,
        bell: true,
        ..Prefs::default()
    };
    prefs.alerts.ringing.warn_secs = 10;
    prefs.sort.descending = false;
    prefs.save(&path).unwrap();
    assert_eq!(Prefs::load(&path).unwrap(), prefs);
    // Sorting from the board is saved.
    let mut app = app_with(true, |o| o.prefs_path = Some(path.clone()));
    key(&mut app, KeyCode::Char('>'));
    let saved = Prefs::load(&path).unwrap();
    assert_eq!(saved.sort, app.board().sort());
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().count() == 1,
        "no temporary file left"
    );
}

#[test]
fn unnamed_extension_parties_are_named_from_the_directory() {
    let mut app = app_with(true, |_| {});
    let mut records = live_records();
    let long = records.iter_mut().find(|r| r.id == "LIsynthLong05").unwrap();
    long.fields.to = Some(party(None, None, Some("117")));
    app.apply(Arc::new(feed_state(9, records, now())), now());
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Kenji Sato x117"), "{s}");
}

#[test]
fn the_column_chooser_hides_and_orders_columns_and_saves_them() {
    use callboard::board::Column;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("prefs.toml");
    let mut app = app_with(true, |o| o.prefs_path = Some(path.clone()));
    key(&mut app, KeyCode::Char('C'));
    insta::assert_snapshot!("columns_80x24", screen(&mut app, 80, 24));
    // Hide DIR (third row), then move TO two places up, past FROM and the hidden DIR.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('K'));
    key(&mut app, KeyCode::Char('K'));
    key(&mut app, KeyCode::Enter);
    let expected = [
        Column::State,
        Column::Duration,
        Column::To,
        Column::From,
        Column::Via,
        Column::Start,
    ];
    assert_eq!(Prefs::load(&path).unwrap().columns, expected);
    let header = screen(&mut app, 120, 40).lines().nth(5).unwrap().to_owned();
    assert!(header.starts_with("STATE      DUR ▼ TO"), "{header}");
    assert!(!header.contains("DIR"));
    // Another run starts with the saved columns.
    let mut again = app_with(true, |o| o.prefs = Prefs::load(&path).unwrap());
    assert_eq!(screen(&mut again, 120, 40).lines().nth(5).unwrap(), header);
}

#[test]
fn the_theme_toggles_to_monochrome_and_is_saved() {
    use ratatui::style::Color;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("prefs.toml");
    let mut app = app_with(true, |o| {
        o.no_color = false;
        o.prefs_path = Some(path.clone());
    });
    let coloured = |app: &mut App| {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| draw(f, app, now())).unwrap();
        let buffer = terminal.backend().buffer().clone();
        buffer
            .content
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    let env_allows = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    assert_eq!(coloured(&mut app), env_allows);
    key(&mut app, KeyCode::Char('T'));
    assert!(!coloured(&mut app));
    assert_eq!(Prefs::load(&path).unwrap().theme, ThemeName::Mono);
    key(&mut app, KeyCode::Char('T'));
    assert_eq!(Prefs::load(&path).unwrap().theme, ThemeName::Color);
}
