//! The live harness of the fault tests: a simulator with roomy limits and a short penalty, a fast poller
//! on it, and the board as the user sees it on a 120x30 screen.
use std::sync::Arc;
use std::time::Duration;

use callboard::api::Scope;
use callboard::api::client::RcClient;
use callboard::clock::Clock;
use callboard::feed::Feed;
use callboard::feed::FeedState;
use callboard::poller::{self, PollerConfig};
use callboard::sim::{RateLimits, SimOptions};
use callboard::tui::App;
use jiff::Timestamp;

use super::screen::{drawn, text};

/// Seconds a 429 penalty lasts in these tests.
pub const PENALTY_SECS: u64 = 2;
/// How many times faster than real time the simulator's clock runs: a second of backoff takes 0.1 s.
pub const SPEED: u32 = 10;

/// The demo scenario on a clock running [`SPEED`] times faster than real time (clients built with
/// `SimClient::new` share it), with limits no test meets by accident and a short 429 penalty.
pub fn sim_options() -> SimOptions {
    SimOptions::demo()
        .clock(Clock::scaled(SPEED))
        .rate_limits(RateLimits {
            heavy: 1000,
            medium: 1000,
            light: 1000,
            auth: 1000,
            window_secs: 60,
            penalty_secs: PENALTY_SECS,
        })
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

/// Feeds `snap` to `app` and returns the 120x30 screen as text, drawn now.
pub fn live_screen(app: &mut App, snap: &Arc<FeedState>) -> String {
    let now = Timestamp::now();
    app.apply(Arc::clone(snap), now);
    text(&drawn(app, 120, 30, now))
}
