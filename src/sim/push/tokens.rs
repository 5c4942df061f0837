//! WebSocket access tokens: single-use in the sense that matters, never on two open sockets at once. A
//! cached, unexpired token may open a new connection once the socket that used it has closed, as
//! `@rc-ex/ws` does when it reconnects and RingCentral's own recovery test expects.
use std::collections::HashMap;

use jiff::Timestamp;

/// Who a token belongs to: the extension and its OAuth session (one login and its refreshes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub extension: u64,
    pub oauth_session: String,
}

#[derive(Debug)]
struct Entry {
    owner: TokenOwner,
    expires: Timestamp,
    open: bool,
}

/// Every WebSocket access token issued.
#[derive(Debug, Default)]
pub struct WsTokens {
    tokens: HashMap<String, Entry>,
}

impl WsTokens {
    /// Records `token` for `owner` until `expires` (forgetting expired, closed ones).
    pub fn issue(&mut self, token: String, owner: TokenOwner, now: Timestamp, expires: Timestamp) {
        self.tokens.retain(|_, e| e.open || e.expires > now);
        let entry = Entry {
            owner,
            expires,
            open: false,
        };
        self.tokens.insert(token, entry);
    }

    /// Opens a socket with `token`: its owner, or `None` when it is unknown, expired or already open.
    pub fn open(&mut self, token: &str, now: Timestamp) -> Option<TokenOwner> {
        let entry = self
            .tokens
            .get_mut(token)
            .filter(|e| !e.open && e.expires > now)?;
        entry.open = true;
        Some(entry.owner.clone())
    }

    /// The socket `token` opened has closed.
    pub fn close(&mut self, token: &str) {
        if let Some(entry) = self.tokens.get_mut(token) {
            entry.open = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_one_socket_at_a_time_until_it_expires() {
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let later = |s: i64| t0.checked_add(jiff::SignedDuration::from_secs(s)).unwrap();
        let mut tokens = WsTokens::default();
        let owner = TokenOwner {
            extension: 7,
            oauth_session: "s".into(),
        };
        tokens.issue("t".into(), owner.clone(), t0, later(600));
        assert_eq!(tokens.open("t", t0), Some(owner.clone()));
        assert_eq!(tokens.open("t", t0), None, "never on two open sockets");
        tokens.close("t");
        assert_eq!(tokens.open("t", later(10)), Some(owner));
        tokens.close("t");
        assert_eq!(tokens.open("t", later(600)), None, "expired");
        assert_eq!(tokens.open("unknown", t0), None);
    }
}
