//! OAuth for the JWT bearer flow (reference §3): log in with the JWT, refresh before expiry, fall back to
//! the JWT when the refresh token is rejected, renew once after a 401, revoke on logout. One tokio mutex
//! serialises renewals so concurrent requests never refresh twice.
use reqwest::header::ACCEPT;
use tokio::sync::Mutex;
use url::Url;

use super::error::{self, ApiError, Endpoint};
use super::rate_limit::AUTH;
use super::token::{Token, TokenInfo};
use super::token_cache::TokenCache;
use super::transport::{Reply, Transport, json_error};
use crate::clock::Clock;
use crate::secret::Secret;

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// What logging out did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logout {
    /// There was no session: nothing in memory, nothing cached.
    NoSession,
    /// The server revoked the session, and the cached token is gone.
    Revoked,
    /// The cached token is gone, but the server did not confirm the revoke (refused or unreachable): the
    /// session ends when its tokens expire.
    Forgotten,
}
/// Credentials, the current token and its disk cache; token lifetimes are measured on `clock`.
pub(crate) struct Auth {
    token_url: Url,
    revoke_url: Url,
    client_id: String,
    client_secret: Secret,
    jwt: Secret,
    cache: Option<TokenCache>,
    clock: Clock,
    current: Mutex<Option<Token>>,
}

impl Auth {
    pub(crate) fn new(
        server_url: &Url,
        client_id: String,
        client_secret: Secret,
        jwt: Secret,
        cache: Option<TokenCache>,
        clock: Clock,
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
            clock,
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
        match current.as_ref().filter(|token| token.is_fresh(self.clock.wall())) {
            Some(token) => Ok(token.access_token.clone()),
            None => self.renew(t, &mut current).await,
        }
    }

    /// Renews the token now, even a fresh one: a refresh (or a JWT login) is the only request that shows
    /// the client id and secret are still accepted while a cached token hides them.
    pub(crate) async fn renew_now(&self, t: &Transport) -> Result<(), ApiError> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.cache.as_ref().and_then(TokenCache::load);
        }
        self.renew(t, &mut current).await.map(drop)
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
            && token.is_fresh(self.clock.wall())
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
            .and_then(|token| token.usable_refresh(self.clock.wall()))
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

    /// Revokes the session (errors ignored, as the docs ask) and deletes the cache file; says which of
    /// the two there was to do.
    pub(crate) async fn logout(&self, t: &Transport) -> Result<Logout, ApiError> {
        let mut current = self.current.lock().await;
        let token = current
            .take()
            .or_else(|| self.cache.as_ref().and_then(TokenCache::load));
        let Some(token) = token else {
            self.remove_cache()?;
            return Ok(Logout::NoSession);
        };
        let value = token
            .usable_refresh(self.clock.wall())
            .unwrap_or(&token.access_token);
        let revoked = match self.post(t, &self.revoke_url, &[("token", value.expose())]).await {
            Ok(reply) if reply.is_success() => true,
            Ok(reply) => {
                tracing::debug!(status = reply.status, "revoke refused; ignored");
                false
            }
            Err(e) => {
                tracing::debug!(error = %e, "revoke failed; ignored");
                false
            }
        };
        self.remove_cache()?;
        Ok(if revoked {
            Logout::Revoked
        } else {
            Logout::Forgotten
        })
    }

    fn remove_cache(&self) -> Result<(), ApiError> {
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
