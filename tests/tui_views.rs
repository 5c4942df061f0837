//! The full-screen call view (`Enter`), the leg pane's scrolling (`J`/`K`), zoom (`z`), the alert
//! thresholds editor (`t`) and the opt-in mouse, driven by keys and mouse events with no terminal.
use crate::support::app::{app, app_with, options};
use crate::support::board::now;
use crate::support::screen::screen;

use std::path::PathBuf;

use callboard::board::List;
use callboard::tui::{App, Effect};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.key(KeyEvent::new(code, KeyModifiers::NONE), now())
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn selected(app: &App) -> String {
    app.board().selected(app.focus()).unwrap().id().to_owned()
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) -> bool {
    app.mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn enter_opens_the_call_full_screen_with_every_leg_and_esc_goes_back() {
    let (mut app, _) = app();
    key(&mut app, KeyCode::Enter);
    assert!(app.call_view_shown());
    let big = screen(&mut app, 120, 40);
    insta::assert_snapshot!("call_view_120x40", big);
    assert!(
        big.contains("Legs (2)") && big.contains(" 2.   PstnToSip"),
        "{big}"
    );
    let small = screen(&mut app, 80, 24);
    insta::assert_snapshot!("call_view_80x24", small);
    let top = screen(&mut app, 60, 15);
    press(&mut app, "G");
    let end = screen(&mut app, 60, 15);
    let (shown, of) = end.rsplit_once(" of ").unwrap();
    let last = shown.rsplit('–').next().unwrap();
    assert!(
        !end.contains("lines 1–"),
        "G scrolls where it does not all fit:
{end}"
    );
    assert_eq!(
        last,
        of.trim(),
        "G shows the last line:
{end}"
    );
    press(&mut app, "g");
    assert_eq!(screen(&mut app, 60, 15), top, "g scrolls back to the top");
    let shown = selected(&app);
    press(&mut app, "j");
    assert_eq!(selected(&app), shown, "j scrolls the view, not the list");
    key(&mut app, KeyCode::Esc);
    assert!(!app.call_view_shown());
    assert!(screen(&mut app, 80, 24).contains("Recently ended"));
}

#[test]
fn the_leg_pane_scrolls_when_it_cannot_show_every_leg() {
    let (mut app, _) = app();
    let before = screen(&mut app, 80, 19);
    assert!(before.contains("1 more leg(s): J scrolls"), "{before}");
    assert!(!before.contains(" 2.   PstnToSip"), "{before}");
    press(&mut app, "J");
    let after = screen(&mut app, 80, 19);
    assert!(after.contains("↑ from leg 2 of 2 (K)"), "{after}");
    assert!(after.contains(" 2.   PstnToSip"), "{after}");
    press(&mut app, "JJJ");
    assert_eq!(screen(&mut app, 80, 19), after, "stops at the last leg");
    press(&mut app, "K");
    assert_eq!(screen(&mut app, 80, 19), before);
}

#[test]
fn z_gives_the_focused_list_the_whole_height() {
    let (mut app, _) = app();
    press(&mut app, "z");
    insta::assert_snapshot!("zoomed_120x40", screen(&mut app, 120, 40));
    let zoomed = screen(&mut app, 80, 24);
    insta::assert_snapshot!("zoomed_80x24", zoomed);
    assert!(
        !zoomed.contains("Recently ended") && !zoomed.contains("Call LI"),
        "{zoomed}"
    );
    key(&mut app, KeyCode::Tab);
    let ended = screen(&mut app, 80, 24);
    assert!(
        ended.contains("Recently ended") && !ended.contains("Live calls"),
        "{ended}"
    );
    press(&mut app, "z");
    let back = screen(&mut app, 80, 24);
    assert!(
        back.contains("Recently ended") && back.contains("Live calls"),
        "{back}"
    );
}

#[test]
fn thresholds_are_edited_from_the_board_and_saved_to_prefs() {
    let path = PathBuf::from("/nonexistent/prefs.toml");
    let mut opts = options(true);
    opts.prefs_path = Some(path.clone());
    let (mut app, _) = app_with(&opts);
    press(&mut app, "t");
    insta::assert_snapshot!("thresholds_120x40", screen(&mut app, 120, 40));
    insta::assert_snapshot!("thresholds_80x24", screen(&mut app, 80, 24));
    // Ringing warn up one step (5 s), then to the bell row and on.
    key(&mut app, KeyCode::Right);
    press(&mut app, "kl");
    assert!(screen(&mut app, 80, 24).contains("new critical        on"));
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::SavePrefs { prefs, path: to }) = effects.first() else {
        panic!("Enter saves: {effects:?}");
    };
    assert_eq!(to, &path);
    assert_eq!(prefs.alerts.ringing.warn_secs, 25);
    assert!(prefs.bell);
    assert_eq!(app.alerts().ringing.warn_secs, 25, "in use at once");

    press(&mut app, "t");
    key(&mut app, KeyCode::Right);
    assert!(key(&mut app, KeyCode::Esc).is_empty(), "Esc closes unsaved");
    assert_eq!(app.alerts().ringing.warn_secs, 25);
}

#[test]
fn a_click_selects_a_row_and_focuses_its_list_and_the_wheel_moves() {
    let (mut app, _) = app();
    let board = screen(&mut app, 80, 24);
    let rows: Vec<&str> = board.lines().skip(1).collect();
    let row = rows.iter().position(|l| l.contains("Acme Logistics")).unwrap() as u16;
    let first = selected(&app);
    assert!(mouse(&mut app, MouseEventKind::Down(MouseButton::Left), 30, row));
    let picked = selected(&app);
    assert_ne!(picked, first, "the click moved the selection");
    let after = screen(&mut app, 80, 24);
    assert!(after.contains(&format!("Call {picked}")), "{after}");
    let pane = after.split(&format!("Call {picked}")).nth(1).unwrap();
    assert!(
        pane.contains("Acme Logistics"),
        "the clicked row's call:\n{after}"
    );
    assert!(mouse(&mut app, MouseEventKind::ScrollDown, 30, row));
    assert_ne!(selected(&app), picked, "the wheel moves the selection");
    assert!(mouse(&mut app, MouseEventKind::ScrollUp, 30, row));
    assert_eq!(selected(&app), picked);

    let ended = rows.iter().position(|l| l.starts_with("✗ Missed")).unwrap() as u16;
    assert!(mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        10,
        ended
    ));
    assert_eq!(app.focus(), List::Ended);
    assert!(app.board().selected(List::Ended).is_some());
    assert!(
        !mouse(&mut app, MouseEventKind::Down(MouseButton::Left), 10, 0),
        "the header selects nothing"
    );
}
