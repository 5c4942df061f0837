//! A panic in a background task (here the poller, made to panic by a debug-build switch) ends the board
//! with a message, and the terminal is handed back intact: main screen, cursor shown, no half-drawn frame.
use crate::support::pty::Pty;

use std::time::Duration;

#[test]
fn a_panicking_poller_ends_the_board_with_a_message_and_the_terminal_restored() {
    let mut pty = Pty::spawn_with_env(
        &["--demo"],
        &[("CALLBOARD_DEBUG_PANIC", "poller"), ("RUST_BACKTRACE", "0")],
    );
    let status = pty.wait_exit("the poller's panic", Duration::from_secs(30));
    assert!(!status.success(), "a dead poller is a failure: {status:?}");
    pty.assert_restored("poller panic");
    let screen = pty.screen();
    assert!(
        screen.contains("panics on purpose"),
        "the panic is reported:\n{screen}"
    );
    assert!(
        screen.contains("callboard: "),
        "callboard says it stopped:\n{screen}"
    );
}
