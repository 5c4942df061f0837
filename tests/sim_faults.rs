//! Every injectable fault is observable by a plain HTTP client.
use crate::support::sim::*;

use std::time::{Duration, Instant};

use callboard::sim::{Fault, FaultSettings, PeriodicFault, QueuedFault, Scenario};

async fn harness() -> (Harness, String) {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let token = h.admin().await;
    (h, token)
}

#[tokio::test]
async fn forced_401_then_back_to_normal() {
    let (h, token) = harness().await;
    h.sim.faults().fail_next(2, Fault::Unauthorized);
    assert_eq!(h.sim.faults().pending(), 2);
    for _ in 0..2 {
        let got = h.get(&token, ACCOUNT_CALLS).await;
        assert_eq!(got.status, 401);
        assert_eq!(got.json()["errors"][0]["errorCode"], "OAU-213");
    }
    h.get_ok(&token, ACCOUNT_CALLS).await;
}

#[tokio::test]
async fn rate_limit_storm() {
    let (h, token) = harness().await;
    h.sim.faults().fail_next(3, Fault::RateLimited);
    for _ in 0..3 {
        let got = h.get(&token, "/restapi/v1.0/account/~/extension/~").await;
        assert_eq!(got.status, 429);
        assert_eq!(got.header("Retry-After"), Some("60"));
        assert_eq!(got.json()["errorCode"], "CMN-301");
    }
    h.get_ok(&token, ACCOUNT_CALLS).await;
}

#[tokio::test]
async fn server_errors_with_and_without_retry_after() {
    let (h, token) = harness().await;
    let faults = h.sim.faults();
    faults.fail_next(
        1,
        Fault::ServerError {
            status: 503,
            retry_after: Some(7),
        },
    );
    faults.fail_next(
        1,
        Fault::ServerError {
            status: 503,
            retry_after: None,
        },
    );
    faults.fail_next(
        1,
        Fault::ServerError {
            status: 500,
            retry_after: None,
        },
    );
    let a = h.get(&token, ACCOUNT_CALLS).await;
    assert_eq!((a.status.as_u16(), a.header("Retry-After")), (503, Some("7")));
    assert_eq!(a.json()["errors"][0]["errorCode"], "CMN-201");
    let b = h.get(&token, ACCOUNT_CALLS).await;
    assert_eq!((b.status.as_u16(), b.header("Retry-After")), (503, None));
    let c = h.get(&token, ACCOUNT_CALLS).await;
    assert_eq!(c.status, 500);
    assert!(c.json()["errors"][0]["errorCode"].is_string());
    h.get_ok(&token, ACCOUNT_CALLS).await;
}

#[tokio::test]
async fn slow_responses() {
    let (h, token) = harness().await;
    h.sim.faults().fail_next(1, Fault::Slow { delay_ms: 300 });
    let started = Instant::now();
    h.get_ok(&token, ACCOUNT_CALLS).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    h.sim.faults().set_delay(Duration::from_millis(200));
    let started = Instant::now();
    h.get_ok(&token, MY_CALLS).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    h.sim.faults().set_delay(Duration::ZERO);
}

#[tokio::test]
async fn hung_response_never_answers() {
    let (h, token) = harness().await;
    h.sim.faults().fail_next(1, Fault::Hang);
    let err = h
        .http
        .get(format!("{}{ACCOUNT_CALLS}", h.sim.base_url()))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let last = h.sim.requests().pop().unwrap();
    assert_eq!((last.path.as_str(), last.status), (ACCOUNT_CALLS, None));
    h.get_ok(&token, ACCOUNT_CALLS).await;
    // Shutting down releases the hung handler instead of waiting forever.
    tokio::time::timeout(Duration::from_secs(6), h.sim.shutdown())
        .await
        .unwrap();
}

#[tokio::test]
async fn dropped_connection_gets_no_response() {
    let (h, token) = harness().await;
    h.sim.faults().fail_next(1, Fault::Drop);
    let fresh = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let err = fresh
        .get(format!("{}{ACCOUNT_CALLS}", h.sim.base_url()))
        .bearer_auth(&token)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "closed at once, not hung: {err:?}");
    assert_eq!(h.sim.requests().pop().unwrap().status, None);
    h.get_ok(&token, ACCOUNT_CALLS).await;
}

#[tokio::test]
async fn truncated_and_malformed_bodies() {
    let (h, token) = harness().await;
    let whole = h.get(&token, ACCOUNT_CALLS).await.text;
    h.sim.faults().fail_next(1, Fault::Truncated);
    h.sim.faults().fail_next(1, Fault::Malformed);
    let cut = h.get(&token, ACCOUNT_CALLS).await;
    assert_eq!(cut.status, 200);
    assert_eq!(cut.text.len(), whole.len() / 2);
    assert!(serde_json::from_str::<serde_json::Value>(&cut.text).is_err());
    assert!(callboard::api::model::ActiveCallsPage::parse(cut.text.as_bytes()).is_err());
    let bad = h.get(&token, ACCOUNT_CALLS).await;
    assert_eq!(bad.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&bad.text).is_err());
}

#[tokio::test]
async fn short_lived_tokens_and_rejected_refresh() {
    let (h, _) = harness().await;
    h.sim.faults().set_access_token_ttl(Some(Duration::from_secs(30)));
    let info = h.jwt_grant(&h.sim.credentials().admin_jwt.clone()).await.json();
    assert_eq!(info["expires_in"], 30);
    let token = info["access_token"].as_str().unwrap();
    h.advance(30);
    assert_eq!(
        h.get(token, MY_CALLS).await.json()["errors"][0]["errorCode"],
        "OAU-128"
    );

    h.sim.faults().set_reject_refresh(true);
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", info["refresh_token"].as_str().unwrap()),
    ];
    let rejected = h.oauth("/restapi/oauth/token", &refresh).await;
    assert_eq!(rejected.status, 400);
    assert_eq!(rejected.json()["error"], "invalid_grant");
    h.sim.faults().clear();
    let ok = h.oauth("/restapi/oauth/token", &refresh).await;
    assert_eq!(ok.status, 200, "the token was not consumed by the rejection");
    assert_eq!(ok.json()["expires_in"], 3600);
}

#[tokio::test]
async fn scenario_faults_apply_from_the_start() {
    let mut scenario = Scenario::demo();
    scenario.rate_limits = relaxed();
    let faults = FaultSettings {
        queue: vec![QueuedFault {
            fault: Fault::ServerError {
                status: 503,
                retry_after: Some(1),
            },
            count: 1,
        }],
        every: vec![PeriodicFault {
            fault: Fault::Unauthorized,
            nth: 3,
        }],
        ..FaultSettings::default()
    };
    let h = Harness::start(manual(scenario).faults(faults)).await;
    let token = h.admin().await;
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..6 {
            v.push(h.get(&token, MY_CALLS).await.status.as_u16());
        }
        v
    };
    assert_eq!(statuses, [503, 200, 401, 200, 200, 401]);
}

#[tokio::test]
async fn hostile_scenario_names_survive_the_wire() {
    let path = format!("{}/assets/scenarios/hostile.toml", env!("CARGO_MANIFEST_DIR"));
    let mut opts = callboard::sim::SimOptions::from_scenario_file(path)
        .unwrap()
        .rate_limits(relaxed());
    opts.scenario.faults = FaultSettings::default();
    opts.clock = callboard::clock::Clock::manual(t0());
    let h = Harness::start(opts).await;
    let token = h.admin().await;
    let mut odd = 0;
    for _ in 0..30 {
        let body = h.get_ok(&token, ACCOUNT_CALLS).await;
        let page = callboard::api::model::ActiveCallsPage::parse(body.to_string().as_bytes()).unwrap();
        assert!(page.skipped.is_empty());
        odd += page
            .records
            .iter()
            .filter_map(|r| r.fields.from.as_ref()?.name.as_ref())
            .filter(|n| n.chars().any(|c| c.is_control() || c == '\u{202e}') || n.len() > 300)
            .count();
        h.advance(60);
    }
    assert!(odd > 0, "no hostile names seen");
    let dir = h
        .get_ok(&token, "/restapi/v1.0/account/~/extension?type=User")
        .await;
    let odd_users = dir["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["name"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}')
        })
        .count();
    assert!(odd_users > 0, "no hostile extension names");
}
