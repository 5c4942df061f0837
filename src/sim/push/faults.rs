//! Push faults: misbehaviour of the WebSocket gateway a client must survive (dropped sockets, late,
//! reordered, duplicated and lost events), set from a scenario's `[push.faults]` or at runtime.
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::watch;

/// The `[push.faults]` table of a scenario: the initial push fault state. Periods count events (or
/// Disconnected events) over all connections; 0 turns a fault off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushFaultSettings {
    /// Every event reaches subscribers this many milliseconds (simulated time) after it happened.
    pub delay_ms: u64,
    /// Every n-th event is sent twice.
    pub duplicate_every: u64,
    /// Every n-th event is sent after the one that follows it.
    pub reorder_every: u64,
    /// Every n-th `Disconnected` event is never sent (not even on recovery).
    pub lose_disconnected_every: u64,
    /// The gateway drops every socket this many seconds (simulated) after it opened, without a close frame.
    pub drop_after_secs: u64,
}

#[derive(Debug, Default)]
struct State {
    settings: PushFaultSettings,
    duplicate_next: u32,
    reorder_next: u32,
    lose_next: u32,
    events: u64,
    disconnected: u64,
}

/// Runtime push fault switches of a running simulator (see [`crate::sim::Simulator::push_faults`]).
#[derive(Debug)]
pub struct PushFaults {
    state: Mutex<State>,
    drops: watch::Sender<u64>,
}

impl PushFaults {
    /// Fault state as a scenario's `[push.faults]` table sets it.
    pub fn from_settings(settings: &PushFaultSettings) -> Self {
        PushFaults {
            state: Mutex::new(State {
                settings: settings.clone(),
                ..State::default()
            }),
            drops: watch::Sender::new(0),
        }
    }

    /// Drops every open gateway socket now, without a close frame (the sessions stay recoverable).
    pub fn drop_sockets(&self) {
        self.drops.send_modify(|n| *n += 1);
    }

    /// Sends each of the next `count` events twice.
    pub fn duplicate_next(&self, count: u32) {
        self.lock().duplicate_next += count;
    }

    /// Sends each of the next `count` events after the event that follows it.
    pub fn reorder_next(&self, count: u32) {
        self.lock().reorder_next += count;
    }

    /// Never sends the next `count` `Disconnected` events.
    pub fn lose_next_disconnected(&self, count: u32) {
        self.lock().lose_next += count;
    }

    /// Delivers every event `delay` (simulated time) after it happened (`Duration::ZERO` to stop).
    pub fn set_delay(&self, delay: Duration) {
        self.lock().settings.delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
    }

    /// Drops every socket `after` (simulated time) it opened (`None`: never).
    pub fn set_drop_after(&self, after: Option<Duration>) {
        self.lock().settings.drop_after_secs = after.map_or(0, |d| d.as_secs().max(1));
    }

    /// Removes every push fault.
    pub fn clear(&self) {
        let mut st = self.lock();
        *st = State {
            events: st.events,
            disconnected: st.disconnected,
            ..State::default()
        };
    }

    pub(crate) fn delay_ms(&self) -> i64 {
        i64::try_from(self.lock().settings.delay_ms).unwrap_or(i64::MAX)
    }

    pub(crate) fn drop_after(&self) -> Option<Duration> {
        let secs = self.lock().settings.drop_after_secs;
        (secs > 0).then(|| Duration::from_secs(secs))
    }

    /// Changes whenever [`PushFaults::drop_sockets`] is called.
    pub(crate) fn drops(&self) -> watch::Receiver<u64> {
        self.drops.subscribe()
    }

    /// The events to send for `events`, in sending order, after losses, duplicates and reordering;
    /// `held` keeps an event waiting for the next one across calls.
    pub(crate) fn apply<E: Clone>(
        &self,
        events: Vec<E>,
        is_disconnected: impl Fn(&E) -> bool,
        held: &mut Option<E>,
    ) -> Vec<E> {
        let mut st = self.lock();
        let mut out = Vec::with_capacity(events.len());
        for event in events {
            if is_disconnected(&event) {
                st.disconnected += 1;
                let every = st.settings.lose_disconnected_every;
                if take(&mut st.lose_next) || (every > 0 && st.disconnected.is_multiple_of(every)) {
                    continue;
                }
            }
            st.events += 1;
            let n = st.events;
            let hits = |every: u64| every > 0 && n.is_multiple_of(every);
            let duplicate = take(&mut st.duplicate_next) || hits(st.settings.duplicate_every);
            let reorder = take(&mut st.reorder_next) || hits(st.settings.reorder_every);
            if reorder && held.is_none() {
                *held = Some(event);
                continue;
            }
            if duplicate {
                out.push(event.clone());
            }
            out.push(event);
            out.extend(held.take());
        }
        out
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Uses one of `left`, when there is one.
fn take(left: &mut u32) -> bool {
    let some = *left > 0;
    *left = left.saturating_sub(1);
    some
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_lose_duplicate_and_reorder() {
        let f = PushFaults::from_settings(&PushFaultSettings::default());
        f.lose_next_disconnected(1);
        f.duplicate_next(1);
        let mut held = None;
        let odd = |n: &u32| n % 2 == 1;
        assert_eq!(f.apply(vec![2, 1, 4, 3], odd, &mut held), [2, 2, 4, 3]);
        f.reorder_next(1);
        assert_eq!(f.apply(vec![6], odd, &mut held), Vec::<u32>::new());
        assert_eq!(f.apply(vec![8, 10], odd, &mut held), [8, 6, 10]);
    }
}
