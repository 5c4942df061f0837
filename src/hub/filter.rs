//! What one viewer may receive: the calls its [`View`] allows, pure. A call is allowed when any party of
//! the record or of its legs touches an allowed extension or call queue (by number, id or name, with the
//! directory resolving one into the others); a party delta when its party does, or when its session is
//! a call already allowed. Nothing else of another call reaches the viewer.
use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use super::protocol::View;
use crate::api::model::{CallRecord, Party, Str};
use crate::api::{DirectoryEntry, Scope};
use crate::directory::Directory;
use crate::feed::{Change, Delta, Listing};

/// How long a session allowed by a delta stays allowed when a listing does not show it yet.
const SESSION_MEMORY: SignedDuration = SignedDuration::from_mins(10);

/// One viewer's filter, with the sessions it has let through.
#[derive(Debug, Clone)]
pub struct ViewFilter {
    /// `None`: everything.
    keys: Option<HashSet<String>>,
    /// Sessions of allowed calls, with when they were last seen allowed.
    sessions: HashMap<Str, Timestamp>,
}

impl ViewFilter {
    /// The filter of `view` (its whole view, its account scope), resolving names and numbers through
    /// `directory` when there is one.
    pub fn new(view: &View, directory: Option<&Directory>) -> ViewFilter {
        let keys = (!view.account).then(|| {
            let wanted = view.extensions.iter().chain(&view.queues);
            resolve(wanted.map(String::as_str), directory)
        });
        ViewFilter {
            keys,
            sessions: HashMap::new(),
        }
    }

    /// The narrower filter of `scope` within this one: account = this filter; an extension (an id, or
    /// `~` for the view's own extension) only if this filter allows it. `Err` says why not.
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
        let keys = resolve([wanted], directory);
        if let Some(mine) = &self.keys
            && keys.is_disjoint(mine)
        {
            return Err(format!(
                "the hub's policy does not let {} see extension {wanted}",
                view.viewer
            ));
        }
        Ok(ViewFilter {
            keys: Some(keys),
            sessions: HashMap::new(),
        })
    }

    /// True for a filter that lets everything through.
    pub fn is_whole_account(&self) -> bool {
        self.keys.is_none()
    }

    /// True when `record` may be shown.
    pub fn allows_record(&self, record: &CallRecord) -> bool {
        let Some(keys) = &self.keys else {
            return true;
        };
        record.all_fields().any(|f| {
            let parties = f.from.iter().chain(&f.to).any(|p| touches(keys, p));
            let extension = f
                .extension
                .as_ref()
                .is_some_and(|e| keys.contains(&e.id.to_string()));
            let delegate = f.delegate.as_ref().is_some_and(|d| {
                keys.contains(d.id.as_str())
                    || d.name.as_ref().is_some_and(|n| keys.contains(&n.to_lowercase()))
            });
            parties || extension || delegate
        }) || record_session(record).is_some_and(|s| self.sessions.contains_key(s))
    }

    /// `listing` with only the allowed calls, as of `scope`; remembers their sessions.
    pub fn listing(&mut self, listing: &Listing, scope: Option<Scope>) -> Listing {
        let calls: Vec<_> = if self.keys.is_none() {
            listing.calls.to_vec()
        } else {
            listing
                .calls
                .iter()
                .filter(|r| self.allows_record(r))
                .cloned()
                .collect()
        };
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
            skipped: if self.keys.is_none() { listing.skipped } else { 0 },
        }
    }

    /// True when `delta` may be sent; an allowed one's session stays allowed.
    pub fn allows_delta(&mut self, delta: &Delta) -> bool {
        let Some(keys) = &self.keys else {
            return true;
        };
        let (session, allowed) = match &delta.change {
            Change::Call(record) => (record_session(record), self.allows_record(record)),
            Change::Party(p) => {
                let touches = p.extension_id.is_some_and(|id| keys.contains(&id.to_string()))
                    || p.from.iter().chain(&p.to).any(|party| touches(keys, party));
                (Some(&p.session_id), touches)
            }
        };
        let allowed = allowed || session.is_some_and(|s| self.sessions.contains_key(s));
        if allowed && let Some(session) = session {
            self.sessions.insert(session.clone(), delta.at);
        }
        allowed
    }

    /// The directory entries this filter allows.
    pub fn directory(&self, directory: &Directory) -> Vec<DirectoryEntry> {
        let Some(keys) = &self.keys else {
            return directory.entries().to_vec();
        };
        let entry_keys = |e: &DirectoryEntry| {
            let name = e.name.as_ref().map(|n| n.to_lowercase());
            [Some(e.id.clone()), e.number.clone(), name]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
        };
        let allowed = |e: &&DirectoryEntry| entry_keys(e).iter().any(|k| keys.contains(k));
        directory.entries().iter().filter(allowed).cloned().collect()
    }
}

/// The lowercase keys (numbers, ids, names) that `wanted` names, with what the directory adds to each.
fn resolve<'a>(wanted: impl IntoIterator<Item = &'a str>, directory: Option<&Directory>) -> HashSet<String> {
    let mut keys = HashSet::new();
    for w in wanted {
        let w = w.trim();
        keys.insert(w.to_lowercase());
        let Some(dir) = directory else { continue };
        let by_name = dir.entries().iter().filter(|e| {
            e.name
                .as_deref()
                .is_some_and(|n| n.to_lowercase() == w.to_lowercase())
        });
        for e in dir.by_number(w).into_iter().chain(dir.by_id(w)).chain(by_name) {
            keys.insert(e.id.clone());
            keys.extend(e.number.clone());
            keys.extend(e.name.as_ref().map(|n| n.to_lowercase()));
        }
    }
    keys
}

/// True when `party` is one of `keys`: its extension number or id, its name, or a queue call's queue.
fn touches(keys: &HashSet<String>, party: &Party) -> bool {
    let name = party.name.as_ref().map(|n| n.to_lowercase());
    let queue = party.queue_part().map(str::to_lowercase);
    let numbers = [party.extension_number.as_deref(), party.extension_id.as_deref()];
    numbers.into_iter().flatten().any(|k| keys.contains(k))
        || name.is_some_and(|n| keys.contains(&n))
        || queue.is_some_and(|q| keys.contains(&q))
}

/// The call's telephony session, from the record or a leg.
fn record_session(record: &CallRecord) -> Option<&Str> {
    record.all_fields().find_map(|f| f.telephony_session_id.as_ref())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::api::model::CallFields;
    use crate::feed::{PartyChange, PartyStatus};

    fn party(name: &str, number: Option<&str>) -> Option<Arc<Party>> {
        Some(Arc::new(Party {
            name: Some(name.into()),
            extension_number: number.map(Into::into),
            ..Party::default()
        }))
    }

    fn call(id: &str, session: &str, from: Option<Arc<Party>>, to: Option<Arc<Party>>) -> Arc<CallRecord> {
        Arc::new(CallRecord {
            id: id.into(),
            fields: CallFields {
                telephony_session_id: Some(session.into()),
                from,
                to,
                ..CallFields::default()
            },
            ..CallRecord::default()
        })
    }

    fn view(extensions: &[&str], queues: &[&str]) -> View {
        View {
            viewer: "bob".into(),
            account: extensions.is_empty() && queues.is_empty(),
            extensions: extensions.iter().map(|s| s.to_string()).collect(),
            queues: queues.iter().map(|s| s.to_string()).collect(),
            own_extension: extensions.first().map(|s| s.to_string()),
        }
    }

    fn directory() -> Directory {
        let entry = |id: &str, number: &str, name: &str| DirectoryEntry {
            id: id.into(),
            number: Some(number.into()),
            name: Some(name.into()),
            kind: None,
        };
        Directory::new(
            None,
            vec![entry("9001", "101", "Ana Gómez"), entry("9200", "200", "Support")],
        )
    }

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_767_600_000 + secs).unwrap()
    }

    fn listing(calls: Vec<Arc<CallRecord>>) -> Listing {
        Listing {
            seq: 1,
            scope: Some(Scope::Account),
            taken_at: Some(t(0)),
            calls: calls.into(),
            skipped: 2,
        }
    }

    fn ids(l: &Listing) -> Vec<&str> {
        l.calls.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn a_restricted_view_keeps_only_calls_touching_its_extensions_and_queues() {
        let calls = vec![
            call("by-number", "s1", party("caller", None), party("x", Some("101"))),
            call("by-name", "s2", party("ana gómez", None), party("ext", None)),
            call(
                "queue",
                "s3",
                party("Support - CALLER", None),
                party("agent", Some("105")),
            ),
            call("other", "s4", party("caller", None), party("y", Some("102"))),
        ];
        let dir = directory();
        let mut bob = ViewFilter::new(&view(&["Ana Gómez"], &["200"]), Some(&dir));
        let seen = bob.listing(&listing(calls.clone()), Some(Scope::Account));
        assert_eq!(ids(&seen), ["by-number", "by-name", "queue"]);
        assert_eq!(
            seen.skipped, 0,
            "a restricted viewer learns nothing of others' records"
        );
        let mut all = ViewFilter::new(&view(&[], &[]), None);
        assert_eq!(all.listing(&listing(calls), None).calls.len(), 4);
    }

    #[test]
    fn a_party_delta_follows_its_party_or_an_allowed_session() {
        let dir = directory();
        let mut bob = ViewFilter::new(&view(&["101"], &[]), Some(&dir));
        bob.listing(
            &listing(vec![call("a", "s1", None, party("x", Some("101")))]),
            None,
        );
        let delta = |session: &str, ext: Option<u64>, secs| Delta {
            seq: 2,
            at: t(secs),
            change: Change::Party(PartyChange {
                extension_id: ext,
                ..PartyChange::new(session, "p", PartyStatus::Hold)
            }),
        };
        assert!(
            bob.allows_delta(&delta("s1", None, 1)),
            "the listed call's session"
        );
        assert!(!bob.allows_delta(&delta("s9", None, 1)), "another call");
        assert!(
            !bob.allows_delta(&delta("s9", Some(9002), 1)),
            "another extension"
        );
        assert!(
            bob.allows_delta(&delta("s7", Some(9001), 1)),
            "bob's extension by id"
        );
        assert!(
            bob.allows_delta(&delta("s7", None, 2)),
            "and then its whole session"
        );
        // A listing long after forgets a session it does not show.
        let later = Listing {
            taken_at: Some(t(3600)),
            ..listing(vec![])
        };
        bob.listing(&later, None);
        assert!(!bob.allows_delta(&delta("s7", None, 3601)));
    }

    #[test]
    fn scopes_narrow_within_the_policy_only() {
        let dir = directory();
        let v = view(&["101"], &["Support"]);
        let bob = ViewFilter::new(&v, Some(&dir));
        let own = bob.scoped(&Scope::own_extension(), &v, Some(&dir)).unwrap();
        assert!(own.allows_record(&call("a", "s", None, party("x", Some("101")))));
        assert!(!own.allows_record(&call("q", "s", party("Support - X", None), None)));
        assert!(
            bob.scoped(&Scope::Extension("9001".into()), &v, Some(&dir))
                .is_ok()
        );
        let err = bob
            .scoped(&Scope::Extension("9002".into()), &v, Some(&dir))
            .unwrap_err();
        assert!(err.contains("does not let bob see extension 9002"), "{err}");
        let mut none = v.clone();
        none.own_extension = None;
        assert!(
            bob.scoped(&Scope::own_extension(), &none, None)
                .unwrap_err()
                .contains("no own extension")
        );
        assert!(bob.scoped(&Scope::Account, &v, None).is_ok());
    }

    #[test]
    fn directory_entries_are_filtered_too() {
        let dir = directory();
        let bob = ViewFilter::new(&view(&["101"], &[]), Some(&dir));
        let names: Vec<_> = bob.directory(&dir).into_iter().map(|e| e.id).collect();
        assert_eq!(names, ["9001"]);
        assert_eq!(ViewFilter::new(&view(&[], &[]), None).directory(&dir).len(), 2);
    }
}
