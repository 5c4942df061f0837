//! A TCP listener whose connections a handler can cut without answering (the "drop" fault).
use std::fmt;
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections and hands each request a [`ConnHandle`] to its own connection.
pub struct SimListener(pub TcpListener);

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
    type Io = TcpStream;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (TcpStream, ConnHandle) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    let handle = ConnHandle::of(&stream);
                    return (stream, handle);
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<ConnHandle> {
        self.0.local_addr().map(|_| ConnHandle::default())
    }
}

impl Connected<IncomingStream<'_, SimListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, SimListener>) -> Self {
        stream.remote_addr().clone()
    }
}
