//! A frozen screen (`p`): polling goes on, and the newest snapshot waits until the pause ends.
use std::sync::Arc;

use jiff::Timestamp;

use crate::snapshot::Snapshot;

/// A frozen screen: when it froze, and the newest snapshot held back.
#[derive(Debug)]
pub(crate) struct Paused {
    pub at: Timestamp,
    pub latest: Option<Arc<Snapshot>>,
    /// New polls held back.
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

    /// Holds `snapshot` back; counts it when it carries a poll newer than `shown` (the poll on screen).
    pub fn hold(&mut self, snapshot: Arc<Snapshot>, shown: Option<u64>) {
        let known = self.latest.as_ref().map(|s| s.poll_seq).or(shown);
        if known != Some(snapshot.poll_seq) {
            self.waiting += 1;
        }
        self.latest = Some(snapshot);
    }
}
