//! Every request the simulator saw, for tests to assert on (bounded, oldest dropped first).
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;

use super::rate_limit::RateGroup;

const CAPACITY: usize = 50_000;

/// One request as the simulator handled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Simulated time it arrived.
    pub at: Timestamp,
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    /// Extension id of the authenticated user, when known.
    pub user: Option<u64>,
    /// Rate-limit group it was counted in, when it reached one.
    pub group: Option<RateGroup>,
    /// Status sent; `None` when the connection was dropped or the response withheld.
    pub status: Option<u16>,
}

/// The bounded log.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    /// Appends an entry, forgetting the oldest beyond the capacity.
    pub fn push(&self, entry: LoggedRequest) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() == CAPACITY {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// A copy of the entries, oldest first.
    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.iter().cloned().collect()
    }
}
