//! OSC 52 copying: the exact bytes for a known id, plain and inside tmux, and what `y`/`Y` do on the
//! board (with the clipboard on and off).
mod tui_common;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use callboard::tui::clipboard::{Wrap, osc52};
use callboard::tui::{App, Effect, UiOptions};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_common::{now, options, polls, snapshot};

const ID: &str = "s-8f8125f1aeb944f486531c351a2f520e";
const B64: &str = "cy04ZjgxMjVmMWFlYjk0NGY0ODY1MzFjMzUxYTJmNTIwZQ==";

#[test]
fn osc52_bytes_for_a_known_id() {
    assert_eq!(STANDARD.encode(ID), B64);
    assert_eq!(
        osc52(ID, Wrap::Plain),
        format!("\x1b]52;c;{B64}\x07").into_bytes()
    );
    assert_eq!(
        osc52(ID, Wrap::Tmux),
        format!("\x1bPtmux;\x1b\x1b]52;c;{B64}\x07\x1b\\").into_bytes()
    );
}

fn board_app(opts: &UiOptions) -> App {
    let mut app = App::new(opts);
    for (i, (at, calls)) in polls().into_iter().enumerate() {
        app.apply(Arc::new(snapshot(i as u64 + 1, calls, at)), at);
    }
    app
}

/// Presses a key; the OSC 52 bytes it asks the run loop to write.
fn press(app: &mut App, c: char) -> Vec<Vec<u8>> {
    let effects = app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), now());
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Copy(bytes) => Some(bytes),
            _ => None,
        })
        .collect()
}

/// The text inside the OSC 52 sequence, whatever the wrapping.
fn payload(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let start = text.find("]52;c;").unwrap() + 6;
    let end = start + text[start..].find('\x07').unwrap();
    String::from_utf8(STANDARD.decode(&text[start..end]).unwrap()).unwrap()
}

#[test]
fn y_copies_the_session_id_and_shift_y_the_record() {
    let mut app = board_app(&options(false));
    let call = app.board().selected(app.focus()).unwrap().clone();
    let session = call
        .record()
        .fields
        .telephony_session_id
        .as_deref()
        .unwrap()
        .to_owned();

    let copies = press(&mut app, 'y');
    assert_eq!(payload(&copies[0]), session);
    assert_eq!(copies.len(), 1, "written once");
    let message = app.message(now()).unwrap().to_owned();
    assert!(
        message.contains("copied telephonySessionId") && message.contains(&session),
        "{message}"
    );
    let later = now().checked_add(jiff::SignedDuration::from_secs(10)).unwrap();
    assert_eq!(app.message(later), None, "the message goes after a few seconds");

    let copies = press(&mut app, 'Y');
    let json: serde_json::Value = serde_json::from_str(&payload(&copies[0])).unwrap();
    assert_eq!(json["id"], call.id());
    assert_eq!(json["telephonySessionId"], session.as_str());
    assert!(json["legs"].is_array());
}

/// The top screen line after drawing at 160 columns.
/// The first (status) and last (footer) lines of the screen.
fn edge_lines(app: &mut App) -> (String, String) {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 30)).unwrap();
    terminal.draw(|f| callboard::tui::draw(f, app, now())).unwrap();
    let cells = &terminal.backend().buffer().content;
    let line = |cells: &[ratatui::buffer::Cell]| cells.iter().map(|c| c.symbol()).collect::<String>();
    (line(&cells[..160]), line(&cells[cells.len() - 160..]))
}

#[test]
fn the_confirmation_shows_on_the_bottom_line_and_replays_are_marked() {
    let mut app = board_app(&options(false));
    press(&mut app, 'y');
    assert!(edge_lines(&mut app).1.contains("copied telephonySessionId"));
    let mut replay = board_app(&UiOptions {
        replay: true,
        ..options(false)
    });
    assert!(edge_lines(&mut replay).0.contains(" REPLAY "));
}

#[test]
fn with_osc52_off_nothing_is_written_and_the_message_says_so() {
    let mut app = board_app(&UiOptions {
        osc52: false,
        ..options(false)
    });
    assert!(press(&mut app, 'y').is_empty());
    assert!(app.message(now()).unwrap().contains("--no-osc52"));
}

#[test]
fn the_help_lists_the_copy_keys() {
    let help: Vec<_> = callboard::tui::keymap::KEYMAP.iter().map(|b| b.help).collect();
    assert!(help.contains(&"copy telephonySessionId") && help.contains(&"copy call record as JSON"));
}
