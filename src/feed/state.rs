//! What a source publishes to the UI (latest value over a `tokio::sync::watch`): the current listing, the
//! deltas since it, and how the source is doing. Plain data: no I/O, no clock.
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::update::{Delta, Listing};
use crate::api::Scope;

/// One published state of a source. The UI owns its board and merges the updates it has not seen (see
/// [`crate::board::Board::catch_up`]).
#[derive(Debug, Clone, Default)]
pub struct FeedState {
    /// Increases with every publication, whether or not it carries a new update.
    pub seq: u64,
    /// The scope the source is on now.
    pub scope: Option<Scope>,
    /// The newest listing (its scope may differ from `scope` while switching).
    pub listing: Listing,
    /// Every delta `listing` does not cover, in order of their `seq`: the ones after it, and the ones
    /// before it that are newer than when it was taken (a new listing drops the rest). A watch keeps only
    /// the latest state, so the deltas stay here for a reader that fell behind.
    pub deltas: Arc<[Delta]>,
    /// When the next listing is due.
    pub next_listing_at: Option<Timestamp>,
    /// Interval between listings the source is using now.
    pub interval: SignedDuration,
    /// Heavy-group headroom from the last response's `X-Rate-Limit-*` headers.
    pub rate: Option<RateHeadroom>,
    /// The last error, cleared by the next successful listing (a refused account scope stays explained).
    pub error: Option<SourceError>,
    /// A scope change was asked for and its first listing has not arrived yet.
    pub switching: bool,
    /// Who the source is logged in as, once known.
    pub user: Option<UserInfo>,
    /// How the source's push connection is doing ([`PushHealth::Off`] for a source without one).
    pub push: PushHealth,
}

/// The state of a source's live push (telephony-session events over the WebSocket gateway). Polling goes
/// on whatever this is; it only slows down while push is [`PushHealth::Live`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushHealth {
    /// This source has no push (a replay, or push turned off).
    #[default]
    Off,
    /// Getting a token, connecting or subscribing.
    Connecting,
    /// Subscribed since `since`; `last_event` is when the newest event arrived.
    Live {
        since: Timestamp,
        last_event: Option<Timestamp>,
    },
    /// The connection dropped; `reason` says why, and the next attempt is at `retry_at`.
    Reconnecting {
        reason: String,
        retry_at: Option<Timestamp>,
    },
    /// Push cannot work for this app or user (a missing app permission, a refused filter); `reason` says
    /// what to change. Not retried until the scope changes or the user refreshes.
    Unavailable { reason: String },
}

impl FeedState {
    /// The sequence number of the newest update this state carries (0 before any).
    pub fn last_update(&self) -> u64 {
        // A kept delta can be numbered below the listing that kept it.
        self.deltas.iter().map(|d| d.seq).fold(self.listing.seq, u64::max)
    }
}

/// Rate-limit headroom for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateHeadroom {
    pub remaining: u32,
    pub limit: u32,
    pub window_secs: u32,
    /// Set while a 429 penalty is running: nothing is sent before this time.
    pub penalty_until: Option<Timestamp>,
}

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub extension_id: String,
    pub extension_number: Option<String>,
    pub name: Option<String>,
    pub admin: bool,
    /// The account's id, when the server said it.
    pub account_id: Option<String>,
}

impl UserInfo {
    /// Only the account of `user`: what a hub tells a restricted viewer, who is signed in as no one
    /// (no extension, not an admin; the hub's policy decides what it may ask for).
    pub fn account_only(user: &UserInfo) -> UserInfo {
        UserInfo {
            extension_id: String::new(),
            extension_number: None,
            name: None,
            admin: false,
            account_id: user.account_id.clone(),
        }
    }

    /// True for an [`UserInfo::account_only`] identity.
    pub fn is_account_only(&self) -> bool {
        self.extension_id.is_empty()
    }
}

/// What kind of failure, so the UI can act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceErrorKind {
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceError {
    pub kind: SourceErrorKind,
    /// The scope being listed when it happened.
    pub scope: Scope,
    /// What happened and what to do.
    pub message: String,
    /// When it happened.
    pub at: Timestamp,
    /// When the source will try again.
    pub retry_at: Option<Timestamp>,
}
