//! [`RcClient`]: authenticated, rate-limited requests to RingCentral: active calls (all pages) and the
//! logged-in extension. Every request checks its group's budget first and feeds the response's rate
//! headers back; errors come back as [`ApiError`].
use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::header::{ACCEPT, DATE, HeaderMap};
use serde::Deserialize;
use url::Url;

use super::auth::Auth;
use super::error::{self, ApiError, Endpoint};
use super::model::{ActiveCallsPage, CallRecord, Navigation, SkippedRecord};
use super::rate_limit::{self, HEAVY, Headroom, LIGHT, MEDIUM, RateLimitHeaders, RateLimiter};
use super::record_cache::RecordCache;
use super::scope::Scope;
use super::token_cache::TokenCache;
use crate::config::{CLIENT_ID_VAR, CLIENT_SECRET_VAR, JWT_VAR, check_server_url};
use crate::secret::Secret;
use crate::text::clean_server_text;

/// Largest response body accepted.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// Most pages one `active_calls` call follows.
const MAX_PAGES: usize = 50;
/// RingCentral's largest `perPage`.
const MAX_PER_PAGE: u32 = 1000;

/// Everything the client needs. Build it from [`crate::config::Config`] or by hand in tests.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub server_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    pub jwt: Secret,
    /// Where cached tokens live; `None` keeps tokens in memory only.
    pub token_cache_dir: Option<PathBuf>,
    /// Records per active-calls page (1–1000; default 1000 to save Heavy requests).
    pub per_page: u32,
    pub connect_timeout: Duration,
    /// Longest silence while reading a response.
    pub read_timeout: Duration,
    /// Longest time for a whole request, body included.
    pub total_timeout: Duration,
}

impl ClientConfig {
    /// A config with default paging and timeouts and no disk cache.
    pub fn new(server_url: Url, client_id: impl Into<String>, client_secret: Secret, jwt: Secret) -> Self {
        ClientConfig {
            server_url,
            client_id: client_id.into(),
            client_secret,
            jwt,
            token_cache_dir: None,
            per_page: MAX_PER_PAGE,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(30),
        }
    }
}

/// All active calls of one scope, gathered over every page.
#[derive(Debug, Clone, Default)]
pub struct ActiveCalls {
    pub records: Vec<Arc<CallRecord>>,
    /// Records the parser skipped (`index` is the position within its page).
    pub skipped: Vec<SkippedRecord>,
    /// How many pages the scope took.
    pub page_count: u32,
    /// Every page as received, when [`Fetch::keep_pages`] asked for them (for recording).
    pub pages: Vec<RawPage>,
    /// Rate headers of the last page.
    pub rate: Option<RateLimitHeaders>,
}

/// What [`RcClient::poll_active_calls`] carries from one poll to the next.
#[derive(Debug, Default)]
pub struct Fetch {
    /// Records of the last poll, reused when their text did not change.
    pub cache: RecordCache,
    /// Keep every page's body in [`ActiveCalls::pages`]; off, bodies are dropped once parsed.
    pub keep_pages: bool,
}

/// One response body as received, for recording.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPage {
    /// The URL requested (never holds a token).
    pub url: String,
    pub received_at: Timestamp,
    pub rate: Option<RateLimitHeaders>,
    pub body: String,
}

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
}

/// The logged-in user (`GET /restapi/v1.0/account/~/extension/~`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentExtension {
    pub id: u64,
    pub extension_number: Option<String>,
    pub name: Option<String>,
    /// `permissions.admin.enabled`.
    pub admin: bool,
}

/// A RingCentral client; cheap to clone, all clones share token and rate budgets.
#[derive(Clone)]
pub struct RcClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    auth: Auth,
    per_page: u32,
}

impl fmt::Debug for RcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RcClient")
            .field("server_url", &self.inner.transport.base.as_str())
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
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&config.server_url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Config(format!("cannot build the HTTP client: {e}")))?;
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
        )?;
        let transport = Transport {
            http,
            base: config.server_url,
            limiter: RateLimiter::default(),
        };
        let per_page = config.per_page.clamp(1, MAX_PER_PAGE);
        Ok(RcClient {
            inner: Arc::new(Inner {
                transport,
                auth,
                per_page,
            }),
        })
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
        let result = self.fetch_active_calls(scope, fetch).await;
        match result {
            Ok(_) => fetch.cache.finish_poll(),
            Err(_) => fetch.cache.abandon_poll(),
        }
        result
    }

    async fn fetch_active_calls(&self, scope: &Scope, fetch: &mut Fetch) -> Result<ActiveCalls, ApiError> {
        if let Scope::Extension(id) = scope
            && id != "~"
            && (id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(ApiError::Config(
                "an extension id is a number (or ~ for your own extension)".into(),
            ));
        }
        let base = &self.inner.transport.base;
        let mut url = base
            .join(&scope.active_calls_path())
            .map_err(|e| ApiError::Config(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("view", "Detailed")
            .append_pair("perPage", &self.inner.per_page.to_string());
        let endpoint = Endpoint::ActiveCalls {
            account: scope.is_account(),
        };
        let mut calls = ActiveCalls::default();
        let mut seen = HashSet::new();
        while seen.len() < MAX_PAGES {
            seen.insert(url.clone());
            let reply = self.get(&url, HEAVY, endpoint).await?;
            let page = ActiveCallsPage::parse_with(&reply.body, &mut fetch.cache)
                .map_err(|e| json_error("active calls", &e))?;
            if !page.skipped.is_empty() {
                tracing::debug!(skipped = page.skipped.len(), "skipped unreadable call records");
            }
            calls.records.extend(page.records);
            calls.skipped.extend(page.skipped);
            calls.rate = reply.rate.clone();
            calls.page_count += 1;
            if fetch.keep_pages {
                calls.pages.push(RawPage {
                    url: url.to_string(),
                    received_at: reply.received_at,
                    rate: reply.rate,
                    body: String::from_utf8_lossy(&reply.body).into_owned(),
                });
            }
            match page
                .navigation
                .next_page
                .map(|l| l.uri)
                .filter(|u| !u.trim().is_empty())
            {
                Some(next) => url = next_page_url(base, &next, &seen)?,
                None => return Ok(calls),
            }
        }
        Err(ApiError::Malformed(format!(
            "more than {MAX_PAGES} pages of active calls"
        )))
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
        }
        let url = self
            .inner
            .transport
            .base
            .join("/restapi/v1.0/account/~/extension/~")
            .map_err(|e| ApiError::Config(e.to_string()))?;
        let reply = self.get(&url, LIGHT, Endpoint::Other).await?;
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
        })
    }

    /// The server's clock, from the `Date` header of an unauthenticated `GET /restapi/v1.0` (one Light
    /// request; any status will do), for measuring clock skew.
    pub async fn server_time(&self) -> Result<ServerTime, ApiError> {
        let transport = &self.inner.transport;
        let url = transport
            .base
            .join("/restapi/v1.0")
            .map_err(|e| ApiError::Config(e.to_string()))?;
        let sent_at = Timestamp::now();
        let reply = transport.send(LIGHT, transport.http.get(url)).await?;
        let round_trip = reply.received_at.duration_since(sent_at);
        Ok(ServerTime {
            server: reply.date,
            local: sent_at.checked_add(round_trip / 2).unwrap_or(reply.received_at),
            round_trip,
            status: reply.status,
        })
    }

    /// The account's extension directory (`GET /restapi/v1.0/account/~/extension`), every page. Each page
    /// spends one Medium request, never the Heavy budget of the active-calls polls. Records without a
    /// readable id are skipped.
    pub async fn list_extensions(&self) -> Result<Vec<DirectoryEntry>, ApiError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            records: Vec<serde_json::Value>,
            #[serde(default)]
            navigation: Navigation,
        }
        let base = &self.inner.transport.base;
        let mut url = base
            .join("/restapi/v1.0/account/~/extension")
            .map_err(|e| ApiError::Config(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("perPage", &self.inner.per_page.to_string());
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        while seen.insert(url.clone()) && seen.len() <= MAX_PAGES {
            let reply = self.get(&url, MEDIUM, Endpoint::Other).await?;
            let page: Page = serde_json::from_slice(&reply.body).map_err(|e| json_error("extensions", &e))?;
            entries.extend(page.records.into_iter().filter_map(DirectoryEntry::from_json));
            let Some(next) = page
                .navigation
                .next_page
                .map(|l| l.uri)
                .filter(|u| !u.trim().is_empty())
            else {
                return Ok(entries);
            };
            url = next_page_url(base, &next, &seen)?;
        }
        Err(ApiError::Malformed(format!(
            "more than {MAX_PAGES} pages of extensions"
        )))
    }

    /// The server every request goes to.
    pub fn server_url(&self) -> &Url {
        &self.inner.transport.base
    }

    /// Zero when a request in `group` may be sent now, else how long to wait (budget or 429 penalty).
    pub fn wait_before(&self, group: &str) -> Duration {
        self.inner.transport.limiter.wait_before(group, Instant::now())
    }

    /// Budget left in `group` now, or `None` for a group with no known limit.
    pub fn rate_headroom(&self, group: &str) -> Option<Headroom> {
        self.inner.transport.limiter.headroom(group, Instant::now())
    }

    /// The latest `X-Rate-Limit-*` headers seen for `group`.
    pub fn latest_rate_headers(&self, group: &str) -> Option<RateLimitHeaders> {
        self.inner.transport.limiter.latest(group)
    }

    /// Revokes the session (revoke errors are ignored) and deletes the cached token.
    pub async fn logout(&self) -> Result<(), ApiError> {
        self.inner.auth.logout(&self.inner.transport).await
    }

    /// An authenticated GET; after a 401 the token is renewed and the request retried once.
    async fn get(&self, url: &Url, group: &str, endpoint: Endpoint) -> Result<Reply, ApiError> {
        let Inner { transport, auth, .. } = &*self.inner;
        transport.check_budget(group)?;
        let mut token = auth.access_token(transport).await?;
        let mut renewed = false;
        loop {
            let request = transport
                .http
                .get(url.clone())
                .bearer_auth(token.expose())
                .header(ACCEPT, "application/json");
            let reply = transport.send(group, request).await?;
            if reply.status == 401 && !renewed {
                renewed = true;
                token = auth.after_unauthorized(transport, &token).await?;
                continue;
            }
            if reply.is_success() {
                return Ok(reply);
            }
            let [jwt, client_secret] = auth.secrets();
            let secrets = [jwt, client_secret, token.expose()];
            return Err(error::from_response(
                endpoint,
                reply.status,
                group,
                reply.retry_after,
                &reply.body,
                &secrets,
            ));
        }
    }
}

/// One extension of the account directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// The extension id (digits).
    pub id: String,
    /// The short number dialled inside the account.
    pub number: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// `User`, `Department` (call queue), `IvrMenu`…
    pub kind: Option<String>,
}

impl DirectoryEntry {
    /// Reads one directory record; `None` without a numeric id. Text fields that are not strings are ignored.
    fn from_json(v: serde_json::Value) -> Option<Self> {
        let id = match v.get("id")? {
            serde_json::Value::Number(n) => n.as_u64()?.to_string(),
            serde_json::Value::String(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => {
                s.clone()
            }
            _ => return None,
        };
        let text = |key: &str| v.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
        Some(DirectoryEntry {
            id,
            number: text("extensionNumber"),
            name: text("name"),
            kind: text("type"),
        })
    }
}

/// A response, whatever its status, with the body read in full.
pub(crate) struct Reply {
    pub status: u16,
    pub rate: Option<RateLimitHeaders>,
    pub retry_after: Option<Duration>,
    pub received_at: Timestamp,
    /// The `Date` header.
    pub date: Option<Timestamp>,
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The HTTP client, the server and the rate budgets: every request goes through [`Transport::send`].
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    limiter: RateLimiter,
}

impl Transport {
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Refuses locally when `group` has no budget or a penalty is running.
    fn check_budget(&self, group: &str) -> Result<(), ApiError> {
        let wait = self.limiter.wait_before(group, Instant::now());
        if wait.is_zero() {
            Ok(())
        } else {
            Err(refused(group, wait))
        }
    }

    /// Spends one request of `group`'s budget, sends, records the rate headers (a 429 starts a penalty)
    /// and reads the body up to [`MAX_BODY`].
    pub(crate) async fn send(
        &self,
        group: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Reply, ApiError> {
        let request = request.build().map_err(transport_error)?;
        self.limiter
            .try_acquire(group, Instant::now())
            .map_err(|wait| refused(group, wait))?;
        let (method, path) = (request.method().clone(), request.url().path().to_owned());
        let mut response = self.http.execute(request).await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let received_at = Timestamp::now();
        let rate = RateLimitHeaders::from_headers(response.headers());
        let retry_after = rate_limit::retry_after(response.headers(), received_at);
        let date = response
            .headers()
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                jiff::fmt::rfc2822::DateTimeParser::new()
                    .parse_timestamp(v.trim())
                    .ok()
            });
        self.limiter.record_response(group, rate.as_ref(), Instant::now());
        if status == 429 {
            let penalty = retry_after.unwrap_or(error::DEFAULT_RETRY_AFTER);
            self.limiter.penalize(group, penalty, Instant::now());
        }
        log_response(&method, &path, status, group, rate.as_ref(), response.headers());
        if response.content_length().is_some_and(|len| len > MAX_BODY as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            rate,
            retry_after,
            received_at,
            date,
            body,
        })
    }
}

fn log_response(
    method: &reqwest::Method,
    path: &str,
    status: u16,
    group: &str,
    rate: Option<&RateLimitHeaders>,
    headers: &HeaderMap,
) {
    let rate = rate.cloned().unwrap_or_default();
    tracing::debug!(
        %method,
        path,
        status,
        group,
        limit = rate.limit,
        remaining = rate.remaining,
        window = rate.window.map(|w| w.as_secs()),
        retry_after = headers.get("retry-after").and_then(|v| v.to_str().ok()),
        "RingCentral response"
    );
}

fn refused(group: &str, wait: Duration) -> ApiError {
    ApiError::RateLimited {
        group: group.to_owned(),
        retry_after: wait,
        sent: false,
    }
}

fn too_large() -> ApiError {
    ApiError::Malformed(format!(
        "response body larger than {} MiB",
        MAX_BODY / (1024 * 1024)
    ))
}

/// Maps a reqwest failure without its URL: timeouts to `Timeout`, the rest to `Network`.
fn transport_error(e: reqwest::Error) -> ApiError {
    if e.is_timeout() {
        return ApiError::Timeout;
    }
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    ApiError::Network(clean_server_text(&text, &[]))
}

/// The URL of the next page: `link` resolved against `base`, refused when it leaves `base`'s origin or
/// returns to a page already fetched.
fn next_page_url(base: &Url, link: &str, seen: &HashSet<Url>) -> Result<Url, ApiError> {
    let url = base
        .join(link)
        .map_err(|_| ApiError::Malformed("the next-page link is not a URL".into()))?;
    if url.origin() != base.origin() {
        return Err(ApiError::Malformed(
            "the next-page link points to another server; not followed".into(),
        ));
    }
    if seen.contains(&url) {
        return Err(ApiError::Malformed(
            "the next-page links go round in a loop".into(),
        ));
    }
    Ok(url)
}

/// A JSON error as `Malformed`, naming only its kind and position (serde's text can quote the data).
pub(crate) fn json_error(what: &str, e: &serde_json::Error) -> ApiError {
    ApiError::Malformed(format!(
        "{what}: {:?} error at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    ))
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn json_errors_never_quote_the_data() {
        let e = serde_json::from_str::<u64>(&format!("\"{JWT}\"")).unwrap_err();
        let text = json_error("token response", &e).to_string();
        assert!(!text.contains(JWT) && text.contains("line 1"), "{text}");
    }

    #[test]
    fn next_page_links_stay_on_the_server_and_never_loop() {
        let base: Url = "https://platform.ringcentral.com".parse().unwrap();
        let first: Url = "https://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=1"
            .parse()
            .unwrap();
        let seen = HashSet::from([first.clone()]);
        let next = next_page_url(
            &base,
            "https://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=2",
            &seen,
        );
        assert_eq!(next.unwrap().query(), Some("page=2"));
        let relative = next_page_url(&base, "/restapi/v1.0/account/~/active-calls?page=3", &seen).unwrap();
        assert_eq!(relative.host_str(), Some("platform.ringcentral.com"));
        for link in [
            "https://evil.example/restapi/v1.0/account/~/active-calls?page=2",
            "http://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=2",
            "https://platform.ringcentral.com:8443/x",
            "//evil.example/x",
            first.as_str(),
            "http://[::1",
        ] {
            assert!(
                matches!(next_page_url(&base, link, &seen), Err(ApiError::Malformed(_))),
                "{link}"
            );
        }
    }

    #[test]
    fn loopback_hosts() {
        for (url, expected) in [
            ("http://127.0.0.1:8080", true),
            ("http://127.255.0.9", true),
            ("http://[::1]:1", true),
            ("http://localhost", true),
            ("http://128.0.0.1", false),
            ("http://localhost.example.com", false),
            ("http://[::2]", false),
        ] {
            assert_eq!(is_loopback(&url.parse().unwrap()), expected, "{url}");
        }
    }
}
