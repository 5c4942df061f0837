//! Session recovery: the newest `wsc` the gateway handed out (on any message, the highest `sequence`
//! wins; a `ConnectionDetails` always replaces it) and whether a dropped session may still be recovered
//! with `&wsc=` (inside `recoveryTimeout`, 180 s by default).
use std::time::{Duration, Instant};

use super::super::wsg::{ConnectionDetails, MessageType, Meta, Wsc};

/// `recoveryTimeout` when the gateway does not say.
const DEFAULT_RECOVERY_TIMEOUT: Duration = Duration::from_secs(180);
/// Kept back from `recoveryTimeout`: a reconnect started just before it ends would arrive too late.
const MARGIN: Duration = Duration::from_secs(5);

/// The recovery token of the current (or last) connection.
#[derive(Default)]
pub struct Recovery {
    wsc: Option<Wsc>,
    timeout: Option<Duration>,
    dropped_at: Option<Instant>,
}

impl Recovery {
    /// Takes in the `wsc` of any incoming message.
    pub fn observe(&mut self, meta: &Meta) {
        let Some(wsc) = &meta.wsc else { return };
        let newer = meta.kind == MessageType::ConnectionDetails
            || self.wsc.as_ref().is_none_or(|held| wsc.sequence > held.sequence);
        if newer && !wsc.token.is_empty() {
            self.wsc = Some(wsc.clone());
        }
    }

    /// Takes in a connection's details (its recovery timeout); the connection is up.
    pub fn connected(&mut self, details: &ConnectionDetails) {
        self.timeout = details.recovery_timeout.map(Duration::from_secs);
        self.dropped_at = None;
    }

    /// The connection dropped at `now` (the first drop counts when reconnects fail in a row).
    pub fn dropped(&mut self, now: Instant) {
        self.dropped_at.get_or_insert(now);
    }

    /// Forgets the session: the next connect starts afresh.
    pub fn forget(&mut self) {
        *self = Recovery::default();
    }

    /// The `wsc` token to recover with at `now`, while the drop is recent enough.
    pub fn token(&self, now: Instant) -> Option<&str> {
        let dropped = self.dropped_at?;
        let timeout = self
            .timeout
            .unwrap_or(DEFAULT_RECOVERY_TIMEOUT)
            .saturating_sub(MARGIN);
        let wsc = self.wsc.as_ref()?;
        (now.saturating_duration_since(dropped) < timeout).then_some(wsc.token.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(kind: MessageType, token: &str, sequence: u64) -> Meta {
        let mut meta = Meta::new(kind, "m");
        meta.wsc = Some(Wsc {
            token: token.into(),
            sequence,
        });
        meta
    }

    #[test]
    fn the_highest_wsc_is_kept_and_recovery_ends_with_the_timeout() {
        let t0 = Instant::now();
        let mut r = Recovery::default();
        r.observe(&meta(MessageType::ConnectionDetails, "a", 5));
        r.connected(&ConnectionDetails {
            recovery_timeout: Some(30),
            ..serde_json::from_str("{}").unwrap()
        });
        assert_eq!(r.token(t0), None, "nothing to recover while connected");
        r.observe(&meta(MessageType::ServerNotification, "b", 7));
        r.observe(&meta(MessageType::Heartbeat, "stale", 6));
        r.dropped(t0);
        r.dropped(t0 + Duration::from_secs(10));
        assert_eq!(r.token(t0 + Duration::from_secs(24)), Some("b"));
        assert_eq!(
            r.token(t0 + Duration::from_secs(25)),
            None,
            "too late: the first drop counts"
        );
        r.observe(&meta(MessageType::ConnectionDetails, "fresh", 1));
        assert_eq!(r.token(t0), Some("fresh"), "a new connection's wsc replaces any");
        r.forget();
        assert_eq!(r.token(t0), None);
    }
}
