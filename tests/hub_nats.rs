//! The hub across machines on a real `nats-server` (skipped when it is not installed): two hubs sharing
//! one simulator elect one RingCentral session through the lease and hand it over when the holder dies;
//! boards attached through NATS follow, each seeing only what its NATS user may read; a board that joins
//! late starts from the key-value bucket; a contact centre's listing fits NATS's default max_payload and
//! a push event writes little to the bucket. The lease's life is scaled down from 10 s to 2 s here (the
//! production default is checked in `lease`'s unit test), so a takeover takes about 2.4 s, not 12.
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use callboard::api::Scope;
use callboard::feed::{Change, Feed, FeedState, SourceErrorKind};
use callboard::hub::ViewFilter;
use callboard::hub::nats::connect::connect;
use callboard::hub::nats::fanout::{Fanout, policy_view};
use callboard::hub::nats::{HubOptions, LeaseTiming, NatsAddr, NatsHub, Session, View, bucket, viewer};
use callboard::hub::protocol::{self, Numbered, ToBoard, Update};
use callboard::sim::{SimOptions, Simulator};
use futures_util::StreamExt;
use jiff::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::support::client::SimClient;
use crate::support::live;
use crate::support::nats::{NatsServer, session_runs};
use crate::support::wait::wait_until;

/// The lease's life in these tests.
const TTL: Duration = Duration::from_secs(2);

/// Starts a hub named `name` on `sim` through `nats`, publishing the view of extension `ext` too.
async fn hub(
    nats: &NatsServer,
    sim: &Simulator,
    name: &str,
    ext: &str,
) -> (JoinHandle<()>, watch::Sender<bool>) {
    let opts = HubOptions {
        addr: NatsAddr::parse(&nats.url("hub", "")).unwrap(),
        creds: None,
        views: vec![View::Extension(ext.into())],
        lease: LeaseTiming { ttl: TTL },
    };
    let hub = NatsHub::connect(&opts, name.into()).await.expect("hub connects");
    let client = SimClient::new(sim, true).build();
    let (stop, shutdown) = watch::channel(false);
    let start = move || Session {
        feed: live::start(client.clone()),
        tasks: Vec::new(),
    };
    (tokio::spawn(hub.run(start, shutdown)), stop)
}

/// A board on NATS as `user`, on the view at `path` (`""` or `/ext/<id>`).
fn board(nats: &NatsServer, user: &str, path: &str) -> Feed {
    viewer::spawn(NatsAddr::parse(&nats.url(user, path)).unwrap(), None)
}

fn has_calls(state: &FeedState) -> bool {
    state.listing.seq > 0 && !state.listing.calls.is_empty()
}

fn ids(state: &FeedState) -> Vec<String> {
    let mut ids: Vec<String> = state.listing.calls.iter().map(|c| c.id.to_string()).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standby_takes_over_when_the_active_hub_dies_and_boards_follow() {
    let Some(nats) = NatsServer::start("101") else {
        return;
    };
    let sim = Simulator::start(live::sim_options()).await.unwrap();
    let (hub_a, _stop_a) = hub(&nats, &sim, "hub-a", "101").await;
    let mut wall = board(&nats, "wall", "");
    wait_until(&mut wall, "a listing through NATS", has_calls).await;
    let (hub_b, _stop_b) = hub(&nats, &sim, "hub-b", "101").await;
    // Long enough for the standby to try, and fail, to take the lease several times.
    tokio::time::sleep(TTL).await;
    let before = session_runs(&sim);
    assert_eq!(
        before.len(),
        1,
        "one RingCentral session while hub-a lives: {before:?}"
    );

    // Killed: its tasks stop where they are, nothing is released.
    hub_a.abort();
    let killed = Instant::now();
    let served = wall.state.borrow().listing.seq;
    let takeover = loop {
        if session_runs(&sim).len() > 1 {
            break killed.elapsed();
        }
        assert!(
            killed.elapsed() < Duration::from_secs(15),
            "no takeover within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!(
        "takeover after {takeover:?} (lease {TTL:?}, worst {:?})",
        LeaseTiming { ttl: TTL }.worst_takeover()
    );
    assert!(takeover <= LeaseTiming { ttl: TTL }.worst_takeover() + Duration::from_secs(1));

    let after = wait_until(&mut wall, "a listing from hub-b", |s| {
        has_calls(s) && s.listing.seq > served
    })
    .await;
    assert!(!after.listing.calls.is_empty(), "the board still shows calls");
    let runs = session_runs(&sim);
    assert_eq!(
        runs.len(),
        2,
        "hub-a's requests, then hub-b's, never interleaved: {runs:?}"
    );
    assert_eq!(runs[0], before[0]);
    hub_b.abort();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_nats_user_receives_only_the_view_it_may_read() {
    let sim = Simulator::start(live::sim_options()).await.unwrap();
    let ext = sim.credentials().non_admin_extension_number.clone();
    let Some(nats) = NatsServer::start(&ext) else {
        return;
    };
    let (hub, _stop) = hub(&nats, &sim, "hub-a", &ext).await;
    let mut wall = board(&nats, "wall", "");
    let mut sup = board(&nats, "sup", &format!("/ext/{ext}"));
    let mut nobody = board(&nats, "nobody", "");
    // The supervisor may not read the whole account either.
    let mut sup_all = board(&nats, "sup", "");

    let whole = wait_until(&mut wall, "the whole account", has_calls).await;
    let seq = whole.listing.seq;
    let mine = wait_until(&mut sup, "the extension's listing of the same poll", |s| {
        s.listing.seq >= seq
    })
    .await;
    let whole = wait_until(&mut wall, "the same poll", |s| s.listing.seq >= mine.listing.seq).await;
    if whole.listing.seq == mine.listing.seq {
        let mut filter = ViewFilter::new(&policy_view(&View::Extension(ext.clone())), None);
        let expected = filter.listing(&whole.listing, None);
        let expected: Vec<String> = {
            let mut ids: Vec<String> = expected.calls.iter().map(|c| c.id.to_string()).collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&mine), expected, "exactly the calls the view allows");
        assert!(
            ids(&mine).len() < ids(&whole).len(),
            "the whole account has more calls"
        );
    }

    for (who, feed) in [
        ("nobody", &mut nobody),
        ("sup on the whole account", &mut sup_all),
    ] {
        let refused = wait_until(feed, "a permission error", |s| {
            s.error
                .as_ref()
                .is_some_and(|e| e.kind == (SourceErrorKind::Permission { permission: None }))
        })
        .await;
        let message = &refused.error.as_ref().unwrap().message;
        assert!(message.contains("subscribe allow list"), "{who}: {message}");
        assert_eq!(refused.listing.seq, 0, "{who} received no listing");
    }

    // Byte for byte: a raw subscription of a user without permission gets nothing while boards do.
    let raw = async_nats::ConnectOptions::with_user_and_password("nobody".into(), "nobody-secret".into())
        .connect(NatsAddr::parse(&nats.url("nobody", "")).unwrap().server_address())
        .await
        .unwrap();
    let mut received = raw.subscribe("callboard.>").await.unwrap();
    let seen = wall.state.borrow().listing.seq;
    wait_until(&mut wall, "another listing", |s| s.listing.seq > seen).await;
    let got = tokio::time::timeout(Duration::from_millis(100), received.next()).await;
    assert!(
        got.is_err() || got.unwrap().is_none(),
        "nothing of callboard reached nobody"
    );
    hub.abort();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_that_joins_late_starts_from_the_bucket() {
    let Some(nats) = NatsServer::start("101") else {
        return;
    };
    let sim = Simulator::start(live::sim_options()).await.unwrap();
    let (hub, stop) = hub(&nats, &sim, "hub-a", "101").await;
    let mut first = board(&nats, "wall", "");
    let published = wait_until(&mut first, "a listing", has_calls).await;
    // The hub stops (and releases its lease): nothing is published any more.
    stop.send(true).unwrap();
    hub.await.unwrap();
    let last: Arc<FeedState> = first.state.borrow().clone();
    assert!(last.listing.seq >= published.listing.seq);

    let mut late = board(&nats, "wall", "");
    let joined = wait_until(&mut late, "the bucket's listing", has_calls).await;
    assert_eq!(ids(&joined), ids(&last), "the latest listing, from the bucket");
    assert_eq!(
        joined.user.as_ref().map(|u| u.extension_id.clone()),
        last.user.as_ref().map(|u| u.extension_id.clone()),
        "who the hub is logged in as comes with it"
    );
    let sessions: HashSet<String> = sim.requests().into_iter().filter_map(|r| r.session).collect();
    assert_eq!(sessions.len(), 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_centre_listing_fits_the_default_max_payload_and_an_event_writes_little() {
    let Some(nats) = NatsServer::start("101") else {
        return;
    };
    let sim = Simulator::start(SimOptions::contact_centre()).await.unwrap();
    let records = SimClient::new(&sim, true)
        .build()
        .active_calls(&Scope::Account)
        .await
        .unwrap()
        .records;
    assert!(records.len() >= 1500, "contact-centre scale: {}", records.len());
    let changed = Arc::clone(&records[0]);
    let (step, mut steps) = tokio::sync::mpsc::unbounded_channel::<bool>();
    let feed = Feed::spawn(FeedState::default(), move |mut out, _commands| async move {
        while let Some(listing) = steps.recv().await {
            if listing {
                out.list(Scope::Account, Timestamp::now(), records.clone(), 0);
            } else {
                out.change(Timestamp::now(), Change::Call(Arc::clone(&changed)));
            }
            out.publish();
        }
    });
    let addr = NatsAddr::parse(&nats.url("hub", "")).unwrap();
    let conn = connect(&addr, None, "size test", None).await.unwrap();
    let js = async_nats::jetstream::new(conn.client.clone());
    let store = bucket::state(&js).await.unwrap();
    let mut fanout = Fanout::new(conn.client, store, addr.names, "hub-a#1".into(), &[]);
    let mut states = feed.state.clone();
    let mut publish = async |listing| {
        step.send(listing).unwrap();
        states.changed().await.unwrap();
        let state = states.borrow_and_update().clone();
        (fanout.publish(&state).await.unwrap(), state)
    };

    let (listed, state) = publish(true).await;
    let raw = protocol::encode(&ToBoard::Update(Numbered {
        seq: state.listing.seq,
        update: Update::Listing(Arc::new(
            ViewFilter::new(&policy_view(&View::All), None).listing(&state.listing, None),
        )),
    }))
    .len();
    let (event, _) = publish(false).await;
    let calls = state.listing.calls.len();
    eprintln!(
        "{calls} calls: listing {raw} bytes as JSON (what every event rewrote before), {} gzipped in the \
         bucket ({} bytes a call), {} on the subjects; one event then writes {} bytes to the bucket and \
         {} on the subjects",
        listed.bucket,
        listed.bucket / calls,
        listed.subjects,
        event.bucket,
        event.subjects
    );
    assert!(
        raw > 1 << 20,
        "uncompressed, the listing would exceed max_payload"
    );
    assert!(listed.bucket < 1 << 20 && listed.subjects < 1 << 20);
    assert!(
        event.bucket < 16 * 1024,
        "an event writes its chunk and head, not the listing"
    );

    let mut late = board(&nats, "wall", "");
    let joined = wait_until(&mut late, "the whole listing from the bucket", |s| {
        s.listing.calls.len() == calls
    })
    .await;
    assert_eq!(joined.deltas.len(), 1, "the event's delta too");
    sim.shutdown().await;
}
