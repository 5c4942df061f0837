//! Shared pieces of the fault tests: a simulator with roomy limits and a short penalty on a fast clock, a
//! client with short timeouts, a fast poller on the simulator's clock, and the board as the user sees it on
//! a 120x30 screen.
#![allow(dead_code)]
use std::sync::Arc;
use std::time::Duration;

use callboard::api::Scope;
use callboard::api::client::{ClientConfig, RcClient};
use callboard::clock::Clock as SimClock;
use callboard::feed::{Feed, FeedState};
use callboard::poller::{self, PollerConfig};
use callboard::secret::Secret;
use callboard::sim::{RateLimits, SimCredentials, SimOptions};
use callboard::tui::{App, UiOptions, WallClock, draw};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// Seconds a 429 penalty lasts in these tests.
pub const PENALTY_SECS: u64 = 2;
/// How many times faster than real time the simulator's clock runs: a second of backoff takes 0.1 s.
pub const SPEED: u32 = 10;

/// The demo scenario on a clock running [`SPEED`] times faster than real time, with limits no test meets
/// by accident and a short 429 penalty.
pub fn sim_options() -> SimOptions {
    SimOptions::demo()
        .clock(SimClock::scaled(SPEED))
        .rate_limits(RateLimits {
            heavy: 1000,
            medium: 1000,
            light: 1000,
            auth: 1000,
            window_secs: 60,
            penalty_secs: PENALTY_SECS,
        })
}

/// A client for `base` logging in as `jwt` on `clock` (the simulator's, so both agree on time), giving up
/// on any request after about a second.
pub fn client(base: &str, client_id: &str, secret: &str, jwt: &str, clock: &SimClock) -> RcClient {
    let mut config = ClientConfig::new(
        base.parse().expect("base url"),
        client_id,
        Secret::new(secret),
        Secret::new(jwt),
    )
    .clock(clock.clone());
    config.connect_timeout = Duration::from_millis(500);
    config.read_timeout = Duration::from_secs(1);
    config.total_timeout = Duration::from_millis(1500);
    RcClient::new(config).expect("client")
}

/// The admin's client with the right credentials, on `clock`.
pub fn admin(base: &str, creds: &SimCredentials, clock: &SimClock) -> RcClient {
    client(
        base,
        &creds.client_id,
        &creds.client_secret,
        &creds.admin_jwt,
        clock,
    )
}

/// A poller on account scope polling every second of its client's clock.
pub fn start(client: RcClient) -> Feed {
    poller::spawn(
        client,
        PollerConfig {
            scope: Some(Scope::Account),
            interval: Duration::from_secs(1),
        },
    )
}

/// Waits (up to 20 s) for a snapshot matching `pred`; `seen` gets every snapshot observed on the way.
pub async fn wait_seeing(
    poller: &mut Feed,
    what: &str,
    seen: &mut Vec<Arc<FeedState>>,
    pred: impl Fn(&FeedState) -> bool,
) -> Arc<FeedState> {
    let wait = async {
        loop {
            let snap = Arc::clone(&poller.state.borrow_and_update());
            seen.push(Arc::clone(&snap));
            if pred(&snap) {
                return snap;
            }
            poller.state.changed().await.expect("poller alive");
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}; last: {:?}", seen.last()))
}

/// [`wait_seeing`] when the way there does not matter.
pub async fn wait_until(poller: &mut Feed, what: &str, pred: impl Fn(&FeedState) -> bool) -> Arc<FeedState> {
    wait_seeing(poller, what, &mut Vec::new(), pred).await
}

/// An app as the terminal UI runs it, colourless, in UTC.
pub fn app() -> App {
    App::new(&UiOptions {
        no_color: true,
        clock: WallClock::fixed(Timestamp::now()),
        tz: TimeZone::UTC,
        ..UiOptions::default()
    })
}

/// Feeds `snap` to `app` and returns the 120x30 screen as text, one line per row.
pub fn screen(app: &mut App, snap: &Arc<FeedState>) -> String {
    let now = Timestamp::now();
    app.apply(Arc::clone(snap), now);
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    terminal.draw(|f| draw(f, app, now)).expect("draw");
    text(terminal.backend().buffer())
}

/// A drawn buffer as text, one line per row.
pub fn text(buffer: &Buffer) -> String {
    buffer
        .content
        .chunks(usize::from(buffer.area.width))
        .map(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
                + "\n"
        })
        .collect()
}
