//! A TCP listener, plain or TLS, whose connections a handler can cut without answering (the "drop"
//! fault). TLS handshakes run beside the accept loop, so a client that never finishes one holds up no
//! other.
use std::fmt;
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::either::Either;

/// Longest a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection as served: plain TCP, or TLS over it.
pub type SimIo = Either<TcpStream, TlsStream<TcpStream>>;

/// Accepts connections (TLS ones when given an acceptor) and hands each request a [`ConnHandle`] to its
/// own connection.
pub struct SimListener {
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
    handshakes: JoinSet<Option<(SimIo, ConnHandle)>>,
}

impl SimListener {
    /// Serves `tcp`, over TLS when `tls` is given.
    pub fn new(tcp: TcpListener, tls: Option<TlsAcceptor>) -> Self {
        SimListener {
            tcp,
            tls,
            handshakes: JoinSet::new(),
        }
    }
}

/// A second handle on a connection's socket, available to handlers as `ConnectInfo`.
#[derive(Clone, Default)]
pub struct ConnHandle {
    socket: Option<Arc<std::net::TcpStream>>,
}

impl fmt::Debug for ConnHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnHandle").finish_non_exhaustive()
    }
}

impl ConnHandle {
    /// Closes the connection in both directions; the client sees it end with no response.
    pub fn kill(&self) {
        if let Some(socket) = &self.socket {
            // The peer may already be gone; nothing to do about it then.
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    fn of(stream: &TcpStream) -> Self {
        Self {
            socket: duplicate(stream).ok().map(Arc::new),
        }
    }
}

#[cfg(unix)]
fn duplicate(stream: &TcpStream) -> std::io::Result<std::net::TcpStream> {
    use std::os::fd::AsFd;
    Ok(std::net::TcpStream::from(stream.as_fd().try_clone_to_owned()?))
}

#[cfg(windows)]
fn duplicate(stream: &TcpStream) -> std::io::Result<std::net::TcpStream> {
    use std::os::windows::io::AsSocket;
    Ok(std::net::TcpStream::from(
        stream.as_socket().try_clone_to_owned()?,
    ))
}

impl Listener for SimListener {
    type Io = SimIo;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (SimIo, ConnHandle) {
        loop {
            tokio::select! {
                accepted = self.tcp.accept() => match (accepted, &self.tls) {
                    (Ok((stream, _)), None) => {
                        let handle = ConnHandle::of(&stream);
                        return (Either::Left(stream), handle);
                    }
                    (Ok((stream, _)), Some(tls)) => {
                        let handshake = tls.accept(stream);
                        self.handshakes.spawn(async move {
                            let stream = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await;
                            // A failed handshake is the client's to report; the simulator drops it.
                            let stream = stream.ok()?.ok()?;
                            let handle = ConnHandle::of(stream.get_ref().0);
                            Some((Either::Right(stream), handle))
                        });
                    }
                    // Out of file descriptors and the like: back off instead of spinning.
                    (Err(_), _) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
                // Disabled only while no handshake runs; a new one ends this select through `accept`.
                Some(joined) = self.handshakes.join_next() => {
                    if let Ok(Some(done)) = joined {
                        return done;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<ConnHandle> {
        self.tcp.local_addr().map(|_| ConnHandle::default())
    }
}

impl Connected<IncomingStream<'_, SimListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, SimListener>) -> Self {
        stream.remote_addr().clone()
    }
}
