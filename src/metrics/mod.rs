//! The process's Prometheus series, through the `metrics` facade: each call is a no-op until a recorder
//! is installed (the hub's `/metrics` endpoint installs one), so the client and the feed can count without
//! knowing whether anyone reads. The series' names are here and nowhere else.
pub mod endpoint;

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::Timestamp;
use metrics::Unit;

use crate::feed::{FeedState, PushHealth};

/// Gauge: boards attached to the hub's own listeners now, by `transport` (`unix`, `tcp`). Boards on NATS
/// subscribe to the NATS server, which counts them (its monitoring's `/subsz`); the hub cannot.
pub const VIEWERS: &str = "callboard_hub_viewers";
/// Counter: push events received from RingCentral (events per second is its `rate()`).
pub const EVENTS: &str = "callboard_events_total";
/// Counter: requests sent to RingCentral, by rate `group` (Heavy, Medium, Light, Auth).
pub const REQUESTS: &str = "callboard_ringcentral_requests_total";
/// Gauge: 1 for the push connection's current `state`, 0 for the others.
pub const PUSH_STATE: &str = "callboard_push_state";
/// Gauge: seconds since the newest listing was taken.
pub const LISTING_AGE: &str = "callboard_last_listing_age_seconds";

/// Every value of [`PUSH_STATE`]'s `state` label.
pub const PUSH_STATES: [&str; 5] = ["off", "connecting", "live", "reconnecting", "unavailable"];
/// Every value of [`VIEWERS`]' `transport` label.
pub const TRANSPORTS: [&str; 2] = ["unix", "tcp"];
/// Every value of [`REQUESTS`]' `group` label: RingCentral's rate groups as `api::rate_limit` names them
/// (spelt out here: the client counts through this module, so this module does not import the client's).
pub const RATE_GROUPS: [&str; 4] = ["Heavy", "Medium", "Light", "Auth"];

/// Gives every series its help text and unit, and a zero value for each of its label values, on the
/// current recorder, so that a scrape right after it is installed lists them all. Counts made before stay.
pub fn register_all() {
    metrics::describe_gauge!(
        VIEWERS,
        Unit::Count,
        "Boards attached to the hub now, by transport."
    );
    metrics::describe_counter!(EVENTS, Unit::Count, "Push events received from RingCentral.");
    metrics::describe_counter!(
        REQUESTS,
        Unit::Count,
        "Requests sent to RingCentral, by rate group."
    );
    metrics::describe_gauge!(
        PUSH_STATE,
        Unit::Count,
        "1 for the push connection's current state, 0 for the others."
    );
    metrics::describe_gauge!(
        LISTING_AGE,
        Unit::Seconds,
        "Seconds since the newest listing was taken (0 until the first one)."
    );
    for transport in TRANSPORTS {
        metrics::gauge!(VIEWERS, "transport" => transport).increment(0.0);
    }
    metrics::counter!(EVENTS).increment(0);
    for group in RATE_GROUPS {
        metrics::counter!(REQUESTS, "group" => group).increment(0);
    }
    for state in PUSH_STATES {
        metrics::gauge!(PUSH_STATE, "state" => state).increment(0.0);
    }
    metrics::gauge!(LISTING_AGE).increment(0.0);
}

/// Counts one request sent to RingCentral in rate `group`.
pub fn ringcentral_request(group: &str) {
    metrics::counter!(REQUESTS, "group" => group.to_owned()).increment(1);
}

/// Counts `n` push events received.
pub fn events(n: u64) {
    metrics::counter!(EVENTS).increment(n);
}

/// A board attached over `transport`; the gauge goes down again when the guard is dropped.
pub fn viewer_attached(transport: &'static str) -> ViewerGuard {
    metrics::gauge!(VIEWERS, "transport" => transport).increment(1.0);
    ViewerGuard { transport }
}

/// Keeps one viewer counted in [`VIEWERS`] while it lives.
#[derive(Debug)]
pub struct ViewerGuard {
    transport: &'static str,
}

impl Drop for ViewerGuard {
    fn drop(&mut self) {
        metrics::gauge!(VIEWERS, "transport" => self.transport).decrement(1.0);
    }
}

/// When the newest observed listing was taken, in Unix milliseconds ([`NO_LISTING`] before the first):
/// [`refresh_listing_age`] ages it at each scrape, so a source that stops publishing shows a growing age.
static NEWEST_LISTING_MS: AtomicI64 = AtomicI64::new(NO_LISTING);
const NO_LISTING: i64 = i64::MIN;

/// Sets the push state and the listing's age from a published state, at `now`.
pub fn observe_feed(state: &FeedState, now: Timestamp) {
    let current = push_state(&state.push);
    for label in PUSH_STATES {
        metrics::gauge!(PUSH_STATE, "state" => label).set(f64::from(u8::from(label == current)));
    }
    if let Some(taken) = state.listing.taken_at {
        NEWEST_LISTING_MS.store(taken.as_millisecond(), Ordering::Relaxed);
        refresh_listing_age(now);
    }
}

/// Sets [`LISTING_AGE`] to the time from the newest observed listing to `now`; nothing before the first.
pub fn refresh_listing_age(now: Timestamp) {
    let taken = NEWEST_LISTING_MS.load(Ordering::Relaxed);
    if taken != NO_LISTING {
        let age_ms = now.as_millisecond().saturating_sub(taken).max(0);
        metrics::gauge!(LISTING_AGE).set(age_ms as f64 / 1000.0);
    }
}

/// The [`PUSH_STATE`] label of `push`.
pub fn push_state(push: &PushHealth) -> &'static str {
    match push {
        PushHealth::Off => "off",
        PushHealth::Connecting => "connecting",
        PushHealth::Live { .. } => "live",
        PushHealth::Reconnecting { .. } => "reconnecting",
        PushHealth::Unavailable { .. } => "unavailable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_push_health_has_a_listed_label() {
        let now = Timestamp::UNIX_EPOCH;
        for push in [
            PushHealth::Off,
            PushHealth::Connecting,
            PushHealth::Live {
                since: now,
                last_event: None,
            },
            PushHealth::Reconnecting {
                reason: String::new(),
                retry_at: None,
            },
            PushHealth::Unavailable {
                reason: String::new(),
            },
        ] {
            assert!(PUSH_STATES.contains(&push_state(&push)), "{push:?}");
        }
    }

    #[test]
    fn the_listing_age_grows_between_listings() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let taken = Timestamp::from_second(1_800_000_000).unwrap();
        let state = FeedState {
            listing: crate::feed::Listing {
                taken_at: Some(taken),
                ..Default::default()
            },
            ..FeedState::default()
        };
        let at = |secs: i64| taken + jiff::SignedDuration::from_secs(secs);
        metrics::with_local_recorder(&recorder, || {
            observe_feed(&state, at(2));
            refresh_listing_age(at(95));
        });
        let text = recorder.handle().render();
        assert!(text.contains(&format!("{LISTING_AGE} 95\n")), "{text}");
    }
}
