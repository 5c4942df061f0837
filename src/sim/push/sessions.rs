//! WebSocket sessions and their recovery: each connection belongs to a session named by its `wsc` token;
//! a new connection with `&wsc=` inside the recovery timeout, from the same OAuth session, takes the
//! session over with its subscription and the events it missed.
use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;

use super::events::Outgoing;
use super::subscription::Subscription;
use super::tokens::TokenOwner;

/// Recovery errors as the real gateway reports them.
const NO_SUBSCRIPTION: &str = "WSG-1005";
const NEW_OAUTH_SESSION: &str = "WSG-1003";

/// One session: its owner, subscription and how far its events have been sent.
#[derive(Debug)]
pub struct WsSession {
    pub owner: TokenOwner,
    pub subscription: Option<Subscription>,
    /// Events up to this time (Unix milliseconds) have been handed out.
    pub cursor_ms: i64,
    /// An event held back by the reorder fault, sent after the next one.
    pub held: Option<Outgoing>,
    /// The connection attached now (0: none).
    conn: u64,
    /// When the last connection left.
    left_at: Option<Timestamp>,
}

/// How a new connection was attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attached {
    /// No `&wsc=`: a new session.
    Fresh,
    /// The session was recovered.
    Recovered,
    /// Recovery failed with this `recoveryErrorCode`; a new session was started.
    Failed(&'static str),
}

/// Every session of the gateway.
#[derive(Debug, Default)]
pub struct Sessions {
    sessions: HashMap<String, WsSession>,
    next_conn: u64,
}

impl Sessions {
    /// Attaches a new connection of `owner` at `now`: to the session of `wsc` when it can be recovered
    /// within `timeout`, else to a new session named by `new_token()`. Returns the session's token, the
    /// connection's id and how it went.
    pub fn attach(
        &mut self,
        wsc: Option<&str>,
        owner: TokenOwner,
        now: Timestamp,
        timeout: Duration,
        new_token: impl FnOnce() -> String,
    ) -> (String, u64, Attached) {
        let expired = |s: &WsSession| {
            s.left_at
                .is_some_and(|left| now.duration_since(left).unsigned_abs() > timeout)
        };
        self.sessions.retain(|_, s| !expired(s));
        self.next_conn += 1;
        let conn = self.next_conn;
        let outcome = match wsc.map(|token| (token, self.sessions.get_mut(token))) {
            None => Attached::Fresh,
            Some((_, None)) => Attached::Failed(NO_SUBSCRIPTION),
            Some((_, Some(s))) if s.owner.oauth_session != owner.oauth_session => {
                Attached::Failed(NEW_OAUTH_SESSION)
            }
            Some((_, Some(s))) if s.subscription.is_none() => Attached::Failed(NO_SUBSCRIPTION),
            Some((token, Some(s))) => {
                (s.conn, s.left_at) = (conn, None);
                return (token.to_owned(), conn, Attached::Recovered);
            }
        };
        let token = new_token();
        let session = WsSession {
            owner,
            subscription: None,
            cursor_ms: now.as_millisecond(),
            held: None,
            conn,
            left_at: None,
        };
        self.sessions.insert(token.clone(), session);
        (token, conn, outcome)
    }

    /// The session `token` while connection `conn` is attached to it (`None` once another took it over).
    pub fn current(&mut self, token: &str, conn: u64) -> Option<&mut WsSession> {
        self.sessions.get_mut(token).filter(|s| s.conn == conn)
    }

    /// Connection `conn` left session `token` at `now`; the session stays recoverable for a while.
    pub fn detach(&mut self, token: &str, conn: u64, now: Timestamp) {
        if let Some(s) = self.current(token, conn) {
            (s.conn, s.left_at) = (0, Some(now));
        }
    }
}
