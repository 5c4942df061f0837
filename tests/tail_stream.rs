//! `callboard tail`: the demo gives twenty state changes within a minute, `| head -20` ends it at once
//! and quietly, and what it cannot outlive ends it with `once`'s exit codes.
use crate::support::client::{SimClient, client};

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use callboard::board::BoardConfig;
use callboard::cli::tail::{TailOptions, stream};
use callboard::clock::Clock;
use callboard::feed::Feed;
use callboard::output::tail::TailFormat;
use callboard::poller::{self, PollerConfig};
use callboard::sim::{SimOptions, Simulator};
use jiff::tz::TimeZone;

const BIN: &str = env!("CARGO_BIN_EXE_callboard");

/// A reader that takes lines until `enough` says so, then closes (as `head` does).
struct Head<F> {
    lines: Vec<serde_json::Value>,
    partial: Vec<u8>,
    enough: F,
}

impl<F: Fn(&[serde_json::Value]) -> bool> Write for Head<F> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if (self.enough)(&self.lines) {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            self.lines
                .push(serde_json::from_slice(&line).expect("one JSON object per line"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn options(format: TailFormat) -> TailOptions {
    TailOptions {
        format,
        tz: TimeZone::UTC,
        board: BoardConfig::default(),
        scope_given: false,
    }
}

fn poll_every_10s(client: callboard::api::RcClient) -> Feed {
    poller::spawn(
        client,
        PollerConfig {
            scope: None,
            interval: Duration::from_secs(10),
        },
    )
}

#[tokio::test]
async fn the_demo_gives_twenty_changes_within_a_minute_including_changes_of_known_calls() {
    // The built-in demo with its real rate limits and push, as `tail --demo` runs it, a minute of it in
    // six seconds (faster, a busy machine's stalls would count as minutes of demo time).
    let clock = Clock::scaled(10);
    let sim = Simulator::start(SimOptions::demo().clock(clock.clone()))
        .await
        .unwrap();
    let config = PollerConfig {
        scope: None,
        interval: Duration::from_secs(10),
    };
    let mut feed = poller::spawn_live(client(&sim, true), config, Some(Duration::from_secs(60)), None);
    let start = clock.wall();
    let mut head = Head {
        lines: Vec::new(),
        partial: Vec::new(),
        enough: |lines: &[serde_json::Value]| {
            lines.len() >= 20 && lines.iter().any(|l| !l["previousState"].is_null())
        },
    };
    let opts = options(TailFormat::Ndjson);
    let run = stream(&mut feed, &clock, &mut head, &opts);
    tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("tail ends when its reader has enough")
        .expect("a closed reader is no error");
    let took = clock.wall().duration_since(start);
    assert!(took.as_secs() <= 60, "took {took:#} of demo time");
    for line in &head.lines {
        for key in [
            "time",
            "telephonySessionId",
            "id",
            "extensionId",
            "from",
            "to",
            "state",
        ] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
        assert_ne!(line["previousState"], line["state"], "{line}");
    }
    feed.task.abort();
    sim.shutdown().await;
}

#[tokio::test]
async fn what_tail_cannot_outlive_ends_it_with_onces_exit_codes() {
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let nowhere = SimClient::at(&format!("http://127.0.0.1:{closed_port}"), "id", "secret", "jwt")
        .short_timeouts()
        .build();
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let refused = SimClient::new(&sim, true).jwt("not-a-jwt").build();
    for (client, code) in [(nowhere, 6), (refused, 3)] {
        let clock = client.clock().clone();
        let mut feed = poll_every_10s(client);
        let mut out = Vec::new();
        let opts = options(TailFormat::Table);
        let run = stream(&mut feed, &clock, &mut out, &opts);
        let err = tokio::time::timeout(Duration::from_secs(10), run)
            .await
            .expect("tail gives up")
            .unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::from(code), "{err}");
        assert_eq!(
            String::from_utf8(out).unwrap().lines().collect::<Vec<_>>().len(),
            1,
            "only the header"
        );
        feed.task.abort();
    }
    sim.shutdown().await;
}

/// The binary with stdout read line by line; `None` when it did not end within `limit`.
fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    crate::support::wait::poll(limit, || child.try_wait().unwrap())
}

#[test]
fn head_20_gets_twenty_lines_and_tail_ends_at_once_and_quietly() {
    // A busy scenario, so twenty lines come at once whatever the hour (the demo's own pace is the test
    // above): this one is about the pipe.
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/contact-centre.toml"
    );
    let mut child = Command::new(BIN)
        .args(["tail", "--demo", "--scenario", scenario, "--format", "ndjson"])
        .env("CALLBOARD_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for n in 0..20 {
        let line = lines.next().unwrap_or_else(|| panic!("line {n}")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(value["state"].is_string(), "{line}");
    }
    assert!(started.elapsed() < Duration::from_secs(60));
    // `head` exits: the pipe's reading end closes while tail has nothing more to say.
    drop(lines);
    let status = wait_exit(&mut child, Duration::from_secs(5)).unwrap_or_else(|| {
        child.kill().unwrap();
        panic!("tail kept running after its reader went");
    });
    let mut stderr = String::new();
    io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(stderr, "", "ends quietly");
}

#[test]
fn the_binary_exits_4_for_a_non_admin_forcing_account() {
    let out = Command::new(BIN)
        .args(["tail", "--demo", "--demo-user", "non-admin", "--scope", "account"])
        .env("CALLBOARD_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("--scope extension"), "says what to do: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "the header only: {stdout}");
}
