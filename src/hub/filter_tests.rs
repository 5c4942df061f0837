//! The filter's rules, one test each: internal parties only, queue calls by RingCentral's marks, names the
//! directory lacks, party deltas following their sessions, scopes within the policy, directory entries.
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
