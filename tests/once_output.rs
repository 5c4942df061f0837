//! `callboard once`: golden outputs on a seeded simulator with a stopped clock, and the exit code of
//! every kind of failure a script must tell apart.
use crate::support::client::{SimClient, client};
use crate::support::sim::t0;

use std::process::{Command, ExitCode};

use callboard::api::Scope;
use callboard::api::client::RcClient;
use callboard::cli::once::once_text;
use callboard::clock::Clock;
use callboard::output::Format;
use callboard::sim::{Fault, SimOptions, Simulator};
use jiff::Timestamp;
use jiff::tz::TimeZone;

async fn sim() -> Simulator {
    Simulator::start(SimOptions::demo().seed(7).clock(Clock::manual(t0())))
        .await
        .unwrap()
}

async fn once(client: &RcClient, scope: Option<Scope>, format: Format, now: Timestamp) -> String {
    once_text(client, scope, format, now, &TimeZone::UTC)
        .await
        .unwrap()
}

fn code(result: Result<String, callboard::cli::Fatal>) -> (ExitCode, String) {
    let e = result.unwrap_err();
    (e.exit_code(), e.to_string())
}

#[tokio::test]
async fn golden_outputs_on_a_seeded_simulator() {
    let sim = sim().await;
    sim.clock().advance(std::time::Duration::from_secs(90));
    let c = client(&sim, true);
    let now = sim.clock().wall();
    let table = once(&c, None, Format::Table, now).await;
    let json = once(&c, None, Format::Json, now).await;
    let ndjson = once(&c, None, Format::Ndjson, now).await;
    assert!(table.lines().count() > 2, "{table}");
    insta::assert_snapshot!("table", table);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    insta::assert_snapshot!("json", serde_json::to_string_pretty(&value).unwrap());
    let lines: Vec<serde_json::Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        serde_json::Value::Array(lines),
        value,
        "ndjson is the array, one call per line"
    );
    for call in value.as_array().unwrap() {
        for key in [
            "id",
            "telephonySessionId",
            "state",
            "result",
            "direction",
            "from",
            "to",
        ] {
            assert!(call.get(key).is_some(), "{key} missing in {call}");
        }
        for key in ["startTime", "durationSeconds", "legs"] {
            assert!(call.get(key).is_some(), "{key} missing in {call}");
        }
    }
}

#[tokio::test]
async fn a_non_admin_gets_the_own_extension_by_default_and_exit_4_when_forcing_account() {
    let sim = sim().await;
    let c = client(&sim, false);
    let now = sim.clock().wall();
    let json = once(&c, None, Format::Json, now).await;
    assert!(json.starts_with('['), "{json}");
    let (exit, text) = code(once_text(&c, Some(Scope::Account), Format::Json, now, &TimeZone::UTC).await);
    assert_eq!(exit, ExitCode::from(4), "{text}");
    assert!(text.contains("extension scope"), "says what to do: {text}");
}

#[tokio::test]
async fn bad_credentials_exit_3() {
    let sim = sim().await;
    let c = SimClient::new(&sim, true).jwt("not-a-valid-jwt").build();
    let (exit, text) = code(once_text(&c, None, Format::Json, t0(), &TimeZone::UTC).await);
    assert_eq!(exit, ExitCode::from(3), "{text}");
    assert!(text.contains("RC_USER_JWT"), "{text}");
}

#[tokio::test]
async fn rate_limited_exits_5() {
    let sim = sim().await;
    let c = client(&sim, true);
    sim.faults().fail_next(1, Fault::RateLimited);
    let result = once_text(&c, Some(Scope::Account), Format::Json, t0(), &TimeZone::UTC).await;
    let (exit, text) = code(result);
    assert_eq!(exit, ExitCode::from(5), "{text}");
}

#[tokio::test]
async fn connection_refused_exits_6() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let c = SimClient::at(&format!("http://127.0.0.1:{port}"), "id", "secret", "jwt").build();
    let (exit, text) = code(once_text(&c, None, Format::Json, t0(), &TimeZone::UTC).await);
    assert_eq!(exit, ExitCode::from(6), "{text}");
    assert!(text.contains("network"), "{text}");
}

#[test]
fn the_binary_exits_4_for_a_non_admin_forcing_account_and_lists_exit_codes_in_help() {
    let bin = env!("CARGO_BIN_EXE_callboard");
    let out = Command::new(bin)
        .args(["once", "--demo", "--demo-user", "non-admin", "--scope", "account"])
        .env("CALLBOARD_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let help = Command::new(bin).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("4 missing permission") && help.contains("6 network"),
        "{help}"
    );
    let json = Command::new(bin)
        .args(["--demo", "once", "--format", "json"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let calls: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(!calls.as_array().unwrap().is_empty(), "the demo has calls");
}

/// A board where push put one call on hold and parked another, and reported one no listing shows.
fn pushed_board() -> (callboard::board::Board, Timestamp) {
    use callboard::api::model::{CallFields, CallReason, CallRecord, CallResult};
    use callboard::feed::{Change, Delta, Listing, PartyChange, PartyStatus};
    use std::sync::Arc;
    let at = |s: i64| t0() + jiff::SignedDuration::from_secs(s);
    let record = |id: &str| {
        Arc::new(CallRecord {
            id: id.into(),
            fields: CallFields {
                start_time: Some(at(0)),
                result: Some(CallResult::InProgress),
                reason: Some(CallReason::Accepted),
                telephony_session_id: Some(format!("s-{id}").into()),
                ..CallFields::default()
            },
            ..CallRecord::default()
        })
    };
    let mut board = callboard::board::Board::default();
    let listing = Listing {
        seq: 1,
        taken_at: Some(at(1)),
        calls: vec![record("held"), record("parked")].into(),
        ..Listing::default()
    };
    let change = |seq: u64, session: &str, status| Delta {
        seq,
        at: at(10),
        change: Change::Party(PartyChange {
            sequence: 5,
            ..PartyChange::new(session, "p2", status)
        }),
    };
    let deltas = [
        change(2, "s-held", PartyStatus::Hold),
        change(3, "s-parked", PartyStatus::Parked),
        change(4, "s-routed", PartyStatus::VoiceMail),
    ];
    board.catch_up(&listing, &deltas, at(10));
    (board, at(52))
}

#[test]
fn hold_park_and_voicemail_in_json_and_table() {
    let (board, now) = pushed_board();
    let json = callboard::output::text(&board, now, &TimeZone::UTC, Format::Json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let states: Vec<(&str, &str, Option<i64>)> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let hold = c.get("holdSeconds").map(|h| h.as_i64().unwrap());
            (c["id"].as_str().unwrap(), c["state"].as_str().unwrap(), hold)
        })
        .collect();
    assert_eq!(
        states,
        [
            ("held", "onHold", Some(42)),
            ("parked", "parked", Some(42)),
            ("s-routed", "voicemail", None)
        ],
        "{json}"
    );
    let table = callboard::output::text(&board, now, &TimeZone::UTC, Format::Table);
    for word in ["‖ hold", "P park", "✉ vm"] {
        assert!(table.contains(word), "{word} in\n{table}");
    }
}
