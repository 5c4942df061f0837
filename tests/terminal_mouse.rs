//! The mouse is opt-in: without `--mouse` the board never asks the terminal to report it (so text
//! selection keeps working, over SSH too); with it the terminal reports the mouse until the board quits.
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
    pty.wait_for("the board", long, |s| s.contains("DEMO") && s.contains("Call LI"));
    assert_ne!(
        mouse_mode(&pty),
        MouseProtocolMode::None,
        "--mouse captures the mouse"
    );
    pty.quit("the board with --mouse");
    assert_eq!(mouse_mode(&pty), MouseProtocolMode::None, "capture ends on quit");
}
