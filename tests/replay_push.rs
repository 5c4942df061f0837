//! Recordings with push events beside polls: the recorder writes both kinds (and no secret), replay plays
//! both in order so the board goes through what push showed, and a malformed event line is named and
//! skipped without losing anything else.
use std::process::Command;
use std::time::Duration;

use callboard::api::Scope;
use callboard::api::client::RawPage;
use callboard::api::wsg::{Notification, SessionEvent};
use callboard::board::{Board, BoardConfig};
use callboard::clock::Clock;
use callboard::output::tail::Changes;
use callboard::record::player::Player;
use callboard::record::replay::Recording;
use callboard::record::{RecordedPoll, Recorder};
use jiff::Timestamp;

const BIN: &str = env!("CARGO_BIN_EXE_callboard");

pub(crate) fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_767_603_600 + secs).unwrap()
}

/// An active-calls page with one ringing call per `(record id, session, party)`.
fn page(calls: &[(&str, &str, &str)]) -> serde_json::Value {
    let records: Vec<serde_json::Value> = calls
        .iter()
        .map(|(id, session, party)| {
            serde_json::json!({
                "id": id, "telephonySessionId": session, "partyId": party,
                "startTime": t(0).to_string(), "result": "In Progress", "direction": "Inbound",
                "from": {"phoneNumber": "+15550100"}, "to": {"name": "Desk", "extensionNumber": "101"},
            })
        })
        .collect();
    serde_json::json!({ "records": records })
}

fn poll_line(at: i64, calls: &[(&str, &str, &str)]) -> String {
    serde_json::json!({
        "at": t(at).to_string(), "scope": "account",
        "pages": [{"url": "https://x/restapi/v1.0/account/~/active-calls", "receivedAt": t(at).to_string(),
                   "body": page(calls)}],
    })
    .to_string()
}

/// A telephony-session notification of `party` of `session` reaching `code` at `at`.
fn event(at: i64, session: &str, party: &str, code: &str, sequence: u64) -> serde_json::Value {
    serde_json::json!({
        "uuid": format!("{session}-{sequence}"),
        "event": "/restapi/v1.0/account/1/telephony/sessions",
        "timestamp": t(at).to_string(), "subscriptionId": "sub-1", "ownerId": "1",
        "body": {"sequence": sequence, "telephonySessionId": session, "eventTime": t(at).to_string(),
                 "parties": [{"id": party, "extensionId": "62264425016", "direction": "Inbound",
                              "status": {"code": code}}]},
    })
}

fn event_line(at: i64, session: &str, party: &str, code: &str, sequence: u64) -> String {
    serde_json::json!({"at": t(at).to_string(), "event": event(at, session, party, code, sequence)})
        .to_string()
}

/// Two polls and three events, one of them malformed (line 4).
pub(crate) fn recording() -> String {
    [
        poll_line(0, &[("r1", "s-1", "p-1")]),
        event_line(5, "s-1", "p-1", "Answered", 2),
        event_line(20, "s-1", "p-1", "Disconnected", 3),
        r#"{"at":"2026-01-05T09:00:25Z","event":{"uuid":"u","event":"e"}}"#.to_owned(),
        poll_line(30, &[("r2", "s-2", "p-2")]),
    ]
    .join("\n")
}

#[test]
fn replay_plays_polls_and_events_in_order_as_push_showed_them() {
    let rec = Recording::parse(&recording());
    assert_eq!((rec.listings.len(), rec.events.len()), (2, 2));
    assert_eq!(rec.problems.len(), 1, "{:?}", rec.problems);
    assert!(
        rec.problems[0].starts_with("line 4: not a telephony-session event"),
        "{:?}",
        rec.problems
    );
    let clock = Clock::manual(t(0));
    let mut player = Player::new(rec, clock.clone(), 1.0).unwrap();
    let mut board = Board::new(BoardConfig::default());
    let mut changes = Changes::default();
    let mut seen = Vec::new();
    // A second of recorded time at a time, as the board's clock would run.
    while !player.at_end() {
        let now = player.clock().now();
        if player.play(&mut board, now) {
            for c in changes.since_last(&board, now) {
                seen.push(format!(
                    "{} {} → {}",
                    c.id,
                    c.previous_state.unwrap_or("—"),
                    c.state
                ));
            }
        }
        clock.advance(Duration::from_secs(1));
    }
    assert_eq!(player.clock().now(), t(30), "time stops at the last frame");
    assert_eq!(
        seen,
        [
            "r1 — → ringing",
            "r1 ringing → connected",
            "r1 connected → ended",
            "r2 — → ringing"
        ]
    );
}

#[test]
fn replay_once_ends_on_what_the_events_made_of_the_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.ndjson");
    std::fs::write(&path, recording()).unwrap();
    let out = Command::new(BIN)
        .args(["replay", path.to_str().unwrap(), "--once", "--format", "json"])
        .env("CALLBOARD_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("line 4: not a telephony-session event"),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "only the bad line is reported: {stderr}"
    );
    let calls: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let state = |id: &str| {
        let call = calls.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
        (call["state"].clone(), call["result"].clone())
    };
    assert_eq!(state("r2"), ("ringing".into(), "In Progress".into()));
    assert_eq!(state("r1"), ("ended".into(), "Call connected".into()));
}

#[test]
fn the_recorder_keeps_events_beside_polls_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.ndjson");
    let recorder = Recorder::create(&path).unwrap();
    recorder.record(RecordedPoll {
        at: t(0),
        scope: Scope::Account,
        pages: vec![RawPage {
            url: "https://x/restapi/v1.0/account/~/active-calls".into(),
            received_at: t(0),
            rate: None,
            body: page(&[("r1", "s-1", "p-1")]).to_string(),
        }],
    });
    let sent: Notification<SessionEvent> = serde_json::from_value(event(5, "s-1", "p-1", "Hold", 2)).unwrap();
    recorder.record_event(t(6), &sent);
    assert_eq!(recorder.finish(), None);

    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    let second: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["at"], t(6).to_string());
    assert_eq!(second["event"]["body"]["parties"][0]["status"]["code"], "Hold");
    for secret in ["wsc", "token", "access_token", "Bearer"] {
        assert!(!text.contains(secret), "the recording holds {secret:?}");
    }
    let rec = Recording::read(&path).unwrap();
    assert!(rec.problems.is_empty(), "{:?}", rec.problems);
    assert_eq!(rec.listings.len(), 1);
    assert_eq!(rec.events.len(), 1);
    assert_eq!((rec.events[0].at, &rec.events[0].event), (t(6), &sent));
}
