//! A URL's host and `host:port` as connections use them: [`bare_host`] for resolving, TLS names and
//! NO_PROXY (an IPv6 address without its brackets), [`authority`] for `CONNECT` and messages.
use url::Url;

/// The URL's host, an IPv6 address without brackets; empty when it has none.
pub fn bare_host(url: &Url) -> &str {
    let host = url.host_str().unwrap_or_default();
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// `host:port` (`[v6]:port` for an IPv6 address), the port the scheme's default when the URL gives none.
pub fn authority(url: &Url) -> String {
    let port = url.port_or_known_default().unwrap_or_default();
    format!("{}:{port}", url.host_str().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_hosts_lose_their_brackets_only_where_a_bare_host_is_wanted() {
        for (url, bare, authority_) in [
            ("wss://[::1]/ws", "::1", "[::1]:443"),
            (
                "https://platform.ringcentral.com",
                "platform.ringcentral.com",
                "platform.ringcentral.com:443",
            ),
            ("http://127.0.0.1:8080/x", "127.0.0.1", "127.0.0.1:8080"),
        ] {
            let url: Url = url.parse().unwrap();
            assert_eq!((bare_host(&url), authority(&url).as_str()), (bare, authority_));
        }
    }
}
