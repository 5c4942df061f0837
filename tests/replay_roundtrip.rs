//! Recording and replay: a live poller's recording replays to the same final board; each seed capture
//! replays as a one-listing recording; bad lines are named and skipped; recordings hold no secret.
use crate::support::client::client;
use crate::support::wait::wait_until;

use std::process::Command;
use std::time::Duration;

use callboard::api::Scope;
use callboard::board::{Board, BoardConfig};
use callboard::clock::Clock;
use callboard::feed::FeedCommand;
use callboard::output::{self, Format};
use callboard::poller::{self, PollerConfig};
use callboard::record::Recorder;
use callboard::record::replay::Recording;
use callboard::sim::{RateLimits, SimOptions, Simulator};
use jiff::tz::TimeZone;

const BIN: &str = env!("CARGO_BIN_EXE_callboard");

#[tokio::test]
async fn a_recording_replays_to_the_same_final_board_and_holds_no_secret() {
    let limits = RateLimits {
        heavy: 1000,
        light: 1000,
        ..RateLimits::default()
    };
    let start = "2026-01-05T09:00:00Z".parse().unwrap();
    let sim = Simulator::start(
        SimOptions::demo()
            .seed(11)
            .clock(Clock::manual(start))
            .rate_limits(limits),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("polls.ndjson");
    let recorder = Recorder::create(&path).unwrap();
    let config = PollerConfig {
        scope: Some(Scope::Account),
        interval: Duration::from_secs(3600),
    };
    let mut poller = poller::spawn_recording(client(&sim, true), config, Some(recorder.clone()));
    // The board the live UI would hold, merging every poll when it arrived.
    let mut live = Board::new(BoardConfig::default());
    let mut last_at = None;
    for n in 1..=6 {
        if n > 1 {
            sim.clock().advance(Duration::from_secs(25));
            poller.commands.send(FeedCommand::Refresh).await.unwrap();
        }
        let snap = wait_until(&mut poller, "the next poll", |s| s.listing.seq >= n).await;
        assert_eq!(snap.listing.seq, n, "every poll is seen");
        let at = snap.listing.taken_at.unwrap();
        live.expire(at);
        live.merge(&snap.listing.calls, at);
        last_at = Some(at);
    }
    poller.task.abort();
    let _ = poller.task.await;
    assert_eq!(recorder.finish(), None);

    let recording = Recording::read(&path).unwrap();
    assert!(recording.problems.is_empty(), "{:?}", recording.problems);
    assert_eq!(recording.listings.len(), 6);
    let (replayed, at) = recording.final_board(BoardConfig::default()).unwrap();
    assert_eq!(Some(at), last_at);
    let expected = output::text(&live, at, &TimeZone::UTC, Format::Json);
    assert!(expected.contains("\"state\":\"ended\""), "the run saw calls end");
    assert_eq!(
        output::text(&replayed, at, &TimeZone::UTC, Format::Json),
        expected
    );

    let text = std::fs::read_to_string(&path).unwrap();
    let c = sim.credentials();
    for secret in [
        c.admin_jwt.as_str(),
        c.client_secret.as_str(),
        "Bearer",
        "uthorization",
        "access_token",
    ] {
        assert!(!text.contains(secret), "the recording holds {secret:?}");
    }
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["scope"], "account");
    assert_eq!(first["pages"][0]["rate"]["limit"], 1000);
    assert!(
        first["pages"][0]["url"]
            .as_str()
            .unwrap()
            .contains("/active-calls?view=Detailed")
    );
}

#[test]
fn replay_once_prints_the_state_of_each_seed_capture() {
    for (name, state, result) in [
        ("direct_1_ringing", "ringing", "In Progress"),
        ("direct_2_answered", "connected", "In Progress"),
        ("direct_3_ended", "ended", "Accepted"),
        ("queue_1_ringing", "ringing", "In Progress"),
        ("queue_2_answered", "connected", "In Progress"),
        ("queue_3_ended", "ended", "Accepted"),
    ] {
        let file = format!("{}/assets/captures/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let out = Command::new(BIN)
            .args(["replay", &file, "--once", "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let calls: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let calls = calls.as_array().unwrap();
        assert_eq!(calls.len(), 1, "{name}");
        assert_eq!(calls[0]["state"], state, "{name}");
        assert_eq!(calls[0]["result"], result, "{name}");
        assert!(!calls[0]["legs"].as_array().unwrap().is_empty(), "{name}");
    }
}

#[test]
fn a_malformed_line_is_named_skipped_and_the_rest_kept() {
    let body = std::fs::read_to_string(format!(
        "{}/assets/captures/direct_2_answered.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    let line = serde_json::json!({
        "at": "2021-06-01T10:00:00Z",
        "scope": "extension:~",
        "pages": [{"url": "https://x/restapi", "receivedAt": "2021-06-01T10:00:00Z", "body": body}],
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.ndjson");
    std::fs::write(&path, format!("{line}\n{{\"at\": \"soon\"}}\n")).unwrap();
    let out = Command::new(BIN)
        .args(["replay", path.to_str().unwrap(), "--once", "--format", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2: not a recorded poll") && stderr.contains("skipped"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);

    std::fs::write(&path, "garbage\n").unwrap();
    let out = Command::new(BIN)
        .args(["replay", path.to_str().unwrap(), "--once"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no recorded poll"));
}

#[test]
fn a_recording_problem_shows_once_on_the_status_bar() {
    use callboard::tui::{App, Notes, UiOptions};
    let mut app = App::new(&UiOptions {
        notes: Notes::from_fn(|| Some("writing polls.ndjson failed; recording stopped".into())),
        ..UiOptions::default()
    });
    let now: jiff::Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
    assert_eq!(app.message(now), None);
    app.tick(now);
    assert_eq!(
        app.message(now),
        Some("writing polls.ndjson failed; recording stopped")
    );
    let later = now.checked_add(jiff::SignedDuration::from_secs(60)).unwrap();
    app.tick(later);
    assert_eq!(app.message(later), None, "shown once, not again on every tick");
}
