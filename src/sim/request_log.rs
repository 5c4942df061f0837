//! Every request the simulator saw, for tests to assert on (bounded, oldest dropped first).
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;

use super::rate_limit::RateGroup;

const CAPACITY: usize = 50_000;
/// Query parameters whose values are credentials and never kept.
const SECRET_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "refresh_token",
    "assertion",
    "client_secret",
    "wsc",
];

/// One request as the simulator handled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Simulated time it arrived.
    pub at: Timestamp,
    pub method: String,
    /// Path and query as sent, with credential values (e.g. `token=`) replaced by `REDACTED`.
    pub path: String,
    /// Extension id of the authenticated user, when known.
    pub user: Option<u64>,
    /// The OAuth session (one login and its refreshes) the request's token belongs to, when known: which
    /// of several clients of the same user sent it.
    pub session: Option<String>,
    /// Rate-limit group it was counted in, when it reached one.
    pub group: Option<RateGroup>,
    /// Status sent; `None` when the connection was dropped or the response withheld.
    pub status: Option<u16>,
    /// The request's `Accept-Encoding` header (the simulator compresses with gzip when it names gzip).
    pub accept_encoding: Option<String>,
}

/// `path_and_query` with the values of credential parameters replaced.
pub fn redact(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SECRET_PARAMS.contains(&key) => format!("{key}=REDACTED"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_queries_are_redacted() {
        assert_eq!(
            redact("/restapi/oauth/revoke?token=abc&x=1"),
            "/restapi/oauth/revoke?token=REDACTED&x=1"
        );
        assert_eq!(redact("/a?page=2&perPage=5"), "/a?page=2&perPage=5");
        assert_eq!(redact("/a"), "/a");
    }
}
