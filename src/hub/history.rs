//! The hub's numbered updates: each listing and delta its source publishes gets the next hub sequence
//! number, and the newest ones stay (bounded) so a board that reconnects after a short disconnect gets
//! what it missed. Pure: the serving code feeds it the source's states.
use std::collections::VecDeque;
use std::sync::Arc;

use tokio_util::bytes::Bytes;

use super::protocol::{self, Numbered, Resume, ToBoard, Update};
use crate::api::Scope;
use crate::feed::{FeedState, Listing};

/// The updates a hub has published, the newest `capacity` of them kept.
#[derive(Debug)]
pub struct History {
    hub: String,
    capacity: usize,
    entries: VecDeque<Arc<Numbered>>,
    /// The hub sequence number of the newest update (0 before any).
    last: u64,
    /// The source sequence number of the newest source update taken.
    taken: u64,
    /// The newest state taken: the snapshot a new board starts from.
    state: Arc<FeedState>,
    /// [`History::whole_listing`]'s message, with the update number it was made at.
    whole: Option<(u64, Bytes)>,
}

impl History {
    /// An empty history of the hub run `hub`, keeping `capacity` updates.
    pub fn new(hub: impl Into<String>, capacity: usize) -> History {
        History {
            hub: hub.into(),
            capacity: capacity.max(1),
            entries: VecDeque::new(),
            last: 0,
            taken: 0,
            state: Arc::default(),
            whole: None,
        }
    }

    /// The hub run these numbers belong to.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    /// The newest update's number: a board that got the newest state is up to date through it.
    pub fn last_seq(&self) -> u64 {
        self.last
    }

    /// The newest state taken.
    pub fn state(&self) -> &Arc<FeedState> {
        &self.state
    }

    /// The newest state's listing as a board that sees the whole account gets it on attaching, numbered
    /// [`History::last_seq`] and encoded once for every such board until the next update: a listing of a
    /// few thousand calls is megabytes, and boards that attach together (after a hub restart) would each
    /// hold a copy. `None` before the source's first listing.
    pub fn whole_listing(&mut self) -> Option<Bytes> {
        if self.state.listing.seq == 0 {
            return None;
        }
        if let Some((seq, bytes)) = &self.whole
            && *seq == self.last
        {
            return Some(bytes.clone());
        }
        let listing = Listing {
            scope: Some(Scope::Account),
            ..self.state.listing.clone()
        };
        let bytes = protocol::encode(&ToBoard::Update(Numbered {
            seq: self.last,
            update: Update::Listing(Arc::new(listing)),
        }));
        self.whole = Some((self.last, bytes.clone()));
        Some(bytes)
    }

    /// Numbers and keeps what `state` brings that earlier states did not, in the source's order.
    pub fn take(&mut self, state: Arc<FeedState>) -> Vec<Arc<Numbered>> {
        let mut new: Vec<(u64, Update)> = state
            .deltas
            .iter()
            .filter(|d| d.seq > self.taken)
            .map(|d| (d.seq, Update::Delta(d.clone())))
            .collect();
        if state.listing.seq > self.taken {
            new.push((
                state.listing.seq,
                Update::Listing(Arc::new(state.listing.clone())),
            ));
        }
        new.sort_by_key(|(seq, _)| *seq);
        self.taken = self.taken.max(state.last_update());
        self.state = state;
        let numbered: Vec<Arc<Numbered>> = new
            .into_iter()
            .map(|(_, update)| {
                self.last += 1;
                Arc::new(Numbered {
                    seq: self.last,
                    update,
                })
            })
            .collect();
        self.entries.extend(numbered.iter().cloned());
        let excess = self.entries.len().saturating_sub(self.capacity);
        self.entries.drain(..excess);
        numbered
    }

    /// The updates after `resume`, or `None` when it is of another hub run, from the future, or older
    /// than what is kept (the board then needs a fresh listing).
    pub fn since(&self, resume: &Resume) -> Option<Vec<Arc<Numbered>>> {
        let oldest = self.entries.front().map_or(self.last + 1, |e| e.seq);
        let kept = resume.seq.saturating_add(1) >= oldest && resume.seq <= self.last;
        (resume.hub == self.hub && kept).then(|| {
            self.entries
                .iter()
                .filter(|e| e.seq > resume.seq)
                .cloned()
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::api::Scope;
    use crate::api::model::CallRecord;
    use crate::feed::{Change, Feed};

    /// The states a source publishes: a listing, then a delta per step.
    async fn states(deltas: usize) -> Vec<Arc<FeedState>> {
        let t0 = Timestamp::UNIX_EPOCH;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let feed = Feed::spawn(FeedState::default(), move |mut out, _commands| async move {
            out.list(Scope::Account, t0, vec![], 0);
            for i in 0..=deltas {
                if i > 0 {
                    let record = CallRecord {
                        id: format!("c{i}").into(),
                        ..CallRecord::default()
                    };
                    out.change(t0, Change::Call(Arc::new(record)));
                }
                out.publish();
                tx.send(Arc::new(out.state.clone())).unwrap();
            }
        });
        feed.task.await.unwrap();
        let mut all = Vec::new();
        while let Ok(state) = rx.try_recv() {
            all.push(state);
        }
        all
    }

    #[tokio::test]
    async fn every_update_is_numbered_once_even_when_states_are_skipped() {
        let states = states(3).await;
        let mut history = History::new("h", 10);
        let first = history.take(Arc::clone(&states[0]));
        assert!(matches!(first[0].update, Update::Listing(_)));
        // The watch skipped states 1 and 2: state 3 still carries their deltas.
        let rest = history.take(Arc::clone(&states[3]));
        let seqs: Vec<u64> = rest.iter().map(|n| n.seq).collect();
        assert_eq!(seqs, [2, 3, 4]);
        assert!(
            history.take(Arc::clone(&states[3])).is_empty(),
            "nothing new twice"
        );
        assert_eq!(history.last_seq(), 4);
    }

    #[tokio::test]
    async fn the_whole_listing_is_encoded_once_per_update_as_a_board_would_get_it() {
        let states = states(2).await;
        let mut history = History::new("h", 10);
        assert!(history.whole_listing().is_none(), "no listing yet");
        history.take(Arc::clone(&states[0]));
        let first = history.whole_listing().unwrap();
        assert_eq!(
            first.as_ptr(),
            history.whole_listing().unwrap().as_ptr(),
            "shared, not re-encoded"
        );
        let expected = ToBoard::Update(Numbered {
            seq: 1,
            update: Update::Listing(Arc::new(states[0].listing.clone())),
        });
        assert_eq!(protocol::decode::<ToBoard>(&first).unwrap(), expected);
        history.take(Arc::clone(&states[2]));
        let later: ToBoard = protocol::decode(&history.whole_listing().unwrap()).unwrap();
        assert!(
            matches!(later, ToBoard::Update(Numbered { seq: 3, .. })),
            "{later:?}"
        );
    }

    #[tokio::test]
    async fn a_resume_gets_what_it_missed_or_nothing_when_too_old() {
        let states = states(5).await;
        let mut history = History::new("h", 3);
        for state in &states {
            history.take(Arc::clone(state));
        }
        let resume = |hub: &str, seq| Resume { hub: hub.into(), seq };
        let missed: Vec<u64> = history
            .since(&resume("h", 4))
            .unwrap()
            .iter()
            .map(|n| n.seq)
            .collect();
        assert_eq!(missed, [5, 6]);
        assert_eq!(history.since(&resume("h", 6)).unwrap().len(), 0, "up to date");
        assert!(history.since(&resume("h", 2)).is_none(), "update 3 is gone");
        assert!(history.since(&resume("other", 5)).is_none(), "another hub run");
        assert!(history.since(&resume("h", 9)).is_none(), "from the future");
        assert!(
            history.since(&resume("h", u64::MAX)).is_none(),
            "a hostile number"
        );
    }
}
