//! The events a subscription gets over a stretch of simulated time: every call's timeline (the same
//! plan the polling endpoints answer from), the parties its filters match, as notifications.
use std::hash::{DefaultHasher, Hash, Hasher};

use jiff::Timestamp;

use super::subscription::Subscription;
use crate::api::wsg::{Notification, SessionEvent, StatusCode};
use crate::sim::generator::Generator;
use crate::sim::timeline::timeline;
use crate::sim::users::Directory;

/// One notification ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub notification: Notification<SessionEvent>,
}

impl Outgoing {
    /// True for a party's `Disconnected` (what the lose-disconnected fault drops).
    pub fn is_disconnected(&self) -> bool {
        let parties = &self.notification.body.parties;
        parties.iter().any(|p| p.status.code == StatusCode::Disconnected)
    }
}

/// The notifications `sub` (owned by extension `owner`) gets for events in `(from_ms, to_ms]`, in
/// order, stamped as sent at `sent`.
pub fn between(
    (generator, dir): (&Generator, &Directory),
    sub: &Subscription,
    owner: u64,
    from_ms: i64,
    to_ms: i64,
    sent: Timestamp,
) -> Vec<Outgoing> {
    if to_ms <= from_ms {
        return Vec::new();
    }
    let calls = generator.calls_between(from_ms.div_euclid(1000), to_ms.div_euclid(1000));
    let mut timed: Vec<(i64, Notification<SessionEvent>)> = calls
        .iter()
        .flat_map(|call| timeline(call, dir))
        .filter(|e| e.at_ms > from_ms && e.at_ms <= to_ms)
        .filter_map(|e| {
            let party = e.event.parties.first()?;
            let event = sub.route(party.extension_id.as_deref())?;
            let notification = Notification {
                uuid: uuid(&sub.id, &e.event),
                event,
                timestamp: Some(sent),
                subscription_id: Some(sub.id.clone()),
                owner_id: Some(owner.to_string()),
                body: e.event,
            };
            Some((e.at_ms, notification))
        })
        .collect();
    timed.sort_by(|(a, x), (b, y)| {
        a.cmp(b)
            .then_with(|| x.body.telephony_session_id.cmp(&y.body.telephony_session_id))
            .then_with(|| x.body.sequence.cmp(&y.body.sequence))
    });
    timed
        .into_iter()
        .map(|(_, notification)| Outgoing { notification })
        .collect()
}

/// The notification's id: the same for the same event to the same subscription (a duplicate or a
/// replay carries the one the original had), and digits only, as RingCentral's are.
fn uuid(subscription: &str, event: &SessionEvent) -> String {
    let mut h = DefaultHasher::new();
    (subscription, event.telephony_session_id.as_str(), event.sequence).hash(&mut h);
    (h.finish() >> 1).to_string()
}
