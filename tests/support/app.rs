//! Apps as the terminal UI runs them, colourless and in UTC: the test board on its fixed clock, or an
//! empty board on the real clock for live pollers.
use std::sync::Arc;

use callboard::feed::FeedState;
use callboard::tui::{App, UiOptions, WallClock};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::board::{feed_state, now, polls};

/// Options on the fixed clock at [`now`], in demo mode or not.
pub fn options(demo: bool) -> UiOptions {
    UiOptions {
        demo,
        no_color: true,
        clock: WallClock::fixed(now()),
        tz: TimeZone::UTC,
        ..UiOptions::default()
    }
}

/// An app on `opts` that has seen every poll of [`polls`]; returns it with the last feed state.
pub fn app_with(opts: &UiOptions) -> (App, FeedState) {
    let mut app = App::new(opts);
    let mut last = FeedState::default();
    for (i, (at, calls)) in polls().into_iter().enumerate() {
        last = feed_state(i as u64 + 1, calls, at);
        app.apply(Arc::new(last.clone()), at);
    }
    (app, last)
}

/// [`app_with`] the demo options.
pub fn app() -> (App, FeedState) {
    app_with(&options(true))
}

/// An app that has seen nothing yet, on the real clock, for states of a live poller.
pub fn live_app() -> App {
    App::new(&UiOptions {
        clock: WallClock::fixed(Timestamp::now()),
        ..options(false)
    })
}
