//! The simulator's WebSocket gateway against a raw client: the protocol (ConnectionDetails first,
//! subscription replies, events, heartbeats, timeouts, recovery, token rules), refusals, push faults, and
//! events that agree with the active-calls records of the same calls. Every frame is checked against the
//! wire types in `callboard::api::wsg`; the clock is manual.
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use callboard::api::model::{CallLogResponse, CallResult};
use callboard::api::wsg::{
    ConnectionDetails, MessageType, Notification, RecoveryState, SessionEvent, StatusCode, SubscriptionInfo,
    WsgError,
};
use callboard::sim::Scenario;

use crate::support::gateway::{Ended, Ws, notification, wstoken, wstoken_reply};
use crate::support::sim::{ACCOUNT_CALLS, Harness, demo_with_rate, manual};

const ACCOUNT: &str = "/restapi/v1.0/account/~/telephony/sessions";
const MINE: &str = "/restapi/v1.0/account/~/extension/~/telephony/sessions";

async fn busy() -> Harness {
    Harness::start(manual(demo_with_rate(30.0))).await
}

/// A connection of the admin, past its ConnectionDetails.
async fn admin_socket(h: &Harness) -> (Ws, ConnectionDetails, String) {
    let access = h.admin().await;
    let mut ws = Ws::open(&wstoken(h, &access).await, None).await;
    let first = ws.frame().await;
    assert_eq!(first.meta.kind, MessageType::ConnectionDetails);
    let wsc = first.meta.wsc.clone().expect("wsc").token;
    (ws, first.body_as().unwrap().unwrap(), wsc)
}

/// `secs` of simulated time in 10 s steps, collecting the events.
async fn run_for(h: &Harness, ws: &mut Ws, secs: u64) -> Vec<Notification<SessionEvent>> {
    let mut events = Vec::new();
    for _ in 0..secs / 10 {
        h.advance(10);
        events.extend(ws.events().await);
    }
    events
}

fn codes(events: &[Notification<SessionEvent>]) -> Vec<StatusCode> {
    events
        .iter()
        .map(|e| e.body.parties[0].status.code.clone())
        .collect()
}

#[tokio::test]
async fn connection_details_come_first_and_the_subscription_reply_matches_its_request() {
    let h = busy().await;
    let (mut ws, details, _) = admin_socket(&h).await;
    assert_eq!(
        (
            details.recovery_buffer_size,
            details.recovery_timeout,
            details.idle_timeout
        ),
        (Some(100), Some(180), Some(1800))
    );
    assert_eq!(
        (
            details.absolute_timeout,
            details.max_connections_per_session,
            details.max_active_requests
        ),
        (Some(86_400), Some(50), Some(10))
    );
    assert_eq!(details.recovery_state, None);
    let reply = ws.subscribe("my-request-7", &[ACCOUNT, MINE]).await;
    assert_eq!(reply.meta.status, Some(200));
    assert!(reply.meta.headers.as_ref().unwrap().contains_key("RCRequestId"));
    let info: SubscriptionInfo = reply.body_as().unwrap().unwrap();
    let admin = h.sim.credentials().admin_extension_id;
    assert_eq!(
        info.event_filters,
        [
            "/restapi/v1.0/account/400131016/telephony/sessions".to_owned(),
            format!("/restapi/v1.0/account/400131016/extension/{admin}/telephony/sessions"),
        ]
    );
    assert_eq!(info.expires_in, Some(86_399));
    let log = h.sim.requests();
    assert!(
        log.iter()
            .any(|r| r.path == "/ws?access_token=REDACTED" && r.user == Some(admin))
    );
    let sub = log
        .iter()
        .find(|r| r.path == "/restapi/v1.0/subscription")
        .expect("logged");
    assert_eq!((sub.method.as_str(), sub.status), ("POST", Some(200)));
    assert_eq!(sub.group.map(|g| g.as_str()), Some("Medium"));
}

#[tokio::test]
async fn events_rise_per_session_carry_one_party_and_the_subscription_id() {
    let h = busy().await;
    let (mut ws, _, wsc) = admin_socket(&h).await;
    let info = ws.subscribed(&[ACCOUNT]).await;
    let mut last_wsc = 1;
    let mut frames = Vec::new();
    for _ in 0..12 {
        h.advance(10);
        frames.extend(ws.sync().await);
    }
    let events: Vec<_> = frames.iter().filter_map(notification).collect();
    assert!(events.len() > 50, "{}", events.len());
    let mut sequences: HashMap<String, u64> = HashMap::new();
    let admin = h.sim.credentials().admin_extension_id.to_string();
    for (frame, e) in frames.iter().zip(&events) {
        let seen = frame.meta.wsc.as_ref().expect("wsc on notifications");
        assert_eq!(seen.token, wsc);
        assert!(seen.sequence > last_wsc);
        last_wsc = seen.sequence;
        assert_eq!(e.body.parties.len(), 1);
        assert_eq!(e.subscription_id.as_deref(), Some(info.id.as_str()));
        assert_eq!(e.owner_id.as_deref(), Some(admin.as_str()));
        assert!(e.body.event_time.is_some() && e.timestamp.is_some());
        let last = sequences
            .entry(e.body.telephony_session_id.to_string())
            .or_default();
        assert!(
            e.body.sequence > *last,
            "sequence goes back in {}",
            e.body.telephony_session_id
        );
        *last = e.body.sequence;
        let party = &e.body.parties[0];
        match &party.extension_id {
            Some(ext) => assert!(e.event.ends_with(&format!("/extension/{ext}/telephony/sessions"))),
            None => assert_eq!(e.event, "/restapi/v1.0/account/400131016/telephony/sessions"),
        }
    }
    assert!(
        events.iter().any(|e| e.body.parties[0].extension_id.is_none()),
        "the outside caller"
    );
}

#[tokio::test]
async fn the_extension_filter_brings_only_that_extensions_parties() {
    let h = busy().await;
    let access = h.non_admin().await;
    let mut ws = Ws::open(&wstoken(&h, &access).await, None).await;
    ws.frame().await;
    ws.subscribed(&[MINE]).await;
    let mut events = Vec::new();
    for _ in 0..60 {
        h.advance(10);
        events.extend(ws.events().await);
    }
    let me = h.sim.credentials().non_admin_extension_id.to_string();
    assert!(!events.is_empty());
    for e in &events {
        assert_eq!(e.body.parties[0].extension_id.as_deref(), Some(me.as_str()));
        assert_eq!(
            e.event,
            format!("/restapi/v1.0/account/400131016/extension/{me}/telephony/sessions")
        );
    }
}

#[tokio::test]
async fn a_second_subscription_replaces_the_first() {
    let h = busy().await;
    let (mut ws, _, _) = admin_socket(&h).await;
    let first = ws.subscribed(&[ACCOUNT]).await;
    let reply = ws.subscribe("sub-2", &[MINE]).await;
    let second: SubscriptionInfo = reply.body_as().unwrap().unwrap();
    assert_ne!(first.id, second.id);
    let events = run_for(&h, &mut ws, 300).await;
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e.subscription_id.as_deref() == Some(second.id.as_str()))
    );
}

#[tokio::test]
async fn the_event_flow_of_each_call_agrees_with_its_active_calls_records() {
    let h = busy().await;
    let admin = h.admin().await;
    let (mut ws, _, _) = admin_socket(&h).await;
    ws.subscribed(&[ACCOUNT]).await;
    let events = run_for(&h, &mut ws, 240).await;
    let mut by_party: BTreeMap<(String, String), Vec<StatusCode>> = BTreeMap::new();
    for e in &events {
        let p = &e.body.parties[0];
        let key = (e.body.telephony_session_id.to_string(), p.id.to_string());
        by_party.entry(key).or_default().push(p.status.code.clone());
    }
    let page: CallLogResponse = serde_json::from_value(
        h.get_ok(&admin, &format!("{ACCOUNT_CALLS}?view=Detailed&perPage=1000"))
            .await,
    )
    .unwrap();
    let subscribed_at = crate::support::sim::t0().as_second();
    let mut checked = 0;
    for record in page
        .records
        .iter()
        .filter(|r| r.fields.start_time.unwrap().as_second() > subscribed_at)
    {
        let session = record.fields.telephony_session_id.clone().unwrap().to_string();
        let party = record
            .fields
            .party_id
            .clone()
            .expect("records carry their party")
            .to_string();
        assert!(
            record
                .legs
                .iter()
                .all(|l| l.fields.party_id.as_ref().map(|p| p.to_string()) == Some(party.clone()))
        );
        assert!(
            by_party.contains_key(&(session.clone(), party)),
            "no events for {record:?}"
        );
        let flows: Vec<_> = by_party
            .iter()
            .filter(|((s, _), _)| *s == session)
            .map(|(_, f)| f)
            .collect();
        let ended = flows.iter().all(|f| {
            f.iter()
                .any(|c| matches!(c, StatusCode::Disconnected | StatusCode::Gone))
        });
        let live = record.fields.result == Some(CallResult::InProgress);
        assert_eq!(ended, !live, "{flows:?} for {record:?}");
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}

#[tokio::test]
async fn holds_parks_transfers_voicemail_and_queue_callers_appear() {
    let mut scenario = demo_with_rate(30.0);
    scenario.calls.mix.transfer = 20;
    let h = Harness::start(manual(scenario)).await;
    let (mut ws, _, _) = admin_socket(&h).await;
    ws.subscribed(&[ACCOUNT]).await;
    let events = run_for(&h, &mut ws, 900).await;
    let seen = codes(&events);
    for code in [
        StatusCode::Hold,
        StatusCode::Parked,
        StatusCode::Gone,
        StatusCode::VoiceMail,
    ] {
        assert!(seen.contains(&code), "no {code:?}");
    }
    let parked = events
        .iter()
        .find(|e| e.body.parties[0].status.code == StatusCode::Parked)
        .unwrap();
    assert!(parked.body.parties[0].park.as_ref().unwrap().id.is_some());
    let gone = events
        .iter()
        .find(|e| e.body.parties[0].status.code == StatusCode::Gone)
        .unwrap();
    let peer = gone.body.parties[0]
        .status
        .peer_id
        .as_ref()
        .expect("Gone names its peer");
    assert_eq!(peer.telephony_session_id, gone.body.telephony_session_id);
    assert!(events.iter().any(|e| e.body.parties[0].queue_call == Some(true)));
}

#[tokio::test]
async fn heartbeats_are_answered_and_an_idle_socket_gets_wsg_902() {
    let h = busy().await;
    let (mut ws, _, _) = admin_socket(&h).await;
    assert!(ws.sync().await.is_empty(), "the heartbeat reply comes at once");
    h.advance(1799);
    ws.sync().await;
    h.advance(1800);
    let error = ws.frame().await;
    assert_eq!(error.meta.kind, MessageType::Error);
    let body: WsgError = error.body_as().unwrap().unwrap();
    assert_eq!(body.error_code, "WSG-902");
    assert!(matches!(ws.next().await, Err(Ended::Closed(_))));
}

#[tokio::test]
async fn the_absolute_timeout_sends_wsg_903() {
    let mut scenario = demo_with_rate(0.0);
    scenario.push.absolute_timeout_secs = 60;
    let h = Harness::start(manual(scenario)).await;
    let (mut ws, _, _) = admin_socket(&h).await;
    h.advance(60);
    let body: WsgError = ws.frame().await.body_as().unwrap().unwrap();
    assert_eq!(body.error_code, "WSG-903");
}

/// Subscribes, lets 30 s of events through, drops the socket, lets `gap` seconds pass, reconnects with
/// the wsc and a token from `access`: the recovery ConnectionDetails and what followed it.
async fn drop_and_recover(
    h: &Harness,
    gap: u64,
    relogin: bool,
) -> (ConnectionDetails, Vec<Notification<SessionEvent>>, String) {
    let access = h.admin().await;
    let mut ws = Ws::open(&wstoken(h, &access).await, None).await;
    let wsc = ws.frame().await.meta.wsc.unwrap().token;
    let info = ws.subscribed(&[ACCOUNT]).await;
    run_for(h, &mut ws, 30).await;
    h.sim.push_faults().drop_sockets();
    assert_eq!(ws.next().await.err(), Some(Ended::Cut));
    h.advance(gap);
    let access = if relogin { h.admin().await } else { access };
    let mut again = Ws::open(&wstoken(h, &access).await, Some(&wsc)).await;
    let details = again.frame().await;
    assert_eq!(details.meta.wsc.as_ref().unwrap().sequence, 1);
    let replayed = again.events().await;
    (details.body_as().unwrap().unwrap(), replayed, info.id)
}

#[tokio::test]
async fn recovery_inside_the_timeout_replays_the_missed_events() {
    let h = busy().await;
    let (details, replayed, sub) = drop_and_recover(&h, 60, false).await;
    assert_eq!(details.recovery_state, Some(RecoveryState::Successful));
    assert!(
        !replayed.is_empty() && replayed.len() <= 100,
        "{}",
        replayed.len()
    );
    assert!(
        replayed
            .iter()
            .all(|e| e.subscription_id.as_deref() == Some(sub.as_str()))
    );
}

#[tokio::test]
async fn recovery_replays_only_the_most_recent_buffer_size_events() {
    let h = busy().await;
    let (details, replayed, _) = drop_and_recover(&h, 170, false).await;
    assert_eq!(details.recovery_state, Some(RecoveryState::Successful));
    assert_eq!(replayed.len(), 100);
}

#[tokio::test]
async fn recovery_after_the_timeout_or_from_a_new_login_fails() {
    let h = busy().await;
    let (late, replayed, _) = drop_and_recover(&h, 181, false).await;
    assert_eq!(late.recovery_state, Some(RecoveryState::Failed));
    assert_eq!(late.recovery_error_code.as_deref(), Some("WSG-1005"));
    assert!(replayed.is_empty(), "no subscription after a failed recovery");
    let (relogged, _, _) = drop_and_recover(&h, 10, true).await;
    assert_eq!(relogged.recovery_error_code.as_deref(), Some("WSG-1003"));
}

#[tokio::test]
async fn a_wstoken_never_serves_two_open_sockets_but_may_reconnect_once_closed() {
    let h = busy().await;
    let access = h.admin().await;
    let token = wstoken(&h, &access).await;
    assert_eq!(token.expires_in, 600);
    assert!(token.uri.starts_with("ws://127.0.0.1:") && token.uri.ends_with("/ws"));
    assert_eq!(token.uri, h.sim.gateway_url());
    let mut first = Ws::open(&token, None).await;
    first.frame().await;
    let mut second = Ws::open(&token, None).await;
    let refused: WsgError = second.frame().await.body_as().unwrap().unwrap();
    assert_eq!(refused.error_code, "WSG-401");
    assert_eq!(second.next().await.err(), Some(Ended::Closed(4401)));
    drop(first);
    // The gateway notices the close a moment later.
    let mut third = None;
    for _ in 0..50 {
        let mut ws = Ws::open(&token, None).await;
        if ws.frame().await.meta.kind == MessageType::ConnectionDetails {
            third = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(third.is_some(), "a closed socket's token opens a new one");
    h.advance(600);
    let mut expired = Ws::open(&token, None).await;
    assert_eq!(expired.frame().await.meta.kind, MessageType::Error);
    let mut bare = Ws::connect(h.sim.gateway_url()).await;
    assert_eq!(bare.frame().await.meta.kind, MessageType::Error);
    assert_eq!(bare.next().await.err(), Some(Ended::Closed(4400)));
}

#[tokio::test]
async fn apps_and_users_without_the_permissions_are_refused() {
    let mut scenario = demo_with_rate(30.0);
    scenario.app.websocket = false;
    let h = Harness::start(manual(scenario)).await;
    let refused = wstoken_reply(&h, &h.admin().await).await;
    assert_eq!(refused.status.as_u16(), 403);
    assert_eq!(refused.json()["errorCode"], "SUB-528");
    assert!(refused.text.contains("WebSocketsSubscription"));

    let mut scenario = demo_with_rate(30.0);
    scenario.app.call_control = false;
    let h = Harness::start(manual(scenario)).await;
    let (mut ws, _, _) = admin_socket(&h).await;
    let reply = ws.subscribe("cc", &[ACCOUNT]).await;
    assert_eq!(reply.meta.status, Some(403));
    assert!(reply.body.unwrap().get().contains("[CallControl]"));

    let h = busy().await;
    let mut ws = Ws::open(&wstoken(&h, &h.non_admin().await).await, None).await;
    ws.frame().await;
    let reply = ws.subscribe("acct", &[ACCOUNT]).await;
    assert_eq!(reply.meta.status, Some(403));
    let body: serde_json::Value = reply.body_as().unwrap().unwrap();
    assert_eq!(body["errorCode"], "InsufficientPermissions");
}

#[tokio::test]
async fn faults_delay_reorder_duplicate_and_lose_events() {
    let h = busy().await;
    let (mut ws, _, _) = admin_socket(&h).await;
    ws.subscribed(&[ACCOUNT]).await;
    let faults = h.sim.push_faults();
    faults.set_delay(Duration::from_secs(30));
    h.advance(60);
    let late = ws.events().await;
    let cutoff = crate::support::sim::t0().as_second() + 30;
    assert!(
        late.iter()
            .all(|e| e.body.event_time.unwrap().as_second() <= cutoff)
    );
    faults.set_delay(Duration::ZERO);
    run_for(&h, &mut ws, 30).await;

    faults.duplicate_next(1);
    let events = run_for(&h, &mut ws, 60).await;
    assert_eq!(events[0].uuid, events[1].uuid, "duplicated");
    assert_ne!(events[1].uuid, events[2].uuid);

    faults.reorder_next(1);
    let events = run_for(&h, &mut ws, 60).await;
    let order = |e: &Notification<SessionEvent>| {
        (
            e.body.event_time,
            e.body.telephony_session_id.clone(),
            e.body.sequence,
        )
    };
    assert!(order(&events[0]) > order(&events[1]), "reordered");

    faults.lose_next_disconnected(1000);
    let events = run_for(&h, &mut ws, 120).await;
    assert!(!events.is_empty() && !codes(&events).contains(&StatusCode::Disconnected));
}

#[test]
fn push_settings_and_faults_come_from_scenario_files() {
    let s = Scenario::parse(
        "[app]\nwebsocket = false\n[push]\nwstoken_ttl_secs = 30\n[push.faults]\ndrop_after_secs = 5\nreorder_every = 4\n",
    )
    .unwrap();
    assert!(!s.app.websocket && s.app.call_control);
    assert_eq!((s.push.wstoken_ttl_secs, s.push.faults.drop_after_secs), (30, 5));
}

#[tokio::test]
async fn the_drop_fault_from_a_scenario_cuts_sockets() {
    let mut scenario = demo_with_rate(30.0);
    scenario.push.faults.drop_after_secs = 20;
    let h = Harness::start(manual(scenario)).await;
    let (mut ws, _, _) = admin_socket(&h).await;
    h.advance(20);
    assert_eq!(ws.next().await.err(), Some(Ended::Cut));
}
