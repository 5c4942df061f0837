//! [`Token`]: an access token with absolute expiry times, read from the token endpoint's `TokenInfo`,
//! and when to renew it. Shared by the login flow and the disk token cache.
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Deserializer};

use crate::secret::Secret;

/// Renew this long before expiry (the JS SDK's handicap), but never more than half the lifetime.
const RENEW_HANDICAP: Duration = Duration::from_secs(60);

/// `TokenInfo` from `POST /restapi/oauth/token` (the fields callboard uses).
#[derive(Deserialize)]
pub(crate) struct TokenInfo {
    pub(crate) access_token: Secret,
    #[serde(deserialize_with = "seconds")]
    expires_in: u64,
    #[serde(default)]
    refresh_token: Option<Secret>,
    #[serde(default, deserialize_with = "opt_seconds")]
    refresh_token_expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_text")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    owner_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    session_id: Option<String>,
}

/// A number, or a string holding one.
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    opt_seconds(d)?.ok_or_else(|| serde::de::Error::custom("expected a number of seconds"))
}

fn opt_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A string, or a number kept as its text.
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// An access token with absolute expiry times.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub access_token: Secret,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub refresh_token: Option<Secret>,
    pub refresh_expires_at: Option<Timestamp>,
    pub scope: Option<String>,
    pub owner_id: Option<String>,
    pub session_id: Option<String>,
}

impl Token {
    pub(crate) fn from_info(info: TokenInfo, issued_at: Timestamp) -> Self {
        let after = |secs: u64| {
            let secs = i64::try_from(secs).unwrap_or(i64::MAX);
            issued_at
                .saturating_add(SignedDuration::from_secs(secs))
                .unwrap_or(Timestamp::MAX)
        };
        Token {
            expires_at: after(info.expires_in),
            refresh_expires_at: info.refresh_token_expires_in.map(after),
            refresh_token: info.refresh_token.filter(|r| !r.is_empty()),
            access_token: info.access_token,
            issued_at,
            scope: info.scope,
            owner_id: info.owner_id,
            session_id: info.session_id,
        }
    }

    /// When to renew: `RENEW_HANDICAP` before expiry, or half-way for short lifetimes.
    fn renew_at(&self) -> Timestamp {
        let lifetime = self
            .expires_at
            .duration_since(self.issued_at)
            .max(SignedDuration::ZERO);
        let handicap =
            (lifetime / 2).min(SignedDuration::try_from(RENEW_HANDICAP).unwrap_or(SignedDuration::ZERO));
        self.expires_at.saturating_sub(handicap).unwrap_or(Timestamp::MIN)
    }

    pub(crate) fn is_fresh(&self, now: Timestamp) -> bool {
        !self.access_token.is_empty() && now < self.renew_at()
    }

    /// The refresh token, unless absent or expired.
    pub(crate) fn usable_refresh(&self, now: Timestamp) -> Option<&Secret> {
        let expired = self.refresh_expires_at.is_some_and(|at| at <= now);
        self.refresh_token.as_ref().filter(|_| !expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_at(issued: Timestamp, ttl: i64) -> Token {
        let info = TokenInfo {
            access_token: "a".into(),
            expires_in: ttl as u64,
            refresh_token: Some("r".into()),
            refresh_token_expires_in: Some(100),
            scope: None,
            owner_id: None,
            session_id: None,
        };
        Token::from_info(info, issued)
    }

    #[test]
    fn renews_a_minute_early_but_at_most_half_way() {
        let t0: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let s = SignedDuration::from_secs;
        let hour = token_at(t0, 3600);
        assert_eq!(hour.renew_at(), t0 + s(3540));
        assert!(hour.is_fresh(t0 + s(3539)) && !hour.is_fresh(t0 + s(3540)));
        let short = token_at(t0, 4);
        assert_eq!(short.renew_at(), t0 + s(2));
        assert!(!token_at(t0, 0).is_fresh(t0));
        assert!(hour.usable_refresh(t0 + s(99)).is_some());
        assert!(hour.usable_refresh(t0 + s(100)).is_none());
    }

    #[test]
    fn token_info_is_read_leniently() {
        let info: TokenInfo = serde_json::from_str(
            r#"{"access_token":"x","token_type":"bearer","expires_in":"3600","refresh_token_expires_in":604799.0,
                "owner_id":256440016,"scope":"ReadCallLog","endpoint_id":"e","session_id":"s"}"#,
        )
        .unwrap();
        assert_eq!(info.expires_in, 3600);
        assert_eq!(info.refresh_token_expires_in, Some(604799));
        assert_eq!(info.owner_id.as_deref(), Some("256440016"));
        assert!(serde_json::from_str::<TokenInfo>(r#"{"access_token":"x"}"#).is_err());
        assert!(serde_json::from_str::<TokenInfo>(r#"{"access_token":"x","expires_in":null}"#).is_err());
    }
}
