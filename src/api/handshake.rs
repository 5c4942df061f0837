//! `doctor`'s TLS probe: one handshake with the server, as the REST client would make it, reporting the
//! negotiated TLS version, the ALPN protocol and the certificate's issuer — or, when verification fails,
//! the issuer nobody trusts. The connection goes the way REST's do: through the proxy the settings choose
//! ([`tunnel::connect`]) and the configured resolver.
use std::sync::Arc;
use std::time::Duration;

use rustls::ProtocolVersion;
use rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;
use url::Url;

use super::address::bare_host;
use super::error::ApiError;
use super::settings::Network;
use super::tls::{issuer_name, untrusted_issuer};
use super::tunnel;
use crate::text::clean_server_text;

/// Longest the probe waits to connect and to finish the handshake, each.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What a handshake negotiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// `TLS 1.3`, `TLS 1.2`.
    pub tls_version: String,
    /// The ALPN protocol the server chose (`h2`, `http/1.1`), if any.
    pub alpn: Option<String>,
    /// The issuer of the last certificate the server presented.
    pub issuer: Option<String>,
}

/// Connects to `url` over `net` and completes a TLS handshake with `tls`.
pub(crate) async fn handshake(
    net: &Network,
    url: &Url,
    tls: Arc<rustls::ClientConfig>,
) -> Result<Handshake, ApiError> {
    let host = bare_host(url);
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| ApiError::Config(format!("the server's host name {host:?} is not usable for TLS")))?;
    let network = |e: std::io::Error| match untrusted_issuer(&e) {
        Some(untrusted) => ApiError::Tls(untrusted.to_string()),
        None => ApiError::Network(clean_server_text(&e.to_string(), &[])),
    };
    let tcp = tokio::time::timeout(TIMEOUT, tunnel::connect(net, url))
        .await
        .map_err(|_| ApiError::Timeout)??;
    let stream = tokio::time::timeout(TIMEOUT, TlsConnector::from(tls).connect(name, tcp))
        .await
        .map_err(|_| ApiError::Timeout)?
        .map_err(network)?;
    let (_, conn) = stream.get_ref();
    Ok(Handshake {
        tls_version: match conn.protocol_version() {
            Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".to_owned(),
            Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".to_owned(),
            Some(other) => format!("{other:?}"),
            None => "an unknown TLS version".to_owned(),
        },
        alpn: conn
            .alpn_protocol()
            .map(|p| clean_server_text(&String::from_utf8_lossy(p), &[])),
        issuer: conn.peer_certificates().and_then(<[_]>::last).map(issuer_name),
    })
}
