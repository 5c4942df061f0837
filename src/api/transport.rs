//! [`Transport`]: one HTTP exchange with RingCentral. It spends the request's rate budget first, records
//! the response's rate headers (a 429 starts a penalty), logs the response, reads the body up to a limit
//! and maps network failures to [`ApiError`]. It asks for gzip-compressed responses. All its time comes from
//! the client's [`Clock`]. Connections go through the proxy the [`ProxySettings`] choose (reqwest reads no
//! proxy variable itself) and names resolve through the configured resolver.
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::{DATE, HeaderMap};
use url::Url;

use super::address::authority;
use super::dns::chain;
use super::error::{self, ApiError};
use super::proxy::{ProxyFailure, ProxySettings, ProxyUrl};
use super::rate_limit::{self, Headroom, RateLimitHeaders, RateLimiter};
use super::settings::{ClientConfig, Network};
use super::tls;
use crate::clock::Clock;
use crate::text::clean_server_text;

/// Largest response body accepted.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// A response, whatever its status, with the body read in full.
pub(crate) struct Reply {
    pub status: u16,
    /// The HTTP version the answer came over.
    pub version: reqwest::Version,
    pub rate: Option<RateLimitHeaders>,
    pub retry_after: Option<Duration>,
    /// When the response arrived, on the client's clock.
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

/// The HTTP client, the server, the rate budgets and the clock: every request goes through
/// [`Transport::send`].
pub(crate) struct Transport {
    http: reqwest::Client,
    /// The HTTP client's TLS and the WebSocket gateway's, trusting the same CAs.
    tls: tls::ClientTls,
    base: Url,
    limiter: RateLimiter,
    clock: Clock,
    network: Network,
}

impl Transport {
    /// Builds the HTTP client for `config`'s server, trusted CAs, timeouts, proxies and resolver.
    pub(crate) fn new(config: &ClientConfig) -> Result<Self, ApiError> {
        let tls = tls::client_tls(&config.ca_files)?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(rustls::ClientConfig::clone(&tls.rest))
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            // `Accept-Encoding: gzip`: a 1,000-call page is about a tenth of its size compressed.
            .gzip(true)
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(config.resolver.clone())
            .no_proxy();
        for proxy in config.proxy.proxies() {
            builder = builder.proxy(reqwest_proxy(&config.proxy, proxy));
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport {
            http,
            tls,
            base: config.server_url.clone(),
            limiter: RateLimiter::default(),
            clock: config.clock.clone(),
            network: config.network(),
        })
    }

    /// The proxies, resolver and connect timeout, for connections other than REST (the WebSocket).
    pub(crate) fn network(&self) -> &Network {
        &self.network
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The TLS configurations of REST and the WebSocket gateway.
    pub(crate) fn tls(&self) -> &tls::ClientTls {
        &self.tls
    }

    /// The server every request goes to.
    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    /// `path` on the server.
    pub(crate) fn url(&self, path: &str) -> Result<Url, ApiError> {
        self.base.join(path).map_err(|e| ApiError::Config(e.to_string()))
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Zero when a request in `group` may be sent now, else how long to wait (budget or 429 penalty).
    pub(crate) fn wait_before(&self, group: &str) -> Duration {
        self.limiter.wait_before(group, self.clock.now())
    }

    /// Budget left in `group` now, or `None` for a group with no known limit.
    pub(crate) fn headroom(&self, group: &str) -> Option<Headroom> {
        self.limiter.headroom(group, self.clock.now())
    }

    /// When each request `group` still counts stops counting, from now, soonest first.
    pub(crate) fn frees_in(&self, group: &str) -> Vec<Duration> {
        self.limiter.frees_in(group, self.clock.now())
    }

    /// The latest `X-Rate-Limit-*` headers seen for `group`.
    pub(crate) fn latest_rate_headers(&self, group: &str) -> Option<RateLimitHeaders> {
        self.limiter.latest(group)
    }

    /// Refuses locally when `group` has no budget or a penalty is running.
    pub(crate) fn check_budget(&self, group: &str) -> Result<(), ApiError> {
        let wait = self.wait_before(group);
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
        let connect_timeout = self.network.connect_timeout;
        let request = request
            .build()
            .map_err(|e| transport_error(e, None, connect_timeout))?;
        let proxy = self
            .network
            .proxy
            .for_url(request.url())
            .map(|p| (p, authority(request.url())));
        self.limiter
            .try_acquire(group, self.clock.now())
            .map_err(|wait| refused(group, wait))?;
        crate::metrics::ringcentral_request(group);
        let (method, path) = (request.method().clone(), request.url().path().to_owned());
        let failed = |e| {
            let proxy = proxy.as_ref().map(|(p, target)| (*p, target.as_str()));
            transport_error(e, proxy, connect_timeout)
        };
        let mut response = self.http.execute(request).await.map_err(failed)?;
        let status = response.status().as_u16();
        let version = response.version();
        let received = self.clock.now();
        let received_at = self.clock.wall_at(received);
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
        self.limiter.record_response(group, rate.as_ref(), received);
        if status == 429 {
            let penalty = retry_after.unwrap_or(error::DEFAULT_RETRY_AFTER);
            self.limiter.penalize(group, penalty, received);
        }
        log_response(&method, &path, status, group, rate.as_ref(), response.headers());
        if response.content_length().is_some_and(|len| len > MAX_BODY as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            version,
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

/// reqwest's proxy for the URLs `settings` send through `proxy`, with its credentials.
fn reqwest_proxy(settings: &ProxySettings, proxy: &ProxyUrl) -> reqwest::Proxy {
    let (settings, chosen) = (settings.clone(), proxy.clone());
    let mut out = reqwest::Proxy::custom(move |url| {
        (settings.for_url(url) == Some(&chosen)).then(|| chosen.url().clone())
    });
    if let Some((user, password)) = proxy.credentials() {
        out = out.basic_auth(user, password);
    }
    out
}

/// Maps a reqwest failure without its URL: an untrusted certificate to `Tls`, a failure of `proxy` (on
/// the way to the `host:port` given with it, including no tunnel within `connect_timeout`) to `Proxy`,
/// other timeouts to `Timeout`, the rest to `Network`.
fn transport_error(
    e: reqwest::Error,
    proxy: Option<(&ProxyUrl, &str)>,
    connect_timeout: Duration,
) -> ApiError {
    if let Some(untrusted) = tls::untrusted_issuer(&e) {
        return ApiError::Tls(untrusted.to_string());
    }
    if e.is_timeout() {
        return match proxy {
            Some((proxy, target)) if e.is_connect() => {
                proxy.failure(target, ProxyFailure::Silent(connect_timeout))
            }
            _ => ApiError::Timeout,
        };
    }
    let text = clean_server_text(&chain(&e.without_url()), &[]);
    match proxy.and_then(|(proxy, target)| proxy_failure(&text).map(|f| proxy.failure(target, f))) {
        Some(failure) => failure,
        None => ApiError::Network(text),
    }
}

/// What the text of a failed request says about the proxy it went through. hyper-util's tunnel error
/// is not public, so its words are matched (the tests through a real proxy pin them).
fn proxy_failure(text: &str) -> Option<ProxyFailure> {
    const TUNNEL: &str = "tunnel error: ";
    if let Some(at) = text.find(TUNNEL) {
        let what = &text[at + TUNNEL.len()..];
        return Some(if what.starts_with("proxy authorization required") {
            ProxyFailure::Credentials
        } else if what.starts_with("unsuccessful") {
            ProxyFailure::Refused(None)
        } else if what.starts_with("proxy response headers too long") {
            ProxyFailure::Unreadable
        } else if what.starts_with("unexpected end of file") {
            ProxyFailure::Closed
        } else {
            let detail = what.split_once(": ").map_or(what, |(_, cause)| cause);
            ProxyFailure::Unreachable(detail.to_owned())
        });
    }
    // Plain http:// goes to the proxy without a tunnel: any connect failure is the proxy's.
    ["tcp connect error", "dns error"]
        .iter()
        .find_map(|words| text.find(words))
        .map(|at| ProxyFailure::Unreachable(text[at..].to_owned()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tunnel_error_of_hyper_util_has_its_failure() {
        for (text, failure) in [
            (
                "tunnel error: proxy authorization required",
                ProxyFailure::Credentials,
            ),
            ("tunnel error: unsuccessful", ProxyFailure::Refused(None)),
            (
                "tunnel error: proxy response headers too long",
                ProxyFailure::Unreadable,
            ),
            ("tunnel error: unexpected end of file", ProxyFailure::Closed),
            (
                "client error (Connect): tunnel error: failed to create underlying connection: tcp connect \
                 error: Connection refused",
                ProxyFailure::Unreachable("tcp connect error: Connection refused".into()),
            ),
        ] {
            assert_eq!(proxy_failure(text), Some(failure), "{text}");
        }
    }

    #[test]
    fn json_errors_never_quote_the_data() {
        const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMDEifQ.signature";
        let e = serde_json::from_str::<u64>(&format!("\"{JWT}\"")).unwrap_err();
        let text = json_error("token response", &e).to_string();
        assert!(!text.contains(JWT) && text.contains("line 1"), "{text}");
    }
}
