//! Server-side rate limiting: sliding window per (user, group), 429 CMN-301, a penalty that restarts.
use crate::support::sim::*;

use callboard::sim::{RateGroup, RateLimits, Scenario};
use jiff::SignedDuration;

fn limits() -> RateLimits {
    RateLimits {
        auth: 100,
        ..RateLimits::default()
    }
}

#[tokio::test]
async fn eleventh_heavy_request_is_throttled_and_the_penalty_restarts() {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(limits())).await;
    let token = h.admin().await;
    for i in 0..10u32 {
        let got = h.get(&token, ACCOUNT_CALLS).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("X-Rate-Limit-Group"), Some("Heavy"));
        assert_eq!(got.header("X-Rate-Limit-Limit"), Some("10"));
        assert_eq!(
            got.header("X-Rate-Limit-Remaining"),
            Some((9 - i).to_string().as_str())
        );
        assert_eq!(got.header("X-Rate-Limit-Window"), Some("60"));
        h.advance(1);
    }
    let throttled = h.get(&token, ACCOUNT_CALLS).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("Retry-After"), Some("60"));
    assert_eq!(throttled.header("X-Rate-Limit-Remaining"), Some("0"));
    let body = throttled.json();
    assert_eq!(
        body,
        serde_json::json!({"errorCode":"CMN-301","message":"Request rate exceeded",
            "errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]})
    );
    // Other groups are counted separately.
    h.get_ok(&token, "/restapi/v1.0/account/~/extension/~").await;

    // 50 s into the penalty another request restarts it...
    h.advance(50);
    assert_eq!(h.get(&token, ACCOUNT_CALLS).await.status, 429);
    // ...so 59 s later it is still in force, though the window has long emptied.
    h.advance(59);
    assert_eq!(h.get(&token, ACCOUNT_CALLS).await.status, 429);
    h.advance(60);
    let after = h.get(&token, ACCOUNT_CALLS).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.header("X-Rate-Limit-Remaining"), Some("9"));
}

#[tokio::test]
async fn users_have_separate_buckets_and_the_window_slides() {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(limits())).await;
    let (admin, user) = (h.admin().await, h.non_admin().await);
    for _ in 0..10 {
        h.get_ok(&admin, ACCOUNT_CALLS).await;
        h.advance(6);
    }
    // The first request left the window exactly now: a steady 6 s poller is never throttled.
    h.get_ok(&admin, ACCOUNT_CALLS).await;
    h.get_ok(&user, MY_CALLS).await;
    let log = h.sim.requests();
    assert!(log.iter().all(|r| r.status == Some(200)));
    let heavy: Vec<_> = log.iter().filter(|r| r.group == Some(RateGroup::Heavy)).collect();
    assert_eq!(heavy.len(), 12);
    let admin_id = h.sim.credentials().admin_extension_id;
    // No 60 s span holds more than 10 of the admin's Heavy requests.
    let times: Vec<_> = heavy
        .iter()
        .filter(|r| r.user == Some(admin_id))
        .map(|r| r.at)
        .collect();
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < SignedDuration::from_secs(60))
            .count();
        assert!(in_window <= 10);
    }
}

#[tokio::test]
async fn token_endpoint_is_in_the_auth_group() {
    let h = Harness::start(manual(Scenario::demo())).await;
    let jwt = h.sim.credentials().admin_jwt.clone();
    for i in 0..5u32 {
        let got = h.jwt_grant(&jwt).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("X-Rate-Limit-Limit"), Some("5"));
        assert_eq!(
            got.header("X-Rate-Limit-Remaining"),
            Some((4 - i).to_string().as_str())
        );
    }
    let throttled = h.jwt_grant(&jwt).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.json()["errorCode"], "CMN-301");
    assert!(throttled.header("Retry-After").is_some());
    h.advance(61);
    assert_eq!(h.jwt_grant(&jwt).await.status, 200);
}

#[tokio::test]
async fn every_api_response_carries_rate_headers() {
    let h = Harness::start(manual(Scenario::demo())).await;
    let token = h.admin().await;
    for (path, group) in [
        (ACCOUNT_CALLS.to_owned(), "Heavy"),
        (format!("{MY_CALLS}?perPage=0"), "Heavy"),
        ("/restapi/v1.0/account/~/extension".to_owned(), "Medium"),
        ("/restapi/v1.0/account/~/extension/~".to_owned(), "Light"),
        ("/restapi/v1.0/account/~/extension/1".to_owned(), "Light"),
    ] {
        let got = h.get(&token, &path).await;
        assert_eq!(got.header("X-Rate-Limit-Group"), Some(group), "{path}");
        for name in [
            "X-Rate-Limit-Limit",
            "X-Rate-Limit-Remaining",
            "X-Rate-Limit-Window",
        ] {
            assert!(got.header(name).is_some(), "{name} on {path}");
        }
    }
    let log = h.sim.requests();
    assert_eq!(log.len(), 6);
    assert_eq!(log[0].group, Some(RateGroup::Auth));
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[2].path, format!("{MY_CALLS}?perPage=0"));
    assert_eq!(log[2].status, Some(400));
    assert_eq!(log[1].user, Some(h.sim.credentials().admin_extension_id));
}
