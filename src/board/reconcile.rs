//! Passing what push knows on to the board's calls: the overlay of each listed call, the synthesized
//! calls of sessions no listing has shown, the expiry of push sessions (see the merge rules in the module
//! docs), and what push said about a call's conversation.
use std::collections::HashSet;
use std::sync::Arc;

use jiff::Timestamp;

use super::{Board, Call, PushSession, session_of};
use crate::api::model::Str;

impl Board {
    /// What push said about the sessions of `call`'s conversation, in the order its calls come.
    pub fn push_sessions(&self, call: &Call) -> Vec<&PushSession> {
        let mut out: Vec<&PushSession> = Vec::new();
        for c in self.conversation(call) {
            if let Some(session) = session_of(c).and_then(|s| self.push.get(s))
                && !out.iter().any(|o| o.id() == session.id())
            {
                out.push(session);
            }
        }
        out
    }

    /// Passes what push learnt since the last time on to the calls, in one pass over them however many
    /// events came: listed calls of a changed session take its state; a session no listing has shown is
    /// a synthesized call of its own, dropped once a listing shows a record of it.
    pub(super) fn reconcile(&mut self, now: Timestamp) {
        if self.push_dirty.is_empty() && !self.takeover {
            return;
        }
        let (push, dirty) = (&mut self.push, &self.push_dirty);
        for call in self.live.iter_mut().chain(&mut self.ended) {
            if call.is_synthetic() {
                continue;
            }
            let overlay = session_of(call)
                .filter(|s| dirty.contains(*s))
                .and_then(|s| push.get_mut(s))
                .map(|session| {
                    session.listed = true;
                    session.overlay()
                });
            if overlay.is_some() {
                call.set_push(overlay, now);
            }
        }
        let push = &self.push;
        let mut shown: HashSet<&str> = HashSet::new();
        let mut keep = |call: &mut Call| {
            if !call.is_synthetic() {
                return true;
            }
            match push.get(call.id()) {
                Some(session) if !session.listed => {
                    if dirty.contains(call.id()) {
                        call.update(&Arc::new(session.record()), session.last_event(), now);
                        call.set_push(Some(session.overlay()), now);
                    }
                    shown.insert(session.id());
                    true
                }
                _ => false,
            }
        };
        self.live.retain_mut(&mut keep);
        self.ended.retain_mut(&mut keep);
        let new: Vec<Call> = dirty
            .iter()
            .filter_map(|id| push.get(id))
            .filter(|s| !s.listed && s.seen_live() && !shown.contains(s.id()))
            .map(|s| Call::synthetic(&Arc::new(s.record()), s.overlay(), now))
            .collect();
        self.live.extend(new);
        self.push_dirty.clear();
        self.takeover = false;
    }

    /// Forgets push sessions whose last event is older than the ended window, except listed ones still
    /// going on whose calls are still on the board (`gone` lists the sessions of calls that just left
    /// it). A session no listing showed goes with its synthesized call: the zombie of a lost
    /// Disconnected. True when a call went.
    pub(super) fn expire_push(&mut self, gone: &[Str], now: Timestamp) -> bool {
        let window = self.config.ended_window;
        let unlisted = self.push.expire(window, now, |s| {
            s.listed && s.state().is_live() && !gone.iter().any(|g| **g == *s.id())
        });
        if unlisted.is_empty() {
            return false;
        }
        let zombie = |c: &Call| !(c.is_synthetic() && unlisted.iter().any(|u| **u == *c.id()));
        let before = self.live.len() + self.ended.len();
        self.live.retain(zombie);
        self.ended.retain(zombie);
        before != self.live.len() + self.ended.len()
    }
}
