//! End to end: the real binary in a pseudo-terminal against `--demo`, read back through a VT100 parser.
use crate::support::pty::Pty;

use std::time::Duration;

/// The id in the leg pane's title ("Call <id>"), i.e. the selected call.
fn selected_id(screen: &str) -> Option<String> {
    let at = screen.find("Call LI")? + "Call ".len();
    Some(screen[at..].split_whitespace().next()?.to_owned())
}

/// The leg pane's first line: state and ticking duration of the selected call.
fn selected_duration(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("started "))?;
    line.split_whitespace()
        .find(|w| w.len() >= 5 && w.contains(':'))
        .map(str::to_owned)
}

#[test]
fn the_demo_board_runs_ticks_selects_switches_scope_and_quits_cleanly() {
    let mut pty = Pty::spawn(&["--demo"]);
    let long = Duration::from_secs(30);

    let screen = pty.wait_for("calls on the demo board", long, |s| {
        s.contains("DEMO") && s.contains("account") && selected_id(s).is_some()
    });
    let first = selected_id(&screen).unwrap();
    let started = selected_duration(&screen).expect("selected call has a duration");

    pty.wait_for(
        "the selected call's duration to tick",
        Duration::from_secs(5),
        |s| selected_id(s).as_ref() == Some(&first) && selected_duration(s).is_some_and(|d| d != started),
    );

    pty.send("j");
    pty.wait_for(
        "the leg pane to follow the selection",
        Duration::from_secs(5),
        |s| selected_id(s).is_some_and(|id| id != first),
    );

    pty.send("s");
    pty.wait_for("extension scope in the status bar", long, |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("extension") && !l.contains("account"))
    });

    pty.quit("q");
}

#[test]
fn a_dumb_terminal_gets_the_plain_table_and_the_reason() {
    let mut pty = Pty::spawn_with_env(&["--demo"], &[("TERM", "dumb")]);
    let status = pty.wait_exit("the table to be printed", Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    pty.assert_restored("TERM=dumb");
    let screen = pty.screen();
    assert!(screen.contains("TERM=dumb cannot draw"), "the reason:\n{screen}");
    let rows = screen.lines().filter(|l| l.contains(" LI")).count();
    assert!(
        rows >= 3,
        "the plain table's rows, each ending in its call id:\n{screen}"
    );
    assert!(!screen.contains("DEMO"), "not the board's header:\n{screen}");
}

#[test]
fn the_board_also_runs_on_ratatuis_stock_backend() {
    let mut pty = Pty::spawn_with_env(&["--demo"], &[("CALLBOARD_BACKEND", "crossterm")]);
    pty.wait_for("the board", Duration::from_secs(30), |s| {
        s.contains("DEMO") && selected_id(s).is_some()
    });
    pty.quit("the stock backend");
}

#[test]
fn an_unknown_backend_is_named_before_anything_is_drawn() {
    let mut pty = Pty::spawn_with_env(&["--demo"], &[("CALLBOARD_BACKEND", "curses")]);
    let status = pty.wait_exit("the refusal", Duration::from_secs(30));
    assert!(!status.success());
    let screen = pty.screen();
    assert!(
        screen.contains("CALLBOARD_BACKEND=curses is not known"),
        "{screen}"
    );
}
