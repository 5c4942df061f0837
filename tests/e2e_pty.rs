//! End to end: the real binary in a pseudo-terminal against `--demo`, read back through a VT100 parser.
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const COLS: u16 = 120;
const ROWS: u16 = 40;

/// The binary running in a PTY, with a parser fed by a reader thread.
struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _state: tempfile::TempDir,
}

impl Pty {
    fn spawn(args: &[&str]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open pty");
        let state = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_callboard"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", state.path());
        cmd.env("XDG_CONFIG_HOME", state.path().join("config"));
        cmd.env("XDG_CACHE_HOME", state.path().join("cache"));
        cmd.env("XDG_STATE_HOME", state.path().join("state"));
        cmd.cwd(state.path());
        let child = pair.slave.spawn_command(cmd).expect("spawn callboard");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let feed = Arc::clone(&parser);
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        Pty {
            parser,
            writer,
            child,
            _state: state,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until `pred` holds on the screen text, or fails with the screen.
    fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

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

    pty.send("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = pty.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "callboard did not exit on q");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    std::thread::sleep(Duration::from_millis(200));
    let parser = pty.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen(), "left the alternate screen");
    assert!(!parser.screen().hide_cursor(), "cursor shown again");
}
