//! What one viewer may receive: the calls its [`View`] allows, pure. The view's extensions and call
//! queues (by number, id or name) resolve through the directory to extension ids and numbers; a call is
//! allowed when an internal party of the record or of its legs is one of them (a party's extension id or
//! number, a leg's extension, a delegate's id), a party delta when its party is, or when its session is a
//! call already allowed. Display names are compared in one place only: a queue call's caller-id name,
//! which RingCentral prefixes with the queue's name (`Support - CALLER`), names an allowed queue when
//! RingCentral marks the call as a queue call (an `Accept` leg, `QueueForwarding`, or a push party's
//! `queueCall`) — an outside caller who calls itself `Support - X` on a direct call is not one. A name the
//! directory does not have matches nothing. Nothing else of another call reaches the viewer.
use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use super::protocol::View;
use crate::api::model::{CallRecord, LegType, Party, Str};
use crate::api::{DirectoryEntry, Scope};
use crate::directory::Directory;
use crate::feed::{Change, Delta, Listing};

/// How long a session allowed by a delta stays allowed when a listing does not show it yet.
const SESSION_MEMORY: SignedDuration = SignedDuration::from_mins(10);

/// One viewer's filter, with the sessions it has let through.
#[derive(Debug, Clone)]
pub struct ViewFilter {
    /// `None`: everything.
    allowed: Option<Extensions>,
    /// The view's names the directory does not have (they match nothing).
    unresolved: Vec<String>,
    /// Sessions of allowed calls, with when they were last seen allowed.
    sessions: HashMap<Str, Timestamp>,
}

/// Extensions (users, call queues…) by extension id and by extension number, and the allowed call
/// queues' names (lowercased) as RingCentral writes them before a queue caller's name.
#[derive(Debug, Clone, Default)]
struct Extensions {
    ids: HashSet<String>,
    numbers: HashSet<String>,
    queues: HashSet<String>,
}

impl ViewFilter {
    /// The filter of `view` (its whole view, its account scope), resolving names and numbers through
    /// `directory` when there is one.
    pub fn new(view: &View, directory: Option<&Directory>) -> ViewFilter {
        let (allowed, unresolved) = if view.account {
            (None, Vec::new())
        } else {
            let wanted = view.extensions.iter().chain(&view.queues);
            let (mut allowed, unresolved) = resolve(wanted.map(String::as_str), directory);
            allowed.queues = queue_names(&view.queues, directory);
            (Some(allowed), unresolved)
        };
        ViewFilter {
            allowed,
            unresolved,
            sessions: HashMap::new(),
        }
    }

    /// The narrower filter of `scope` within this one: account = this filter; an extension (an id, or
    /// `~` for the view's own extension) shows that extension only, and only if this filter allows it.
    /// `Err` says why not.
    pub fn scoped(
        &self,
        scope: &Scope,
        view: &View,
        directory: Option<&Directory>,
    ) -> Result<ViewFilter, String> {
        let wanted = match scope {
            Scope::Account => return Ok(self.clone()),
            Scope::Extension(id) if id == "~" => view.own_extension.as_deref().ok_or_else(|| {
                format!(
                    "the hub's policy names no own extension for {}: showing what it allows (ask for \
                     own_extension in hub.toml)",
                    view.viewer
                )
            })?,
            Scope::Extension(id) => id.as_str(),
        };
        let (mut allowed, _) = resolve([wanted], directory);
        if let Some(mine) = &self.allowed {
            allowed.ids.retain(|id| mine.ids.contains(id));
            allowed.numbers.retain(|n| mine.numbers.contains(n));
        }
        if allowed.is_empty() {
            return Err(format!(
                "the hub's policy does not let {} see extension {wanted}",
                view.viewer
            ));
        }
        Ok(ViewFilter {
            allowed: Some(allowed),
            unresolved: Vec::new(),
            sessions: HashMap::new(),
        })
    }

    /// Takes over the sessions `old` let through (the same view, rebuilt when the directory changed).
    pub fn remember_sessions_of(&mut self, old: &mut ViewFilter) {
        self.sessions.extend(old.sessions.drain());
    }

    /// True for a filter that lets everything through.
    pub fn is_whole_account(&self) -> bool {
        self.allowed.is_none()
    }

    /// The view's extension and queue names the directory does not have: they match no call.
    pub fn unresolved(&self) -> &[String] {
        &self.unresolved
    }

    /// True when `record` may be shown.
    pub fn allows_record(&self, record: &CallRecord) -> bool {
        let Some(allowed) = &self.allowed else {
            return true;
        };
        record.all_fields().any(|f| {
            let parties = f.from.iter().chain(&f.to).any(|p| allowed.has_party(p));
            let extension = f
                .extension
                .as_ref()
                .is_some_and(|e| allowed.ids.contains(&e.id.to_string()));
            let delegate = f
                .delegate
                .as_ref()
                .is_some_and(|d| allowed.ids.contains(d.id.as_str()));
            parties || extension || delegate
        }) || allowed.has_queue_call(record)
            || record_session(record).is_some_and(|s| self.sessions.contains_key(s))
    }

    /// `listing` with only the allowed calls, as of `scope`; remembers their sessions.
    pub fn listing(&mut self, listing: &Listing, scope: Option<Scope>) -> Listing {
        if self.allowed.is_none() {
            // Everything, as it is: the calls stay shared, and no session needs remembering.
            return Listing {
                scope,
                ..listing.clone()
            };
        }
        let calls: Vec<_> = listing
            .calls
            .iter()
            .filter(|r| self.allows_record(r))
            .cloned()
            .collect();
        if let Some(taken) = listing.taken_at {
            let forget_before = taken - SESSION_MEMORY;
            self.sessions.retain(|_, seen| *seen >= forget_before);
            for session in calls.iter().filter_map(|r| record_session(r)) {
                self.sessions.insert(session.clone(), taken);
            }
        }
        Listing {
            seq: listing.seq,
            scope,
            taken_at: listing.taken_at,
            calls: calls.into(),
            skipped: 0,
        }
    }

    /// True when `delta` may be sent; an allowed one's session stays allowed.
    pub fn allows_delta(&mut self, delta: &Delta) -> bool {
        let Some(allowed) = &self.allowed else {
            return true;
        };
        let (session, touches) = match &delta.change {
            Change::Call(record) => (record_session(record), self.allows_record(record)),
            Change::Party(p) => {
                let touches = p
                    .extension_id
                    .is_some_and(|id| allowed.ids.contains(&id.to_string()))
                    || p.from.iter().chain(&p.to).any(|party| allowed.has_party(party))
                    || (p.queue_call && p.from.iter().any(|party| allowed.names_queue(party)));
                (Some(&p.session_id), touches)
            }
        };
        let allowed = touches || session.is_some_and(|s| self.sessions.contains_key(s));
        if allowed && let Some(session) = session {
            self.sessions.insert(session.clone(), delta.at);
        }
        allowed
    }

    /// The directory entries this filter allows.
    pub fn directory(&self, directory: &Directory) -> Vec<DirectoryEntry> {
        let entries = directory.entries().iter();
        match &self.allowed {
            None => entries.cloned().collect(),
            Some(allowed) => entries.filter(|e| allowed.ids.contains(&e.id)).cloned().collect(),
        }
    }
}

impl Extensions {
    /// True for a call RingCentral marks as a queue call whose caller-id name starts with an allowed
    /// queue's name.
    fn has_queue_call(&self, record: &CallRecord) -> bool {
        let queue_call = record.legs.iter().any(|l| l.leg_type == Some(LegType::Accept))
            || record
                .all_fields()
                .any(|f| f.delegation_type.as_deref() == Some("QueueForwarding"));
        queue_call
            && record
                .all_fields()
                .flat_map(|f| f.from.iter().chain(&f.to))
                .any(|party| self.names_queue(party))
    }

    /// True when `party`'s name is `QUEUE - CALLER` for an allowed queue.
    fn names_queue(&self, party: &Party) -> bool {
        party
            .queue_part()
            .is_some_and(|q| self.queues.contains(&q.to_lowercase()))
    }

    fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.numbers.is_empty()
    }

    /// True when `party` is an internal party (one with an extension id or number) of these extensions.
    fn has_party(&self, party: &Party) -> bool {
        party
            .extension_id
            .as_deref()
            .is_some_and(|id| self.ids.contains(id))
            || party
                .extension_number
                .as_deref()
                .is_some_and(|n| self.numbers.contains(n))
    }
}

/// The extensions `wanted` names (an extension number, id or exact name, case aside), as the directory
/// resolves them, and the names it could not resolve. Digits the directory does not know (or before it is
/// loaded) stand for themselves, as an id or a number; a name it does not know stands for nothing.
fn resolve<'a>(
    wanted: impl IntoIterator<Item = &'a str>,
    directory: Option<&Directory>,
) -> (Extensions, Vec<String>) {
    let mut allowed = Extensions::default();
    let mut unresolved = Vec::new();
    for w in wanted {
        let w = w.trim();
        let found = directory.map_or_else(Vec::new, |dir| lookup(dir, w));
        if !found.is_empty() {
            for e in found {
                allowed.ids.insert(e.id.clone());
                allowed.numbers.extend(e.number.clone());
            }
        } else if !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()) {
            allowed.ids.insert(w.to_owned());
            allowed.numbers.insert(w.to_owned());
        } else {
            unresolved.push(w.to_owned());
        }
    }
    (allowed, unresolved)
}

/// The names (lowercased) of the directory's entries that `queues` name, by number, id or name.
fn queue_names(queues: &[String], directory: Option<&Directory>) -> HashSet<String> {
    let Some(dir) = directory else {
        return HashSet::new();
    };
    queues
        .iter()
        .flat_map(|q| lookup(dir, q.trim()))
        .filter_map(|e| e.name.as_deref().map(str::to_lowercase))
        .collect()
}

/// The directory's entries `wanted` names: by extension number, id or exact name (case aside).
fn lookup<'a>(dir: &'a Directory, wanted: &str) -> Vec<&'a DirectoryEntry> {
    let lower = wanted.to_lowercase();
    let by_name = dir
        .entries()
        .iter()
        .filter(|e| e.name.as_deref().is_some_and(|n| n.to_lowercase() == lower));
    dir.by_number(wanted)
        .into_iter()
        .chain(dir.by_id(wanted))
        .chain(by_name)
        .collect()
}

/// The call's telephony session, from the record or a leg.
fn record_session(record: &CallRecord) -> Option<&Str> {
    record.all_fields().find_map(|f| f.telephony_session_id.as_ref())
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
