//! The push client's pieces, each speaking one part of RingCentral's WebSocket gateway: the WebSocket
//! token ([`token`]), the connection and its heartbeat ([`connection`]), the one subscription
//! ([`subscription`]), session recovery ([`recovery`]) and which events to apply ([`events`]). The
//! reconnect policy that drives them is the live source's ([`crate::push`]).
pub mod connection;
pub mod events;
pub mod recovery;
pub mod subscription;
pub mod token;

use super::error::ApiError;

/// Why push is not working right now. No variant's text holds a token or the gateway address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The wstoken request failed.
    #[error("{0}")]
    Api(ApiError),
    /// Push cannot work until something changes (an app permission, the user, the scope).
    #[error("push unavailable: {0}")]
    Refused(String),
    /// The gateway refused the WebSocket token itself; a new one may do.
    #[error("{0}")]
    TokenRefused(String),
    /// The socket failed to open, dropped or went silent.
    #[error("{0}")]
    Closed(String),
    /// The gateway reported an error (`WSG-902` idle, `WSG-903` absolute timeout, …).
    #[error("{0}")]
    Gateway(String),
    /// The gateway sent something this client cannot use.
    #[error("the WebSocket gateway sent something unexpected: {0}")]
    Protocol(String),
}
