//! Probe calls for the latency benchmark: the simulator plans `PROBE nnnn` calls at a fixed period, both
//! active calls and the gateway show them (the same session), and the bench log stamps each one's planned
//! start, each event sent, and each request. The clock is manual.
use std::time::Duration;

use callboard::api::model::CallLogResponse;
use callboard::api::wsg::{Notification, SessionEvent, StatusCode};

use crate::support::gateway::{Ws, wstoken};
use crate::support::sim::{ACCOUNT_CALLS, Harness, demo_with_rate, manual, t0};
use crate::support::wait::poll;

const ACCOUNT: &str = "/restapi/v1.0/account/~/telephony/sessions";

/// The probe number of a Unix second on a 5 s period, as its caller name.
fn probe_at(secs: i64) -> String {
    format!("PROBE {:04}", (secs / 5) % 10_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_show_in_active_calls_and_events_and_the_bench_log_stamps_them() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bench.log");
    // No ordinary calls: everything seen is a probe.
    let opts = manual(demo_with_rate(0.0)).probe_every(5).bench_log(&log);
    let h = Harness::start(opts).await;
    let access = h.admin().await;
    let mut ws = Ws::open(&wstoken(&h, &access).await, None).await;
    ws.frame().await;
    ws.subscribed(&[ACCOUNT]).await;

    h.advance(6);
    let start = t0().as_second() + 5;
    let events = ws.events().await;
    let caller = |e: &Notification<SessionEvent>| {
        let from = e.body.parties[0].from.as_ref()?.name.as_deref();
        from.map(str::to_owned)
    };
    assert!(
        events
            .iter()
            .all(|e| caller(e).is_some_and(|n| n.starts_with("PROBE "))),
        "{events:?}"
    );
    // The probe that started 5 s after the subscription: Setup for the caller's party and the user's.
    let setup: Vec<_> = events
        .iter()
        .filter(|e| e.body.parties[0].status.code == StatusCode::Setup)
        .filter(|e| caller(e) == Some(probe_at(start)))
        .collect();
    assert_eq!(setup.len(), 2, "{events:?}");

    let page: CallLogResponse =
        serde_json::from_value(h.get_ok(&access, &format!("{ACCOUNT_CALLS}?view=Detailed")).await).unwrap();
    let names: Vec<_> = page
        .records
        .iter()
        .filter_map(|r| r.fields.from.as_ref()?.name.as_deref())
        .collect();
    assert!(names.contains(&probe_at(start).as_str()), "{names:?}");
    assert!(names.contains(&probe_at(start - 5).as_str()), "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("PROBE ")), "{names:?}");
    let record = page
        .records
        .iter()
        .find(|r| r.fields.from.as_ref().and_then(|f| f.name.as_deref()) == Some(&probe_at(start)))
        .unwrap();
    assert_eq!(
        record.fields.telephony_session_id.as_deref(),
        Some(setup[0].body.telephony_session_id.as_str())
    );

    let wanted = [
        format!("probe planned {start}.000000 Setup {}", probe_at(start)),
        format!("probe sent {}.000000 Setup {}", start + 1, probe_at(start)),
    ];
    let text = poll(Duration::from_secs(5), || {
        let text = std::fs::read_to_string(&log).ok()?;
        wanted.iter().all(|w| text.contains(w.as_str())).then_some(text)
    })
    .unwrap_or_else(|| panic!("bench log lacks {wanted:?}: {:?}", std::fs::read_to_string(&log)));
    assert!(
        text.lines().any(|l| l.starts_with("request ")
            && l.ends_with(" GET Heavy 200 /restapi/v1.0/account/~/active-calls?view=Detailed")),
        "{text}"
    );
    assert!(!text.contains("assertion="), "{text}");
}
