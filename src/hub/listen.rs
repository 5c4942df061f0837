//! Where the hub listens: a Unix socket (mode 0660: its group decides who may connect; the policy then
//! admits peers by their credentials' user or group) and TCP with TLS (the policy admits by token).
use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::unistd::{Gid, Group, Uid, User};
use tokio::net::{TcpListener, UnixListener, UnixStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::pem::PemObject};

use super::policy::UnixPeer;
use super::serve::Hub;
use super::session;

/// One `--listen` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// `unix:PATH`.
    Unix(PathBuf),
    /// `tcp:HOST:PORT`.
    Tcp(String),
}

impl std::str::FromStr for Listen {
    type Err = String;

    fn from_str(s: &str) -> Result<Listen, String> {
        match s.split_once(':') {
            Some(("unix", path)) if !path.is_empty() => Ok(Listen::Unix(path.into())),
            Some(("tcp", addr))
                if addr
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()) =>
            {
                Ok(Listen::Tcp(addr.to_owned()))
            }
            _ => Err("expected unix:PATH or tcp:HOST:PORT".into()),
        }
    }
}

impl fmt::Display for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listen::Unix(path) => write!(f, "unix:{}", path.display()),
            Listen::Tcp(addr) => write!(f, "tcp:{addr}"),
        }
    }
}

/// The default socket: `callboard/hub.sock` in the runtime directory (`$XDG_RUNTIME_DIR`), else in the
/// temporary directory.
pub fn default_socket() -> PathBuf {
    let base = directories::BaseDirs::new()
        .and_then(|d| d.runtime_dir().map(Path::to_path_buf))
        .unwrap_or_else(|| std::env::temp_dir().join(format!("callboard-{}", Uid::current())));
    base.join("callboard").join("hub.sock")
}

/// A listener bound and ready to serve.
pub enum Bound {
    Unix(UnixListener, PathBuf),
    Tcp(TcpListener, TlsAcceptor),
}

/// Binds `listen`: the socket file made 0660 (a stale one left by a dead hub is replaced; a live one is
/// an error), the TCP port with `tls`, which TCP requires.
pub async fn bind(listen: &Listen, tls: Option<&TlsAcceptor>) -> Result<Bound, String> {
    match listen {
        Listen::Unix(path) => bind_unix(path).await,
        Listen::Tcp(addr) => {
            let tls = tls.ok_or_else(|| {
                format!("--listen {listen} serves over the network, which needs TLS: give --tls-cert and --tls-key")
            })?;
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            Ok(Bound::Tcp(listener, tls.clone()))
        }
    }
}

async fn bind_unix(path: &Path) -> Result<Bound, String> {
    let shown = path.display();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(format!(
                "another hub is already listening on {shown}; stop it or choose another --listen"
            ));
        }
        std::fs::remove_file(path).map_err(|e| format!("cannot replace the stale socket {shown}: {e}"))?;
    }
    let listener = UnixListener::bind(path).map_err(|e| format!("cannot listen on {shown}: {e}"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .map_err(|e| format!("cannot make {shown} mode 0660: {e}"))?;
    Ok(Bound::Unix(listener, path.to_owned()))
}

/// The TLS side of `--tls-cert` (PEM chain) and `--tls-key` (PEM private key).
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let certs = rustls::pki_types::CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| format!("cannot read the certificate chain {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no PEM certificate", cert.display()));
    }
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read the private key {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| format!("the certificate and key do not make a TLS server: {e}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Accepts boards on `bound` until the task is aborted.
pub async fn accept(hub: Arc<Hub>, bound: Bound) {
    match bound {
        Bound::Unix(listener, _) => loop {
            let Some((stream, _)) = accepted(listener.accept().await).await else {
                continue;
            };
            let hub = Arc::clone(&hub);
            tokio::spawn(async move {
                let peer = stream.peer_cred().map(|c| unix_peer(c.uid(), c.gid()));
                let policy = Arc::clone(&hub.policy);
                session::serve(hub, stream, "unix", move |_| {
                    let peer = peer.map_err(|e| format!("cannot read the connection's credentials: {e}"))?;
                    policy.admit_unix(&peer).map(|rule| rule.view.clone())
                })
                .await;
            });
        },
        Bound::Tcp(listener, tls) => loop {
            let Some((stream, addr)) = accepted(listener.accept().await).await else {
                continue;
            };
            let hub = Arc::clone(&hub);
            let tls = tls.clone();
            tokio::spawn(async move {
                let stream = match tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    tls.accept(stream),
                )
                .await
                {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(e)) => return tracing::info!("hub: TLS handshake with {addr} failed: {e}"),
                    Err(_) => return tracing::info!("hub: TLS handshake with {addr} timed out"),
                };
                let policy = Arc::clone(&hub.policy);
                session::serve(hub, stream, "tcp", move |hello| {
                    policy
                        .admit_token(hello.token.as_ref())
                        .map(|rule| rule.view.clone())
                })
                .await;
            });
        },
    }
}

/// A connection, or `None` after a failed accept (out of file descriptors…), logged and paced so a
/// lasting failure does not spin.
async fn accepted<T>(result: std::io::Result<T>) -> Option<T> {
    match result {
        Ok(conn) => Some(conn),
        Err(e) => {
            tracing::warn!("hub: cannot accept a board: {e}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            None
        }
    }
}

/// The peer's user name and group names, as the system's user database has them.
fn unix_peer(uid: u32, gid: u32) -> UnixPeer {
    let user = User::from_uid(Uid::from_raw(uid)).ok().flatten();
    let mut gids = vec![Gid::from_raw(gid)];
    if let Some(user) = &user
        && let Ok(name) = std::ffi::CString::new(user.name.as_str())
        && let Ok(all) = nix::unistd::getgrouplist(&name, user.gid)
    {
        gids.extend(all);
    }
    let mut groups: Vec<String> = gids
        .into_iter()
        .filter_map(|g| Group::from_gid(g).ok().flatten().map(|g| g.name))
        .collect();
    groups.sort();
    groups.dedup();
    UnixPeer {
        uid,
        user: user.map(|u| u.name),
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_parse_or_say_what_is_expected() {
        assert_eq!("unix:/run/h.sock".parse(), Ok(Listen::Unix("/run/h.sock".into())));
        assert_eq!("tcp:0.0.0.0:7000".parse(), Ok(Listen::Tcp("0.0.0.0:7000".into())));
        assert_eq!("tcp:[::1]:7000".parse(), Ok(Listen::Tcp("[::1]:7000".into())));
        for bad in ["unix:", "tcp:host", "tcp::80", "tcp:h:99999", "http://x", ""] {
            assert!(bad.parse::<Listen>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_current_user_resolves_to_a_name_and_groups() {
        let peer = unix_peer(Uid::current().as_raw(), Gid::current().as_raw());
        assert!(peer.user.is_some(), "{peer:?}");
        assert!(!peer.groups.is_empty(), "{peer:?}");
    }
}
