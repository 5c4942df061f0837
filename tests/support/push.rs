//! The push fault harness: the live source (`poller::spawn_live`) against the real simulator on a manual
//! clock, every state it publishes merged into a board with `Board::catch_up` as the TUI does; a twin
//! simulator (same scenario and seed, same clock, no push faults) whose events, read on a raw socket, are
//! what the gateway sent when nothing went wrong; and the board those events make.
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callboard::api::Scope;
use callboard::api::client::RcClient;
use callboard::api::wsg::{Notification, SessionEvent};
use callboard::board::{Board, BoardConfig, CallState, List};
use callboard::clock::Clock;
use callboard::feed::{Change, Delta, Feed, FeedState, Listing, PartyChange, PartyStatus, PushHealth};
use callboard::poller::{self, PollerConfig};
use callboard::sim::{LoggedRequest, PushFaultSettings, Scenario, SimOptions};
use jiff::Timestamp;

use super::client::SimClient;
use super::gateway::{Ws, wstoken};
use super::sim::{Harness, manual};

/// Longest real-time wait for a state or for things to settle.
const WAIT: Duration = Duration::from_secs(10);
/// The safety interval of every rig: listings while push is live.
pub const SAFETY_SECS: u64 = 60;
/// The account's telephony-session events.
const ACCOUNT_EVENTS: &str = "/restapi/v1.0/account/~/telephony/sessions";

/// One party's event: telephony session, party, sequence and status.
pub type Key = (String, String, u64, PartyStatus);

/// The live source on a simulator, and the board it feeds.
pub struct Rig {
    pub h: Harness,
    /// The client's clock (the simulator's unless a test gave the client its own).
    pub clock: Clock,
    pub feed: Feed,
    pub board: Board,
}

impl Rig {
    /// The admin's live source in account scope on `scenario`, polling every `interval_secs` without push.
    pub async fn start(scenario: Scenario, interval_secs: u64) -> Rig {
        let h = Harness::start(manual(scenario)).await;
        let client = SimClient::new(&h.sim, true).build();
        Rig::launch(h, client, interval_secs)
    }

    /// The live source of `client` on `h`'s simulator, in account scope.
    pub fn launch(h: Harness, client: RcClient, interval_secs: u64) -> Rig {
        let clock = client.clock().clone();
        let config = PollerConfig {
            scope: Some(Scope::Account),
            interval: Duration::from_secs(interval_secs),
        };
        let feed = poller::spawn_live(client, config, Some(Duration::from_secs(SAFETY_SECS)), None);
        Rig {
            h,
            clock,
            feed,
            board: Board::new(BoardConfig::default()),
        }
    }

    /// The client's wall-clock now.
    pub fn now(&self) -> Timestamp {
        self.clock.wall()
    }

    /// Moves the simulator's clock (and the client's, when it is the same) `secs` on.
    pub fn advance(&self, secs: u64) {
        self.h.advance(secs);
    }

    /// The latest state, merged into the board as the TUI merges it.
    pub fn look(&mut self) -> Arc<FeedState> {
        let snap = Arc::clone(&self.feed.state.borrow_and_update());
        self.board.catch_up(&snap.listing, &snap.deltas, self.now());
        snap
    }

    /// Waits for a state matching `pred`, merging every state seen on the way.
    pub async fn wait(&mut self, what: &str, pred: impl Fn(&FeedState) -> bool) -> Arc<FeedState> {
        let deadline = Instant::now() + WAIT;
        loop {
            let snap = self.look();
            if pred(&snap) {
                return snap;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(left, self.feed.state.changed())
                .await
                .is_err()
            {
                panic!(
                    "timed out waiting for {what}; push {:?}, listing taken at {:?}, {} deltas",
                    snap.push,
                    snap.listing.taken_at,
                    snap.deltas.len()
                );
            }
        }
    }

    /// Waits until push is live and the listing it asked for is done (none due now).
    pub async fn live(&mut self) -> Arc<FeedState> {
        let now = self.now();
        self.wait("push live and no listing due", move |s| {
            is_live(s) && !s.switching && s.next_listing_at.is_some_and(|at| at > now)
        })
        .await
    }

    /// Lets the client, the poller and the simulator run until nothing moves: no listing due, push not
    /// about to connect, and neither the feed nor the simulator's log changing over a few looks.
    pub async fn settle(&mut self) -> Arc<FeedState> {
        let deadline = Instant::now() + WAIT;
        let (mut last, mut quiet) = (None, 0);
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let snap = self.look();
            let now = self.now();
            let idle = snap.next_listing_at.is_none_or(|at| at > now)
                && match &snap.push {
                    PushHealth::Connecting => false,
                    PushHealth::Reconnecting { retry_at, .. } => retry_at.is_none_or(|at| at > now),
                    _ => true,
                };
            let mark = (snap.seq, self.h.sim.requests().len());
            quiet = if idle && last == Some(mark) { quiet + 1 } else { 0 };
            if quiet == 3 {
                return snap;
            }
            last = Some(mark);
            assert!(Instant::now() < deadline, "never settled: {:?}", snap.push);
        }
    }

    /// `secs` of simulated time in steps of `step` seconds, settling after each; `each` sees every step.
    pub async fn run_for(&mut self, secs: u64, step: u64, mut each: impl FnMut(&mut Rig)) {
        for _ in 0..secs / step {
            self.advance(step);
            self.settle().await;
            each(self);
        }
    }

    /// The simulator's requests whose path contains `needle`.
    pub fn requests(&self, needle: &str) -> Vec<LoggedRequest> {
        self.h
            .sim
            .requests()
            .into_iter()
            .filter(|r| r.path.contains(needle))
            .collect()
    }
}

/// The reference: a twin simulator without push faults, subscribed to the account's events on a raw
/// socket before the clock first moves.
pub struct Twin {
    _h: Harness,
    ws: Ws,
    /// Every event the twin's gateway sent so far.
    pub events: Vec<Notification<SessionEvent>>,
}

impl Twin {
    /// The twin of `rig`'s simulator, on its clock.
    pub async fn start(rig: &Rig) -> Twin {
        let mut scenario = rig.h.sim.scenario().clone();
        scenario.push.faults = PushFaultSettings::default();
        let opts = SimOptions::with_scenario(scenario).clock(rig.h.sim.clock().clone());
        let h = Harness::start(opts).await;
        let access = h.admin().await;
        let mut ws = Ws::open(&wstoken(&h, &access).await, None).await;
        ws.frame().await;
        ws.subscribed(&[ACCOUNT_EVENTS]).await;
        Twin {
            _h: h,
            ws,
            events: Vec::new(),
        }
    }

    /// Takes in what the twin's gateway has sent up to now; returns how many events that was.
    pub async fn catch_up(&mut self) -> usize {
        let new = self.ws.events().await;
        let n = new.len();
        self.events.extend(new);
        n
    }

    /// The keys of every event so far.
    pub fn keys(&self) -> Vec<Key> {
        self.events.iter().map(event_key).collect()
    }

    /// The board a user would see had every event so far arrived once and in order after `listing`.
    pub fn board(&self, listing: &Listing, now: Timestamp) -> Board {
        let changes = self.events.iter().flat_map(|e| PartyChange::from_event(e, now));
        let deltas: Vec<Delta> = (listing.seq + 1..)
            .zip(changes)
            .map(|(seq, (at, change))| Delta {
                seq,
                at,
                change: Change::Party(change),
            })
            .collect();
        let mut board = Board::new(BoardConfig::default());
        board.catch_up(listing, &deltas, now);
        board
    }

    /// Each party's newest event.
    pub fn last_per_party(&self) -> HashMap<(String, String), Key> {
        let mut last = HashMap::new();
        for key in self.keys() {
            last.insert((key.0.clone(), key.1.clone()), key);
        }
        last
    }
}

/// True while push is live.
pub fn is_live(s: &FeedState) -> bool {
    matches!(s.push, PushHealth::Live { .. })
}

/// An event's key.
pub fn event_key(n: &Notification<SessionEvent>) -> Key {
    let party = &n.body.parties[0];
    (
        n.body.telephony_session_id.to_string(),
        party.id.to_string(),
        n.body.sequence,
        PartyStatus::from_code(&party.status.code),
    )
}

/// The keys of a state's party deltas, in order.
pub fn delta_keys(s: &FeedState) -> Vec<Key> {
    s.deltas
        .iter()
        .filter_map(|d| match &d.change {
            Change::Party(p) => Some((
                p.session_id.to_string(),
                p.party_id.to_string(),
                p.sequence,
                p.status,
            )),
            Change::Call(_) => None,
        })
        .collect()
}

/// How far a call has got: 0 ringing, 1 answered (talking, held, parked), 2 ended.
pub fn rank(state: &CallState) -> u8 {
    match state {
        _ if !state.is_live() => 2,
        CallState::Ringing => 0,
        _ => 1,
    }
}

/// What the user sees of each call on `board`, by id: how far it has got.
pub fn view(board: &Board) -> BTreeMap<String, u8> {
    [List::Live, List::Ended]
        .into_iter()
        .flat_map(|list| board.window(list, 0, usize::MAX))
        .map(|call| (call.id().to_owned(), rank(call.state())))
        .collect()
}
