//! OAuth sessions: JWT-bearer and refresh-token grants, single-use refresh tokens, revocation.
use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// Scopes every simulated app has.
pub const APP_SCOPE: &str = "ReadAccounts ReadCallLog ReadPresence";
const TOKEN_PREFIX: &str = "SIM01P01PAS00|";

/// Result of checking an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessCheck {
    /// Valid; the owner's extension id.
    Valid(u64),
    /// Not a token this service could have issued (OAU-149).
    Unparsable,
    /// Issued, but past its lifetime (OAU-128).
    Expired,
    /// Well-formed but unknown, revoked or superseded (OAU-213).
    NotFound,
}

/// Why a refresh-token grant failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshError {
    /// Unknown, already used, or revoked.
    NotFound,
    Expired,
}

#[derive(Debug)]
struct Session {
    owner: u64,
    access: String,
    access_expires: Timestamp,
    refresh: String,
    refresh_expires: Timestamp,
    endpoint_id: String,
}

/// All live OAuth sessions of one simulator.
#[derive(Debug)]
pub struct TokenStore {
    sessions: HashMap<String, Session>,
    by_access: HashMap<String, String>,
    by_refresh: HashMap<String, String>,
    rng: SmallRng,
}

impl TokenStore {
    /// An empty store whose token strings derive from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            sessions: HashMap::new(),
            by_access: HashMap::new(),
            by_refresh: HashMap::new(),
            rng: SmallRng::seed_from_u64(seed ^ 0x5EED_70C3),
        }
    }

    /// Starts a session for `owner` and returns its `TokenInfo` body.
    pub fn issue(
        &mut self,
        owner: u64,
        now: Timestamp,
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Value {
        self.sessions
            .retain(|_, s| s.refresh_expires > now || s.access_expires > now);
        self.by_access.retain(|_, id| self.sessions.contains_key(id));
        self.by_refresh.retain(|_, id| self.sessions.contains_key(id));
        let session_id = self
            .rng
            .random_range(1_000_000_000_000u64..10_000_000_000_000)
            .to_string();
        let endpoint_id = self.random_text(22);
        let session = Session {
            owner,
            access: String::new(),
            access_expires: now,
            refresh: String::new(),
            refresh_expires: after(now, refresh_ttl),
            endpoint_id,
        };
        self.sessions.insert(session_id.clone(), session);
        self.rotate(&session_id, now, access_ttl, refresh_ttl)
    }

    /// Exchanges a refresh token (single use) for new tokens in the same session.
    pub fn refresh(
        &mut self,
        refresh_token: &str,
        now: Timestamp,
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Result<(u64, Value), RefreshError> {
        let id = self
            .by_refresh
            .get(refresh_token)
            .cloned()
            .ok_or(RefreshError::NotFound)?;
        let session = self.sessions.get(&id).ok_or(RefreshError::NotFound)?;
        if session.refresh_expires <= now {
            return Err(RefreshError::Expired);
        }
        let owner = session.owner;
        Ok((owner, self.rotate(&id, now, access_ttl, refresh_ttl)))
    }

    /// Ends the session `token` (access or refresh) belongs to; unknown tokens are ignored.
    pub fn revoke(&mut self, token: &str) {
        let id = self
            .by_access
            .get(token)
            .or_else(|| self.by_refresh.get(token))
            .cloned();
        if let Some(session) = id.and_then(|id| self.sessions.remove(&id)) {
            self.by_access.remove(&session.access);
            self.by_refresh.remove(&session.refresh);
        }
    }

    /// The extension id owning a live access or refresh token.
    pub fn owner_of(&self, token: &str) -> Option<u64> {
        let id = self.by_access.get(token).or_else(|| self.by_refresh.get(token))?;
        self.sessions.get(id).map(|s| s.owner)
    }

    /// The id of the OAuth session (one login and its refreshes) a live access token belongs to.
    pub fn session_of(&self, access_token: &str) -> Option<&str> {
        self.by_access.get(access_token).map(String::as_str)
    }

    /// Checks a bearer token.
    pub fn check_access(&self, token: &str, now: Timestamp) -> AccessCheck {
        let Some(session) = self.by_access.get(token).and_then(|id| self.sessions.get(id)) else {
            return if looks_issued(token) {
                AccessCheck::NotFound
            } else {
                AccessCheck::Unparsable
            };
        };
        if session.access_expires <= now {
            AccessCheck::Expired
        } else {
            AccessCheck::Valid(session.owner)
        }
    }

    /// Replaces both tokens of a session (the old ones stop working at once).
    fn rotate(&mut self, id: &str, now: Timestamp, access_ttl: Duration, refresh_ttl: Duration) -> Value {
        let access = self.token('A');
        let refresh = self.token('R');
        let Some(session) = self.sessions.get_mut(id) else {
            return Value::Null;
        };
        self.by_access.remove(&session.access);
        self.by_refresh.remove(&session.refresh);
        session.access = access.clone();
        session.refresh = refresh.clone();
        session.access_expires = after(now, access_ttl);
        session.refresh_expires = after(now, refresh_ttl);
        self.by_access.insert(access.clone(), id.to_owned());
        self.by_refresh.insert(refresh.clone(), id.to_owned());
        json!({
            "access_token": access,
            "token_type": "bearer",
            "expires_in": access_ttl.as_secs(),
            "refresh_token": refresh,
            "refresh_token_expires_in": refresh_ttl.as_secs(),
            "scope": APP_SCOPE,
            "owner_id": session.owner.to_string(),
            "endpoint_id": session.endpoint_id,
            "session_id": id,
        })
    }

    fn token(&mut self, kind: char) -> String {
        let secret = self.random_text(40);
        STANDARD.encode(format!("{TOKEN_PREFIX}{kind}|{secret}"))
    }

    fn random_text(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    }
}

fn looks_issued(token: &str) -> bool {
    STANDARD
        .decode(token)
        .is_ok_and(|raw| raw.starts_with(TOKEN_PREFIX.as_bytes()))
}

fn after(now: Timestamp, ttl: Duration) -> Timestamp {
    now.saturating_add(ttl).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_is_single_use_and_revoke_ends_the_session() {
        let mut store = TokenStore::new(1);
        let t0: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let (hour, week) = (Duration::from_secs(3600), Duration::from_secs(604_800));
        let first = store.issue(7, t0, hour, week);
        let access = first["access_token"].as_str().unwrap().to_owned();
        let refresh = first["refresh_token"].as_str().unwrap().to_owned();
        assert_eq!(store.check_access(&access, t0), AccessCheck::Valid(7));
        assert_eq!(store.check_access(&access, after(t0, hour)), AccessCheck::Expired);
        assert_eq!(store.check_access("garbage", t0), AccessCheck::Unparsable);
        let (_, second) = store.refresh(&refresh, t0, hour, week).unwrap();
        assert_eq!(store.check_access(&access, t0), AccessCheck::NotFound);
        assert_eq!(
            store.refresh(&refresh, t0, hour, week).unwrap_err(),
            RefreshError::NotFound
        );
        let access2 = second["access_token"].as_str().unwrap();
        store.revoke(second["refresh_token"].as_str().unwrap());
        assert_eq!(store.check_access(access2, t0), AccessCheck::NotFound);
    }
}
