//! Through a real proxy (tinyproxy on loopback): `doctor` and `tail` reach `sim --tls` and its WebSocket
//! gateway by CONNECT (the proxy's log shows both ports), the live source polls and listens to push through
//! it over plain http:// too,
//! NO_PROXY sends the same traffic direct, and a proxy that refuses, wants credentials, keeps silent, hangs
//! up or babbles gets a message naming it with the password masked — for REST and for the WebSocket alike.
use std::process::Stdio;
use std::time::{Duration, Instant};

use callboard::api::Scope;
use callboard::api::error::ApiError;
use callboard::api::push::{PushError, connection};
use callboard::api::tls;
use callboard::api::wsg::WsToken;
use callboard::feed::PushHealth;
use callboard::poller::{self, PollerConfig};
use callboard::sim::{SimOptions, Simulator};
use url::Url;

use crate::support::client::SimClient;
use crate::support::proxy::{ProxyOptions, Running, StandIn, Tinyproxy, binary, run_binary, stand_in_proxy};
use crate::support::wait::wait_until;

const USER: &str = "alice";
const PASSWORD: &str = "pr0xy-pa55";

fn authority(url: &str) -> String {
    let url = Url::parse(url).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reaches_the_server_and_the_gateway_through_the_proxy() {
    let Some(proxy) = Tinyproxy::start(ProxyOptions::basic_auth(USER, PASSWORD)) else {
        return;
    };
    let sim = Simulator::start(SimOptions::demo().tls()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = proxy.url(Some((USER, PASSWORD)));
    let out = run_binary(&sim, &["doctor"], &[("HTTPS_PROXY", &url)], home.path()).await;
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let masked = url.replace(PASSWORD, "***");
    assert!(
        report.contains(&format!("through {masked} (from HTTPS_PROXY)")),
        "{report}"
    );
    assert!(
        report.contains("push gateway") && report.contains("reachable through"),
        "{report}"
    );
    assert!(!report.contains(PASSWORD), "{report}");
    let connects = proxy.connects();
    for port in [authority(&sim.base_url()), authority(sim.gateway_url())] {
        assert!(connects.contains(&port), "no CONNECT to {port}: {connects:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_proxy_sends_the_same_run_direct() {
    let Some(proxy) = Tinyproxy::start(ProxyOptions::default()) else {
        return;
    };
    let sim = Simulator::start(SimOptions::demo().tls()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("https_proxy", proxy.url(None)),
        ("NO_PROXY", "localhost,127.0.0.1".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = run_binary(&sim, &["doctor"], &env, home.path()).await;
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(report.contains("direct (NO_PROXY lists 127.0.0.1)"), "{report}");
    assert!(report.contains("reachable directly"), "{report}");
    assert!(proxy.connects().is_empty(), "{}", proxy.log());
}

#[tokio::test]
async fn tail_polls_and_listens_to_sim_tls_through_the_proxy() {
    let Some(proxy) = Tinyproxy::start(ProxyOptions::default()) else {
        return;
    };
    let sim = Simulator::start(SimOptions::demo().tls()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = proxy.url(None);
    let args = ["tail", "--format", "ndjson"];
    let mut cmd = binary(&sim, &args, &[("HTTPS_PROXY", &url)], home.path());
    let _tail = Running(cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    for port in [authority(&sim.base_url()), authority(sim.gateway_url())] {
        assert!(
            proxy.wait_connect(&port).await,
            "no CONNECT to {port}: {}",
            proxy.log()
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let seen = |what: &str| sim.requests().iter().any(|r| r.path.contains(what));
    while !(seen("active-calls") && seen("/ws?")) {
        assert!(
            Instant::now() < deadline,
            "no poll and socket: {:?}",
            sim.requests()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_live_source_polls_and_listens_through_all_proxy_over_plain_http() {
    let Some(proxy) = Tinyproxy::start(ProxyOptions::default()) else {
        return;
    };
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    // Plain http:// and ws:// go through ALL_PROXY (HTTPS_PROXY is for https:// and wss:// only).
    let client = SimClient::new(&sim, true)
        .proxy(&[("ALL_PROXY", &proxy.url(None))])
        .build();
    let config = PollerConfig {
        scope: Some(Scope::Account),
        interval: Duration::from_secs(10),
    };
    let mut feed = poller::spawn_live(client, config, Some(Duration::from_secs(60)), None);
    wait_until(&mut feed, "push live and a listing", |s| {
        matches!(s.push, PushHealth::Live { .. }) && s.error.is_none()
    })
    .await;
    assert!(
        proxy.wait_connect(&authority(sim.gateway_url())).await,
        "the WebSocket tunnelled: {}",
        proxy.log()
    );
    let log = proxy.log();
    let rest = format!("GET {}/restapi/", sim.base_url().trim_end_matches('/'));
    assert!(log.contains(&rest), "REST went through the proxy: {log}");
}

/// The simulator and a WebSocket token for its gateway, fetched directly (the Auth budget allows a few).
async fn sim_and_token() -> (Simulator, WsToken) {
    let sim = Simulator::start(SimOptions::demo().tls()).await.unwrap();
    let token = SimClient::new(&sim, true).build().ws_token().await.unwrap();
    (sim, token)
}

/// What REST and the WebSocket (opened with `token` as push opens it) are told by the proxy at `url` when
/// they go through it, giving up connecting after `connect_timeout`.
async fn refusals(
    (sim, token): &(Simulator, WsToken),
    url: &str,
    connect_timeout: Duration,
) -> (ApiError, ApiError) {
    let client = SimClient::new(sim, true)
        .proxy(&[("HTTPS_PROXY", url)])
        .connect_timeout(connect_timeout);
    let rest = client.build().server_time().await.unwrap_err();
    let websocket = tls::client_tls(&client.config().ca_files).unwrap().websocket;
    let ws = match connection::open(&client.config().network(), token, None, websocket).await {
        Err(PushError::Api(e)) => e,
        Err(other) => panic!("not the proxy's failure: {other}"),
        Ok(_) => panic!("the WebSocket opened through a refusing proxy"),
    };
    (rest, ws)
}

/// Long enough for tinyproxy on a busy machine.
const PATIENT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_silent_a_hanging_up_and_a_babbling_proxy_are_named() {
    let sim = sim_and_token().await;
    let mut too_long = b"HTTP/1.1 200 Connection established\r\nX-Padding: ".to_vec();
    too_long.resize(9000, b'a');
    for (how, words) in [
        (StandIn::Silent, "opened no tunnel to 127.0.0.1:"),
        (
            StandIn::Answers(Vec::new()),
            "closed the connection without answering CONNECT",
        ),
        (
            StandIn::Answers(too_long),
            "answered CONNECT with something that is not HTTP or too long to read",
        ),
    ] {
        let url = stand_in_proxy(how).await;
        let (rest, ws) = refusals(&sim, &url, Duration::from_millis(100)).await;
        for e in [&rest, &ws] {
            let text = e.to_string();
            assert!(matches!(e, ApiError::Proxy(_)), "{text}");
            assert!(
                text.starts_with(&format!("the proxy {url} ")) && text.contains(words),
                "{text}"
            );
        }
    }
}

#[tokio::test]
async fn a_refusing_proxy_is_named_with_its_password_masked() {
    let Some(proxy) = Tinyproxy::start(ProxyOptions {
        refuse_connect: true,
        ..ProxyOptions::default()
    }) else {
        return;
    };
    let sim = sim_and_token().await;
    let url = proxy.url(Some((USER, PASSWORD)));
    let masked = url.replace(PASSWORD, "***");
    let (rest, ws) = refusals(&sim, &url, PATIENT).await;
    for e in [&rest, &ws] {
        let text = e.to_string();
        assert!(matches!(e, ApiError::Proxy(_)), "{text}");
        assert!(
            text.contains(&format!(
                "the proxy {masked} refused to open a tunnel to 127.0.0.1:"
            )),
            "{text}"
        );
        assert!(text.contains("NO_PROXY") && !text.contains(PASSWORD), "{text}");
    }
    assert!(ws.to_string().contains("(HTTP 403)"), "{ws}");
}

#[tokio::test]
async fn a_proxy_wanting_credentials_says_where_to_put_them() {
    let Some(proxy) = Tinyproxy::start(ProxyOptions::basic_auth(USER, PASSWORD)) else {
        return;
    };
    let sim = sim_and_token().await;
    let (rest, ws) = refusals(&sim, &proxy.url(None), PATIENT).await;
    for e in [&rest, &ws] {
        let text = e.to_string();
        assert!(
            text.contains(&format!(
                "the proxy {} asks for a user name and password (HTTP 407)",
                proxy.url(None)
            )) && text.contains("give them in HTTPS_PROXY as http://USER:PASSWORD@"),
            "{text}"
        );
    }
    let (rest, ws) = refusals(&sim, &proxy.url(Some((USER, "wrong-password"))), PATIENT).await;
    for e in [&rest, &ws] {
        let text = e.to_string();
        assert!(
            text.contains("user name and password") && text.contains("HTTPS_PROXY"),
            "{text}"
        );
        assert!(!text.contains("wrong-password"), "{text}");
    }
}
