//! [`RcClient`]: authenticated, rate-limited requests to RingCentral: active calls (all pages), the
//! extension directory, the logged-in extension and the server's clock. Every request checks its group's
//! budget first and feeds the response's rate headers back; errors come back as [`ApiError`]. Time —
//! rate-limit windows, penalties, token lifetimes — is the [`Clock`] of its [`ClientConfig`].
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde::Deserialize;
use url::Url;

pub use super::active_calls::{ActiveCalls, Fetch, RawPage};
use super::auth::Auth;
pub use super::auth::Logout;
pub use super::directory::DirectoryEntry;
use super::error::{ApiError, Endpoint};
use super::handshake::{self, Handshake};
use super::rate_limit::{Headroom, LIGHT, RateLimitHeaders};
use super::scope::Scope;
use super::session::Session;
pub use super::settings::ClientConfig;
use super::settings::{CLIENT_ID_VAR, CLIENT_SECRET_VAR, JWT_VAR, MAX_PER_PAGE, Network, check_server_url};
use super::token_cache::TokenCache;
use super::transport::{Transport, json_error};
use super::wsg::WsToken;
use super::{active_calls, directory};
use crate::clock::Clock;

/// The server's `Date` against the local clock, from [`RcClient::server_time`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerTime {
    /// The `Date` header (whole seconds), if the server sent a readable one.
    pub server: Option<Timestamp>,
    /// Local time halfway through the request.
    pub local: Timestamp,
    pub round_trip: jiff::SignedDuration,
    /// HTTP status of the answer.
    pub status: u16,
    /// `HTTP/2`, `HTTP/1.1`: the version the answer came over.
    pub http_version: &'static str,
}

/// The logged-in user (`GET /restapi/v1.0/account/~/extension/~`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentExtension {
    pub id: u64,
    pub extension_number: Option<String>,
    pub name: Option<String>,
    /// `permissions.admin.enabled`.
    pub admin: bool,
    /// `account.id`: the account the user belongs to.
    pub account_id: Option<String>,
}

/// A RingCentral client; cheap to clone, all clones share token and rate budgets and the clock.
#[derive(Clone)]
pub struct RcClient {
    inner: Arc<Inner>,
}

struct Inner {
    session: Session,
    per_page: u32,
}

impl fmt::Debug for RcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RcClient")
            .field("server_url", &self.server_url().as_str())
            .finish()
    }
}

impl RcClient {
    /// Validates the config and builds the HTTP client; sends nothing.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        check_server_url(&config.server_url).map_err(|e| ApiError::Config(e.to_string()))?;
        let missing: Vec<&str> = [
            (CLIENT_ID_VAR, config.client_id.trim().is_empty()),
            (CLIENT_SECRET_VAR, config.client_secret.is_empty()),
            (JWT_VAR, config.jwt.is_empty()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        if !missing.is_empty() {
            return Err(ApiError::Config(format!("set {}", missing.join(" and "))));
        }
        let transport = Transport::new(&config)?;
        let cache = config
            .token_cache_dir
            .as_deref()
            .map(|dir| TokenCache::new(dir, &config.server_url, &config.client_id, &config.jwt));
        let auth = Auth::new(
            &config.server_url,
            config.client_id,
            config.client_secret,
            config.jwt,
            cache,
            config.clock,
        )?;
        Ok(RcClient {
            inner: Arc::new(Inner {
                session: Session { transport, auth },
                per_page: config.per_page.clamp(1, MAX_PER_PAGE),
            }),
        })
    }

    fn transport(&self) -> &Transport {
        &self.inner.session.transport
    }

    /// TLS for the WebSocket gateway, trusting what the REST client trusts.
    pub(crate) fn websocket_tls(&self) -> Arc<rustls::ClientConfig> {
        self.transport().tls().websocket.clone()
    }

    /// One TLS handshake with the server as REST makes it (`doctor`); `None` for a plain-HTTP server.
    pub async fn tls_handshake(&self) -> Result<Option<Handshake>, ApiError> {
        let transport = self.transport();
        if transport.base().scheme() != "https" {
            return Ok(None);
        }
        handshake::handshake(
            transport.network(),
            transport.base(),
            transport.tls().rest.clone(),
        )
        .await
        .map(Some)
    }

    /// All active calls of `scope` (`view=Detailed`), following `navigation.nextPage` on the same origin.
    /// Each page spends one Heavy request; when the budget runs out mid-way the fetch stops with
    /// `RateLimited { sent: false }`. A one-off: nothing is reused and no page is kept.
    pub async fn active_calls(&self, scope: &Scope) -> Result<ActiveCalls, ApiError> {
        self.poll_active_calls(scope, &mut Fetch::default()).await
    }

    /// [`RcClient::active_calls`] for a poller: records whose text is unchanged since the last poll
    /// through `fetch` are reused instead of parsed again, and pages are kept when it asks.
    pub async fn poll_active_calls(&self, scope: &Scope, fetch: &mut Fetch) -> Result<ActiveCalls, ApiError> {
        active_calls::fetch(&self.inner.session, scope, self.inner.per_page, fetch).await
    }

    /// The logged-in user's extension (one Light request).
    pub async fn current_extension(&self) -> Result<CurrentExtension, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            id: serde_json::Value,
            #[serde(default)]
            extension_number: Option<String>,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            permissions: Option<serde_json::Value>,
            #[serde(default)]
            account: Option<serde_json::Value>,
        }
        let url = self.transport().url("/restapi/v1.0/account/~/extension/~")?;
        let reply = self.inner.session.get(&url, LIGHT, Endpoint::Other).await?;
        let wire: Wire = serde_json::from_slice(&reply.body).map_err(|e| json_error("extension", &e))?;
        let id = match &wire.id {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| ApiError::Malformed("the extension id is not a number".into()))?;
        let admin = wire
            .permissions
            .as_ref()
            .and_then(|p| p.pointer("/admin/enabled"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        Ok(CurrentExtension {
            id,
            extension_number: wire.extension_number,
            name: wire.name,
            admin,
            account_id: wire.account.as_ref().and_then(|a| match a.get("id")? {
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::String(s) => Some(s.clone()),
                _ => None,
            }),
        })
    }

    /// The server's clock, from the `Date` header of an unauthenticated `GET /restapi/v1.0` (one Light
    /// request; any status will do), for measuring clock skew.
    pub async fn server_time(&self) -> Result<ServerTime, ApiError> {
        let transport = self.transport();
        let url = transport.url("/restapi/v1.0")?;
        let sent_at = transport.clock().wall();
        let reply = transport.send(LIGHT, transport.http().get(url)).await?;
        let round_trip = reply.received_at.duration_since(sent_at);
        Ok(ServerTime {
            server: reply.date,
            local: sent_at.checked_add(round_trip / 2).unwrap_or(reply.received_at),
            round_trip,
            status: reply.status,
            http_version: match reply.version {
                reqwest::Version::HTTP_2 => "HTTP/2",
                reqwest::Version::HTTP_11 => "HTTP/1.1",
                reqwest::Version::HTTP_10 => "HTTP/1.0",
                _ => "an HTTP version callboard does not name",
            },
        })
    }

    /// The account's extension directory (`GET /restapi/v1.0/account/~/extension`), every page. Each page
    /// spends one Medium request, never the Heavy budget of the active-calls polls. Records without a
    /// readable id are skipped.
    pub async fn list_extensions(&self) -> Result<Vec<DirectoryEntry>, ApiError> {
        directory::list_extensions(&self.inner.session, self.inner.per_page).await
    }

    /// A WebSocket token for one connection to the push gateway (`POST /restapi/oauth/wstoken`, one Auth
    /// request, refused locally when the Auth budget is used up).
    pub async fn ws_token(&self) -> Result<WsToken, ApiError> {
        super::push::token::request(&self.inner.session).await
    }

    /// The server every request goes to.
    pub fn server_url(&self) -> &Url {
        self.transport().base()
    }

    /// The proxies, resolver and connect timeout this client's connections use (the WebSocket's too).
    pub fn network(&self) -> &Network {
        self.transport().network()
    }

    /// The clock this client measures time on, for whoever schedules its requests.
    pub fn clock(&self) -> &Clock {
        self.transport().clock()
    }

    /// Zero when a request in `group` may be sent now, else how long to wait (budget or 429 penalty).
    pub fn wait_before(&self, group: &str) -> Duration {
        self.transport().wait_before(group)
    }

    /// Budget left in `group` now, or `None` for a group with no known limit.
    pub fn rate_headroom(&self, group: &str) -> Option<Headroom> {
        self.transport().headroom(group)
    }

    /// When each request `group`'s budget still counts stops counting, from now, soonest first: what a
    /// schedule needs to know when several requests will fit.
    pub fn budget_frees_in(&self, group: &str) -> Vec<Duration> {
        self.transport().frees_in(group)
    }

    /// The latest `X-Rate-Limit-*` headers seen for `group`.
    pub fn latest_rate_headers(&self, group: &str) -> Option<RateLimitHeaders> {
        self.transport().latest_rate_headers(group)
    }

    /// Proves the app's client id and secret (and the JWT, should the refresh token be gone) against the
    /// server with a token refresh, even when a cached token would have done (one Auth request).
    pub async fn prove_credentials(&self) -> Result<(), ApiError> {
        let Session { transport, auth } = &self.inner.session;
        auth.renew_now(transport).await
    }

    /// Revokes the session (revoke errors are ignored) and deletes the cached token; says what there was
    /// to undo.
    pub async fn logout(&self) -> Result<Logout, ApiError> {
        let Session { transport, auth } = &self.inner.session;
        auth.logout(transport).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMDEifQ.signature";

    fn config(url: &str) -> ClientConfig {
        ClientConfig::new(
            url.parse().unwrap(),
            "client-id",
            Secret::new("client-secret-value"),
            Secret::new(JWT),
        )
    }

    #[test]
    fn new_refuses_plain_http_to_remote_hosts() {
        let e = RcClient::new(config("http://platform.ringcentral.com")).unwrap_err();
        assert!(matches!(&e, ApiError::Config(m) if m.contains("https")), "{e}");
        assert!(RcClient::new(config("http://127.0.0.1:1")).is_ok());
        assert!(RcClient::new(config("https://platform.ringcentral.com")).is_ok());
    }

    #[test]
    fn new_names_the_missing_credentials_without_showing_any() {
        let mut c = config("https://platform.ringcentral.com");
        c.client_id = " ".into();
        c.jwt = Secret::default();
        let e = RcClient::new(c.clone()).unwrap_err();
        assert_eq!(e, ApiError::Config("set RC_APP_CLIENT_ID and RC_USER_JWT".into()));
        let debug = format!("{c:?} {:?}", RcClient::new(config("https://x.example")).unwrap());
        assert!(
            !debug.contains("client-secret-value") && !debug.contains(JWT),
            "{debug}"
        );
    }
}
