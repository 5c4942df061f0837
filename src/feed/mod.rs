//! The seam between sources of calls and the board: a [`Feed`] is a running source (the poller, a replay)
//! seen from the UI — its latest [`FeedState`] over a `tokio::sync::watch`, a command channel, and its task.
//! A source writes through a [`Publisher`]: [`Publisher::list`] for a whole listing, [`Publisher::change`]
//! for one delta, [`Publisher::publish`] to send. Listings and deltas share one sequence, and the state
//! keeps every delta its listing does not cover, so a UI that reads only the latest state misses no
//! update.
mod state;
mod update;

use std::future::Future;
use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::api::Scope;
use crate::api::model::CallRecord;
pub use state::{FeedState, PushHealth, RateHeadroom, SourceError, SourceErrorKind, UserInfo};
pub use update::{Change, Delta, Listing, PartyChange, PartyStatus, Peer};

/// Commands from the UI to a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedCommand {
    /// Switch to another scope; the source lists it as soon as it can.
    SetScope(Scope),
    /// List again now if the rate budget allows, otherwise as soon as it does.
    Refresh,
}

/// A running source of board updates.
pub struct Feed {
    /// Latest published state.
    pub state: watch::Receiver<Arc<FeedState>>,
    /// Commands to the source.
    pub commands: mpsc::Sender<FeedCommand>,
    /// The source's task; it ends when every command sender is dropped.
    pub task: JoinHandle<()>,
}

impl Feed {
    /// Starts a source: `run` gets the publishing end (starting from `initial`) and the commands.
    pub fn spawn<F, Fut>(initial: FeedState, run: F) -> Feed
    where
        F: FnOnce(Publisher, mpsc::Receiver<FeedCommand>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (tx, state) = watch::channel(Arc::new(initial.clone()));
        let (commands, rx) = mpsc::channel(16);
        let publisher = Publisher {
            tx,
            next_update: initial.last_update() + 1,
            deltas: initial.deltas.to_vec(),
            deltas_changed: false,
            state: initial,
        };
        let task = tokio::spawn(run(publisher, rx));
        Feed {
            state,
            commands,
            task,
        }
    }
}

/// The source's end of a [`Feed`]: the state it is building and the channel it publishes on.
pub struct Publisher {
    tx: watch::Sender<Arc<FeedState>>,
    /// The state the next [`Publisher::publish`] sends; the source keeps its status fields here. Its
    /// `deltas` are filled in from [`Publisher::deltas`] when it is sent.
    pub state: FeedState,
    next_update: u64,
    /// The deltas being built: appended to per change and shared with the reader once per publication,
    /// so a burst of push events costs one copy of the list, not one per event.
    deltas: Vec<Delta>,
    deltas_changed: bool,
}

impl Publisher {
    /// Takes a new listing of `scope` taken at `taken_at`. It replaces the last listing and the deltas it
    /// covers; a delta newer than `taken_at` stays, so a reader that has not merged it yet still does,
    /// unless the listing is of another scope (whose deltas no longer apply). A party delta (push) stays
    /// until a second listing covers it: a listing cannot show hold or park, so a reader one listing
    /// behind still gets them. A source switching scope sends no deltas of the new scope before its first
    /// listing: the board would merge them into the old.
    pub fn list(
        &mut self,
        scope: Scope,
        taken_at: Timestamp,
        calls: impl Into<Arc<[Arc<CallRecord>]>>,
        skipped: usize,
    ) {
        let kept = self.deltas.len();
        let listed = self.state.listing.scope.as_ref();
        if listed.is_some_and(|listed| *listed != scope) {
            self.deltas.clear();
        }
        let previous = self.state.listing.taken_at;
        self.state.listing = Listing {
            seq: self.take_seq(),
            scope: Some(scope),
            taken_at: Some(taken_at),
            calls: calls.into(),
            skipped,
        };
        let stays = |d: &Delta| match d.change {
            Change::Party(_) => previous.is_none_or(|previous| d.at > previous),
            Change::Call(_) => d.at > taken_at,
        };
        self.deltas.retain(stays);
        self.deltas_changed |= self.deltas.len() != kept;
    }

    /// Adds one delta, at `at`, after the current listing.
    pub fn change(&mut self, at: Timestamp, change: Change) {
        let delta = Delta {
            seq: self.take_seq(),
            at,
            change,
        };
        self.deltas.push(delta);
        self.deltas_changed = true;
    }

    /// Sends the state to the UI.
    pub fn publish(&mut self) {
        if std::mem::take(&mut self.deltas_changed) {
            self.state.deltas = self.deltas.as_slice().into();
        }
        self.state.seq += 1;
        self.tx.send_replace(Arc::new(self.state.clone()));
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.next_update;
        self.next_update += 1;
        seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Arc<CallRecord> {
        Arc::new(CallRecord {
            id: id.into(),
            ..CallRecord::default()
        })
    }

    #[tokio::test]
    async fn a_reader_that_falls_behind_still_gets_every_delta_since_the_listing() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let mut feed = Feed::spawn(FeedState::default(), move |mut out, _commands| async move {
            out.list(Scope::Account, t0, vec![record("a")], 0);
            out.publish();
            out.change(t0, Change::Call(record("b")));
            out.publish();
            out.change(t0, Change::Call(record("c")));
            out.publish();
        });
        (&mut feed.task).await.unwrap();
        let state = feed.state.borrow_and_update().clone();
        assert_eq!(state.seq, 3);
        assert_eq!(state.listing.seq, 1);
        let seqs: Vec<u64> = state.deltas.iter().map(|d| d.seq).collect();
        assert_eq!(seqs, [2, 3], "both deltas kept, in order, after the listing");
        assert_eq!(state.last_update(), 3);
    }

    #[tokio::test]
    async fn a_listing_keeps_the_deltas_newer_than_itself() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let later = t0 + jiff::SignedDuration::from_secs(5);
        let mut feed = Feed::spawn(FeedState::default(), move |mut out, _commands| async move {
            out.change(t0, Change::Call(record("old")));
            out.change(later, Change::Call(record("new")));
            // A poll taken before the second delta arrives after it.
            out.list(Scope::Account, t0 + jiff::SignedDuration::from_secs(1), vec![], 0);
            out.publish();
        });
        (&mut feed.task).await.unwrap();
        let state = feed.state.borrow().clone();
        let kept: Vec<(u64, &str)> = state.deltas.iter().map(|d| (d.seq, changed_id(d))).collect();
        assert_eq!(kept, [(2, "new")], "the listing covers only the older delta");
        assert_eq!(state.listing.seq, 3);
        assert_eq!(state.last_update(), 3, "the listing is the newest update");
    }

    #[tokio::test]
    async fn a_party_delta_stays_until_a_second_listing_covers_it() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let at = move |secs| t0 + jiff::SignedDuration::from_secs(secs);
        let hold = || Change::Party(PartyChange::new("s1", "p1", PartyStatus::Hold));
        let mut feed = Feed::spawn(FeedState::default(), move |mut out, _commands| async move {
            out.list(Scope::Account, at(0), vec![], 0);
            out.change(at(5), hold());
            out.change(at(5), Change::Call(record("a")));
            out.list(Scope::Account, at(10), vec![], 0);
            out.publish();
            let kept: Vec<bool> = out
                .state
                .deltas
                .iter()
                .map(|d| matches!(d.change, Change::Party(_)))
                .collect();
            assert_eq!(
                kept,
                [true],
                "the hold stays for a reader one listing behind; the record is listed"
            );
            out.list(Scope::Account, at(20), vec![], 0);
            out.publish();
        });
        (&mut feed.task).await.unwrap();
        assert!(
            feed.state.borrow().deltas.is_empty(),
            "a second listing covers it"
        );
    }

    #[tokio::test]
    async fn a_listing_of_another_scope_drops_every_delta() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let later = t0 + jiff::SignedDuration::from_secs(5);
        let mut feed = Feed::spawn(FeedState::default(), move |mut out, _commands| async move {
            out.list(Scope::Account, t0, vec![], 0);
            out.change(later, Change::Call(record("account-call")));
            out.list(Scope::own_extension(), t0, vec![], 0);
            out.publish();
        });
        (&mut feed.task).await.unwrap();
        assert!(feed.state.borrow().deltas.is_empty());
    }

    fn changed_id(delta: &Delta) -> &str {
        match &delta.change {
            Change::Call(record) => record.id.as_str(),
            Change::Party(party) => party.party_id.as_str(),
        }
    }

    #[tokio::test]
    async fn a_new_listing_replaces_the_deltas_and_continues_the_sequence() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let mut feed = Feed::spawn(FeedState::default(), move |mut out, _commands| async move {
            out.list(Scope::Account, t0, vec![], 0);
            out.change(t0, Change::Call(record("b")));
            out.list(Scope::Account, t0, vec![record("b")], 0);
            out.publish();
        });
        (&mut feed.task).await.unwrap();
        let state = feed.state.borrow().clone();
        assert_eq!((state.listing.seq, state.deltas.len()), (3, 0));
        assert_eq!(state.last_update(), 3);
    }
}
