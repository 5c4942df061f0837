//! The real binary in a pseudo-terminal, read back through a VT100 parser: spawn, type, wait for a screen,
//! signal, and check the terminal was handed back intact.
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portable_pty::{CommandBuilder, ExitStatus, PtySize, native_pty_system};

use super::wait::poll;

/// The terminal's size: columns and rows.
pub const COLS: u16 = 120;
/// See [`COLS`].
pub const ROWS: u16 = 40;

/// The binary running in a PTY, with a parser fed by a reader thread.
pub struct Pty {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Set once the reader thread has read the last byte the terminal will ever get.
    drained: Arc<AtomicBool>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    _state: tempfile::TempDir,
}

impl Pty {
    /// Runs callboard with `args` in a fresh home directory.
    pub fn spawn(args: &[&str]) -> Pty {
        Pty::spawn_with_env(args, &[])
    }

    /// [`Pty::spawn`] with extra environment variables.
    pub fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> Pty {
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
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn callboard");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let feed = Arc::clone(&parser);
        let drained = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&drained);
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
            done.store(true, Ordering::Release);
        });
        Pty {
            parser,
            drained,
            writer,
            child,
            _state: state,
        }
    }

    /// The screen's text as the terminal shows it.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Types `keys`.
    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until `pred` holds on the screen text, or fails with the screen.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        poll(timeout, || Some(self.screen()).filter(|screen| pred(screen)))
            .unwrap_or_else(|| panic!("timed out waiting for {what}; screen was:\n{}", self.screen()))
    }

    /// The fresh home directory: config, cache and state (logs) live under it.
    pub fn home(&self) -> &std::path::Path {
        self._state.path()
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    /// Waits for the child to exit, or fails.
    pub fn wait_exit(&mut self, what: &str, timeout: Duration) -> ExitStatus {
        let status = poll(timeout, || self.child.try_wait().unwrap());
        assert!(status.is_some(), "callboard did not exit on {what}");
        // The reader thread may still hold the last bytes: the screen is whole only once it is drained.
        poll(Duration::from_secs(2), || {
            self.drained.load(Ordering::Acquire).then_some(())
        });
        status.unwrap()
    }

    /// Presses `q` and asserts the board exits with success and the terminal restored; `what` names the
    /// run in failures.
    pub fn quit(&mut self, what: &str) {
        self.send("q");
        let status = self.wait_exit(what, Duration::from_secs(10));
        assert!(status.success(), "{what}: exit status {status:?}");
        self.assert_restored(what);
    }

    /// Asserts the terminal is back to normal: main screen, cursor shown. Call it once
    /// [`Pty::wait_exit`] has seen the child exit (and the last bytes drained).
    pub fn assert_restored(&self, what: &str) {
        let parser = self.parser.lock().unwrap();
        assert!(
            !parser.screen().alternate_screen(),
            "{what}: left the alternate screen"
        );
        assert!(!parser.screen().hide_cursor(), "{what}: cursor shown again");
    }
}
