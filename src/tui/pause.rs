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
