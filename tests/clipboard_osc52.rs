//! OSC 52 copying: the exact bytes for a known id, plain and inside tmux, and what `y`/`Y` do on the
//! board (with the clipboard on and off), and inside a real tmux whose options let a copy through or not.
use crate::support::app::{app_with, options};
use crate::support::board::now;
use crate::support::wait::poll;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use callboard::tui::clipboard::{Wrap, osc52};
use callboard::tui::{App, Effect, UiOptions};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    let mut app = app_with(&options(false)).0;
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
    let mut app = app_with(&options(false)).0;
    press(&mut app, 'y');
    assert!(edge_lines(&mut app).1.contains("copied telephonySessionId"));
    let mut replay = app_with(&UiOptions {
        replay: true,
        ..options(false)
    })
    .0;
    assert!(edge_lines(&mut replay).0.contains(" REPLAY "));
}

#[test]
fn with_osc52_off_nothing_is_written_and_the_message_says_so() {
    let mut app = app_with(&UiOptions {
        osc52: None,
        ..options(false)
    })
    .0;
    assert!(press(&mut app, 'y').is_empty());
    assert!(app.message(now()).unwrap().contains("--no-osc52"));
}

#[test]
fn the_help_lists_the_copy_keys() {
    let help: Vec<_> = callboard::tui::keymap::KEYMAP.iter().map(|b| b.help).collect();
    assert!(help.contains(&"copy telephonySessionId") && help.contains(&"copy call record as JSON"));
}

/// A private tmux server (its own socket and config) running the demo board; killed when dropped.
struct Tmux {
    dir: tempfile::TempDir,
}

impl Tmux {
    /// `None` when tmux is not installed.
    fn start(conf: &str) -> Option<Tmux> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tmux.conf"), conf).unwrap();
        let home = dir.path().display().to_string();
        let board = format!(
            "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_CACHE_HOME={home}/cache \
             XDG_STATE_HOME={home}/state {} --demo",
            env!("CARGO_BIN_EXE_callboard")
        );
        let tmux = Tmux { dir };
        let started = tmux
            .command(&["-f", &format!("{home}/tmux.conf"), "new-session", "-d"])
            .args(["-x", "120", "-y", "40", &board])
            .status()
            .ok()?;
        assert!(started.success(), "tmux new-session");
        Some(tmux)
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new("tmux");
        cmd.arg("-S").arg(self.dir.path().join("socket")).args(args);
        cmd
    }

    /// The first `look` finds on the screen after `y` was pressed. A keypress tmux delivers while the
    /// board starts its event loop can go unread, so `y` is pressed again, as a person would, every 0.4 s.
    fn answer_to_y<T>(&self, mut look: impl FnMut(&str) -> Option<T>) -> Option<T> {
        let mut looks = 0;
        poll(Duration::from_secs(8), || {
            looks += 1;
            if looks % 20 == 0 {
                self.command(&["send-keys", "y"]).status().unwrap();
            }
            look(&self.screen())
        })
    }

    /// The pane's text.
    fn screen(&self) -> String {
        self.output(&["capture-pane", "-p"])
    }

    /// What `tmux ARGS` prints.
    fn output(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command(&["kill-server"]).status();
    }
}

/// The demo board in a private tmux server configured by `conf`, after `y` was pressed on it; `None` when
/// tmux is not installed.
fn press_y_in_tmux(conf: &str) -> Option<Tmux> {
    let Some(tmux) = Tmux::start(conf) else {
        eprintln!("tmux is not installed: skipped");
        return None;
    };
    // A call selected (its pane titled `Call <id>`), not just the empty board before the first listing.
    poll(Duration::from_secs(10), || {
        tmux.screen().contains("  Call ").then_some(())
    })
    .unwrap_or_else(|| panic!("no board in tmux:\n{}", tmux.screen()));
    tmux.command(&["send-keys", "y"]).status().unwrap();
    Some(tmux)
}

#[test]
fn inside_tmux_with_set_clipboard_on_and_passthrough_off_y_really_copies() {
    let Some(tmux) = press_y_in_tmux("set -g set-clipboard on\nset -g allow-passthrough off\n") else {
        return;
    };
    let copied = tmux
        .answer_to_y(|screen| {
            let id = screen
                .split("copied telephonySessionId ")
                .nth(1)?
                .split(' ')
                .next()?;
            Some(id.to_owned())
        })
        .unwrap_or_else(|| panic!("no copy message:\n{}", tmux.screen()));
    // tmux keeps what OSC 52 set as its newest buffer (and forwards it to the outer terminal).
    let buffer = poll(Duration::from_secs(5), || {
        Some(tmux.output(&["show-buffer"])).filter(|b| !b.is_empty())
    });
    assert_eq!(buffer.as_deref(), Some(copied.as_str()));
}

#[test]
fn inside_tmux_that_passes_nothing_y_says_so_and_names_the_setting() {
    let Some(tmux) = press_y_in_tmux("set -g set-clipboard external\nset -g allow-passthrough off\n") else {
        return;
    };
    let refusal = "not copied: tmux lets no clipboard sequence through; add `set -g set-clipboard on`";
    tmux.answer_to_y(|screen| screen.contains(refusal).then_some(()))
        .unwrap_or_else(|| panic!("no refusal:\n{}", tmux.screen()));
    assert!(!tmux.screen().contains("copied telephonySessionId"));
}
