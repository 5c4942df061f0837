//! `sim --tls`: HTTPS with HTTP/2 or HTTP/1.1 as the client's ALPN offers, push over `wss://`, and the
//! real binary (board, `once`, `doctor`) trusting the simulator's CA through `SSL_CERT_FILE` — or saying
//! in words, for REST and the WebSocket alike, why it does not trust it without.
use crate::support::client::SimClient;
use crate::support::gateway::wstoken;
use crate::support::proxy::binary;
use crate::support::pty::Pty;
use crate::support::push::{Rig, SAFETY_SECS, delta_keys};
use crate::support::sim::{Harness, demo_with_rate, manual};

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use callboard::api::push::connection;
use callboard::api::tls;
use callboard::doctor::{self, Check};
use callboard::sim::{SimOptions, Simulator};

/// What the client says of the simulator's certificate without its CA.
const UNTRUSTED: &str = "the certificate of 127.0.0.1 is issued by \"CN=callboard simulator CA\", which \
                         this machine does not trust: a company network may be intercepting TLS; add its \
                         CA with SSL_CERT_FILE=/path/to/ca.pem or ca_file in config.toml";

async fn tls_sim() -> Simulator {
    Simulator::start(SimOptions::demo().tls()).await.unwrap()
}

/// A client trusting only the simulator's CA, offering h2 and http/1.1 unless `http1_only`.
fn trusting_client(sim: &Simulator, http1_only: bool) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pem = std::fs::read(sim.ca_file().expect("a TLS simulator has a CA file")).unwrap();
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .timeout(Duration::from_secs(5));
    if http1_only {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

/// The binary with `args`, logged in to `sim` as its admin, in a fresh home and an environment of its own
/// (no proxy or certificate variable from the test's); `SSL_CERT_FILE` is `ca` (or unset).
fn callboard(sim: &Simulator, args: &[&str], ca: Option<&Path>) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = binary(sim, args, &[("CALLBOARD_LOG", "off")], home.path());
    cmd.current_dir(home.path()).env_remove("SSL_CERT_FILE");
    if let Some(ca) = ca {
        cmd.env("SSL_CERT_FILE", ca);
    }
    cmd.output().unwrap()
}

/// The four RC_* variables for `sim`'s admin.
fn rc_env(sim: &Simulator) -> [(&'static str, String); 4] {
    let c = sim.credentials();
    [
        ("RC_SERVER_URL", sim.base_url()),
        ("RC_APP_CLIENT_ID", c.client_id.clone()),
        ("RC_APP_CLIENT_SECRET", c.client_secret.as_str().to_owned()),
        ("RC_USER_JWT", c.admin_jwt.as_str().to_owned()),
    ]
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn lines(checks: &[Check]) -> String {
    checks.iter().map(|c| c.line() + "\n").collect()
}

#[tokio::test]
async fn rest_speaks_h2_by_alpn_and_http1_to_a_client_offering_only_that_beside_a_silent_one() {
    let sim = tls_sim().await;
    assert!(
        sim.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        sim.base_url()
    );
    assert!(
        sim.gateway_url().starts_with("wss://127.0.0.1:"),
        "{}",
        sim.gateway_url()
    );
    let url = format!("{}/restapi/oauth/token", sim.base_url());
    let host = sim.base_url().trim_start_matches("https://").to_owned();
    let _silent = tokio::net::TcpStream::connect(&host).await.unwrap();
    for (http1_only, version) in [
        (false, reqwest::Version::HTTP_2),
        (true, reqwest::Version::HTTP_11),
    ] {
        let response = trusting_client(&sim, http1_only).post(&url).send().await.unwrap();
        assert_eq!(response.version(), version);
        assert_eq!(
            response.status(),
            400,
            "an empty grant is refused, over TLS as over plain HTTP"
        );
    }
    let localhost = sim.base_url().replace("127.0.0.1", "localhost");
    let response = trusting_client(&sim, false)
        .post(format!("{localhost}/restapi/oauth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "the certificate names localhost too");
    let banner = sim.banner();
    let ca = sim.ca_file().unwrap().to_owned();
    assert!(
        banner.contains(&format!("export SSL_CERT_FILE={}", ca.display())),
        "{banner}"
    );
    sim.shutdown().await;
    assert!(!ca.exists(), "the CA file's directory goes with the simulator");
}

#[tokio::test]
async fn push_over_wss_brings_events_to_the_board() {
    let h = Harness::start(manual(demo_with_rate(8.0)).tls()).await;
    let client = SimClient::new(&h.sim, true).build();
    let mut rig = Rig::launch(h, client, SAFETY_SECS);
    rig.live().await;
    rig.advance(20);
    rig.wait("events over wss://", |s| !delta_keys(s).is_empty())
        .await;
    let sockets = rig.requests("/ws?");
    assert_eq!(sockets.len(), 1, "one wss:// connection: {sockets:?}");
}

#[tokio::test]
async fn doctor_names_the_tls_and_http_versions_and_the_issuer() {
    let sim = tls_sim().await;
    let client = SimClient::new(&sim, true);
    let checks = doctor::server_checks(&client.build(), client.config()).await;
    let report = lines(&checks);
    assert!(checks.iter().all(|c| c.outcome.is_ok()), "{report}");
    assert!(
        report.contains(
            "ok      tls              TLS 1.3, ALPN h2; certificate issued by \"CN=callboard simulator CA\", trusted"
        ),
        "{report}"
    );
    assert!(report.contains("answered over HTTP/2 in"), "{report}");
}

#[tokio::test]
async fn an_untrusted_issuer_is_named_with_the_fix_for_rest_and_websocket() {
    let sim = tls_sim().await;
    let untrusting = SimClient::new(&sim, true).system_roots_only();
    let checks = doctor::server_checks(&untrusting.build(), untrusting.config()).await;
    assert_eq!(checks.len(), 1, "nothing else is tried: {}", lines(&checks));
    let failure = checks[0].outcome.as_ref().unwrap_err();
    assert!(failure.message.contains(UNTRUSTED), "{}", failure.message);
    assert!(
        matches!(failure.error, Some(callboard::api::ApiError::Tls(_))),
        "{failure:?}"
    );
    let error = untrusting.build().current_extension().await.unwrap_err();
    assert_eq!(
        error,
        callboard::api::ApiError::Tls(UNTRUSTED.to_owned()),
        "the error reads as itself, with no advice about the network or RC_SERVER_URL"
    );

    let h = Harness {
        http: trusting_client(&sim, false),
        sim,
    };
    let token = wstoken(&h, &h.admin().await).await;
    let system_only = tls::client_tls(&[]).unwrap().websocket;
    let direct = untrusting.config().network();
    let error = connection::open(&direct, &token, None, system_only)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains(UNTRUSTED), "{error}");
    assert!(!error.to_string().contains(&token.ws_access_token), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_and_doctor_trust_the_ca_of_ssl_cert_file_and_explain_without_it() {
    let sim = tls_sim().await;
    let ca = sim.ca_file().unwrap().to_owned();
    let once = callboard(&sim, &["once"], Some(&ca));
    assert!(once.status.success(), "{}", text(&once));
    assert!(
        String::from_utf8_lossy(&once.stdout).contains("STATE"),
        "{}",
        text(&once)
    );

    let doctor = callboard(&sim, &["doctor"], Some(&ca));
    let report = text(&doctor);
    assert!(doctor.status.success(), "{report}");
    assert!(
        report.contains("TLS 1.3, ALPN h2;") && report.contains("over HTTP/2"),
        "{report}"
    );
    assert!(
        report.contains(&format!("{} (SSL_CERT_FILE)", ca.display())),
        "{report}"
    );

    let once = callboard(&sim, &["once"], None);
    assert_eq!(
        once.status.code(),
        Some(6),
        "the network exit code: {}",
        text(&once)
    );
    assert!(
        String::from_utf8_lossy(&once.stderr).contains(UNTRUSTED),
        "{}",
        text(&once)
    );
    let doctor = callboard(&sim, &["doctor"], None);
    assert_eq!(doctor.status.code(), Some(6), "{}", text(&doctor));
    let report = text(&doctor);
    assert!(
        report.contains(&format!("FAILED  tls              {UNTRUSTED}")),
        "{report}"
    );

    let missing = ca.with_file_name("missing.pem");
    let once = callboard(&sim, &["once"], Some(&missing));
    assert_eq!(
        once.status.code(),
        Some(3),
        "a configuration error: {}",
        text(&once)
    );
    let stderr = String::from_utf8_lossy(&once.stderr);
    assert!(
        stderr.contains(&missing.display().to_string()) && stderr.contains("SSL_CERT_FILE"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_runs_live_over_tls() {
    let sim = tls_sim().await;
    let ca = sim.ca_file().unwrap().display().to_string();
    let mut env: Vec<(&str, String)> = rc_env(&sim).into();
    env.push(("SSL_CERT_FILE", ca));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut pty = Pty::spawn_with_env(&[], &env);
    pty.wait_for("the board live on push over TLS", Duration::from_secs(20), |s| {
        s.contains("LIVE") && s.contains("Call LI")
    });
    pty.quit("q");
}
