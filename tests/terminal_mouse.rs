//! The mouse is opt-in: without `--mouse` the board never asks the terminal to report it (so text
//! selection keeps working, over SSH too); with it a click reaches the board, and capture ends when it
//! quits.
use crate::support::pty::Pty;

use std::time::Duration;

use vt100::MouseProtocolMode;

fn mouse_mode(pty: &Pty) -> MouseProtocolMode {
    pty.parser.lock().unwrap().screen().mouse_protocol_mode()
}

#[test]
fn mouse_capture_is_off_by_default_and_on_with_the_flag() {
    let long = Duration::from_secs(30);
    let mut plain = Pty::spawn(&["--demo"]);
    plain.wait_for("the board", long, |s| s.contains("DEMO") && s.contains("Call LI"));
    assert_eq!(
        mouse_mode(&plain),
        MouseProtocolMode::None,
        "no \\x1b[?1000h without --mouse"
    );
    plain.quit("the board without --mouse");

    let mut pty = Pty::spawn(&["--demo", "--mouse"]);
    // Push live (the status line settled) and a call in the ended list.
    let board = pty.wait_for("the board", long, |s| {
        s.contains("LIVE") && s.contains("Call LI") && !s.contains("Recently ended 0")
    });
    assert_ne!(
        mouse_mode(&pty),
        MouseProtocolMode::None,
        "--mouse captures the mouse"
    );
    // A left click (SGR encoding, 1-based) on the ended list's first row focuses that list.
    let (title_row, title) = board
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Recently ended"))
        .unwrap();
    let column = title[..title.find("Recently ended").unwrap()].chars().count() + 2;
    let row = title_row + 2;
    pty.send(&format!("\x1b[<0;{column};{row}M\x1b[<0;{column};{row}m"));
    pty.wait_for("the click to focus the ended list", long, |s| {
        s.contains("▸ Recently ended")
    });
    pty.quit("the board with --mouse");
    assert_eq!(mouse_mode(&pty), MouseProtocolMode::None, "capture ends on quit");
}
