//! Records of the wrong shape inside a good response: a stand-in RingCentral on loopback serves a page of
//! real captures with two broken records and one with an enum value never seen before. The broken ones are
//! skipped with a warning on screen; the rest of the poll, the new enum value included, reaches the board.
use crate::support::app::live_app;
use crate::support::captures::capture_bytes;
use crate::support::client::SimClient;
use crate::support::live::{live_screen, start};
use crate::support::wait::wait_until;

use axum::Router;
use axum::routing::{get, post};
use serde_json::{Value, json};

/// The first record of a capture in `assets/captures`, with its id replaced.
fn record(name: &str, id: &str) -> Value {
    let mut page: Value = serde_json::from_slice(&capture_bytes(name)).unwrap();
    let mut r = page["records"][0].take();
    r["id"] = json!(id);
    r
}

/// Serves the token, the logged-in admin and `page` as the account's active calls.
async fn stand_in(page: Value) -> String {
    let token = json!({
        "access_token": "stand-in-access", "token_type": "bearer", "expires_in": 3600,
        "refresh_token": "stand-in-refresh", "refresh_token_expires_in": 604800,
    });
    let me = json!({ "id": 101, "extensionNumber": "101", "name": "Admin", "permissions": { "admin": { "enabled": true } } });
    let app = Router::new()
        .route(
            "/restapi/oauth/token",
            post(move || async move { axum::Json(token) }),
        )
        .route(
            "/restapi/v1.0/account/~/extension/~",
            get(move || async move { axum::Json(me) }),
        )
        .route(
            "/restapi/v1.0/account/~/active-calls",
            get(move || async move { axum::Json(page) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test]
async fn broken_records_are_skipped_with_a_warning_and_the_rest_is_shown() {
    let mut odd = record("queue_2_answered", "LIoddEnum");
    odd["result"] = json!("Teleported");
    odd["direction"] = json!("Sideways");
    let mut wrong_type = record("direct_1_ringing", "LIwrongType");
    wrong_type["startTime"] = json!({ "when": "now" });
    let page = json!({
        "records": [
            record("direct_2_answered", "LIgood1"),
            json!(42),
            odd,
            wrong_type,
            record("queue_1_ringing", "LIgood2"),
        ],
        "paging": { "page": 1, "perPage": 1000 },
        "navigation": {},
    });
    let base = stand_in(page).await;
    let mut poller = start(
        SimClient::at(&base, "stand-in-app", "stand-in-secret", "stand-in-jwt")
            .short_timeouts()
            .build(),
    );
    let snap = wait_until(&mut poller, "a poll", |s| s.listing.seq >= 1).await;
    assert!(snap.error.is_none(), "{:?}", snap.error);
    assert_eq!(
        snap.listing.skipped, 2,
        "the number and the record with a wrongly typed startTime"
    );
    let ids: Vec<&str> = snap.listing.calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["LIgood1", "LIoddEnum", "LIgood2"]);
    let text = live_screen(&mut live_app(), &snap);
    assert!(text.contains("2 unreadable record(s) skipped"), "{text}");
    // A result never seen before is not "In Progress": the call is listed as ended, not lost.
    assert!(
        text.contains("2 live") && text.contains("1 recently ended"),
        "{text}"
    );
}
