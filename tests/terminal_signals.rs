//! The terminal is handed back intact however the board ends: `q`, Ctrl-C, SIGTERM, or SIGHUP (the SSH
//! session dropped). The real binary runs in a PTY against `--demo`.
use crate::support::pty::Pty;

use std::time::Duration;

/// Starts the demo board and waits until it shows calls.
fn running_board() -> Pty {
    let pty = Pty::spawn(&["--demo"]);
    pty.wait_for("the demo board", Duration::from_secs(30), |s| {
        s.contains("DEMO") && s.contains("live")
    });
    pty
}

fn signal(pty: &Pty, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pty.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name}");
}

#[test]
fn sigterm_and_sighup_end_the_board_and_restore_the_terminal() {
    for name in ["TERM", "HUP"] {
        let mut pty = running_board();
        signal(&pty, name);
        let status = pty.wait_exit(&format!("SIG{name}"), Duration::from_secs(10));
        assert!(status.success(), "SIG{name}: exit status {status:?}");
        pty.assert_restored(&format!("SIG{name}"));
    }
}

#[test]
fn ctrl_c_ends_the_board_and_restores_the_terminal() {
    let mut pty = running_board();
    pty.send("\u{3}");
    let status = pty.wait_exit("Ctrl-C", Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    pty.assert_restored("Ctrl-C");
}
