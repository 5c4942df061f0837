//! A board's way to a hub: `unix:PATH`, or `tcp://HOST:PORT` over TLS trusting what connections to
//! RingCentral trust plus `--hub-ca`.
use std::fmt;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

use crate::api::tls::{CaFile, client_tls};

/// A hub's address as `--hub` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubAddr {
    /// `unix:PATH`.
    Unix(PathBuf),
    /// `tcp://HOST:PORT`.
    Tcp { host: String, port: u16 },
}

impl std::str::FromStr for HubAddr {
    type Err = String;

    fn from_str(s: &str) -> Result<HubAddr, String> {
        if let Some(path) = s.strip_prefix("unix:").filter(|p| !p.is_empty()) {
            return Ok(HubAddr::Unix(path.into()));
        }
        let tcp = s.strip_prefix("tcp://").and_then(|rest| {
            let (host, port) = rest.trim_end_matches('/').rsplit_once(':')?;
            let host = host.trim_start_matches('[').trim_end_matches(']');
            (!host.is_empty()).then(|| Some((host.to_owned(), port.parse().ok()?)))?
        });
        match tcp {
            Some((host, port)) => Ok(HubAddr::Tcp { host, port }),
            None => Err("expected unix:PATH or tcp://HOST:PORT".into()),
        }
    }
}

impl fmt::Display for HubAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HubAddr::Unix(path) => write!(f, "unix:{}", path.display()),
            HubAddr::Tcp { host, port } if host.contains(':') => write!(f, "tcp://[{host}]:{port}"),
            HubAddr::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
        }
    }
}

/// A connection to a hub, whatever carries it.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// How to reach a hub: its address and, for TCP, the TLS setup.
#[derive(Clone)]
pub struct Connector {
    /// Where the hub is.
    pub addr: HubAddr,
    tls: Option<TlsConnector>,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Connector({})", self.addr)
    }
}

impl Connector {
    /// The way to `addr`, trusting the system's roots plus the PEM certificates in `ca` for TCP.
    pub fn new(addr: HubAddr, ca: Option<&Path>) -> Result<Connector, String> {
        let tls = match &addr {
            HubAddr::Unix(_) => None,
            HubAddr::Tcp { .. } => Some(tls_connector(ca)?),
        };
        Ok(Connector { addr, tls })
    }

    /// Opens a connection.
    pub async fn connect(&self) -> Result<Box<dyn Stream>, String> {
        let fail = |e: std::io::Error| {
            format!(
                "cannot reach the hub at {}: {e}; is `callboard serve` running and listening there?",
                self.addr
            )
        };
        match (&self.addr, &self.tls) {
            (HubAddr::Unix(path), _) => Ok(Box::new(UnixStream::connect(path).await.map_err(fail)?)),
            (HubAddr::Tcp { host, port }, Some(tls)) => {
                let tcp = TcpStream::connect((host.as_str(), *port)).await.map_err(fail)?;
                let name = ServerName::try_from(host.clone())
                    .map_err(|e| format!("{host} is not a host name for TLS: {e}"))?;
                let stream = tls.connect(name, tcp).await.map_err(|e| {
                    format!(
                        "TLS with the hub at {} failed: {e} (is its certificate trusted? pass --hub-ca FILE)",
                        self.addr
                    )
                })?;
                Ok(Box::new(stream))
            }
            (HubAddr::Tcp { .. }, None) => Err("no TLS set up for a TCP hub".into()),
        }
    }
}

/// TLS trusting what RingCentral connections trust (the system's roots, `SSL_CERT_FILE`) plus `ca`.
fn tls_connector(ca: Option<&Path>) -> Result<TlsConnector, String> {
    let ca_files: Vec<CaFile> = ca
        .map(|path| CaFile {
            path: path.to_owned(),
            setting: "--hub-ca",
        })
        .into_iter()
        .collect();
    let tls = client_tls(&ca_files).map_err(|e| format!("cannot set up TLS for the hub: {e}"))?;
    Ok(TlsConnector::from(tls.websocket))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_addresses_parse_or_say_what_is_expected() {
        let tcp = |host: &str, port| HubAddr::Tcp {
            host: host.into(),
            port,
        };
        assert_eq!(
            "unix:/run/h.sock".parse(),
            Ok(HubAddr::Unix("/run/h.sock".into()))
        );
        assert_eq!("tcp://hub.example:7000".parse(), Ok(tcp("hub.example", 7000)));
        assert_eq!("tcp://[::1]:7000".parse(), Ok(tcp("::1", 7000)));
        assert_eq!(tcp("::1", 7000).to_string(), "tcp://[::1]:7000");
        for bad in [
            "unix:",
            "tcp://host",
            "tcp://:80",
            "hub:7000",
            "tcp://h:70000",
            "",
        ] {
            assert!(bad.parse::<HubAddr>().is_err(), "{bad}");
        }
    }
}
