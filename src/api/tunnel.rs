//! [`connect`]: a TCP stream to a URL's host and port, direct or through the HTTP proxy the settings
//! choose for that URL: TCP to the proxy, `CONNECT host:port` (with `Proxy-Authorization: Basic` from the
//! proxy URL's credentials), and the proxy's answer read up to [`MAX_ANSWER`] bytes; what follows is the
//! tunnel, ready for TLS and the WebSocket handshake or a probe. Names resolve through the [`Network`]'s
//! resolver, and the whole exchange is bounded by its connect timeout.
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use super::address::{authority, bare_host};
use super::error::ApiError;
use super::proxy::{ProxyFailure, ProxyUrl};
use super::settings::Network;

/// Largest answer to `CONNECT` accepted (status line and headers).
const MAX_ANSWER: usize = 8 * 1024;

/// A connected stream to `target`'s host and port (only its scheme, host and port are used, never its
/// query). A proxy's failure names the proxy, masked; a direct failure names the host.
pub async fn connect(net: &Network, target: &Url) -> Result<TcpStream, ApiError> {
    let host = bare_host(target);
    let Some(port) = target.port_or_known_default().filter(|_| !host.is_empty()) else {
        return Err(ApiError::Config(format!(
            "a {}:// address without a host or port cannot be connected to",
            target.scheme()
        )));
    };
    let proxy = net.proxy.for_url(target);
    let authority = authority(target);
    let exchange = async {
        let stream = match proxy {
            None => open(net, host, port).await.map_err(ApiError::Network)?,
            Some(proxy) => {
                let mut stream = open(net, proxy.host(), proxy.port())
                    .await
                    .map_err(|detail| proxy.failure(&authority, ProxyFailure::Unreachable(detail)))?;
                handshake(&mut stream, proxy, &authority).await?;
                stream
            }
        };
        // Small frames (heartbeats, subscriptions) go out at once.
        let _ = stream.set_nodelay(true);
        Ok(stream)
    };
    match tokio::time::timeout(net.connect_timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(match proxy {
            None => ApiError::Timeout,
            Some(proxy) => proxy.failure(&authority, ProxyFailure::Silent(net.connect_timeout)),
        }),
    }
}

/// TCP to `host:port`, trying each address in turn; the error names the host.
async fn open(net: &Network, host: &str, port: u16) -> Result<TcpStream, String> {
    let addrs = net.resolver.lookup(host, port).await.map_err(|e| e.to_string())?;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    let why = last.map_or_else(|| "no address".to_owned(), |e| e.to_string());
    Err(format!("cannot connect to {host}:{port}: {why}"))
}

/// Asks `proxy` for a tunnel to `authority` and reads its answer; a 200 opens the tunnel (as for the REST
/// client's tunnels: any other status, even a 2xx, is a refusal).
async fn handshake(stream: &mut TcpStream, proxy: &ProxyUrl, authority: &str) -> Result<(), ApiError> {
    let failed = |failure| proxy.failure(authority, failure);
    let lost = |e: std::io::Error| failed(ProxyFailure::Unreachable(e.to_string()));
    let mut request = format!(
        "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: callboard/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(authorization) = proxy.authorization() {
        request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.map_err(lost)?;

    // Byte by byte: whatever follows the answer belongs to the tunnel.
    let mut answer = Vec::with_capacity(256);
    while !answer.ends_with(b"\r\n\r\n") && !answer.ends_with(b"\n\n") {
        if answer.len() >= MAX_ANSWER {
            return Err(failed(ProxyFailure::Unreadable));
        }
        let byte = stream.read_u8().await.map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => failed(ProxyFailure::Closed),
            _ => lost(e),
        })?;
        answer.push(byte);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(&answer) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(failed(ProxyFailure::Unreadable)),
    }
    match response.code {
        Some(200) => Ok(()),
        Some(407) => Err(failed(ProxyFailure::Credentials)),
        status => Err(failed(ProxyFailure::Refused(status))),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::net::TcpListener;

    use super::*;
    use crate::api::dns::Resolver;
    use crate::api::proxy::ProxySettings;

    /// A one-shot proxy on loopback that answers the first request with `answer` and hands back what it
    /// was sent.
    async fn fake_proxy(answer: &'static [u8]) -> (u16, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            while !seen.ends_with(b"\r\n\r\n") {
                seen.push(socket.read_u8().await.unwrap());
            }
            socket.write_all(answer).await.unwrap();
            socket.write_all(b"tunnelled").await.unwrap();
            String::from_utf8(seen).unwrap()
        });
        (port, task)
    }

    fn network(proxy: &str) -> Network {
        Network {
            proxy: ProxySettings::from_lookup(|k| (k == "ALL_PROXY").then(|| proxy.to_owned())).unwrap(),
            resolver: Resolver::system(),
            connect_timeout: Duration::from_secs(5),
        }
    }

    fn target() -> Url {
        "wss://ws.example:8443/ws?access_token=secret".parse().unwrap()
    }

    #[tokio::test]
    async fn a_tunnel_carries_credentials_and_leaves_the_stream_after_the_answer() {
        let (port, seen) =
            fake_proxy(b"HTTP/1.1 200 Connection established\r\nProxy-agent: fake\r\n\r\n").await;
        let net = network(&format!("http://alice:pw@127.0.0.1:{port}"));
        let mut stream = connect(&net, &target()).await.unwrap();
        let mut rest = String::new();
        stream.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "tunnelled");
        let seen = seen.await.unwrap();
        assert!(
            seen.starts_with("CONNECT ws.example:8443 HTTP/1.1\r\nHost: ws.example:8443\r\n"),
            "{seen}"
        );
        assert!(
            seen.contains("Proxy-Authorization: Basic YWxpY2U6cHc=\r\n"),
            "{seen}"
        );
        assert!(!seen.contains("access_token"), "{seen}");
    }

    #[tokio::test]
    async fn refusals_name_the_proxy_masked() {
        for (answer, words) in [
            (
                &b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"[..],
                "HTTP 407",
            ),
            (
                b"HTTP/1.0 403 Forbidden\r\n\r\n",
                "refused to open a tunnel to ws.example:8443 (HTTP 403)",
            ),
            (b"SSH-2.0-OpenSSH\r\n\r\n", "not HTTP"),
            (
                b"HTTP/1.1 204 No Content\r\n\r\n",
                "refused to open a tunnel to ws.example:8443 (HTTP 204)",
            ),
        ] {
            let (port, _) = fake_proxy(answer).await;
            let e = connect(&network(&format!("http://alice:pw@127.0.0.1:{port}")), &target())
                .await
                .unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, ApiError::Proxy(_)), "{text}");
            assert!(
                text.contains(&format!("http://alice:***@127.0.0.1:{port}")) && text.contains(words),
                "{text}"
            );
        }
    }

    #[tokio::test]
    async fn an_unreachable_proxy_and_an_unreachable_host_are_named() {
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let e = connect(&network(&format!("127.0.0.1:{port}")), &target())
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("cannot reach the proxy http://127.0.0.1:{port}")),
            "{e}"
        );
        let direct = network("");
        let url = format!("ws://127.0.0.1:{port}/ws").parse().unwrap();
        let e = connect(&direct, &url).await.unwrap_err();
        assert!(
            matches!(&e, ApiError::Network(m) if m.starts_with(&format!("cannot connect to 127.0.0.1:{port}"))),
            "{e}"
        );
    }
}
