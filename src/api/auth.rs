//! OAuth for the JWT bearer flow (reference §3): log in with the JWT, refresh before expiry, fall back to
//! the JWT when the refresh token is rejected, renew once after a 401, revoke on logout. One tokio mutex
//! serialises renewals so concurrent requests never refresh twice.
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::header::ACCEPT;
use serde::{Deserialize, Deserializer};
use tokio::sync::Mutex;
use url::Url;

use super::client::{Reply, Transport, json_error};
use super::error::{self, ApiError, Endpoint};
use super::rate_limit::AUTH;
use super::token_cache::TokenCache;
use crate::secret::Secret;

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Renew this long before expiry (the JS SDK's handicap), but never more than half the lifetime.
const RENEW_HANDICAP: Duration = Duration::from_secs(60);

/// `TokenInfo` from `POST /restapi/oauth/token` (the fields callboard uses).
#[derive(Deserialize)]
struct TokenInfo {
    access_token: Secret,
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
    fn from_info(info: TokenInfo, issued_at: Timestamp) -> Self {
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

    fn is_fresh(&self, now: Timestamp) -> bool {
        !self.access_token.is_empty() && now < self.renew_at()
    }

    /// The refresh token, unless absent or expired.
    fn usable_refresh(&self, now: Timestamp) -> Option<&Secret> {
        let expired = self.refresh_expires_at.is_some_and(|at| at <= now);
        self.refresh_token.as_ref().filter(|_| !expired)
    }
}

/// Credentials, the current token and its disk cache.
pub(crate) struct Auth {
    token_url: Url,
    revoke_url: Url,
    client_id: String,
    client_secret: Secret,
    jwt: Secret,
    cache: Option<TokenCache>,
    current: Mutex<Option<Token>>,
}

impl Auth {
    pub(crate) fn new(
        server_url: &Url,
        client_id: String,
        client_secret: Secret,
        jwt: Secret,
        cache: Option<TokenCache>,
    ) -> Result<Self, ApiError> {
        let join = |path: &str| {
            server_url
                .join(path)
                .map_err(|e| ApiError::Config(format!("RC_SERVER_URL cannot take a path: {e}")))
        };
        Ok(Auth {
            token_url: join("/restapi/oauth/token")?,
            revoke_url: join("/restapi/oauth/revoke")?,
            client_id,
            client_secret,
            jwt,
            cache,
            current: Mutex::new(None),
        })
    }

    /// Values that must never appear in an error message.
    pub(crate) fn secrets(&self) -> [&str; 2] {
        [self.jwt.expose(), self.client_secret.expose()]
    }

    /// A valid access token: from memory, else the disk cache, else by refreshing, else by JWT login.
    pub(crate) async fn access_token(&self, t: &Transport) -> Result<Secret, ApiError> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.cache.as_ref().and_then(TokenCache::load);
        }
        match current.as_ref().filter(|token| token.is_fresh(Timestamp::now())) {
            Some(token) => Ok(token.access_token.clone()),
            None => self.renew(t, &mut current).await,
        }
    }

    /// After `rejected` got a 401: renews once, unless another request already did.
    pub(crate) async fn after_unauthorized(
        &self,
        t: &Transport,
        rejected: &Secret,
    ) -> Result<Secret, ApiError> {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref()
            && token.access_token != *rejected
            && token.is_fresh(Timestamp::now())
        {
            return Ok(token.access_token.clone());
        }
        tracing::debug!("access token refused; renewing it once");
        self.renew(t, &mut current).await
    }

    /// Refreshes (or logs in with the JWT when there is no usable refresh token or it is rejected),
    /// then stores the new token in memory and on disk.
    async fn renew(&self, t: &Transport, current: &mut Option<Token>) -> Result<Secret, ApiError> {
        let refresh = current
            .as_ref()
            .and_then(|token| token.usable_refresh(Timestamp::now()))
            .cloned();
        let refreshed = match refresh {
            Some(refresh) => match self.refresh(t, &refresh).await {
                Ok(token) => Some(token),
                Err(ApiError::Unauthorized { code, .. }) => {
                    tracing::debug!(%code, "refresh token rejected; logging in with the JWT");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let token = match refreshed {
            Some(token) => token,
            None => {
                self.token_request(t, Endpoint::JwtLogin, ("assertion", self.jwt.expose()))
                    .await?
            }
        };
        if let Some(cache) = &self.cache
            && let Err(e) = cache.store(&token)
        {
            tracing::warn!(path = %cache.path().display(), error = %e, "could not write the token cache");
        }
        let access = token.access_token.clone();
        *current = Some(token);
        Ok(access)
    }

    async fn refresh(&self, t: &Transport, refresh: &Secret) -> Result<Token, ApiError> {
        self.token_request(t, Endpoint::Refresh, ("refresh_token", refresh.expose()))
            .await
    }

    /// `POST /restapi/oauth/token` with Basic client auth and the grant's field.
    async fn token_request(
        &self,
        t: &Transport,
        endpoint: Endpoint,
        (name, value): (&str, &str),
    ) -> Result<Token, ApiError> {
        let grant = if endpoint == Endpoint::Refresh {
            "refresh_token"
        } else {
            JWT_GRANT
        };
        let form = [("grant_type", grant), (name, value)];
        let reply = self.post(t, &self.token_url, &form).await?;
        if !reply.is_success() {
            let secrets = [self.jwt.expose(), self.client_secret.expose(), value];
            return Err(error::from_response(
                endpoint,
                reply.status,
                AUTH,
                reply.retry_after,
                &reply.body,
                &secrets,
            ));
        }
        let info: TokenInfo =
            serde_json::from_slice(&reply.body).map_err(|e| json_error("token response", &e))?;
        if info.access_token.is_empty() {
            return Err(ApiError::Malformed(
                "token response has an empty access_token".into(),
            ));
        }
        Ok(Token::from_info(info, reply.received_at))
    }

    async fn post(&self, t: &Transport, url: &Url, form: &[(&str, &str)]) -> Result<Reply, ApiError> {
        let request = t
            .http()
            .post(url.clone())
            .basic_auth(&self.client_id, Some(self.client_secret.expose()))
            .header(ACCEPT, "application/json")
            .form(form);
        t.send(AUTH, request).await
    }

    /// Revokes the session (errors ignored, as the docs ask) and deletes the cache file.
    pub(crate) async fn logout(&self, t: &Transport) -> Result<(), ApiError> {
        let mut current = self.current.lock().await;
        let token = current
            .take()
            .or_else(|| self.cache.as_ref().and_then(TokenCache::load));
        if let Some(token) = token {
            let value = token
                .usable_refresh(Timestamp::now())
                .unwrap_or(&token.access_token);
            match self.post(t, &self.revoke_url, &[("token", value.expose())]).await {
                Ok(reply) if reply.is_success() => tracing::debug!("session revoked"),
                Ok(reply) => tracing::debug!(status = reply.status, "revoke refused; ignored"),
                Err(e) => tracing::debug!(error = %e, "revoke failed; ignored"),
            }
        }
        match &self.cache {
            Some(cache) => cache.remove().map_err(|e| {
                ApiError::Config(format!(
                    "could not delete the token cache {}: {e}",
                    cache.path().display()
                ))
            }),
            None => Ok(()),
        }
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
