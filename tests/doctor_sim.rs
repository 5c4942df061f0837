//! `doctor` against the simulator's admin, non-admin and bad-credential users: one line per check,
//! the right ones failing, no secret in the report, and the Heavy budget spent only on the two scopes.
use crate::support::client::SimClient;

use callboard::api::error::ApiError;
use callboard::doctor::{self, Check};
use callboard::sim::{RateGroup, SimOptions, Simulator};

async fn run(sim: &Simulator, jwt: &str) -> Vec<Check> {
    run_cached(sim, jwt, None).await
}

async fn run_cached(sim: &Simulator, jwt: &str, cache: Option<&std::path::Path>) -> Vec<Check> {
    let client = SimClient::new(sim, true).jwt(jwt).token_cache(cache);
    doctor::server_checks(&client.build(), client.config()).await
}

fn lines(checks: &[Check]) -> String {
    checks.iter().map(|c| c.line() + "\n").collect()
}

fn status(checks: &[Check]) -> Vec<(&'static str, bool)> {
    checks.iter().map(|c| (c.name, c.outcome.is_ok())).collect()
}

fn assert_no_secret(sim: &Simulator, report: &str) {
    let c = sim.credentials();
    for secret in [&c.client_secret, &c.admin_jwt, &c.non_admin_jwt] {
        assert!(!report.contains(secret.as_str()), "{report}");
    }
}

#[tokio::test]
async fn an_admin_passes_every_check_within_two_heavy_requests() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let checks = run(&sim, &sim.credentials().admin_jwt).await;
    let report = lines(&checks);
    assert_eq!(
        status(&checks),
        [
            ("server", true),
            ("clock", true),
            ("token", true),
            ("user", true),
            ("account scope", true),
            ("extension scope", true),
            ("rate limits", true),
        ],
        "{report}"
    );
    assert!(
        report.contains("an admin") && report.contains("within 1 s"),
        "{report}"
    );
    assert!(
        report.contains("Heavy group: 8 of 10 requests left per 60 s"),
        "{report}"
    );
    assert_no_secret(&sim, &report);
    let heavy = sim
        .requests()
        .iter()
        .filter(|r| r.group == Some(RateGroup::Heavy))
        .count();
    assert_eq!(heavy, 2);
}

#[tokio::test]
async fn a_non_admin_is_told_account_scope_is_refused_and_why() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let checks = run(&sim, &sim.credentials().non_admin_jwt).await;
    let report = lines(&checks);
    let account = checks.iter().find(|c| c.name == "account scope").unwrap();
    let failure = account.outcome.as_ref().unwrap_err();
    assert!(
        matches!(failure.error, Some(ApiError::Permission { .. })),
        "{report}"
    );
    assert!(report.contains("FAILED  account scope") && report.contains("switch to extension scope"));
    assert!(report.contains("not an admin"), "{report}");
    assert!(
        checks
            .iter()
            .find(|c| c.name == "extension scope")
            .unwrap()
            .outcome
            .is_ok()
    );
    assert_no_secret(&sim, &report);
}

#[tokio::test]
async fn bad_credentials_fail_the_token_check_and_stop_there() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let checks = run(&sim, "eyJhbGciOiJub25lIn0.eyJzdWIiOiI5OTkifQ.bad").await;
    let report = lines(&checks);
    assert_eq!(
        status(&checks),
        [("server", true), ("clock", true), ("token", false)],
        "{report}"
    );
    let failure = checks[2].outcome.as_ref().unwrap_err();
    assert!(
        matches!(failure.error, Some(ApiError::Unauthorized { .. })),
        "{report}"
    );
    assert!(
        report.contains("RC_USER_JWT") && !report.contains(".bad"),
        "{report}"
    );
    assert!(sim.requests().iter().all(|r| r.group != Some(RateGroup::Heavy)));
}

#[tokio::test]
async fn a_second_run_reuses_the_cached_token() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jwt = sim.credentials().admin_jwt.clone();
    let token = |checks: &[Check]| checks.iter().find(|c| c.name == "token").unwrap().line();
    let first = run_cached(&sim, &jwt, Some(dir.path())).await;
    assert!(token(&first).contains("new token is cached"), "{}", token(&first));
    let second = run_cached(&sim, &jwt, Some(dir.path())).await;
    assert!(
        token(&second).contains("a cached token was valid until")
            && token(&second).contains("refresh proved the client id and secret"),
        "{}",
        token(&second)
    );
}

#[tokio::test]
async fn a_wrong_client_secret_is_found_even_behind_a_cached_token() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jwt = sim.credentials().admin_jwt.clone();
    run_cached(&sim, &jwt, Some(dir.path())).await;
    let client = SimClient::new(&sim, true)
        .jwt(&jwt)
        .client_secret("wrong-secret")
        .token_cache(Some(dir.path()));
    let checks = doctor::server_checks(&client.build(), client.config()).await;
    let report = lines(&checks);
    let token = checks.iter().find(|c| c.name == "token").unwrap();
    assert!(token.outcome.is_err(), "{report}");
    assert!(
        report.contains("RC_APP_CLIENT_SECRET"),
        "names the secret: {report}"
    );
    assert_no_secret(&sim, &report);
}

#[test]
fn the_binary_runs_doctor_on_the_demo() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["doctor", "--demo", "--demo-user", "non-admin"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{stdout}");
    assert!(
        stdout
            .lines()
            .next()
            .unwrap()
            .starts_with("ok      configuration"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("ok ") || l.starts_with("FAILED ")),
        "{stdout}"
    );
    assert!(
        stdout.contains("files") && stdout.contains("token cache"),
        "{stdout}"
    );
}
