//! The simulator seen by a plain HTTP client: start it on a manual clock, log in, fetch JSON; and the
//! scenarios the simulator tests share.
use std::time::Duration;

use callboard::clock::Clock;
use callboard::sim::{RateLimits, Scenario, SimOptions, Simulator};
use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// Fixed start of simulated time for tests.
pub fn t0() -> Timestamp {
    "2026-01-05T09:00:00Z".parse().unwrap()
}

/// Options on a manual clock at [`t0`].
pub fn manual(scenario: Scenario) -> SimOptions {
    SimOptions::with_scenario(scenario).clock(Clock::manual(t0()))
}

/// Generous limits so tests that are not about rate limiting never hit them.
pub fn relaxed() -> RateLimits {
    RateLimits {
        heavy: 10_000,
        medium: 10_000,
        light: 10_000,
        auth: 10_000,
        ..RateLimits::default()
    }
}

/// A running simulator and a plain HTTP client.
pub struct Harness {
    pub sim: Simulator,
    pub http: reqwest::Client,
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Got {
    /// The body as JSON, or a panic showing it.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// A header's value, when present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Harness {
    /// Starts a simulator on `opts` and a client with no proxy.
    pub async fn start(opts: SimOptions) -> Harness {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sim = Simulator::start(opts).await.expect("simulator starts");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .unwrap();
        Harness { sim, http }
    }

    /// Moves the simulator's manual clock `secs` seconds on.
    pub fn advance(&self, secs: u64) {
        self.sim.clock().advance(Duration::from_secs(secs));
    }

    /// The demo app's client id and secret.
    pub fn basic(&self) -> (String, String) {
        let c = self.sim.credentials();
        (c.client_id.clone(), c.client_secret.clone())
    }

    /// POSTs a form to an OAuth endpoint with the demo client's Basic auth.
    pub async fn oauth(&self, path: &str, form: &[(&str, &str)]) -> Got {
        let (id, secret) = self.basic();
        let req = self
            .http
            .post(format!("{}{path}", self.sim.base_url()))
            .basic_auth(id, Some(secret))
            .form(form);
        got(req.send().await.unwrap()).await
    }

    /// The JWT-bearer grant for `jwt`, whatever it answers.
    pub async fn jwt_grant(&self, jwt: &str) -> Got {
        self.oauth(
            "/restapi/oauth/token",
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", jwt),
            ],
        )
        .await
    }

    /// Logs in with a JWT and returns the access token.
    pub async fn login(&self, jwt: &str) -> String {
        let got = self.jwt_grant(jwt).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text);
        got.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// The admin user's access token.
    pub async fn admin(&self) -> String {
        self.login(&self.sim.credentials().admin_jwt.clone()).await
    }

    /// The non-admin user's access token.
    pub async fn non_admin(&self) -> String {
        self.login(&self.sim.credentials().non_admin_jwt.clone()).await
    }

    /// GET `path_or_url` (relative to the simulator, or absolute) with a bearer token.
    pub async fn get(&self, token: &str, path_or_url: &str) -> Got {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.sim.base_url())
        };
        got(self.http.get(url).bearer_auth(token).send().await.unwrap()).await
    }

    /// GET that must succeed; returns the JSON body.
    pub async fn get_ok(&self, token: &str, path: &str) -> Value {
        let got = self.get(token, path).await;
        assert_eq!(got.status, StatusCode::OK, "{path}: {}", got.text);
        got.json()
    }
}

/// Reads a response whole.
pub async fn got(resp: reqwest::Response) -> Got {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    Got {
        status,
        headers,
        text,
    }
}

/// The account's active calls.
pub const ACCOUNT_CALLS: &str = "/restapi/v1.0/account/~/active-calls";
/// The logged-in extension's active calls.
pub const MY_CALLS: &str = "/restapi/v1.0/account/~/extension/~/active-calls";

/// The demo scenario with relaxed limits and `per_minute` call arrivals.
pub fn demo_with_rate(per_minute: f64) -> Scenario {
    let mut s = Scenario::demo();
    s.rate_limits = relaxed();
    s.calls.arrivals_per_minute = per_minute;
    s
}

/// A scenario with only one kind of call and fixed timings: ring 10 s, talk 60 s, every call answered.
pub fn only(kind: &str) -> Scenario {
    let mut s = demo_with_rate(3.0);
    s.calls.ring_secs = [10, 10];
    s.calls.talk_secs = [60, 60];
    let m = &mut s.calls.mix;
    (m.direct_inbound, m.outbound, m.queue, m.internal, m.transfer) = (0, 0, 0, 0, 0);
    match kind {
        "direct" => m.direct_inbound = 1,
        "outbound" => m.outbound = 1,
        "queue" => m.queue = 1,
        "internal" => m.internal = 1,
        "transfer" => m.transfer = 1,
        other => panic!("unknown kind {other}"),
    }
    let o = &mut s.calls.outcomes;
    (o.answered, o.missed, o.voicemail, o.abandoned) = (1, 0, 0, 0);
    s
}
