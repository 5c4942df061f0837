//! What the poller publishes to the UI (latest value over a `tokio::sync::watch`) and the commands the UI
//! sends back. Plain data: no I/O, no clock.
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::api::Scope;
use crate::api::model::CallRecord;

/// One published state of the poller. The UI owns its board and merges `calls` when `seq` changes.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Increases with every publication; a new poll result has a new `poll_seq` too.
    pub seq: u64,
    /// Increases only when a poll succeeded (new `calls`).
    pub poll_seq: u64,
    /// The scope the poller is on now.
    pub scope: Option<Scope>,
    /// The scope of `calls` (may differ from `scope` while switching).
    pub calls_scope: Option<Scope>,
    /// All records of the last successful poll (all pages), shared with the board.
    pub calls: Arc<[Arc<CallRecord>]>,
    /// Records of the last poll the parser had to skip.
    pub skipped: usize,
    /// When the last successful poll finished.
    pub fetched_at: Option<Timestamp>,
    /// When the next poll is due.
    pub next_poll_at: Option<Timestamp>,
    /// Interval the poller is using now.
    pub interval: SignedDuration,
    /// Heavy-group headroom from the last response's `X-Rate-Limit-*` headers.
    pub rate: Option<RateHeadroom>,
    /// The last error, cleared by the next successful poll (a refused account scope stays explained).
    pub error: Option<PollError>,
    /// A scope change was asked for and its first poll has not completed yet.
    pub switching: bool,
    /// Who the poller is logged in as, once known.
    pub user: Option<UserInfo>,
}

/// Rate-limit headroom for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateHeadroom {
    pub remaining: u32,
    pub limit: u32,
    pub window_secs: u32,
    /// Set while a 429 penalty is running: nothing is sent before this time.
    pub penalty_until: Option<Timestamp>,
}

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub extension_id: String,
    pub extension_number: Option<String>,
    pub name: Option<String>,
    pub admin: bool,
}

/// What kind of failure, so the UI can act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollErrorKind {
    /// Credentials or token rejected; the setting to fix is in the message.
    Unauthorized,
    /// The user lacks a permission (named).
    Permission { permission: Option<String> },
    /// 429: nothing is sent until `retry_at`.
    RateLimited,
    /// 5xx from the server.
    Server,
    /// No answer in time.
    Timeout,
    /// Connection refused, DNS, TLS, dropped connection.
    Network,
    /// The server answered something unreadable.
    Malformed,
}

/// A failure in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollError {
    pub kind: PollErrorKind,
    /// The scope being polled when it happened.
    pub scope: Scope,
    /// What happened and what to do.
    pub message: String,
    /// When it happened.
    pub at: Timestamp,
    /// When the poller will try again.
    pub retry_at: Option<Timestamp>,
}

/// Commands from the UI to the poller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollCommand {
    /// Switch to another scope; the poller polls it as soon as the rate budget allows.
    SetScope(Scope),
    /// Poll now if the rate budget allows, otherwise as soon as it does.
    RefreshNow,
}
