//! Where the hub listens: a Unix socket (mode 0660: its group decides who may connect; the policy then
//! admits peers by their credentials' user or group) and TCP with TLS (the policy admits by token).
use std::fmt;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use nix::unistd::{Gid, Group, Uid, User};
use tokio::net::{TcpListener, UnixListener, UnixStream};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::pem::PemObject};

use super::gate::Gate;
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

/// The default socket: `callboard/hub.sock` in the runtime directory (`$XDG_RUNTIME_DIR`), else in
/// `callboard-UID` in the temporary directory (which [`bind`] refuses unless this user owns it and no
/// one else may write to it).
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

/// Binds `listen`: the socket file made 0660 in a directory only this user (or root) can change (a stale
/// socket left by a dead hub is replaced; a live one, or any other file, is an error), the TCP port with
/// `tls`, which TCP requires.
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
        // Directories made here: 0750, so the hub's group may reach the socket and others may not.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o750)
            .create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        safe_directory(dir)?;
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            if UnixStream::connect(path).await.is_ok() {
                return Err(format!(
                    "another hub is already listening on {shown}; stop it or choose another --listen"
                ));
            }
            std::fs::remove_file(path)
                .map_err(|e| format!("cannot replace the stale socket {shown}: {e}"))?;
        }
        Ok(_) => {
            return Err(format!(
                "{shown} exists and is not a socket; choose another --listen unix:PATH (nothing was changed)"
            ));
        }
        Err(_) => {}
    }
    let listener = UnixListener::bind(path).map_err(|e| format!("cannot listen on {shown}: {e}"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .map_err(|e| format!("cannot make {shown} mode 0660: {e}"))?;
    Ok(Bound::Unix(listener, path.to_owned()))
}

/// Refuses a socket directory another user could change (and so swap the socket, or put a link where
/// it is made): it must belong to this user or root, and others may write to it only if it is sticky
/// (like /tmp, where no one may remove another's file).
fn safe_directory(dir: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let me = Uid::current().as_raw();
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!(
            "{} belongs to another user (uid {}), who could replace the hub's socket; \
             remove it, or choose another --listen unix:PATH",
            dir.display(),
            meta.uid()
        ));
    }
    let mode = meta.permissions().mode();
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(format!(
            "others may write to {} (mode {:o}) and so replace the hub's socket; \
             chmod go-w it, or choose another --listen unix:PATH",
            dir.display(),
            mode & 0o7777
        ));
    }
    Ok(())
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
    crate::server_tls::acceptor(certs, key, &[])
        .map_err(|e| format!("the certificate and key do not make a TLS server: {e}"))
}

/// Accepts boards on `bound` until the task is aborted: at most [`super::gate::PENDING`] at a time before
/// their hello, and over TCP a peer address whose tokens were refused waits longer each time.
pub async fn accept(hub: Arc<Hub>, bound: Bound) {
    let gate = Arc::new(Gate::default());
    match bound {
        Bound::Unix(listener, _) => loop {
            let Some((stream, _)) = accepted(listener.accept().await).await else {
                continue;
            };
            let Some(pending) = gate.enter() else {
                continue;
            };
            let hub = Arc::clone(&hub);
            tokio::spawn(async move {
                let peer = stream.peer_cred().map(|c| unix_peer(c.uid(), c.gid()));
                let policy = Arc::clone(&hub.policy);
                session::serve(hub, stream, "unix", move |_| {
                    drop(pending);
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
            let Some(at) = gate.slot(addr.ip(), Instant::now()) else {
                tracing::info!("hub: {addr} has had too many tokens refused lately; hung up");
                continue;
            };
            let (hub, tls, gate) = (Arc::clone(&hub), tls.clone(), Arc::clone(&gate));
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                let Some(pending) = gate.enter() else {
                    return;
                };
                let stream = match tokio::time::timeout(Duration::from_secs(10), tls.accept(stream)).await {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(e)) => return tracing::info!("hub: TLS handshake with {addr} failed: {e}"),
                    Err(_) => return tracing::info!("hub: TLS handshake with {addr} timed out"),
                };
                let policy = Arc::clone(&hub.policy);
                session::serve(hub, stream, "tcp", move |hello| {
                    drop(pending);
                    let admitted = policy.admit_token(hello.token.as_ref());
                    match &admitted {
                        Ok(_) => gate.admitted(addr.ip()),
                        Err(_) => gate.refused(addr.ip(), Instant::now()),
                    }
                    admitted.map(|rule| rule.view.clone())
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
            tokio::time::sleep(Duration::from_millis(100)).await;
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

    #[tokio::test]
    async fn a_file_that_is_not_a_socket_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "keep me").unwrap();
        let Err(e) = bind(&Listen::Unix(config.clone()), None).await else {
            panic!("bound over a file")
        };
        assert!(e.contains("config.toml exists and is not a socket"), "{e}");
        assert_eq!(std::fs::read_to_string(&config).unwrap(), "keep me");
    }

    #[tokio::test]
    async fn a_stale_socket_is_replaced_and_a_live_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("made").join("hub.sock");
        let live = bind(&Listen::Unix(path.clone()), None).await.unwrap();
        let mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o750, "a directory made for the socket");
        let Err(e) = bind(&Listen::Unix(path.clone()), None).await else {
            panic!("bound over a live hub")
        };
        assert!(e.contains("another hub is already listening"), "{e}");
        drop(live);
        assert!(
            bind(&Listen::Unix(path), None).await.is_ok(),
            "the stale socket is replaced"
        );
    }

    #[tokio::test]
    async fn a_directory_others_may_write_to_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let Err(e) = bind(&Listen::Unix(open.join("hub.sock")), None).await else {
            panic!("bound in a world-writable directory")
        };
        assert!(e.contains("others may write to") && e.contains("mode 777"), "{e}");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(
            bind(&Listen::Unix(open.join("hub.sock")), None).await.is_ok(),
            "sticky, like /tmp"
        );
    }

    #[test]
    fn the_current_user_resolves_to_a_name_and_groups() {
        let peer = unix_peer(Uid::current().as_raw(), Gid::current().as_raw());
        assert!(peer.user.is_some(), "{peer:?}");
        assert!(!peer.groups.is_empty(), "{peer:?}");
    }
}
