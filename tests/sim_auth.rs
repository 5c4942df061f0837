//! OAuth grants, client authentication, token lifetimes, revocation and permissions.
use crate::support::sim::*;

use std::net::SocketAddr;

use callboard::sim::{Scenario, SimOptions, Simulator};

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn demo() -> callboard::sim::SimOptions {
    manual(Scenario::demo()).rate_limits(relaxed())
}

#[tokio::test]
async fn jwt_grant_issues_a_token_for_the_right_user() {
    let h = Harness::start(demo()).await;
    let creds = h.sim.credentials().clone();
    let got = h.jwt_grant(&creds.admin_jwt).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("X-Rate-Limit-Group"), Some("Auth"));
    let info = got.json();
    assert_eq!(info["token_type"], "bearer");
    assert_eq!(info["expires_in"], 3600);
    assert_eq!(info["refresh_token_expires_in"], 604_800);
    assert_eq!(info["owner_id"], creds.admin_extension_id.to_string());
    for key in [
        "access_token",
        "refresh_token",
        "scope",
        "endpoint_id",
        "session_id",
    ] {
        assert!(info[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    let token = info["access_token"].as_str().unwrap();
    let me = h.get_ok(token, "/restapi/v1.0/account/~/extension/~").await;
    assert_eq!(me["id"], creds.admin_extension_id);
    assert_eq!(me["extensionNumber"], creds.admin_extension_number);
    let other = h.non_admin().await;
    let me = h.get_ok(&other, "/restapi/v1.0/account/~/extension/~").await;
    assert_eq!(me["id"], creds.non_admin_extension_id);
}

#[tokio::test]
async fn bad_client_auth_and_bad_grants_are_rejected_like_the_real_service() {
    let h = Harness::start(demo()).await;
    let url = format!("{}/restapi/oauth/token", h.sim.base_url());
    let jwt = h.sim.credentials().admin_jwt.clone();
    let form = [("grant_type", JWT_GRANT), ("assertion", jwt.as_str())];
    let missing = got(h.http.post(&url).form(&form).send().await.unwrap()).await;
    assert_eq!(missing.status, 400);
    let body = missing.json();
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["errors"][0]["errorCode"], "OAU-123");
    let wrong = got(h
        .http
        .post(&url)
        .basic_auth("sim-client-id-callboard-demo", Some("nope"))
        .form(&form)
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json()["errors"][0]["errorCode"], "OAU-153");
    assert!(!wrong.text.contains("nope"), "secrets are never echoed");
    let garbage = got(h
        .http
        .post(&url)
        .header("Authorization", "Basic !!!")
        .form(&form)
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(garbage.json()["error"], "invalid_client");

    let bad_jwt = h.jwt_grant("sim-jwt-forged").await;
    assert_eq!(bad_jwt.status, 400);
    assert_eq!(bad_jwt.json()["error"], "invalid_grant");
    assert_eq!(bad_jwt.json()["errors"][0]["errorCode"], "OAU-140");
    let no_assertion = h
        .oauth("/restapi/oauth/token", &[("grant_type", JWT_GRANT)])
        .await;
    assert_eq!(no_assertion.json()["error"], "invalid_request");
    let no_grant = h.oauth("/restapi/oauth/token", &[]).await;
    assert_eq!(no_grant.json()["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn refresh_works_once_and_invalidates_the_old_tokens() {
    let h = Harness::start(demo()).await;
    let first = h.jwt_grant(&h.sim.credentials().admin_jwt.clone()).await.json();
    let refresh = first["refresh_token"].as_str().unwrap();
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let second = h.oauth("/restapi/oauth/token", &form).await;
    assert_eq!(second.status, 200, "{}", second.text);
    let second = second.json();
    assert_eq!(second["session_id"], first["session_id"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let again = h.oauth("/restapi/oauth/token", &form).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.json()["error"], "invalid_grant");
    let old = h.get(first["access_token"].as_str().unwrap(), MY_CALLS).await;
    assert_eq!(old.status, 401);
    assert_eq!(old.json()["errors"][0]["errorCode"], "OAU-213");
    h.get_ok(second["access_token"].as_str().unwrap(), MY_CALLS).await;
}

#[tokio::test]
async fn revoke_kills_the_whole_session() {
    let h = Harness::start(demo()).await;
    let info = h.jwt_grant(&h.sim.credentials().admin_jwt.clone()).await.json();
    let access = info["access_token"].as_str().unwrap();
    h.get_ok(access, MY_CALLS).await;
    let revoked = h.oauth("/restapi/oauth/revoke", &[("token", access)]).await;
    assert_eq!(revoked.status, 200);
    assert_eq!(h.get(access, MY_CALLS).await.status, 401);
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", info["refresh_token"].as_str().unwrap()),
    ];
    assert_eq!(h.oauth("/restapi/oauth/token", &refresh).await.status, 400);
    let unknown = h.oauth("/restapi/oauth/revoke", &[("token", "whatever")]).await;
    assert_eq!(unknown.status, 200, "revoking an unknown token is not an error");
}

#[tokio::test]
async fn access_tokens_expire_and_bad_ones_get_token_invalid() {
    let h = Harness::start(demo()).await;
    let token = h.admin().await;
    h.advance(3_599);
    h.get_ok(&token, MY_CALLS).await;
    h.advance(1);
    let expired = h.get(&token, MY_CALLS).await;
    assert_eq!(expired.status, 401);
    let body = expired.json();
    assert_eq!(body["errorCode"], "TokenInvalid");
    assert_eq!(body["errors"][0]["errorCode"], "OAU-128");
    assert_eq!(body["errors"][0]["message"], "Access token expired.");

    let garbage = h.get("not-a-token", MY_CALLS).await;
    assert_eq!(garbage.json()["errors"][0]["errorCode"], "OAU-149");
    let none = got(h
        .http
        .get(format!("{}{MY_CALLS}", h.sim.base_url()))
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["errors"][0]["errorCode"], "OAU-149");
}

#[tokio::test]
async fn permissions_and_unknown_resources() {
    let h = Harness::start(demo()).await;
    let creds = h.sim.credentials().clone();
    let user = h.non_admin().await;
    let denied = h.get(&user, ACCOUNT_CALLS).await;
    assert_eq!(denied.status, 403);
    let body = denied.json();
    let message = "In order to call this API endpoint, user needs to have [ReadCompanyCallLog] permission for requested resource.";
    assert_eq!(body["errorCode"], "InsufficientPermissions");
    assert_eq!(body["message"], message);
    assert_eq!(body["permissionName"], "ReadCompanyCallLog");
    assert_eq!(body["errors"][0]["errorCode"], "CMN-408");
    assert_eq!(body["errors"][0]["permissionName"], "ReadCompanyCallLog");
    assert_eq!(denied.header("X-Rate-Limit-Group"), Some("Heavy"));

    let someone_else = format!(
        "/restapi/v1.0/account/~/extension/{}/active-calls",
        creds.admin_extension_id
    );
    let other = h.get(&user, &someone_else).await;
    assert_eq!(other.status, 403);
    assert_eq!(other.json()["errors"][0]["errorCode"], "CMN-404");
    let own = format!(
        "/restapi/v1.0/account/~/extension/{}/active-calls",
        creds.non_admin_extension_id
    );
    h.get_ok(&user, &own).await;

    let admin = h.admin().await;
    h.get_ok(&admin, &someone_else).await;
    let admin_sees_user = format!(
        "/restapi/v1.0/account/~/extension/{}/active-calls",
        creds.non_admin_extension_id
    );
    h.get_ok(&admin, &admin_sees_user).await;
    let numeric_account = h
        .get_ok(&admin, "/restapi/v1.0/account/400131016/active-calls")
        .await;
    assert!(numeric_account["records"].is_array());

    for (path, code, status) in [
        (
            "/restapi/v1.0/account/~/extension/42/active-calls",
            "CMN-102",
            404,
        ),
        ("/restapi/v1.0/account/~/extension/abc", "CMN-102", 404),
        ("/restapi/v1.0/account/12345/active-calls", "CMN-102", 404),
        ("/restapi/v1.0/account/~/presence", "CMN-120", 404),
        ("/nothing/here", "CMN-120", 404),
    ] {
        let got = h.get(&admin, path).await;
        assert_eq!(got.status, status, "{path}");
        assert_eq!(got.json()["errors"][0]["errorCode"], code, "{path}");
    }
    let post = got(h
        .http
        .post(format!("{}{ACCOUNT_CALLS}", h.sim.base_url()))
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(post.status, 404);
}

#[tokio::test]
async fn refuses_non_loopback_and_prints_a_banner() {
    for addr in ["0.0.0.0:0", "192.0.2.1:0"] {
        let addr: SocketAddr = addr.parse().unwrap();
        let err = Simulator::start(SimOptions::demo().listen(addr))
            .await
            .err()
            .expect("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("loopback"), "{err}");
    }
    let h = Harness::start(demo()).await;
    let banner = h.sim.banner();
    let creds = h.sim.credentials();
    for line in [
        format!("export RC_SERVER_URL={}", h.sim.base_url()),
        format!("export RC_APP_CLIENT_ID={}", creds.client_id),
        format!("export RC_APP_CLIENT_SECRET={}", creds.client_secret),
        format!("export RC_USER_JWT={}", creds.admin_jwt),
    ] {
        assert!(banner.contains(&line), "{banner}");
    }
    assert!(banner.contains(&creds.non_admin_jwt));
    h.sim.shutdown().await;
}

#[tokio::test]
async fn scenario_files_load_and_bad_ones_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "name = \"tiny\"\nseed = 3\nusers = 4\nqueues = 1\n").unwrap();
    let opts = SimOptions::from_scenario_file(&good).unwrap();
    assert_eq!((opts.scenario.name.as_str(), opts.scenario.users), ("tiny", 4));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[calls]\nring_secs = [30, 5]\n").unwrap();
    assert!(
        SimOptions::from_scenario_file(&bad)
            .unwrap_err()
            .to_string()
            .contains("ring_secs")
    );
    assert!(SimOptions::from_scenario_file(dir.path().join("missing.toml")).is_err());
    let hostile = format!("{}/assets/scenarios/hostile.toml", env!("CARGO_MANIFEST_DIR"));
    let h = Harness::start(
        SimOptions::from_scenario_file(hostile)
            .unwrap()
            .rate_limits(relaxed()),
    )
    .await;
    assert!(h.sim.scenario().hostile_names);
}

#[tokio::test]
async fn undecodable_paths_get_json_errors() {
    let h = Harness::start(demo()).await;
    let token = h.admin().await;
    for path in [
        "/restapi/v1.0/account/%FF/active-calls",
        "/restapi/v1.0/account/~/extension/%C3%28/active-calls",
        "/restapi/v1.0/account/~/extension/%FF",
        "/restapi/v1.0/account/%FF/extension",
    ] {
        let got = h.get(&token, path).await;
        assert_eq!(got.status, 404, "{path}");
        assert_eq!(got.json()["errors"][0]["errorCode"], "CMN-102", "{path}");
    }
}
