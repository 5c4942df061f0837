//! Live push for the board: a task that keeps one WebSocket connection with one telephony-session
//! subscription for the current scope (see [`crate::api::push`] for the protocol) and reports to the
//! live source over a channel — its health, the party changes to apply, and when a full listing is needed
//! because events may have been missed (a fresh connection, a failed recovery). The poller owns the feed;
//! this task only tells it what happened.
mod driver;

use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::api::Scope;
use crate::api::client::RcClient;
use crate::api::wsg::{Notification, SessionEvent};
use crate::feed::{PartyChange, PushHealth};

/// Seconds between safety-net listings while push is live, unless configured.
pub const DEFAULT_SAFETY_INTERVAL: f64 = 60.0;
/// The safety interval's accepted seconds (`--safety-interval`, `safety_interval`).
pub const SAFETY_INTERVAL_RANGE: (f64, f64) = (10.0, 3600.0);

/// What the push task reports.
#[derive(Debug, Clone, PartialEq)]
pub enum PushEvent {
    /// Push is now in this state (`Live` carries no `last_event`: the feed keeps that).
    Health(PushHealth),
    /// Party changes to apply, each at the time it happened; repeats and stale ones are already gone.
    /// `event` is the notification they came from, received at `received` (for recordings), for the
    /// subscription of `scope`.
    Changes {
        changes: Vec<(Timestamp, PartyChange)>,
        event: Box<Notification<SessionEvent>>,
        received: Timestamp,
        scope: Scope,
    },
    /// Events may have been missed (a fresh subscription, a failed recovery): list everything now.
    Resync,
}

/// What the live source asks of the push task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushCommand {
    /// Subscribe to this scope's events instead (on the same connection).
    SetScope(Scope),
    /// Try again now if push was refused (the user pressed R).
    Retry,
}

/// The live source's end of a running push task; dropping it stops the task.
pub struct Link {
    pub events: mpsc::Receiver<PushEvent>,
    pub commands: mpsc::Sender<PushCommand>,
    task: JoinHandle<()>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts push for `scope` on `client` (its clock times heartbeats and backoff).
pub fn start(client: RcClient, scope: Scope) -> Link {
    let (events_tx, events) = mpsc::channel(256);
    let (commands, commands_rx) = mpsc::channel(16);
    let task = tokio::spawn(driver::Driver::new(client, scope, events_tx).run(commands_rx));
    Link {
        events,
        commands,
        task,
    }
}
