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
        let calls: Vec<_> = if self.allowed.is_none() {
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
            skipped: if self.allowed.is_none() {
                listing.skipped
            } else {
                0
            },
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

    fn with_extension(record: Arc<CallRecord>, id: u64) -> Arc<CallRecord> {
        let mut record = Arc::unwrap_or_clone(record);
        record.fields.extension = Some(crate::api::model::ExtensionRef { id, uri: None });
        Arc::new(record)
    }

    #[test]
    fn a_restricted_view_keeps_only_calls_whose_internal_parties_it_allows() {
        let by_id = Some(Arc::new(Party {
            extension_id: Some("9001".into()),
            ..Party::default()
        }));
        let calls = vec![
            call("by-number", "s1", party("caller", None), party("x", Some("101"))),
            call("by-id", "s2", party("caller", None), by_id),
            with_extension(
                call(
                    "queue",
                    "s3",
                    party("Support - CALLER", None),
                    party("agent", Some("105")),
                ),
                9200,
            ),
            call(
                "caller-named-ana",
                "s4",
                party("Ana Gómez", None),
                party("y", Some("102")),
            ),
            call(
                "caller-named-queue",
                "s5",
                party("SUPPORT - x", None),
                party("y", Some("102")),
            ),
            call("other", "s6", party("caller", None), party("y", Some("102"))),
        ];
        let dir = directory();
        let mut bob = ViewFilter::new(&view(&["Ana Gómez"], &["Support"]), Some(&dir));
        assert!(bob.unresolved().is_empty());
        let seen = bob.listing(&listing(calls.clone()), Some(Scope::Account));
        assert_eq!(ids(&seen), ["by-number", "by-id", "queue"]);
        assert_eq!(
            seen.skipped, 0,
            "a restricted viewer learns nothing of others' records"
        );
        let mut all = ViewFilter::new(&view(&[], &[]), None);
        assert_eq!(all.listing(&listing(calls), None).calls.len(), 6);
    }

    #[test]
    fn a_queue_call_names_its_queue_but_a_caller_calling_itself_so_does_not() {
        let dir = directory();
        let f = ViewFilter::new(&view(&[], &["200"]), Some(&dir));
        let accepted = |id: &str, session: &str| {
            let mut record = CallRecord::clone(&call(id, session, party("Support - KIM DAVID", None), None));
            record.legs.push(crate::api::model::Leg {
                leg_type: Some(LegType::Accept),
                ..Default::default()
            });
            Arc::new(record)
        };
        let direct = call(
            "direct",
            "s2",
            party("Support - X", None),
            party("Bea", Some("102")),
        );
        let mut forwarded = CallRecord::clone(&call("fwd", "s3", party("SUPPORT - Y", None), None));
        forwarded.fields.delegation_type = Some("QueueForwarding".into());
        let other_queue = accepted("other", "s4");
        let mut other_queue = CallRecord::clone(&other_queue);
        other_queue.fields.from = party("Billing - Z", None);
        assert!(f.allows_record(&accepted("queued", "s1")));
        assert!(f.allows_record(&forwarded));
        assert!(
            !f.allows_record(&direct),
            "a direct call is not a queue call, whatever the name says"
        );
        assert!(!f.allows_record(&other_queue));

        let mut f = f;
        let mut event = PartyChange::new("s9", "p1", PartyStatus::Setup);
        event.from = party("Support - KIM DAVID", None);
        let delta = |change: PartyChange| Delta {
            seq: 2,
            at: t(1),
            change: Change::Party(change),
        };
        assert!(
            !f.allows_delta(&delta(event.clone())),
            "not marked as a queue call"
        );
        event.queue_call = true;
        assert!(f.allows_delta(&delta(event)));
    }

    #[test]
    fn a_name_the_directory_does_not_have_matches_nothing() {
        let dir = directory();
        let calls = vec![
            call("named", "s1", party("Nobody", None), party("x", Some("101"))),
            call("to-named", "s2", party("caller", None), party("Nobody", None)),
        ];
        let mut nobody = ViewFilter::new(&view(&["Nobody"], &[]), Some(&dir));
        assert_eq!(nobody.unresolved(), ["Nobody"]);
        assert!(nobody.listing(&listing(calls.clone()), None).calls.is_empty());
        assert!(nobody.directory(&dir).is_empty());
        // Before the directory is loaded, numbers stand for themselves and names for nothing.
        let mut early = ViewFilter::new(&view(&["Ana Gómez", "101"], &[]), None);
        assert_eq!(early.unresolved(), ["Ana Gómez"]);
        assert_eq!(ids(&early.listing(&listing(calls), None)), ["named"]);
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
        let queue_call = with_extension(call("q", "s", party("Support - X", None), None), 9200);
        assert!(bob.allows_record(&queue_call));
        assert!(
            !own.allows_record(&queue_call),
            "an extension scope shows that extension only"
        );
        let ana = bob
            .scoped(&Scope::Extension("9001".into()), &v, Some(&dir))
            .unwrap();
        assert!(!ana.allows_record(&queue_call));
        assert_eq!(ana.directory(&dir).len(), 1);
        let queue = bob
            .scoped(&Scope::Extension("9200".into()), &v, Some(&dir))
            .unwrap();
        assert!(queue.allows_record(&queue_call));
        let err = bob
            .scoped(&Scope::Extension("9002".into()), &v, Some(&dir))
            .unwrap_err();
        assert!(err.contains("does not let bob see extension 9002"), "{err}");
        let mut rebuilt = ViewFilter::new(&v, Some(&dir));
        let mut before = bob.clone();
        before.listing(
            &listing(vec![call("a", "s1", None, party("x", Some("101")))]),
            None,
        );
        rebuilt.remember_sessions_of(&mut before);
        let delta = Delta {
            seq: 2,
            at: t(1),
            change: Change::Party(PartyChange::new("s1", "p", PartyStatus::Hold)),
        };
        assert!(
            rebuilt.allows_delta(&delta),
            "a rebuilt filter keeps the allowed sessions"
        );
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
    fn a_scope_naming_more_than_the_view_allows_keeps_only_what_it_allows() {
        let mut entries = directory().entries().to_vec();
        entries.push(DirectoryEntry {
            id: "9003".into(),
            number: Some("103".into()),
            name: Some("Ana Gómez".into()),
            kind: None,
        });
        let dir = Directory::new(None, entries);
        let mut v = view(&["101"], &[]);
        v.own_extension = Some("Ana Gómez".into());
        let own = ViewFilter::new(&v, Some(&dir))
            .scoped(&Scope::own_extension(), &v, Some(&dir))
            .unwrap();
        assert!(own.allows_record(&call("a", "s1", None, party("x", Some("101")))));
        assert!(
            !own.allows_record(&call("b", "s2", None, party("x", Some("103")))),
            "the other Ana Gómez is not in the view"
        );
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
