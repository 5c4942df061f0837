//! `callboard doctor`: checks the setup one step at a time — configuration, the way out (proxy, DNS),
//! TLS, server, clock, token, user, both scopes, rate limits, the push gateway, files — and says for each what is
//! wrong and what to do. Secrets (proxy passwords too) are never shown. Spends one Light request for the
//! server clock, one for the user, one Heavy request per scope, and one Auth request for the WebSocket
//! token that opens the gateway once.
use std::path::Path;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

use crate::api::address::{authority, bare_host};
use crate::api::client::{ClientConfig, RcClient};
use crate::api::error::ApiError;
use crate::api::handshake::Handshake;
use crate::api::push::PushError;
use crate::api::push::connection;
use crate::api::rate_limit::HEAVY;
use crate::api::token::Token;
use crate::api::token_cache::TokenCache;
use crate::api::{Scope, token_cache};
use crate::config::{self, Config};
use crate::logging;

/// Skew beyond which the clock check fails: token times and the board's durations go wrong.
const MAX_SKEW: SignedDuration = SignedDuration::from_secs(60);

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// What was found, or what is wrong and what to do.
    pub outcome: Result<String, Failure>,
}

/// A failed check.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What is wrong and what to do.
    pub message: String,
    /// The API error behind it, for the exit code.
    pub error: Option<ApiError>,
}

impl Check {
    fn ok(name: &'static str, text: impl Into<String>) -> Self {
        Check {
            name,
            outcome: Ok(text.into()),
        }
    }

    fn failed(name: &'static str, error: ApiError) -> Self {
        Check {
            name,
            outcome: Err(Failure {
                message: error.to_string(),
                error: Some(error),
            }),
        }
    }

    /// The report line: `ok` or `FAILED`, the name, then the finding.
    pub fn line(&self) -> String {
        let (status, text) = match &self.outcome {
            Ok(text) => ("ok", text.as_str()),
            Err(f) => ("FAILED", f.message.as_str()),
        };
        format!("{status:<7} {:<16} {text}", self.name)
    }
}

/// Where each setting came from, secrets masked.
pub fn configuration(config: &Config) -> Check {
    let o = &config.origins;
    let id = &config.client_id;
    let shown_id: String = if id.chars().count() > 4 {
        format!("{}…", id.chars().take(4).collect::<String>())
    } else {
        "set".to_owned()
    };
    let cas: Vec<String> = config.ca_files.iter().map(ToString::to_string).collect();
    let cas = if cas.is_empty() {
        String::new()
    } else {
        format!("; CAs trusted beside the system's: {}", cas.join(", "))
    };
    Check::ok(
        "configuration",
        format!(
            "server {} ({}); client id {shown_id} ({}); client secret set ({}); JWT set ({}){cas}",
            config.server_url, o.server_url, o.client_id, o.client_secret, o.jwt
        ),
    )
}

/// The configuration of the built-in simulator.
pub fn demo_configuration(user: &str) -> Check {
    Check::ok(
        "configuration",
        format!("built-in simulator on loopback (--demo), logged in as the {user} user"),
    )
}

/// The checks that talk to the server, in order; stops after a failed TLS handshake or login (nothing
/// else could work).
pub async fn server_checks(client: &RcClient, config: &ClientConfig) -> Vec<Check> {
    let mut checks = Vec::new();
    match client.tls_handshake().await {
        Ok(Some(handshake)) => checks.push(Check::ok("tls", tls_text(&handshake))),
        Ok(None) => {}
        Err(e) => {
            checks.push(Check::failed("tls", e));
            return checks;
        }
    }
    match client.server_time().await {
        Ok(t) => {
            checks.push(Check::ok(
                "server",
                format!(
                    "{} answered over {} in {} ms",
                    config.server_url,
                    t.http_version,
                    t.round_trip.as_millis()
                ),
            ));
            checks.push(clock(t.server, t.local));
        }
        Err(e) => {
            checks.push(Check::failed("server", e));
            return checks;
        }
    }
    let cached = cached_token(config);
    // A cached token would hide a wrong client id or secret until it expires: prove them now.
    if cached.is_some()
        && let Err(e) = client.prove_credentials().await
    {
        checks.push(Check::failed("token", e));
        return checks;
    }
    let user = client.current_extension().await;
    match user {
        Ok(user) => {
            checks.push(Check::ok("token", token_text(config, cached.as_ref())));
            let who = user.name.as_deref().unwrap_or("no name");
            let number = user.extension_number.as_deref().unwrap_or("?");
            let role = if user.admin {
                "an admin (may use account scope)"
            } else {
                "not an admin (extension scope only)"
            };
            checks.push(Check::ok(
                "user",
                format!("extension {number} ({who}, id {}), {role}", user.id),
            ));
        }
        Err(e) => {
            checks.push(Check::failed("token", e));
            return checks;
        }
    }
    for (name, scope) in [
        ("account scope", Scope::Account),
        ("extension scope", Scope::own_extension()),
    ] {
        checks.push(match client.active_calls(&scope).await {
            Ok(calls) => Check::ok(
                name,
                format!("allowed; {} call(s) listed now", calls.records.len()),
            ),
            Err(e) => Check::failed(name, e),
        });
    }
    checks.push(match client.latest_rate_headers(HEAVY) {
        Some(h) => Check::ok(
            "rate limits",
            format!(
                "{HEAVY} group: {} of {} requests left per {} s (callboard polls every 10 s by default)",
                h.remaining.map_or("?".into(), |n| n.to_string()),
                h.limit.map_or("?".into(), |n| n.to_string()),
                h.window.map_or("?".into(), |w| w.as_secs().to_string()),
            ),
        ),
        None => Check::ok(
            "rate limits",
            "the server sent no rate-limit headers; default limits assumed",
        ),
    });
    checks
}

/// What a handshake negotiated, in words.
fn tls_text(handshake: &Handshake) -> String {
    let alpn = match &handshake.alpn {
        Some(protocol) => format!("ALPN {protocol}"),
        None => "no ALPN protocol".to_owned(),
    };
    let issuer = match &handshake.issuer {
        Some(issuer) => format!("certificate issued by \"{issuer}\", trusted"),
        None => "no certificate".to_owned(),
    };
    format!("{}, {alpn}; {issuer}", handshake.tls_version)
}

/// The clock check: the server's `Date` has whole seconds, so up to 1 s is noise.
fn clock(server: Option<Timestamp>, local: Timestamp) -> Check {
    let Some(server) = server else {
        return Check::ok("clock", "the server sent no Date header; skew not measured");
    };
    let skew = local.duration_since(server);
    let secs = skew.as_secs();
    let text = match secs {
        -1..=1 => "within 1 s of the server".to_owned(),
        s if s > 0 => format!("{s} s ahead of the server"),
        s => format!("{} s behind the server", -s),
    };
    if skew.abs() > MAX_SKEW {
        return Check {
            name: "clock",
            outcome: Err(Failure {
                message: format!("{text}; call times will be off — sync the clock (e.g. enable NTP)"),
                error: None,
            }),
        };
    }
    Check::ok("clock", text)
}

/// A usable token in the cache for these credentials, before logging in.
fn cached_token(config: &ClientConfig) -> Option<Token> {
    let dir = config.token_cache_dir.as_deref()?;
    TokenCache::new(dir, &config.server_url, &config.client_id, &config.jwt)
        .load()
        .filter(|t| t.expires_at > Timestamp::now())
}

fn token_text(config: &ClientConfig, cached: Option<&Token>) -> String {
    match (cached, &config.token_cache_dir) {
        (Some(t), _) => format!(
            "a cached token was valid until {}; a refresh proved the client id and secret",
            t.expires_at.round(jiff::Unit::Second).unwrap_or(t.expires_at)
        ),
        (None, Some(_)) => "logged in with the JWT; the new token is cached for the next run".to_owned(),
        (None, None) => "logged in with the JWT (token kept in memory only)".to_owned(),
    }
}

/// The proxy the server is reached through (its password masked), or "direct" and why.
pub fn proxy(config: &ClientConfig) -> Check {
    let settings = &config.proxy;
    let server = &config.server_url;
    let text = match settings.for_url(server) {
        Some(proxy) => format!("{server} through {proxy} (from {})", proxy.variable()),
        None if settings.is_direct() => "direct (no HTTPS_PROXY or ALL_PROXY set)".to_owned(),
        None if settings.bypasses(server) => format!("direct (NO_PROXY lists {})", bare_host(server)),
        None => format!("direct (no ALL_PROXY for {}://)", server.scheme()),
    };
    match settings.ignored() {
        Some(ignored) => Check::ok("proxy", format!("{text}; ignored: {ignored}")),
        None => Check::ok("proxy", text),
    }
}

/// How long the first name a connection needs takes to resolve: the proxy's when there is one, else the
/// server's.
pub async fn dns(config: &ClientConfig) -> Check {
    let (bare, setting) = match config.proxy.for_url(&config.server_url) {
        Some(proxy) => (proxy.host(), proxy.variable()),
        None => (
            bare_host(&config.server_url),
            crate::api::settings::SERVER_URL_VAR,
        ),
    };
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Check::ok("dns", format!("{bare} is an address; nothing to resolve"));
    }
    let started = Instant::now();
    match config.resolver.lookup(bare, 0).await {
        Ok(addrs) => Check::ok(
            "dns",
            format!(
                "{bare} resolved in {} ms ({} address(es), first {})",
                started.elapsed().as_millis(),
                addrs.len(),
                addrs.first().map(|a| a.ip().to_string()).unwrap_or_default()
            ),
        ),
        Err(e) => Check {
            name: "dns",
            outcome: Err(Failure {
                message: format!("{e}; check the host name in {setting} and the machine's DNS settings"),
                error: Some(ApiError::Network(e.to_string())),
            }),
        },
    }
}

/// Whether the WebSocket gateway answers through the same path as REST: one WebSocket token (one Auth
/// request), the socket opened until `ConnectionDetails` arrives, then closed.
pub async fn gateway(client: &RcClient) -> Check {
    const NAME: &str = "push gateway";
    let started = Instant::now();
    let token = match client.ws_token().await {
        Ok(token) => token,
        Err(e) => return Check::failed(NAME, e),
    };
    let (address, route) = match url::Url::parse(&token.uri) {
        Ok(url) => {
            let route = match client.network().proxy.for_url(&url) {
                Some(proxy) => format!("through {proxy}"),
                None => "directly".to_owned(),
            };
            (format!("{}://{}", url.scheme(), authority(&url)), route)
        }
        Err(_) => ("the gateway".to_owned(), "directly".to_owned()),
    };
    match connection::open(client.network(), &token, None, client.websocket_tls()).await {
        Ok(opened) => {
            opened.connection.close().await;
            Check::ok(
                NAME,
                format!(
                    "{address} reachable {route}; it said hello within {} ms",
                    started.elapsed().as_millis()
                ),
            )
        }
        Err(e) => Check {
            name: NAME,
            outcome: Err(Failure {
                message: format!("{address} {route}: {e}"),
                error: match e {
                    PushError::Api(e) => Some(e),
                    _ => None,
                },
            }),
        },
    }
}

/// What the board draws through, and the way out when the screen looks wrong.
pub fn backend(value: Option<&str>) -> Check {
    match crate::tui::stock_backend(value) {
        Ok(true) => Check::ok(
            "backend",
            "CALLBOARD_BACKEND=crossterm: the board draws through ratatui's stock backend",
        ),
        Ok(false) => Check::ok(
            "backend",
            "the board draws through its own lean backend; if the screen looks wrong, try \
             CALLBOARD_BACKEND=crossterm",
        ),
        Err(message) => Check {
            name: "backend",
            outcome: Err(Failure { message, error: None }),
        },
    }
}

/// Where configuration, cached tokens and logs live.
pub fn files() -> Check {
    fn show(path: Option<&Path>) -> String {
        match path {
            Some(p) if p.exists() => p.display().to_string(),
            Some(p) => format!("{} (not there yet)", p.display()),
            None => "no platform directory".to_owned(),
        }
    }
    Check::ok(
        "files",
        format!(
            "config {}; token cache {}; logs {}",
            show(config::config_file_path().as_deref()),
            show(token_cache::default_token_cache_dir().as_deref()),
            show(logging::log_dir().as_deref()),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_skew_is_measured_in_whole_seconds() {
        let server: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let at = |s: i64| server.checked_add(SignedDuration::from_millis(s)).unwrap();
        assert_eq!(
            clock(Some(server), at(800)).outcome,
            Ok("within 1 s of the server".into())
        );
        assert_eq!(
            clock(Some(server), at(-5_000)).outcome,
            Ok("5 s behind the server".into())
        );
        let far = clock(Some(server), at(90_000)).outcome.unwrap_err();
        assert!(
            far.message.starts_with("90 s ahead") && far.message.contains("NTP"),
            "{}",
            far.message
        );
        assert!(clock(None, server).outcome.is_ok());
    }

    #[test]
    fn the_proxy_check_says_why_an_all_proxy_is_ignored() {
        let mut config = ClientConfig::new(
            "https://platform.ringcentral.com".parse().unwrap(),
            "id",
            crate::secret::Secret::new("secret"),
            crate::secret::Secret::new("jwt"),
        );
        let vars = [
            ("ALL_PROXY", "socks5://p:1080"),
            ("HTTPS_PROXY", "http://corp:3128"),
        ];
        config.proxy = crate::api::proxy::ProxySettings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap();
        let text = proxy(&config).outcome.unwrap();
        assert!(
            text.starts_with(
                "https://platform.ringcentral.com/ through http://corp:3128 (from HTTPS_PROXY); \
                              ignored: ALL_PROXY names a socks5:// proxy"
            ),
            "{text}"
        );
    }

    #[test]
    fn lines_say_ok_or_failed_first() {
        assert!(Check::ok("x", "fine").line().starts_with("ok      x"));
        let failed = Check::failed("token", ApiError::Timeout).line();
        assert!(
            failed.starts_with("FAILED  token") && failed.contains("network"),
            "{failed}"
        );
    }
}
