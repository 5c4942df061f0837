//! The poller with push: the hooks of the poll loop that run the push task beside it. While push is live
//! the poller lists only every safety interval (plus at once when push may have missed events); otherwise
//! at its normal interval. Party changes go out as deltas, held back while a scope switch waits for its
//! first listing (the board would merge them into the old scope).
use jiff::Timestamp;

use super::PollLoop;
use crate::api::Scope;
use crate::feed::{Change, FeedCommand, PartyChange, PushHealth};
use crate::push::{self, Link, PushCommand, PushEvent};

/// Party changes that arrived while a scope switch waited for its listing.
pub(super) type Pending = Vec<(Timestamp, PartyChange)>;

/// The running push task and the scope it was last told.
pub(super) struct Push {
    link: Link,
    scope: Scope,
}

/// The next report of the push task, or never when there is none; `None` when the task ended.
pub(super) async fn next_event(push: &mut Option<Push>) -> Option<PushEvent> {
    match push {
        Some(push) => push.link.events.recv().await,
        None => std::future::pending().await,
    }
}

impl PollLoop {
    /// Starts push for the current scope when this source has it.
    pub(super) fn start_push(&mut self) {
        if self.safety_interval.is_none() {
            return;
        }
        let scope = self.out.state.scope.clone().unwrap_or_else(Scope::own_extension);
        let link = push::start(self.client.clone(), scope.clone());
        self.push = Some(Push { link, scope });
        self.out.state.push = PushHealth::Connecting;
    }

    /// Passes a UI command on to the push task: a new scope, or a retry of a refused push.
    pub(super) fn push_command(&mut self, command: &FeedCommand) {
        match command {
            FeedCommand::SetScope(scope) => self.push_scope(scope),
            FeedCommand::Refresh if matches!(self.out.state.push, PushHealth::Unavailable { .. }) => {
                self.tell_push(PushCommand::Retry);
            }
            FeedCommand::Refresh => {}
        }
    }

    /// After a poll: follows a scope the poller fell back to, and publishes held-back party changes.
    pub(super) fn after_poll(&mut self) {
        if let Some(scope) = self.out.state.scope.clone() {
            self.push_scope(&scope);
        }
        self.flush_pending();
    }

    /// Moves push to `scope` unless it is there already; changes held back for another scope are dropped.
    fn push_scope(&mut self, scope: &Scope) {
        let Some(push) = &mut self.push else { return };
        if push.scope == *scope {
            return;
        }
        push.scope = scope.clone();
        self.pending.clear();
        self.tell_push(PushCommand::SetScope(scope.clone()));
    }

    fn tell_push(&self, command: PushCommand) {
        if let Some(push) = &self.push
            && push.link.commands.try_send(command).is_err()
        {
            tracing::warn!("the push task is not taking commands");
        }
    }

    /// Acts on a report of the push task and on every other one already waiting, so a burst (a
    /// recovery's replay, a busy minute) goes out in one publication.
    pub(super) fn on_push_burst(&mut self, first: Option<PushEvent>) {
        self.on_push(first);
        while let Some(next) = self.push.as_mut().and_then(|p| p.link.events.try_recv().ok()) {
            self.on_push(Some(next));
        }
    }

    /// Acts on a report of the push task.
    fn on_push(&mut self, event: Option<PushEvent>) {
        let now = self.clock.now();
        match event {
            None => {
                self.push = None;
                self.set_health(PushHealth::Unavailable {
                    reason: "the push task stopped".into(),
                });
            }
            Some(PushEvent::Health(health)) => self.set_health(health),
            Some(PushEvent::Resync) => self.next_due = Some(now),
            // Changes of a scope left behind, still queued when the switch was asked for, would put
            // another scope's calls on the board.
            Some(PushEvent::Changes { scope, .. }) if self.push.as_ref().is_none_or(|p| p.scope != scope) => {
            }
            Some(PushEvent::Changes {
                changes,
                event,
                received,
                ..
            }) => {
                if let Some(record) = &self.record {
                    record.record_event(received, &event);
                }
                if let PushHealth::Live { last_event, .. } = &mut self.out.state.push {
                    *last_event = Some(received);
                }
                self.pending.extend(changes);
                self.flush_pending();
            }
        }
    }

    /// Publishes the held-back party changes unless a scope switch still waits for its listing.
    fn flush_pending(&mut self) {
        if self.out.state.switching {
            return;
        }
        for (at, change) in std::mem::take(&mut self.pending) {
            self.out.change(at, Change::Party(change));
        }
    }

    /// Records push's health and polls at the interval it calls for: the safety interval while live,
    /// the normal one otherwise (and no later than that from now, when push just stopped being live).
    fn set_health(&mut self, health: PushHealth) {
        let live = matches!(health, PushHealth::Live { .. });
        let was_live = matches!(self.out.state.push, PushHealth::Live { .. });
        self.out.state.push = health;
        self.interval = match (live, self.safety_interval) {
            (true, Some(safety)) => safety.max(self.normal_interval),
            _ => self.normal_interval,
        };
        self.out.state.interval = self.interval.try_into().unwrap_or_default();
        let now = self.clock.now();
        if was_live && !live {
            let soon = now + self.normal_interval;
            self.next_due = Some(self.next_due.map_or(soon, |due| due.min(soon)));
        }
        // The listing before push went live planned the next one at the normal interval: move it to the
        // safety interval (one already due, such as the listing push asked for, stays due).
        if live
            && !was_live
            && let Some(due) = self.next_due.filter(|due| *due > now)
        {
            self.next_due = Some(due + self.interval.saturating_sub(self.normal_interval));
        }
    }
}
