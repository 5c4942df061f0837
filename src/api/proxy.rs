//! Proxy settings, read from the environment: `https_proxy`/`HTTPS_PROXY` for https:// and wss://,
//! `all_proxy`/`ALL_PROXY` for every scheme (for https:// and wss:// only when no https proxy is set), and
//! `no_proxy`/`NO_PROXY` for the hosts reached directly (the lower-case name is looked at first; an empty
//! value counts as unset). `http_proxy` is not read: plain http:// (the simulator on loopback) goes through
//! ALL_PROXY or direct. callboard speaks to HTTP proxies only, tunnelling with `CONNECT`; an unusable
//! ALL_PROXY (a SOCKS proxy, say) is refused only when it would be used, that is when no https proxy is set
//! (otherwise it is ignored, and [`ProxySettings::ignored`] says why).
//!
//! NO_PROXY follows curl: entries separated by commas or spaces; `*` as the whole value matches every
//! host; a name matches itself and its subdomains (with or without a leading dot, and `*.corp.example`
//! reads as `.corp.example`, as Go reads it); an IP address matches itself, a CIDR range the addresses in
//! it, and a port after an entry is ignored. Loopback is not exempt: NO_PROXY decides.
//!
//! A proxy's credentials never show: [`ProxyUrl`] displays and debugs as `http://alice:***@proxy:3128`.
use std::fmt;
use std::net::IpAddr;

use base64::Engine;
use ipnet::IpNet;
use percent_encoding::percent_decode_str;
use url::Url;

use super::address::bare_host;
use super::error::ApiError;
use crate::secret::Secret;

/// The variables naming the proxy for https:// and wss://, in the order they are looked at.
pub const HTTPS_PROXY_VARS: [&str; 2] = ["https_proxy", "HTTPS_PROXY"];
/// The variables naming the proxy for every scheme, in the order they are looked at.
pub const ALL_PROXY_VARS: [&str; 2] = ["all_proxy", "ALL_PROXY"];
/// The variables listing the hosts reached directly, in the order they are looked at.
pub const NO_PROXY_VARS: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// A proxy's port when its URL gives none, as curl assumes.
const DEFAULT_PORT: u16 = 1080;

/// Which proxy, if any, each connection goes through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    https: Option<ProxyUrl>,
    all: Option<ProxyUrl>,
    no_proxy: NoProxy,
    /// Why ALL_PROXY is not used, when it is unusable but an https proxy is set.
    ignored: Option<ProxyError>,
}

impl ProxySettings {
    /// No proxy: every connection goes direct (the built-in demo, and tests unless they say otherwise).
    pub fn direct() -> Self {
        ProxySettings::default()
    }

    /// The settings in the variables `env` looks up (the process environment for [`crate::config`]).
    pub fn from_lookup(env: impl Fn(&str) -> Option<String>) -> Result<Self, ProxyError> {
        let first = |names: [&'static str; 2]| {
            names
                .into_iter()
                .find_map(|name| env(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
        };
        let proxy = |names| {
            first(names)
                .map(|(name, v)| ProxyUrl::parse(&v, name))
                .transpose()
        };
        let https = proxy(HTTPS_PROXY_VARS)?;
        let (all, ignored) = match proxy(ALL_PROXY_VARS) {
            Ok(all) => (all, None),
            // https:// and wss:// go through the https proxy: ALL_PROXY would serve plain http:// alone.
            Err(e) if https.is_some() => {
                tracing::warn!("{e}; it is ignored: the https proxy carries every connection");
                (None, Some(e))
            }
            Err(e) => return Err(e),
        };
        Ok(ProxySettings {
            https,
            all,
            no_proxy: first(NO_PROXY_VARS).map_or_else(NoProxy::default, |(_, v)| NoProxy::parse(&v)),
            ignored,
        })
    }

    /// Why ALL_PROXY is not used although set (unusable, with an https proxy set), if so.
    pub fn ignored(&self) -> Option<&ProxyError> {
        self.ignored.as_ref()
    }

    /// True when no proxy is set at all.
    pub fn is_direct(&self) -> bool {
        self.https.is_none() && self.all.is_none()
    }

    /// The proxy for `url` (https:// and wss:// use the https proxy, then the all proxy; other schemes
    /// the all proxy), or `None` to go direct.
    pub fn for_url(&self, url: &Url) -> Option<&ProxyUrl> {
        let proxy = match url.scheme() {
            "https" | "wss" => self.https.as_ref().or(self.all.as_ref()),
            _ => self.all.as_ref(),
        }?;
        (!self.bypasses(url)).then_some(proxy)
    }

    /// Whether NO_PROXY sends `url`'s host direct.
    pub fn bypasses(&self, url: &Url) -> bool {
        self.no_proxy.matches(bare_host(url))
    }

    /// The distinct proxies set, the https one first.
    pub fn proxies(&self) -> impl Iterator<Item = &ProxyUrl> {
        let all = self.all.as_ref().filter(|all| Some(*all) != self.https.as_ref());
        self.https.iter().chain(all)
    }
}

/// An HTTP proxy: its address without credentials, the credentials apart, and the variable it came from.
/// Formatting masks the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    /// `http://host:port`, no credentials, the port always explicit.
    url: Url,
    user: String,
    password: Secret,
    variable: &'static str,
}

impl ProxyUrl {
    /// Reads `text` (from `variable`); no scheme means http://, no port means 1080. The error never
    /// quotes `text`: it may hold a password.
    pub fn parse(text: &str, variable: &'static str) -> Result<Self, ProxyError> {
        let text = text.trim();
        let full = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let invalid = |reason: String| ProxyError::Invalid { variable, reason };
        let mut url = Url::parse(&full).map_err(|e| invalid(e.to_string()))?;
        match url.scheme() {
            "http" => {}
            scheme if scheme.starts_with("socks") => {
                return Err(ProxyError::Socks {
                    variable,
                    scheme: scheme.to_owned(),
                });
            }
            scheme => {
                return Err(ProxyError::Scheme {
                    variable,
                    scheme: scheme.to_owned(),
                });
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it has no host".into()));
        }
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let user = decode(url.username());
        let password = Secret::new(url.password().map(decode).unwrap_or_default());
        let port = url.port().unwrap_or(DEFAULT_PORT);
        // Neither can fail on an http:// URL with a host.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let _ = url.set_port(Some(port));
        url.set_path("");
        url.set_query(None);
        url.set_fragment(None);
        Ok(ProxyUrl {
            url,
            user,
            password,
            variable,
        })
    }

    /// `http://host:port`, without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The proxy's host (an IPv6 address without brackets).
    pub fn host(&self) -> &str {
        bare_host(&self.url)
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.url.port().unwrap_or(DEFAULT_PORT)
    }

    /// The variable it came from (`HTTPS_PROXY`, `all_proxy`, …).
    pub fn variable(&self) -> &'static str {
        self.variable
    }

    /// The user name and password, when the URL has a user name.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        (!self.user.is_empty()).then(|| (self.user.as_str(), self.password.expose()))
    }

    /// The `Proxy-Authorization` value for the credentials (`Basic …`).
    pub(crate) fn authorization(&self) -> Option<String> {
        let (user, password) = self.credentials()?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Some(format!("Basic {encoded}"))
    }

    /// What a failed exchange with this proxy tells the user, for a connection to `target` (`host:port`).
    pub(crate) fn failure(&self, target: &str, failure: ProxyFailure) -> ApiError {
        let var = self.variable;
        let host = target.rsplit_once(':').map_or(target, |(host, _)| host);
        let direct = format!("or list {host} in NO_PROXY if it is reachable directly");
        ApiError::Proxy(match failure {
            ProxyFailure::Unreachable(detail) => {
                format!("cannot reach the proxy {self} ({detail}); check {var}, {direct}")
            }
            ProxyFailure::Credentials if self.credentials().is_some() => format!(
                "the proxy {self} refused its user name and password (HTTP 407); correct them in {var}"
            ),
            ProxyFailure::Credentials => format!(
                "the proxy {self} asks for a user name and password (HTTP 407); give them in {var} as \
                 http://USER:PASSWORD@{}:{}",
                self.url.host_str().unwrap_or_default(),
                self.port()
            ),
            ProxyFailure::Refused(status) => {
                // Some proxies (tinyproxy) answer wrong credentials with 401, or the status is not known.
                let check = if self.credentials().is_some() && matches!(status, None | Some(401)) {
                    format!("check the user name and password in {var}, ")
                } else {
                    String::new()
                };
                let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
                format!(
                    "the proxy {self} refused to open a tunnel to {target}{status}; {check}ask the network's \
                     administrators to allow it, {direct}"
                )
            }
            ProxyFailure::Silent(waited) => format!(
                "the proxy {self} opened no tunnel to {target} within {} s; check {var}, {direct}",
                waited.as_secs_f64()
            ),
            ProxyFailure::Closed => format!(
                "the proxy {self} closed the connection without answering CONNECT; check that {var} names \
                 an HTTP proxy, {direct}"
            ),
            ProxyFailure::Unreadable => format!(
                "the proxy {self} answered CONNECT with something that is not HTTP or too long to read; \
                 check that {var} names an HTTP proxy"
            ),
        })
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = self.url.host_str().unwrap_or_default();
        let port = self.port();
        match self.credentials() {
            Some((user, "")) => write!(f, "http://{user}@{host}:{port}"),
            Some((user, _)) => write!(f, "http://{user}:***@{host}:{port}"),
            None => write!(f, "http://{host}:{port}"),
        }
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self} from {})", self.variable)
    }
}

/// How an exchange with a proxy failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProxyFailure {
    /// No connection to the proxy itself (the detail names the cause).
    Unreachable(String),
    /// HTTP 407.
    Credentials,
    /// Any other refusal, with the status when known.
    Refused(Option<u16>),
    /// Connected, but no tunnel within the connect timeout (the proxy kept silent).
    Silent(std::time::Duration),
    /// The proxy closed the connection before answering CONNECT.
    Closed,
    /// The answer to CONNECT was not HTTP, or its headers too long.
    Unreadable,
}

/// Why a proxy setting is unusable. No text quotes the setting (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// A SOCKS proxy.
    #[error(
        "{variable} names a {scheme}:// proxy, but callboard speaks only to HTTP proxies (CONNECT); give \
         an http://host:port proxy in {variable}, or unset it to connect directly"
    )]
    Socks { variable: &'static str, scheme: String },
    /// Any other scheme than http://.
    #[error(
        "{variable} names a {scheme}:// proxy, but callboard speaks only to HTTP proxies (CONNECT); give \
         an http://host:port proxy in {variable}"
    )]
    Scheme { variable: &'static str, scheme: String },
    /// Not a URL.
    #[error("{variable} is not a usable proxy address ({reason}); give it as http://host:port")]
    Invalid { variable: &'static str, reason: String },
}

/// The hosts reached directly, by curl's NO_PROXY rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    everything: bool,
    names: Vec<String>,
    nets: Vec<IpNet>,
}

impl NoProxy {
    /// Reads a NO_PROXY list; entries that are neither names, addresses nor ranges are ignored.
    pub fn parse(text: &str) -> Self {
        let mut list = NoProxy::default();
        if text.trim() == "*" {
            list.everything = true;
            return list;
        }
        let entries = text.split(|c: char| c == ',' || c.is_whitespace());
        for entry in entries.filter(|e| !e.is_empty()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                list.nets.push(net.trunc());
            } else if let Ok(ip) = without_port(entry).parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip));
            } else {
                let name = without_port(entry);
                let name = name.strip_prefix('*').unwrap_or(name);
                let name = name.trim_start_matches('.').trim_end_matches('.');
                // A `*` anywhere else is no wildcard: such a name matches no host.
                if !name.is_empty() && !name.contains('*') {
                    list.names.push(name.to_ascii_lowercase());
                }
            }
        }
        list
    }

    /// Whether `host` (a name or an IP address, IPv6 without brackets) goes direct.
    pub fn matches(&self, host: &str) -> bool {
        if self.everything {
            return true;
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.nets.iter().any(|net| net.contains(&ip));
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.names.iter().any(|name| {
            host == *name
                || host
                    .strip_suffix(name.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

/// An entry without a trailing `:port` (an unbracketed IPv6 address is left whole).
fn without_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split_once(']').map_or(entry, |(ip, _)| ip);
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => entry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<ProxySettings, ProxyError> {
        ProxySettings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    fn via(s: &ProxySettings, url: &str) -> Option<String> {
        s.for_url(&url.parse().unwrap()).map(ToString::to_string)
    }

    #[test]
    fn lower_case_names_come_first_and_empty_ones_count_as_unset() {
        let s = settings(&[
            ("https_proxy", "http://lower:3128"),
            ("HTTPS_PROXY", "http://upper:3128"),
            ("no_proxy", ""),
            ("NO_PROXY", "example.com"),
        ])
        .unwrap();
        assert_eq!(
            via(&s, "https://platform.ringcentral.com").as_deref(),
            Some("http://lower:3128")
        );
        assert_eq!(via(&s, "https://api.example.com"), None);
        let s = settings(&[("https_proxy", " "), ("HTTPS_PROXY", "upper:8080")]).unwrap();
        assert_eq!(via(&s, "wss://ws.example").as_deref(), Some("http://upper:8080"));
        assert!(settings(&[]).unwrap().is_direct());
    }

    #[test]
    fn https_targets_prefer_the_https_proxy_and_others_use_all_proxy() {
        let s = settings(&[("HTTPS_PROXY", "http://tls:1"), ("ALL_PROXY", "http://any:2")]).unwrap();
        assert_eq!(via(&s, "https://a.example").as_deref(), Some("http://tls:1"));
        assert_eq!(via(&s, "wss://a.example").as_deref(), Some("http://tls:1"));
        assert_eq!(via(&s, "http://127.0.0.1:9").as_deref(), Some("http://any:2"));
        assert_eq!(via(&s, "ws://127.0.0.1:9").as_deref(), Some("http://any:2"));
        assert_eq!(s.proxies().count(), 2);
        let s = settings(&[("all_proxy", "http://any:2")]).unwrap();
        assert_eq!(via(&s, "https://a.example").as_deref(), Some("http://any:2"));
        let s = settings(&[("HTTPS_PROXY", "http://tls:1")]).unwrap();
        assert_eq!(via(&s, "http://127.0.0.1:9"), None, "no all proxy for plain http");
    }

    #[test]
    fn no_proxy_follows_curl() {
        let list = NoProxy::parse(
            " example.com, .corp.example ,10.0.0.0/8 192.168.1.7:8080\t[::1]:443, fe80::/10, intra:80,, *.wild.example",
        );
        for (host, direct) in [
            ("example.com", true),
            ("EXAMPLE.com.", true),
            ("api.example.com", true),
            ("notexample.com", false),
            ("example.com.evil", false),
            ("corp.example", true),
            ("a.b.corp.example", true),
            ("10.1.2.3", true),
            ("11.0.0.1", false),
            ("192.168.1.7", true),
            ("192.168.1.8", false),
            ("::1", true),
            ("wild.example", true),
            ("a.wild.example", true),
            ("fe80::1", true),
            ("intra", true),
            ("www.intra", true),
            ("platform.ringcentral.com", false),
        ] {
            assert_eq!(list.matches(host), direct, "{host}");
        }
        assert!(NoProxy::parse(" * ").matches("anything.example"));
        assert!(
            !NoProxy::parse("a, *").matches("anything.example"),
            "`*` is a wildcard only as the whole value"
        );
        assert!(!NoProxy::parse("a*b.example").matches("ab.example"));
        assert!(!NoProxy::parse("").matches("example.com"));
        assert!(
            !NoProxy::parse("127.0.0.1").matches("localhost"),
            "names and addresses do not mix"
        );
    }

    #[test]
    fn loopback_goes_through_the_proxy_unless_no_proxy_says_otherwise() {
        let s = settings(&[("HTTPS_PROXY", "http://p:3128")]).unwrap();
        assert!(via(&s, "https://127.0.0.1:4443").is_some());
        let s = settings(&[("HTTPS_PROXY", "http://p:3128"), ("NO_PROXY", "127.0.0.1")]).unwrap();
        assert!(via(&s, "https://127.0.0.1:4443").is_none());
        assert!(s.bypasses(&"wss://127.0.0.1:1/ws".parse().unwrap()));
    }

    #[test]
    fn credentials_are_decoded_and_never_shown() {
        let p = ProxyUrl::parse("http://alice:p%40ss%3Aw0rd@proxy.corp:3128/", "HTTPS_PROXY").unwrap();
        assert_eq!(p.credentials(), Some(("alice", "p@ss:w0rd")));
        assert_eq!(p.to_string(), "http://alice:***@proxy.corp:3128");
        let debug = format!("{p:?}");
        assert!(!debug.contains("p@ss") && !debug.contains("w0rd"), "{debug}");
        assert_eq!(p.url().as_str(), "http://proxy.corp:3128/");
        assert_eq!(p.authorization().as_deref(), Some("Basic YWxpY2U6cEBzczp3MHJk"));
        let bare = ProxyUrl::parse("proxy.corp", "ALL_PROXY").unwrap();
        assert_eq!(bare.to_string(), "http://proxy.corp:1080");
        assert_eq!((bare.credentials(), bare.authorization()), (None, None));
        let user = ProxyUrl::parse("http://bob@[::1]:8080", "ALL_PROXY").unwrap();
        assert_eq!(user.to_string(), "http://bob@[::1]:8080");
        assert_eq!((user.host(), user.port()), ("::1", 8080));
    }

    #[test]
    fn socks_and_other_schemes_are_refused_in_words_without_the_password() {
        for (text, words) in [
            (
                "socks5://alice:hunter2@p:1080",
                "socks5:// proxy, but callboard speaks only to HTTP proxies",
            ),
            ("socks5h://p", "socks5h://"),
            ("https://alice:hunter2@p", "https:// proxy"),
            ("http://alice:hunter2@:80", "not a usable proxy address"),
        ] {
            let e = ProxyUrl::parse(text, "HTTPS_PROXY").unwrap_err().to_string();
            assert!(e.contains(words) && e.contains("HTTPS_PROXY"), "{e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
        let e = settings(&[("ALL_PROXY", "socks5://p")]).unwrap_err();
        assert!(matches!(
            e,
            ProxyError::Socks {
                variable: "ALL_PROXY",
                ..
            }
        ));
    }

    #[test]
    fn an_unusable_all_proxy_is_ignored_when_the_https_proxy_carries_everything() {
        let s = settings(&[("ALL_PROXY", "socks5://p:1080"), ("https_proxy", "http://tls:1")]).unwrap();
        assert_eq!(via(&s, "wss://ws.example").as_deref(), Some("http://tls:1"));
        assert_eq!(via(&s, "http://127.0.0.1:9"), None);
        let ignored = s.ignored().map(ToString::to_string).unwrap_or_default();
        assert!(
            ignored.starts_with("ALL_PROXY names a socks5:// proxy"),
            "{ignored}"
        );
        assert_eq!(
            settings(&[("HTTPS_PROXY", "http://tls:1")]).unwrap().ignored(),
            None
        );
        let e = settings(&[("HTTPS_PROXY", "http://tls:1"), ("all_proxy", "ftp://p")])
            .map(|s| s.ignored().cloned());
        assert!(
            matches!(
                e,
                Ok(Some(ProxyError::Scheme {
                    variable: "all_proxy",
                    ..
                }))
            ),
            "{e:?}"
        );
    }

    #[test]
    fn failures_name_the_masked_proxy_and_what_to_do() {
        let p = ProxyUrl::parse("http://alice:hunter2@p:3128", "HTTPS_PROXY").unwrap();
        let target = "platform.ringcentral.com:443";
        for (failure, words) in [
            (
                ProxyFailure::Credentials,
                "refused its user name and password (HTTP 407)",
            ),
            (
                ProxyFailure::Refused(Some(403)),
                "refused to open a tunnel to platform.ringcentral.com:443 (HTTP 403)",
            ),
            (
                ProxyFailure::Unreachable("connection refused".into()),
                "cannot reach the proxy",
            ),
            (ProxyFailure::Unreadable, "not HTTP"),
            (
                ProxyFailure::Silent(std::time::Duration::from_millis(1500)),
                "opened no tunnel to platform.ringcentral.com:443 within 1.5 s",
            ),
            (
                ProxyFailure::Closed,
                "closed the connection without answering CONNECT",
            ),
        ] {
            let text = p.failure(target, failure).to_string();
            assert!(
                text.contains("http://alice:***@p:3128") && text.contains(words),
                "{text}"
            );
            assert!(!text.contains("hunter2"), "{text}");
        }
        let anonymous = ProxyUrl::parse("p:3128", "https_proxy").unwrap();
        let text = anonymous.failure(target, ProxyFailure::Credentials).to_string();
        assert!(
            text.contains("give them in https_proxy as http://USER:PASSWORD@p:3128"),
            "{text}"
        );
    }
}
