//! The push client and the live source against a small WebSocket gateway inside the test (REST login,
//! `/restapi/oauth/wstoken`, active calls and a `ws://` gateway speaking `callboard::api::wsg`), on a
//! manual clock: events become party deltas without repeats or going backwards, heartbeats go out when
//! idle, a dropped socket is recovered with `wsc` on the cached token, a scope switch resubscribes on the
//! same socket, and a refused wstoken leaves the board polling at its normal interval.
use crate::support::client::SimClient;
use crate::support::wait::wait_until;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use callboard::api::Scope;
use callboard::clock::Clock;
use callboard::feed::{Change, Feed, FeedCommand, FeedState, PartyStatus, PushHealth};
use callboard::poller::{self, PollerConfig};
use jiff::Timestamp;
use serde_json::json;
use tokio::sync::mpsc;

const WS_TOKEN: &str = "WS-TOKEN-SECRET-1234567890";
const WSC: &str = "WSC-SECRET-0987654321";

/// What the gateway saw, and how it behaves.
#[derive(Default)]
struct Log {
    /// Every answered `/restapi/oauth/wstoken` request.
    wstokens: u32,
    /// Every active-calls request.
    listings: u32,
    /// The query of every WebSocket connection.
    connects: Vec<String>,
    /// Every text message the client sent, with the connection's number.
    sent: Vec<(usize, String)>,
    /// Refuse the wstoken with 403 (the app lacks WebSocket Subscriptions).
    refuse_wstoken: bool,
    /// The current connection's outbox.
    outbox: Option<mpsc::UnboundedSender<Option<String>>>,
}

#[derive(Clone)]
struct Gateway {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
}

impl Gateway {
    async fn start() -> Gateway {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let gw = Gateway {
            addr,
            log: Arc::default(),
        };
        let app = Router::new()
            .route("/restapi/oauth/token", post(login))
            .route("/restapi/oauth/wstoken", post(wstoken))
            .route("/restapi/v1.0/account/~/extension/~", get(me))
            .route("/restapi/v1.0/account/~/active-calls", get(listing))
            .route("/restapi/v1.0/account/~/extension/~/active-calls", get(listing))
            .route("/ws", get(upgrade))
            .with_state(gw.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        gw
    }

    fn log<R>(&self, f: impl FnOnce(&mut Log) -> R) -> R {
        f(&mut self.log.lock().unwrap())
    }

    /// Sends `text` on the current connection (`None` drops it).
    fn push(&self, text: Option<String>) {
        let outbox = self.log(|l| l.outbox.clone()).expect("a connection is open");
        outbox.send(text).unwrap();
    }
}

async fn login() -> Response {
    axum::Json(
        json!({"access_token": "AT-1", "token_type": "bearer", "expires_in": 3600,
        "refresh_token": "RT-1", "refresh_token_expires_in": 604800}),
    )
    .into_response()
}

async fn me() -> Response {
    axum::Json(json!({"id": 101, "extensionNumber": "101", "name": "Ada",
        "permissions": {"admin": {"enabled": true}}}))
    .into_response()
}

async fn listing(State(gw): State<Gateway>) -> Response {
    gw.log(|l| l.listings += 1);
    axum::Json(
        json!({"records": [], "paging": {"page": 1, "totalPages": 1, "perPage": 100, "totalElements": 0},
        "navigation": {}}),
    )
    .into_response()
}

async fn wstoken(State(gw): State<Gateway>) -> Response {
    if gw.log(|l| l.refuse_wstoken) {
        let body = json!({"errorCode": "SUB-528", "message": "In order to call this API endpoint, application needs to have [WebSocketsSubscription] permission.",
            "errors": [{"errorCode": "SUB-528", "message": "needs [WebSocketsSubscription]", "permissionName": "WebSocketsSubscription"}]});
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    gw.log(|l| l.wstokens += 1);
    axum::Json(json!({"ws_access_token": WS_TOKEN, "uri": format!("ws://{}/ws", gw.addr), "expires_in": 600}))
        .into_response()
}

async fn upgrade(State(gw): State<Gateway>, RawQuery(query): RawQuery, ws: WebSocketUpgrade) -> Response {
    let query = query.unwrap_or_default();
    ws.on_upgrade(move |socket| serve(gw, query, socket))
}

async fn serve(gw: Gateway, query: String, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let recovering = query.contains("wsc=");
    let n = gw.log(|l| {
        l.connects.push(query);
        l.outbox = Some(tx);
        l.connects.len()
    });
    let mut details = json!({"recoveryTimeout": 180, "idleTimeout": 1800, "absoluteTimeout": 86400});
    if recovering {
        details["recoveryState"] = json!("Successful");
    }
    let hello = json!([{"type": "ConnectionDetails", "messageId": "cd", "status": 200,
        "wsc": {"token": WSC, "sequence": 1}}, details]);
    let _ = socket.send(Message::text(hello.to_string())).await;
    loop {
        tokio::select! {
            out = rx.recv() => match out.flatten() {
                Some(text) => { let _ = socket.send(Message::text(text)).await; }
                None => return,
            },
            msg = socket.recv() => {
                let Some(Ok(Message::Text(text))) = msg else { return };
                gw.log(|l| l.sent.push((n, text.to_string())));
                let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
                let id = frame[0]["messageId"].clone();
                let reply = match frame[0]["type"].as_str() {
                    Some("ClientRequest") => json!([{"type": "ClientRequest", "messageId": id, "status": 200},
                        {"id": format!("sub-{n}"), "eventFilters": frame[1]["eventFilters"]}]),
                    _ => json!([{"type": "Heartbeat", "messageId": id}]),
                };
                let _ = socket.send(Message::text(reply.to_string())).await;
            }
        }
    }
}

/// A telephony-session event of party `p-1` of session `s-1`.
fn event(uuid: &str, sequence: u64, code: &str, subscription: &str) -> String {
    json!([{"type": "ServerNotification", "messageId": uuid, "status": 200},
        {"uuid": uuid, "event": "/restapi/v1.0/account/1/telephony/sessions", "subscriptionId": subscription,
         "body": {"sequence": sequence, "telephonySessionId": "s-1", "eventTime": "2026-01-05T09:00:00Z",
           "parties": [{"id": "p-1", "direction": "Inbound", "status": {"code": code}}]}}])
    .to_string()
}

/// Waits (up to 5 s, in async steps: the runtime is the test's own thread) until `done`.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..250 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

fn start(gw: &Gateway, clock: &Clock) -> Feed {
    let client = SimClient::at(&format!("http://{}", gw.addr), "id", "secret", "jwt")
        .clock(clock.clone())
        .build();
    let config = PollerConfig {
        scope: Some(Scope::Account),
        interval: Duration::from_secs(10),
    };
    poller::spawn_live(client, config, Some(Duration::from_secs(60)), None)
}

/// A gateway and a live source on a manual clock, once push is live.
async fn live() -> (Gateway, Clock, Feed) {
    let gw = Gateway::start().await;
    let clock = Clock::manual(Timestamp::now());
    let mut feed = start(&gw, &clock);
    wait_until(&mut feed, "push live", is_live).await;
    (gw, clock, feed)
}

fn is_live(s: &FeedState) -> bool {
    matches!(s.push, PushHealth::Live { .. })
}

fn statuses(s: &FeedState) -> Vec<PartyStatus> {
    s.deltas
        .iter()
        .filter_map(|d| match &d.change {
            Change::Party(p) => Some(p.status),
            Change::Call(_) => None,
        })
        .collect()
}

#[tokio::test]
async fn events_become_party_deltas_without_repeats_or_going_backwards() {
    let (gw, _clock, mut feed) = live().await;
    let snap = feed.state.borrow().clone();
    assert_eq!(
        snap.interval,
        jiff::SignedDuration::from_secs(60),
        "polling slows to the safety net"
    );
    let subscribe = gw.log(|l| l.sent[0].1.clone());
    assert!(
        subscribe.contains(r#"["/restapi/v1.0/account/~/telephony/sessions"]"#),
        "{subscribe}"
    );
    wait_until(&mut feed, "the listing after connecting", |s| {
        s.listing.seq > 0 && !s.switching
    })
    .await;

    gw.push(Some(event("u2", 3, "Answered", "sub-1")));
    gw.push(Some(event("u2", 3, "Answered", "sub-1")));
    gw.push(Some(event("u1", 2, "Setup", "sub-1")));
    gw.push(Some(event("old-sub", 9, "Gone", "sub-0")));
    gw.push(Some(event("u3", 5, "Hold", "sub-1")));
    let snap = wait_until(&mut feed, "the hold", |s| {
        statuses(s).contains(&PartyStatus::Hold)
    })
    .await;
    assert_eq!(statuses(&snap), [PartyStatus::Answered, PartyStatus::Hold]);
    assert!(matches!(
        snap.push,
        PushHealth::Live {
            last_event: Some(_),
            ..
        }
    ));
    // Start-up listing, the one push asked for after subscribing, none extra while live.
    assert!(gw.log(|l| l.listings) <= 2, "{} listings", gw.log(|l| l.listings));
}

#[tokio::test]
async fn a_dropped_socket_is_recovered_with_wsc_on_the_cached_token() {
    let (gw, clock, mut feed) = live().await;
    gw.push(None);
    wait_until(&mut feed, "reconnecting", |s| {
        matches!(s.push, PushHealth::Reconnecting { .. })
    })
    .await;
    clock.advance(Duration::from_secs(5));
    wait_until(&mut feed, "live again", is_live).await;
    let (connects, wstokens, sent) = gw.log(|l| (l.connects.clone(), l.wstokens, l.sent.clone()));
    assert_eq!(connects.len(), 2);
    assert!(connects[1].contains(&format!("wsc={WSC}")), "recovered with wsc");
    assert_eq!(wstokens, 1, "the token is reused within 80 % of its life");
    assert!(
        sent.iter().all(|(n, _)| *n == 1),
        "a recovered session is not subscribed again"
    );
    gw.push(Some(event("after", 4, "Answered", "sub-1")));
    wait_until(&mut feed, "an event after recovery", |s| !statuses(s).is_empty()).await;
}

#[tokio::test]
async fn a_heartbeat_goes_out_after_a_minute_of_silence() {
    let (gw, clock, feed) = live().await;
    let heartbeats = || gw.log(|l| l.sent.iter().filter(|(_, t)| t.contains("Heartbeat")).count());
    assert_eq!(heartbeats(), 0);
    clock.advance(Duration::from_secs(61));
    eventually("a heartbeat after 60 s without traffic", || heartbeats() == 1).await;
    assert!(
        is_live(&feed.state.borrow()),
        "answered heartbeats keep push live"
    );
}

#[tokio::test]
async fn a_scope_switch_resubscribes_on_the_same_socket() {
    let (gw, _clock, feed) = live().await;
    feed.commands
        .send(FeedCommand::SetScope(Scope::own_extension()))
        .await
        .unwrap();
    eventually("a second subscription request", || gw.log(|l| l.sent.len()) >= 2).await;
    let (connects, sent) = gw.log(|l| (l.connects.len(), l.sent.clone()));
    assert_eq!(connects, 1, "one connection");
    assert_eq!(sent[1].0, 1);
    assert!(
        sent[1]
            .1
            .contains("/restapi/v1.0/account/~/extension/~/telephony/sessions"),
        "{}",
        sent[1].1
    );
}

#[tokio::test]
async fn a_refused_wstoken_leaves_polling_at_the_normal_interval_without_retries() {
    let gw = Gateway::start().await;
    gw.log(|l| l.refuse_wstoken = true);
    let clock = Clock::manual(Timestamp::now());
    let mut feed = start(&gw, &clock);
    let snap = wait_until(&mut feed, "push unavailable", |s| {
        matches!(s.push, PushHealth::Unavailable { .. })
    })
    .await;
    let PushHealth::Unavailable { reason } = &snap.push else {
        unreachable!()
    };
    assert!(reason.contains("WebSocket Subscriptions"), "{reason}");
    assert_eq!(snap.interval, jiff::SignedDuration::from_secs(10));
    for _ in 0..6 {
        clock.advance(Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = gw.log(|l| l.listings);
    wait_until(&mut feed, "polling goes on", |_| gw.log(|l| l.listings) >= before).await;
    assert!(
        gw.log(|l| l.listings) >= 3,
        "polling continues: {}",
        gw.log(|l| l.listings)
    );
    assert_eq!(
        gw.log(|l| l.connects.len()),
        0,
        "no connection attempts after a refusal"
    );
    let secret_free = format!("{:?}", feed.state.borrow());
    assert!(!secret_free.contains(WS_TOKEN) && !secret_free.contains(WSC));
}
