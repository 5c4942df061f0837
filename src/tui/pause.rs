//! A frozen screen (`p`): the feed goes on, and its newest state waits until the pause ends.
use std::sync::Arc;

use jiff::Timestamp;

use crate::feed::FeedState;

/// A frozen screen: when it froze, and the newest feed state held back.
#[derive(Debug)]
pub(crate) struct Paused {
    pub at: Timestamp,
    pub latest: Option<Arc<FeedState>>,
    /// New updates held back.
    pub waiting: usize,
}

impl Paused {
    /// Frozen at `at`, nothing held back yet.
    pub fn at(at: Timestamp) -> Self {
        Paused {
            at,
            latest: None,
            waiting: 0,
        }
    }

    /// Holds `state` back; counts it when it carries an update newer than `shown` (the last on screen).
    pub fn hold(&mut self, state: Arc<FeedState>, shown: u64) {
        let known = self.latest.as_ref().map_or(shown, |s| s.last_update());
        if known != state.last_update() {
            self.waiting += 1;
        }
        self.latest = Some(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::{Change, Delta, Listing};

    fn state(listing: u64, deltas: &[u64]) -> Arc<FeedState> {
        let delta = |seq| Delta {
            seq,
            at: Timestamp::UNIX_EPOCH,
            change: Change::Call(Arc::default()),
        };
        Arc::new(FeedState {
            listing: Listing {
                seq: listing,
                ..Listing::default()
            },
            deltas: deltas.iter().copied().map(delta).collect(),
            ..FeedState::default()
        })
    }

    #[test]
    fn only_a_state_with_a_newer_update_counts_as_waiting() {
        let mut paused = Paused::at(Timestamp::UNIX_EPOCH);
        // Listing 3 kept delta 2, which is older than it: the screen (at 3) has seen everything.
        paused.hold(state(3, &[2]), 3);
        assert_eq!(paused.waiting, 0, "the same updates again");
        paused.hold(state(3, &[2, 4]), 3);
        assert_eq!(paused.waiting, 1, "delta 4 is new");
        paused.hold(state(5, &[]), 3);
        assert_eq!(paused.waiting, 2, "listing 5 is new");
    }
}
