//! The NATS hub as real processes (skipped when nats-server is not installed): two `callboard serve
//! --nats` on one simulator and a `callboard tail --hub nats://…` board. Killing the active hub's process
//! (SIGKILL: no lease released), the standby takes over with the production lease (10 s) within 15 s, the
//! board goes on printing calls, and the simulator never sees the two hubs' requests interleaved.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use callboard::sim::{RateLimits, Scenario, SimOptions, Simulator};

use crate::support::bin::callboard;
use crate::support::nats::{NatsServer, session_runs};

/// Kills the process when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every line `child`'s stream gives, as it comes.
fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// How long a step that is not the takeover may take: the test runs beside every other test, with the
/// debug binaries, on a loaded machine. The takeover's own bound (15 s) is the and stays.
const STARTING: Duration = Duration::from_secs(30);

/// Waits up to `within` for a line `wanted` accepts; the lines seen meanwhile are in the panic.
fn wait_line(rx: &mpsc::Receiver<String>, what: &str, within: Duration, wanted: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if wanted(&line) => return,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no {what} within {within:?}; saw {seen:?}");
}

/// `callboard serve --nats` on `sim` as the simulator's admin, in its own home; its stderr's lines.
fn serve(home: &Path, sim: &Simulator, nats: &NatsServer) -> (Killed, mpsc::Receiver<String>) {
    let creds = sim.credentials();
    let mut child = callboard(home)
        .args(["serve", "--nats", &nats.url("hub", ""), "--listen"])
        .arg(format!("unix:{}", home.join("hub.sock").display()))
        .env("RC_SERVER_URL", sim.base_url())
        .env("RC_APP_CLIENT_ID", &creds.client_id)
        .env("RC_APP_CLIENT_SECRET", &creds.client_secret)
        .env("RC_USER_JWT", &creds.admin_jwt)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = lines(child.stderr.take().unwrap());
    (Killed(child), stderr)
}

#[test]
fn killing_the_active_hub_process_hands_ringcentral_to_the_standby_within_15_seconds() {
    let Some(nats) = NatsServer::start("101") else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // A call every second or so, so the board has something new to print after the failover.
    let mut scenario = Scenario::demo();
    scenario.calls.arrivals_per_minute = 60.0;
    let sim = runtime
        .block_on(Simulator::start(SimOptions::with_scenario(scenario).rate_limits(
            RateLimits {
                heavy: 1000,
                medium: 1000,
                light: 1000,
                auth: 1000,
                window_secs: 60,
                penalty_secs: 1,
            },
        )))
        .unwrap();
    let (a_home, b_home, board_home) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (mut hub_a, a_said) = serve(a_home.path(), &sim, &nats);
    wait_line(&a_said, "word that hub A is active", STARTING, |l| {
        l.contains("active:")
    });
    let mut tail = Killed(
        callboard(board_home.path())
            .args(["tail", "--format", "ndjson", "--hub", &nats.url("wall", "")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let printed = lines(tail.0.stdout.take().unwrap());
    let a_call = |l: &str| l.contains("\"state\"");
    wait_line(&printed, "call on the board through NATS", STARTING, a_call);
    let (_hub_b, b_said) = serve(b_home.path(), &sim, &nats);
    wait_line(&b_said, "word that hub B stands by", STARTING, |l| {
        l.contains("standby:")
    });
    let before = session_runs(&sim);
    assert_eq!(
        before.len(),
        1,
        "one RingCentral session while hub A lives: {before:?}"
    );

    hub_a.0.kill().unwrap();
    let killed = Instant::now();
    hub_a.0.wait().unwrap();
    wait_line(
        &b_said,
        "word that hub B took over",
        Duration::from_secs(15),
        |l| l.contains("active:"),
    );
    let takeover = loop {
        if session_runs(&sim).len() > 1 {
            break killed.elapsed();
        }
        assert!(
            killed.elapsed() < Duration::from_secs(15),
            "no request from hub B within 15 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    eprintln!("hub B's first request to RingCentral {takeover:?} after hub A was killed");
    assert!(takeover < Duration::from_secs(15));
    // What the board printed until now may have come from hub A; from here on only hub B publishes.
    while printed.try_recv().is_ok() {}

    wait_line(&printed, "call printed after the failover", STARTING, a_call);
    let runs = session_runs(&sim);
    assert_eq!(
        runs.len(),
        2,
        "hub A's requests, then hub B's, never interleaved: {runs:?}"
    );
    assert_eq!(runs[0], before[0]);
    drop(tail);
    runtime.block_on(sim.shutdown());
}
