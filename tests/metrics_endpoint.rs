//! The `/metrics` endpoint over loopback, read with a Prometheus text-format parser: every named series
//! with its labels, help and type, and the values the process counted.
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use ::metrics::with_local_recorder;
use callboard::api::rate_limit::{AUTH, HEAVY, LIGHT, MEDIUM};
use callboard::feed::{FeedState, Listing, PushHealth};
use callboard::metrics::{self, endpoint};
use jiff::{SignedDuration, Timestamp};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};
use prometheus_parse::{Scrape, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// One scrape: the response's content type, its text, and the text parsed.
struct Scraped {
    content_type: String,
    text: String,
    parsed: Scrape,
}

impl Scraped {
    /// The value of `name`'s sample whose labels are exactly `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> &Value {
        self.parsed
            .samples
            .iter()
            .find(|s| {
                s.metric == name
                    && s.labels.len() == labels.len()
                    && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v))
            })
            .map(|s| &s.value)
            .unwrap_or_else(|| panic!("no {name}{labels:?} in\n{}", self.text))
    }

    /// Asserts `name` has a HELP line and a TYPE line of `kind`.
    fn assert_described(&self, name: &str, kind: &str) {
        assert!(
            self.parsed.docs.get(name).is_some_and(|help| !help.is_empty()),
            "no HELP for {name} in\n{}",
            self.text
        );
        assert!(
            self.text.lines().any(|l| l == format!("# TYPE {name} {kind}")),
            "no TYPE {kind} for {name} in\n{}",
            self.text
        );
    }
}

/// One sample a scrape must have: a series' name, one value of its label, and the series' type.
struct Expected {
    name: &'static str,
    labels: Vec<(&'static str, &'static str)>,
    kind: &'static str,
}

/// Every series with every value of its label.
fn every_series() -> Vec<Expected> {
    let one = |name, label: Option<(&'static str, &'static str)>, kind| Expected {
        name,
        labels: label.into_iter().collect(),
        kind,
    };
    let mut all = vec![
        one(metrics::EVENTS, None, "counter"),
        one(metrics::LISTING_AGE, None, "gauge"),
    ];
    all.extend(metrics::TRANSPORTS.map(|t| one(metrics::VIEWERS, Some(("transport", t)), "gauge")));
    all.extend(metrics::RATE_GROUPS.map(|g| one(metrics::REQUESTS, Some(("group", g)), "counter")));
    all.extend(metrics::PUSH_STATES.map(|s| one(metrics::PUSH_STATE, Some(("state", s)), "gauge")));
    all
}

/// Asserts `got` has every series, described, with every value of its label.
fn assert_every_series(got: &Scraped) {
    for series in every_series() {
        got.assert_described(series.name, series.kind);
        got.value(series.name, &series.labels);
    }
}

async fn scrape(addr: SocketAddr, path: &str) -> reqwest::Response {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap();
    http.get(format!("http://{addr}{path}")).send().await.unwrap()
}

async fn scrape_metrics(addr: SocketAddr) -> Scraped {
    let response = scrape(addr, "/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    let text = response.text().await.unwrap();
    let parsed = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    Scraped {
        content_type,
        text,
        parsed,
    }
}

/// Binds 127.0.0.1:0 and runs `serve` on it; the endpoint stops when the sender is dropped.
async fn start<F>(
    serve: impl FnOnce(TcpListener, oneshot::Receiver<()>) -> F,
) -> (SocketAddr, oneshot::Sender<()>)
where
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    tokio::spawn(serve(listener, stopped));
    (addr, stop)
}

/// Counts on a recorder of the test's own (other tests in this binary count on the process's) and
/// serves it: the scrape shows exactly what was counted.
#[tokio::test]
async fn a_scrape_shows_every_series_with_what_was_counted() {
    let recorder: PrometheusRecorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let (addr, _stop) = start(|listener, stopped| {
        endpoint::serve_handle(listener, handle, async {
            let _ = stopped.await;
        })
    })
    .await;

    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let kept = with_local_recorder(&recorder, || {
        metrics::register_all();
        metrics::ringcentral_request(HEAVY);
        metrics::ringcentral_request(HEAVY);
        metrics::ringcentral_request(AUTH);
        metrics::events(3);
        let kept = metrics::viewer_attached("unix");
        drop(metrics::viewer_attached("tcp"));
        let state = FeedState {
            push: PushHealth::Live {
                since: now,
                last_event: None,
            },
            listing: Listing {
                seq: 1,
                taken_at: Some(now - SignedDuration::from_secs(7)),
                ..Listing::default()
            },
            ..FeedState::default()
        };
        metrics::observe_feed(&state, now);
        kept
    });

    let got = scrape_metrics(addr).await;
    assert_eq!(got.content_type, endpoint::CONTENT_TYPE_TEXT);
    assert_every_series(&got);
    assert_eq!(
        got.value(metrics::REQUESTS, &[("group", HEAVY)]),
        &Value::Counter(2.0)
    );
    assert_eq!(
        got.value(metrics::REQUESTS, &[("group", AUTH)]),
        &Value::Counter(1.0)
    );
    assert_eq!(
        got.value(metrics::REQUESTS, &[("group", LIGHT)]),
        &Value::Counter(0.0)
    );
    assert_eq!(got.value(metrics::EVENTS, &[]), &Value::Counter(3.0));
    assert_eq!(
        got.value(metrics::VIEWERS, &[("transport", "unix")]),
        &Value::Gauge(1.0)
    );
    assert_eq!(
        got.value(metrics::VIEWERS, &[("transport", "tcp")]),
        &Value::Gauge(0.0)
    );
    for state in metrics::PUSH_STATES {
        let want = f64::from(u8::from(state == "live"));
        assert_eq!(
            got.value(metrics::PUSH_STATE, &[("state", state)]),
            &Value::Gauge(want),
            "{state}"
        );
    }
    assert_eq!(got.value(metrics::LISTING_AGE, &[]), &Value::Gauge(7.0));

    with_local_recorder(&recorder, || drop(kept));
    let got = scrape_metrics(addr).await;
    assert_eq!(
        got.value(metrics::VIEWERS, &[("transport", "unix")]),
        &Value::Gauge(0.0)
    );
    assert_eq!(scrape(addr, "/").await.status(), 404);
}

/// The process's recorder: installed once by the endpoint, with every series listed before anything
/// is counted (values are not checked: other tests in this binary count on it too).
#[tokio::test]
async fn the_installed_endpoint_lists_every_series_from_the_start() {
    let (addr, _stop) = start(|listener, _stopped| endpoint::serve(listener)).await;
    let got = scrape_metrics(addr).await;
    assert_every_series(&got);
    assert!(
        endpoint::install().is_ok(),
        "a second install returns the same recorder"
    );
}

#[test]
fn the_rate_groups_are_the_clients() {
    assert_eq!(metrics::RATE_GROUPS, [HEAVY, MEDIUM, LIGHT, AUTH]);
}
