//! Everything the simulator sends matches the vendored OpenAPI subset, and so do the real captures.
use crate::support::schema::{assert_valid, schema};
use crate::support::sim::*;

use callboard::sim::{Fault, Scenario};
use reqwest::StatusCode;

#[test]
fn real_captures_validate() {
    let schema = schema("CallLogResponse");
    let dir = format!("{}/assets/captures", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_valid(&schema, &value, &path.display().to_string());
        seen += 1;
    }
    assert_eq!(seen, 6);
    // The validator is not vacuous.
    assert!(!schema.is_valid(&serde_json::json!({"records": [{"id": 1}], "paging": {}, "navigation": {}})));
}

#[tokio::test]
async fn active_calls_validate_in_both_views_and_scopes_across_lifecycles() {
    let h = Harness::start(manual(demo_with_rate(12.0))).await;
    let (admin, user) = (h.admin().await, h.non_admin().await);
    let schema = schema("CallLogResponse");
    let mut records = 0;
    let mut results = std::collections::BTreeSet::new();
    for _ in 0..40 {
        for view in ["Simple", "Detailed"] {
            for (token, path) in [(&admin, ACCOUNT_CALLS), (&user, MY_CALLS)] {
                let body = h.get_ok(token, &format!("{path}?view={view}")).await;
                assert_valid(&schema, &body, &format!("{path} {view}"));
                for r in body["records"].as_array().unwrap() {
                    records += 1;
                    results.insert(r["result"].as_str().unwrap().to_owned());
                    assert_eq!(r.get("legs").is_some(), view == "Detailed");
                }
            }
        }
        h.advance(15);
    }
    assert!(records > 500, "only {records} records seen");
    for expected in ["In Progress", "Accepted", "Missed", "Voicemail", "Call connected"] {
        assert!(
            results.contains(expected),
            "never saw result {expected}: {results:?}"
        );
    }
}

#[tokio::test]
async fn contact_centre_pages_validate() {
    let h = Harness::start(manual(Scenario::contact_centre()).rate_limits(relaxed())).await;
    let admin = h.admin().await;
    let body = h
        .get_ok(&admin, &format!("{ACCOUNT_CALLS}?view=Detailed&perPage=max"))
        .await;
    assert_valid(&schema("CallLogResponse"), &body, "contact centre page");
    assert_eq!(body["records"].as_array().unwrap().len(), 1000);
    assert!(body["navigation"]["nextPage"]["uri"].is_string());
}

#[tokio::test]
async fn token_and_extension_models_validate() {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let grant = h.jwt_grant(&h.sim.credentials().admin_jwt.clone()).await;
    assert_valid(&schema("TokenInfo"), &grant.json(), "TokenInfo");
    let token = grant.json()["access_token"].as_str().unwrap().to_owned();
    let me = h.get_ok(&token, "/restapi/v1.0/account/~/extension/~").await;
    assert_valid(&schema("GetExtensionInfoResponse"), &me, "extension/~");
    assert_eq!(me["permissions"]["admin"]["enabled"], true);
    let id = h.sim.credentials().non_admin_extension_id;
    let other = h
        .get_ok(&token, &format!("/restapi/v1.0/account/~/extension/{id}"))
        .await;
    assert_valid(&schema("GetExtensionInfoResponse"), &other, "extension/{id}");
    assert_eq!(other["permissions"]["admin"]["enabled"], false);
    let list = h
        .get_ok(&token, "/restapi/v1.0/account/~/extension?perPage=10&page=2")
        .await;
    assert_valid(&schema("GetExtensionListResponse"), &list, "extension list");
    let queues = h
        .get_ok(&token, "/restapi/v1.0/account/~/extension?type=Department")
        .await;
    let queues = queues["records"].as_array().unwrap();
    assert_eq!(queues.len(), 3);
    assert!(queues.iter().all(|q| q["type"] == "Department"));
}

#[tokio::test]
async fn error_bodies_validate() {
    let h = Harness::start(manual(Scenario::demo())).await;
    let errors = schema("ApiErrorResponseModel");
    let user = h.non_admin().await;
    let mut bodies = vec![
        h.get(&user, ACCOUNT_CALLS).await,
        h.get("garbage", MY_CALLS).await,
        h.get(&user, "/restapi/v1.0/nowhere").await,
        h.get(&user, &format!("{MY_CALLS}?perPage=zero")).await,
        h.get(&user, "/restapi/v1.0/account/~/extension/123/active-calls")
            .await,
        h.jwt_grant("not-a-jwt").await,
        h.oauth("/restapi/oauth/token", &[("grant_type", "password")])
            .await,
    ];
    h.sim.faults().fail_next(
        1,
        Fault::ServerError {
            status: 503,
            retry_after: Some(3),
        },
    );
    bodies.push(h.get(&user, MY_CALLS).await);
    for _ in 0..10 {
        h.get(&user, MY_CALLS).await;
    }
    bodies.push(h.get(&user, MY_CALLS).await);
    let statuses: Vec<u16> = bodies.iter().map(|b| b.status.as_u16()).collect();
    assert_eq!(statuses, [403, 401, 404, 400, 404, 400, 400, 503, 429]);
    for got in &bodies {
        let body = got.json();
        assert_valid(&errors, &body, &got.text);
        assert!(
            body["errorCode"].is_string() && body["message"].is_string(),
            "{body}"
        );
        assert_ne!(got.status, StatusCode::OK);
    }
}
