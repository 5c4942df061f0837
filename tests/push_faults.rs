//! The push fault matrix (issue 13): the live source against the real simulator's WebSocket gateway on a
//! manual clock, every state merged into a board as the TUI does, and the board and the feed state
//! asserted (see `support::push`). A dropped socket recovers with every missed event; a failed recovery
//! resubscribes and lists at once; duplicates and reorders neither double count nor go backwards; a lost
//! Disconnected ends at the next listing; a rate-limited wstoken backs off while polling goes on; a
//! refused permission leaves polling at its interval without retries; healthy push keeps Heavy requests
//! to two a minute; push shows a call before any listing; and a trace log of it all holds no secret.
use crate::support::client::SimClient;
use crate::support::push::{Rig, SAFETY_SECS, Twin, delta_keys, is_live, view};
use crate::support::sim::{Harness, demo_with_rate, manual, only, t0};

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use callboard::api::Scope;
use callboard::board::{CallState, List};
use callboard::clock::Clock;
use callboard::feed::{Change, FeedState, PartyStatus, PushHealth, SourceErrorKind};
use callboard::sim::{RateLimits, Scenario};
use jiff::{SignedDuration, Timestamp};

const LISTINGS: &str = "/active-calls";
const SUBSCRIPTIONS: &str = "/restapi/v1.0/subscription";
const WSTOKENS: &str = "/restapi/oauth/wstoken";
const SOCKETS: &str = "/ws?";

/// The demo scenario under RingCentral's real limits.
fn real_limits() -> Scenario {
    let mut s = Scenario::demo();
    s.rate_limits = RateLimits::default();
    s
}

fn reconnecting(s: &FeedState) -> bool {
    matches!(s.push, PushHealth::Reconnecting { .. })
}

fn secs(t: Timestamp) -> i64 {
    t.duration_since(t0()).as_secs()
}

#[tokio::test]
async fn a_dropped_socket_recovers_with_wsc_and_every_missed_event_reaches_the_board() {
    // Normal and safety intervals alike: no listing in the minute the test runs, so only push moves calls.
    let mut rig = Rig::start(demo_with_rate(8.0), SAFETY_SECS).await;
    let mut twin = Twin::start(&rig).await;
    let first = rig.live().await;
    for _ in 0..2 {
        rig.advance(10);
        twin.catch_up().await;
        let want: HashSet<_> = twin.keys().into_iter().collect();
        rig.wait("the events before the drop", |s| {
            want.is_subset(&delta_keys(s).into_iter().collect())
        })
        .await;
    }
    let before = view(&rig.board);

    rig.h.sim.push_faults().drop_sockets();
    rig.wait("the drop noticed", reconnecting).await;
    rig.advance(30);
    let missed = twin.catch_up().await;
    assert!(
        (5..100).contains(&missed),
        "{missed} events while down (within the recovery buffer)"
    );
    let want: HashSet<_> = twin.keys().into_iter().collect();
    let back = rig
        .wait("live again with every missed event", |s| {
            is_live(s) && want.is_subset(&delta_keys(s).into_iter().collect())
        })
        .await;

    let sockets = rig.requests(SOCKETS);
    assert_eq!(sockets.len(), 2, "{sockets:?}");
    assert!(
        sockets[1].path.contains("wsc=REDACTED"),
        "recovered with wsc: {}",
        sockets[1].path
    );
    assert_eq!(
        rig.requests(SUBSCRIPTIONS).len(),
        1,
        "a recovered session keeps its subscription"
    );
    assert_eq!(rig.requests(WSTOKENS).len(), 1, "the cached wstoken is reused");
    assert_eq!(
        back.listing.taken_at, first.listing.taken_at,
        "no listing since the start: the board moved on push alone"
    );
    let keys = delta_keys(&back);
    assert_eq!(
        keys.len(),
        keys.iter().collect::<HashSet<_>>().len(),
        "the replay repeats nothing"
    );
    let expected = view(&twin.board(&back.listing, rig.now()));
    assert_eq!(view(&rig.board), expected, "the board as if nothing dropped");
    assert_ne!(
        view(&rig.board),
        before,
        "the missed events changed what the board shows"
    );
}

#[tokio::test]
async fn a_drop_past_the_recovery_timeout_resubscribes_and_lists_at_once() {
    let mut rig = Rig::start(demo_with_rate(8.0), 10).await;
    rig.live().await;
    rig.run_for(20, 10, |_| {}).await;
    rig.h.sim.push_faults().drop_sockets();
    rig.wait("the drop noticed", reconnecting).await;
    rig.advance(200);
    let back = rig.live().await;

    let log = rig.h.sim.requests();
    let last = |needle: &str| log.iter().rposition(|r| r.path.contains(needle)).unwrap();
    let subscriptions = rig.requests(SUBSCRIPTIONS);
    assert_eq!(subscriptions.len(), 2, "subscribed again");
    assert!(
        last(LISTINGS) > last(SUBSCRIPTIONS),
        "a listing after the new subscription"
    );
    assert_eq!(
        back.listing.taken_at,
        Some(rig.now()),
        "listed at once, without waiting for the interval"
    );
    assert_eq!(back.interval, SignedDuration::from_secs(60));
    let stale: Vec<_> = rig
        .board
        .window(List::Live, 0, usize::MAX)
        .filter(|c| !back.listing.calls.iter().any(|r| r.id.as_str() == c.id()))
        .map(|c| c.id().to_owned())
        .collect();
    assert!(stale.is_empty(), "live calls the listing lacks: {stale:?}");
}

#[tokio::test]
async fn a_failed_recovery_resubscribes_on_the_same_connection_and_lists_at_once() {
    let h = Harness::start(manual(demo_with_rate(8.0))).await;
    // The client's clock barely moves while the gateway's passes the recovery timeout: the client still
    // offers its wsc, and the gateway answers recoveryState Failed.
    let client_clock = Clock::manual(t0());
    let client = SimClient::new(&h.sim, true).clock(client_clock.clone()).build();
    let mut rig = Rig::launch(h, client, 10);
    rig.live().await;
    rig.h.sim.push_faults().drop_sockets();
    rig.wait("the drop noticed", reconnecting).await;
    rig.advance(200);
    client_clock.advance(Duration::from_secs(5));
    let back = rig.live().await;

    let log = rig.h.sim.requests();
    let sockets: Vec<usize> = (0..log.len())
        .filter(|&i| log[i].path.starts_with(SOCKETS))
        .collect();
    assert_eq!(sockets.len(), 2);
    assert!(
        log[sockets[1]].path.contains("wsc=REDACTED"),
        "recovery was tried"
    );
    let subscriptions: Vec<usize> = (0..log.len()).filter(|&i| log[i].path == SUBSCRIPTIONS).collect();
    assert_eq!(subscriptions.len(), 2);
    assert!(
        subscriptions[1] > sockets[1],
        "subscribed again on the recovering connection"
    );
    let listing = (0..log.len())
        .rev()
        .find(|&i| log[i].path.contains(LISTINGS))
        .unwrap();
    assert!(listing > subscriptions[1], "a listing after the new subscription");
    assert_eq!(back.listing.taken_at, Some(rig.now()));
}

#[tokio::test]
async fn duplicated_and_reordered_events_neither_double_count_nor_go_backwards() {
    let mut scenario = demo_with_rate(10.0);
    scenario.calls.mix.transfer = 0;
    scenario.push.faults.duplicate_every = 2;
    scenario.push.faults.reorder_every = 3;
    let mut rig = Rig::start(scenario, SAFETY_SECS).await;
    let mut twin = Twin::start(&rig).await;
    rig.live().await;
    let mut furthest: HashMap<String, u8> = HashMap::new();
    let mut backwards = Vec::new();
    let mut watch = |rig: &mut Rig| {
        for (id, rank) in view(&rig.board) {
            let seen = furthest.entry(id.clone()).or_default();
            if rank < *seen {
                backwards.push((id, *seen, rank));
            }
            *seen = rank.max(*seen);
        }
    };
    rig.run_for(40, 5, &mut watch).await;
    // Clean from here on; the next event lets out the one the reorder fault may still hold.
    rig.h.sim.push_faults().clear();
    rig.advance(10);
    twin.catch_up().await;
    let last = twin.last_per_party();
    let done = rig
        .wait("each party's newest event", |s| {
            let got: HashSet<_> = delta_keys(s).into_iter().collect();
            last.values().all(|k| got.contains(k))
        })
        .await;
    watch(&mut rig);
    assert!(backwards.is_empty(), "calls went backwards: {backwards:?}");

    let keys = delta_keys(&done);
    let distinct: HashSet<_> = keys.iter().collect();
    assert_eq!(keys.len(), distinct.len(), "a duplicate reached the board");
    let mut applied: HashMap<(&str, &str), u64> = HashMap::new();
    for (session, party, sequence, _) in &keys {
        let prev = applied.insert((session, party), *sequence);
        assert!(
            prev.is_none_or(|p| p < *sequence),
            "party {party} went from sequence {prev:?} back to {sequence}"
        );
    }
    let sent: HashSet<_> = twin.keys().into_iter().collect();
    assert!(distinct.iter().all(|k| sent.contains(*k)), "only real events");
    assert!(keys.len() > 20, "{} events is too few to tell", keys.len());
    let expected = view(&twin.board(&done.listing, rig.now()));
    assert_eq!(view(&rig.board), expected, "the board as without faults");
}

#[tokio::test]
async fn a_lost_disconnected_ends_the_call_at_the_next_listing() {
    // Outbound calls have one party: lose its Disconnected and nothing else says the call ended.
    let mut rig = Rig::start(only("outbound"), SAFETY_SECS).await;
    let mut twin = Twin::start(&rig).await;
    let first = rig.live().await;
    rig.h.sim.push_faults().lose_next_disconnected(1);
    let mut lost = None;
    while lost.is_none() {
        rig.advance(5);
        twin.catch_up().await;
        rig.settle().await;
        lost = twin.keys().into_iter().find(|k| k.3 == PartyStatus::Disconnected);
    }
    let (session, ..) = lost.unwrap();
    let snap = rig.settle().await;
    assert_eq!(
        snap.listing.taken_at, first.listing.taken_at,
        "the call ended before the next listing"
    );
    let call_of = |rig: &Rig| {
        let id = first
            .listing
            .calls
            .iter()
            .find(|r| r.fields.telephony_session_id.as_deref() == Some(session.as_str()))
            .map(|r| r.id.to_string())
            .expect("the call was listed at the start");
        rig.board.get(&id).map(|c| c.state().clone()).unwrap()
    };
    assert!(
        call_of(&rig).is_live(),
        "without its Disconnected the call still shows live"
    );
    assert!(
        !delta_keys(&snap).iter().any(|k| k.0 == session && k.3.is_final()),
        "the Disconnected never came"
    );
    let taken = first.listing.taken_at.unwrap();
    rig.advance(SAFETY_SECS);
    rig.wait("the next listing", |s| s.listing.taken_at > Some(taken))
        .await;
    let state = call_of(&rig);
    assert!(!state.is_live(), "ended by the listing: {state:?}");
}

#[tokio::test]
async fn a_rate_limited_wstoken_backs_off_while_polling_goes_on() {
    let mut rig = Rig::start(real_limits(), 10).await;
    rig.live().await;
    // Past 80 % of the wstoken's life, so a reconnect needs a new one.
    rig.run_for(490, 70, |_| {}).await;
    for _ in 0..5 {
        rig.h.admin().await;
    }
    let dropped = rig.now();
    rig.h.sim.push_faults().drop_sockets();
    rig.wait("the drop noticed", reconnecting).await;
    // Past the first retry (at most 2 s after the drop): it needs a wstoken.
    rig.advance(3);
    let refused = rig
        .wait(
            "the refused wstoken",
            |s| matches!(&s.push, PushHealth::Reconnecting { reason, .. } if reason.contains("rate")),
        )
        .await;
    let PushHealth::Reconnecting {
        retry_at: Some(retry_at),
        ..
    } = refused.push
    else {
        panic!("no retry time: {:?}", refused.push)
    };
    assert!(
        retry_at.duration_since(dropped) >= SignedDuration::from_secs(60),
        "waits out the penalty: retry at +{}",
        retry_at.duration_since(dropped)
    );
    let listings = rig.requests(LISTINGS).len();
    rig.run_for(180, 10, |_| {}).await;
    let back = rig.look();
    assert!(is_live(&back), "live again: {:?}", back.push);

    let during = rig.requests(LISTINGS).len() - listings;
    assert!(
        during >= 6,
        "polling went on at the normal interval while push was down: {during} listings"
    );
    let wstokens: Vec<(i64, Option<u16>)> = rig
        .requests(WSTOKENS)
        .iter()
        .map(|r| (secs(r.at), r.status))
        .collect();
    let [(0, Some(200)), (refused_at, Some(429)), (granted_at, Some(200))] = wstokens[..] else {
        panic!("one wstoken, one refused, one after the penalty: {wstokens:?}")
    };
    assert!(
        granted_at - refused_at >= 60,
        "nothing asked during the penalty: {wstokens:?}"
    );
}

/// A live source refused push for good: the reason it gives, after three minutes in which polling went
/// on at its 10 s interval.
async fn refused(scenario: Scenario, admin: bool) -> (Rig, String) {
    let h = Harness::start(manual(scenario)).await;
    let client = SimClient::new(&h.sim, admin).build();
    let mut rig = Rig::launch(h, client, 10);
    let snap = rig
        .wait("push unavailable", |s| {
            matches!(s.push, PushHealth::Unavailable { .. })
        })
        .await;
    let PushHealth::Unavailable { reason } = &snap.push else {
        unreachable!()
    };
    let reason = reason.clone();
    let listings = rig.requests(LISTINGS).len();
    rig.run_for(180, 10, |_| {}).await;
    let snap = rig.look();
    assert!(
        matches!(snap.push, PushHealth::Unavailable { .. }),
        "{:?}",
        snap.push
    );
    assert_eq!(snap.interval, SignedDuration::from_secs(10));
    let polled = rig.requests(LISTINGS).len() - listings;
    assert!(
        (17..=19).contains(&polled),
        "a listing every 10 s: {polled} in 3 minutes"
    );
    (rig, reason)
}

#[tokio::test]
async fn an_app_without_websocket_subscriptions_polls_on_and_says_why() {
    let mut scenario = demo_with_rate(4.0);
    scenario.app.websocket = false;
    let (rig, reason) = refused(scenario, true).await;
    assert!(reason.contains("WebSocket Subscriptions"), "{reason}");
    assert_eq!(rig.requests(WSTOKENS).len(), 1, "asked once");
    assert!(rig.requests(SOCKETS).is_empty());
}

#[tokio::test]
async fn an_app_without_call_control_polls_on_and_says_why() {
    let mut scenario = demo_with_rate(4.0);
    scenario.app.call_control = false;
    let (rig, reason) = refused(scenario, true).await;
    assert!(
        reason.contains("CallControl") && reason.contains("ask RingCentral"),
        "{reason}"
    );
    assert_eq!(rig.requests(WSTOKENS).len(), 1);
    assert_eq!(rig.requests(SOCKETS).len(), 1);
    assert_eq!(rig.requests(SUBSCRIPTIONS).len(), 1, "subscribed once");
}

#[tokio::test]
async fn a_non_admin_in_account_scope_is_refused_once_and_follows_its_own_extension() {
    let h = Harness::start(manual(demo_with_rate(4.0))).await;
    let client = SimClient::new(&h.sim, false).build();
    let mut rig = Rig::launch(h, client, 10);
    let own = Scope::own_extension();
    let snap = rig
        .wait("push live on the user's own extension", |s| {
            is_live(s) && s.scope.as_ref() == Some(&own) && !s.switching
        })
        .await;
    let error = snap.error.as_ref().expect("the refusal is explained");
    assert!(
        matches!(error.kind, SourceErrorKind::Permission { .. }),
        "{error:?}"
    );
    rig.run_for(180, 10, |_| {}).await;
    assert!(is_live(&rig.look()));
    let subscriptions = rig.requests(SUBSCRIPTIONS);
    let statuses: Vec<_> = subscriptions.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Some(403), Some(200)],
        "the account filter refused once, the user's own granted"
    );
    assert_eq!(rig.requests(WSTOKENS).len(), 1, "one wstoken for both");
    assert_eq!(rig.requests(SOCKETS).len(), 2, "one connection each");
}

#[tokio::test]
async fn healthy_push_keeps_heavy_requests_to_two_a_minute() {
    let mut rig = Rig::start(real_limits(), 10).await;
    rig.live().await;
    rig.run_for(300, 10, |rig| {
        assert!(is_live(&rig.look()), "push stays live");
    })
    .await;
    let heavy: Vec<i64> = rig
        .h
        .sim
        .requests()
        .iter()
        .filter(|r| r.group.is_some_and(|g| g.as_str() == "Heavy"))
        .map(|r| secs(r.at))
        .collect();
    assert!(heavy.len() >= 5, "the safety net still lists: {heavy:?}");
    for &start in &heavy {
        let in_window = heavy.iter().filter(|&&t| t >= start && t < start + 60).count();
        assert!(
            in_window <= 2,
            "{in_window} Heavy requests in the minute from {start}: {heavy:?}"
        );
    }
}

#[tokio::test]
async fn push_brings_a_new_call_before_any_listing_shows_it() {
    let mut rig = Rig::start(demo_with_rate(8.0), SAFETY_SECS).await;
    let mut twin = Twin::start(&rig).await;
    let first = rig.live().await;
    let listed: HashSet<String> = first
        .listing
        .calls
        .iter()
        .filter_map(|r| r.fields.telephony_session_id.as_deref().map(str::to_owned))
        .collect();
    let mut new = None;
    while new.is_none() {
        rig.advance(1);
        twin.catch_up().await;
        new = twin
            .keys()
            .into_iter()
            .find(|k| k.3 == PartyStatus::Setup && !listed.contains(&k.0));
        assert!(secs(rig.now()) < 50, "a call starts within the minute");
    }
    let new = new.unwrap();
    let snap = rig
        .wait("the new call's Setup", |s| delta_keys(s).contains(&new))
        .await;
    assert_eq!(
        snap.listing.taken_at, first.listing.taken_at,
        "no listing has shown it yet"
    );
    let delta = snap
        .deltas
        .iter()
        .find(|d| matches!(&d.change, Change::Party(p) if p.session_id == new.0))
        .unwrap();
    assert!(
        rig.now().duration_since(delta.at) <= SignedDuration::from_secs(1),
        "within a second of the event"
    );
    // On the board it is a ringing call of its own, keyed by its session until a listing shows it.
    let call = rig
        .board
        .get(&new.0)
        .expect("the board shows the call push brought");
    assert_eq!(call.state(), &CallState::Ringing);
}
