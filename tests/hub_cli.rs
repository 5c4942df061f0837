//! The binary's hub commands: `serve --check` prints the effective policy or names the bad line,
//! `once --hub` prints the calls of a `serve --demo` hub, `serve --metrics` answers scrapes, and a
//! `tail --hub` board shows calls again after it is killed and restarted, or after its hub is.
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::bin::callboard;
use crate::support::pty::Pty;

/// `serve --check` of `policy` (written to a file in `home`): the file's path and the output.
fn check(home: &Path, policy: &str) -> (std::path::PathBuf, std::process::Output) {
    let file = home.join("hub.toml");
    std::fs::write(&file, policy).unwrap();
    let out = callboard(home)
        .args(["serve", "--check", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    (file, out)
}

#[test]
fn serve_check_prints_the_effective_policy_or_names_the_line() {
    let home = tempfile::tempdir().unwrap();
    let (file, out) = check(
        home.path(),
        "[[viewer]]\ngroup = \"supervisors\"\naccount = true\n\n[[viewer]]\nname = \"sales wall\"\n\
         token_sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\nqueues = [\"Sales\", \"201\"]\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().skip(1).collect::<Vec<_>>(),
        [
            "1. group supervisors, line 1: the whole account",
            "2. a token (sales wall), line 5: only queues Sales, 201",
            "names (Sales) are looked up in the account's directory when the hub runs: one it does \
             not have matches no call (the hub's log says so)",
        ]
    );
    assert!(
        stdout.starts_with(&format!("{}: 2 viewer entries", file.display())),
        "{stdout}"
    );
    assert!(!stdout.contains("9f86"), "no hash shown");

    let (_, out) = check(
        home.path(),
        "[[viewer]]\nuser = \"bob\"\naccount = true\nextensoins = [\"101\"]\n",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("line 4") && stderr.contains("extensoins"),
        "{stderr}"
    );
}

#[test]
fn without_a_hub_toml_only_the_user_running_the_hub_may_attach() {
    let home = tempfile::tempdir().unwrap();
    let out = callboard(home.path())
        .args(["serve", "--check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::current())
        .unwrap()
        .unwrap()
        .name;
    assert!(stdout.contains("hub.toml, so only user"), "{stdout}");
    assert!(
        stdout.ends_with(&format!("1. user {user}: the whole account\n")),
        "{stdout}"
    );
}

#[test]
fn tcp_without_tls_is_refused_before_anything_starts() {
    let home = tempfile::tempdir().unwrap();
    let out = callboard(home.path())
        .args(["serve", "--demo", "--listen", "tcp:127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("needs TLS: give --tls-cert and --tls-key"),
        "{stderr}"
    );
}

/// Kills the process (a hub, a board) when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve --demo` on a socket in `home`, once it says it is serving; its address for `--hub`.
fn demo_hub(home: &Path) -> (Running, String) {
    demo_hub_with(home, &[])
}

/// [`demo_hub`] with more flags for `serve`.
fn demo_hub_with(home: &Path, flags: &[&str]) -> (Running, String) {
    let socket = home.join("hub.sock");
    let mut hub = Running(
        callboard(home)
            .args(["serve", "--demo", "--listen"])
            .arg(format!("unix:{}", socket.display()))
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut banner = String::new();
    BufReader::new(hub.0.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    assert!(
        banner.starts_with("callboard hub: serving boards on unix:"),
        "{banner}"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&socket).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o660, "the socket's group decides who may connect");
    (hub, format!("unix:{}", socket.display()))
}

#[test]
fn once_on_a_demo_hub_prints_its_calls() {
    let home = tempfile::tempdir().unwrap();
    let (_hub, addr) = demo_hub(home.path());
    let out = callboard(home.path())
        .args(["once", "--format", "json", "--hub", &addr])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert!(calls.len() >= 5, "the demo's calls: {stdout}");
    assert!(
        calls
            .iter()
            .all(|c| c["id"].as_str().is_some_and(|id| id.starts_with("LI")))
    );
}

#[test]
fn serve_metrics_answers_scrapes_with_what_the_hub_did() {
    let home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let (_hub, hub) = demo_hub_with(home.path(), &["--metrics", &addr]);
    let out = callboard(home.path())
        .args(["once", "--format", "json", "--hub", &hub])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let scrape = || {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    };
    let value = |text: &str, series: &str| -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = scrape();
        if value(&text, "callboard_push_state{state=\"live\"}") == Some(1.0)
            || std::time::Instant::now() > deadline
        {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert_eq!(
        value(&text, "callboard_push_state{state=\"live\"}"),
        Some(1.0),
        "{text}"
    );
    for group in ["Heavy", "Auth"] {
        let sent = value(
            &text,
            &format!("callboard_ringcentral_requests_total{{group=\"{group}\"}}"),
        );
        assert!(sent.is_some_and(|n| n >= 1.0), "{group}: {text}");
    }
    assert!(
        text.contains("callboard_hub_viewers{transport=\"unix\"}"),
        "{text}"
    );
    assert!(text.contains("callboard_last_listing_age_seconds"), "{text}");
}

#[test]
fn the_board_on_a_demo_hub_shows_its_calls_and_its_scope_key_asks_the_hub() {
    let home = tempfile::tempdir().unwrap();
    let (_hub, addr) = demo_hub(home.path());
    let mut pty = Pty::spawn(&["--hub", &addr]);
    let long = Duration::from_secs(30);
    pty.wait_for("calls on the hub board", long, |s| {
        s.contains("hub unix:")
            && s.contains("account")
            && s.lines().filter(|l| l.contains("talk")).count() >= 2
    });
    // The demo's policy names no own extension: the hub says so and stays on the account.
    pty.send("s");
    let screen = pty.wait_for("the hub's refusal", long, |s| {
        s.contains("names no own extension")
    });
    assert!(screen.contains("account"), "{screen}");
    pty.quit("the hub board");
}

/// `tail --format ndjson --hub ADDR`, and its lines as they come.
fn tail_on(home: &Path, addr: &str) -> (Running, mpsc::Receiver<String>) {
    let mut tail = callboard(home)
        .args(["tail", "--format", "ndjson", "--hub", addr])
        .env("CALLBOARD_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = tail.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (Running(tail), lines)
}

/// The id of the next call `tail` prints, within 20 s.
fn next_call(lines: &mpsc::Receiver<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("a call from the hub within 20 s");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        if let Some(id) = value["id"].as_str().filter(|id| id.starts_with("LI")) {
            return id.to_owned();
        }
    }
}

#[test]
fn a_board_process_killed_and_started_again_shows_the_calls_from_the_hub() {
    let home = tempfile::tempdir().unwrap();
    let (_hub, addr) = demo_hub(home.path());
    let (mut board, lines) = tail_on(home.path(), &addr);
    next_call(&lines);
    // SIGKILL: nothing of the board survives, so the new one starts from a fresh listing.
    board.0.kill().unwrap();
    board.0.wait().unwrap();
    let (_board, lines) = tail_on(home.path(), &addr);
    next_call(&lines);
}

#[test]
fn a_board_attached_to_a_hub_that_restarts_reconnects_by_itself_and_shows_calls_again() {
    let home = tempfile::tempdir().unwrap();
    let (hub, addr) = demo_hub(home.path());
    let (mut board, lines) = tail_on(home.path(), &addr);
    next_call(&lines);
    drop(hub);
    while lines.recv_timeout(Duration::from_millis(50)).is_ok() {}
    let (_hub, again) = demo_hub(home.path());
    assert_eq!(again, addr);
    next_call(&lines);
    assert!(board.0.try_wait().unwrap().is_none(), "the board kept running");
}
