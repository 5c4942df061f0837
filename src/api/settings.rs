//! What the client is configured by: [`ClientConfig`] (and the [`Network`] part of it every connection
//! shares), the names of the environment variables its settings come from, the production server, and the
//! rule a server URL must pass before credentials are sent to it.
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::dns::Resolver;
use super::proxy::ProxySettings;
use super::tls::CaFile;
use crate::clock::Clock;
use crate::secret::Secret;

/// Server URL variable.
pub const SERVER_URL_VAR: &str = "RC_SERVER_URL";
/// App client id variable.
pub const CLIENT_ID_VAR: &str = "RC_APP_CLIENT_ID";
/// App client secret variable.
pub const CLIENT_SECRET_VAR: &str = "RC_APP_CLIENT_SECRET";
/// User JWT credential variable.
pub const JWT_VAR: &str = "RC_USER_JWT";
/// The production server.
pub const DEFAULT_SERVER_URL: &str = "https://platform.ringcentral.com";

/// RingCentral's largest `perPage`.
pub(crate) const MAX_PER_PAGE: u32 = 1000;

/// Everything the client needs. The application builds it from its configuration; tests build it by hand.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub server_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    pub jwt: Secret,
    /// Where cached tokens live; `None` keeps tokens in memory only.
    pub token_cache_dir: Option<PathBuf>,
    /// Records per page (1–1000; default 1000 to save Heavy requests).
    pub per_page: u32,
    pub connect_timeout: Duration,
    /// Longest silence while reading a response.
    pub read_timeout: Duration,
    /// Longest time for a whole request, body included.
    pub total_timeout: Duration,
    /// The time rate limits, penalties and token lifetimes are measured in (the system clock by default).
    pub clock: Clock,
    /// Company CAs trusted beside the system's roots (`SSL_CERT_FILE`, `ca_file`), for REST and push.
    pub ca_files: Vec<CaFile>,
    /// The proxies for REST and the WebSocket (none by default; [`crate::config`] reads the environment's).
    pub proxy: ProxySettings,
    /// How host names become addresses (the system's resolver by default).
    pub resolver: Resolver,
}

/// How connections leave the machine: the proxy settings, the resolver and the connect timeout.
#[derive(Debug, Clone)]
pub struct Network {
    pub proxy: ProxySettings,
    pub resolver: Resolver,
    pub connect_timeout: Duration,
}

impl ClientConfig {
    /// A config with default paging and timeouts, no disk cache and the system clock.
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
            clock: Clock::system(),
            ca_files: Vec::new(),
            proxy: ProxySettings::direct(),
            resolver: Resolver::system(),
        }
    }

    /// The proxy settings, resolver and connect timeout every connection of this client uses.
    pub fn network(&self) -> Network {
        Network {
            proxy: self.proxy.clone(),
            resolver: self.resolver.clone(),
            connect_timeout: self.connect_timeout,
        }
    }

    /// The same config measuring time on `clock` (a test's manual clock, shared with the simulator).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}

/// Why a server URL is unusable, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerUrlError {
    /// The URL does not parse or is unusable.
    #[error("{SERVER_URL_VAR} is not usable: {reason}; use e.g. {DEFAULT_SERVER_URL}")]
    Invalid { reason: String },
    /// Plain http to a host that is not loopback.
    #[error(
        "{SERVER_URL_VAR} uses {scheme}:// for {host}: callboard only sends credentials over https \
         (plain http is allowed for 127.0.0.1, ::1 and localhost only); use https://{host}"
    )]
    Insecure { scheme: String, host: String },
}

/// Refuses a server URL that would send credentials in clear text to another machine.
pub fn check_server_url(url: &Url) -> Result<(), ServerUrlError> {
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(ServerUrlError::Invalid {
            reason: "it has no host".into(),
        });
    }
    if url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url)) {
        return Ok(());
    }
    Err(ServerUrlError::Insecure {
        scheme: url.scheme().to_owned(),
        host: host.to_owned(),
    })
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
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
