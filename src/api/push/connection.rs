//! One connection to the WebSocket gateway: connect to the token's `uri` with `?access_token=` (and
//! `&wsc=` to recover a session), wait for `ConnectionDetails` before sending anything, then send and
//! receive [`Frame`]s. The socket goes through the REST client's proxy and resolver ([`tunnel::connect`]),
//! then TLS and the WebSocket handshake run inside it. `wss://` is verified as the REST client's connections
//! are (the same trusted CAs); `ws://` is for the simulator. The URL carries the token, so it never reaches
//! a log or an error.
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use url::Url;

use super::super::error::ApiError;
use super::super::settings::Network;
use super::super::tls::untrusted_issuer;
use super::super::tunnel;
use super::super::wsg::{ConnectionDetails, Frame, MessageType, Meta, WsToken, WsgError};
use super::PushError;
use crate::text::clean_server_text;

/// Longest wait for the socket to open and `ConnectionDetails` to arrive.
const OPEN_TIMEOUT: Duration = Duration::from_secs(15);
/// Largest message accepted.
const MAX_MESSAGE: usize = 4 * 1024 * 1024;

/// An open gateway connection.
pub struct Connection {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    ids: u64,
    prefix: String,
}

/// A connection that said hello: its details and the meta they came in (with the session's `wsc`).
pub struct Opened {
    pub connection: Connection,
    pub details: ConnectionDetails,
    pub meta: Meta,
}

/// Connects over `net` with `token` (recovering the session of `wsc` when given), over `tls` for `wss://`,
/// and waits for `ConnectionDetails`.
pub async fn open(
    net: &Network,
    token: &WsToken,
    wsc: Option<&str>,
    tls: Arc<rustls::ClientConfig>,
) -> Result<Opened, PushError> {
    let secrets = [token.ws_access_token.as_str(), wsc.unwrap_or_default()];
    let opening = async {
        let url = address(token, wsc)?;
        let connector = (url.scheme() == "wss").then_some(Connector::Rustls(tls));
        let config = tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let stream = tunnel::connect(net, &url).await.map_err(|e| match e {
            ApiError::Network(detail) => {
                PushError::Closed(format!("the WebSocket connection failed: {detail}"))
            }
            ApiError::Timeout => PushError::Closed("the WebSocket gateway did not answer in time".into()),
            other => PushError::Api(other),
        })?;
        let (ws, _) =
            tokio_tungstenite::client_async_tls_with_config(url.as_str(), stream, Some(config), connector)
                .await
                .map_err(|e| socket_error(&e, &secrets))?;
        let mut connection = Connection {
            ws,
            ids: 0,
            prefix: format!("{:08x}", rand::random::<u32>()),
        };
        let first = connection.next().await?;
        match first.meta.kind {
            MessageType::ConnectionDetails => {
                let details = first
                    .body_as::<ConnectionDetails>()
                    .and_then(Result::ok)
                    .ok_or_else(|| {
                        PushError::Protocol("ConnectionDetails without readable details".into())
                    })?;
                Ok(Opened {
                    connection,
                    details,
                    meta: first.meta,
                })
            }
            MessageType::Error => Err(gateway_error(&first)),
            _ => Err(PushError::Protocol(
                "the gateway sent something before ConnectionDetails".into(),
            )),
        }
    };
    tokio::time::timeout(OPEN_TIMEOUT, opening)
        .await
        .unwrap_or_else(|_| {
            Err(PushError::Closed(
                "the WebSocket gateway did not say hello in time".into(),
            ))
        })
}

impl Connection {
    /// A message id unique on this connection.
    pub fn message_id(&mut self) -> String {
        self.ids += 1;
        format!("callboard-{}-{}", self.prefix, self.ids)
    }

    /// Sends one message.
    pub async fn send(&mut self, frame: &Frame) -> Result<(), PushError> {
        self.ws
            .send(Message::text(frame.to_text()))
            .await
            .map_err(|e| socket_error(&e, &[]))
    }

    /// Sends an app-level `Heartbeat` (RingCentral does not count ping frames as traffic).
    pub async fn heartbeat(&mut self) -> Result<(), PushError> {
        let meta = Meta::new(MessageType::Heartbeat, self.message_id());
        self.send(&Frame::new::<()>(meta, None)).await
    }

    /// The next readable message; unreadable ones are logged and skipped. Ends with the connection.
    pub async fn next(&mut self) -> Result<Frame, PushError> {
        loop {
            let message = match self.ws.next().await {
                None => {
                    return Err(PushError::Closed(
                        "the WebSocket gateway closed the connection".into(),
                    ));
                }
                Some(message) => message.map_err(|e| socket_error(&e, &[]))?,
            };
            match message {
                Message::Text(text) => match Frame::parse(&text) {
                    Ok(frame) => return Ok(frame),
                    Err(e) => tracing::warn!("skipped a WebSocket message: {e}"),
                },
                Message::Close(close) => {
                    let why = close
                        .map(|c| format!(" (code {})", u16::from(c.code)))
                        .unwrap_or_default();
                    return Err(PushError::Closed(format!(
                        "the WebSocket gateway closed the connection{why}"
                    )));
                }
                Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// Closes the connection politely (errors ignored: it is being dropped anyway).
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// The error an `Error` message reports.
pub fn gateway_error(frame: &Frame) -> PushError {
    match frame.body_as::<WsgError>().and_then(Result::ok) {
        Some(e) if e.error_code == "WSG-401" => PushError::TokenRefused(format!(
            "the WebSocket gateway refused the token ({})",
            clean_server_text(&e.message, &[])
        )),
        Some(e) => PushError::Gateway(format!(
            "the WebSocket gateway reported {}: {}",
            clean_server_text(&e.error_code, &[]),
            clean_server_text(&e.message, &[])
        )),
        None => PushError::Gateway("the WebSocket gateway reported an unreadable error".into()),
    }
}

/// `uri?access_token=…[&wsc=…]`.
fn address(token: &WsToken, wsc: Option<&str>) -> Result<Url, PushError> {
    let mut url = Url::parse(&token.uri)
        .map_err(|_| PushError::Protocol("the wstoken's gateway uri is not a URL".into()))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(PushError::Protocol(
            "the wstoken's gateway uri is not ws:// or wss://".into(),
        ));
    }
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("access_token", &token.ws_access_token);
        if let Some(wsc) = wsc {
            query.append_pair("wsc", wsc);
        }
    }
    Ok(url)
}

/// A socket failure in words, without the address (it carries the token) or any of `secrets`.
fn socket_error(e: &tungstenite::Error, secrets: &[&str]) -> PushError {
    use tungstenite::Error;
    match e {
        Error::Http(response) if matches!(response.status().as_u16(), 401 | 403) => {
            PushError::TokenRefused(format!(
                "the WebSocket gateway refused the token (HTTP {})",
                response.status().as_u16()
            ))
        }
        Error::Http(response) => PushError::Closed(format!(
            "the WebSocket gateway answered HTTP {} instead of opening a WebSocket",
            response.status().as_u16()
        )),
        Error::Url(_) => PushError::Protocol("the WebSocket gateway's address is unusable".into()),
        other if let Some(untrusted) = untrusted_issuer(other) => {
            PushError::Closed(format!("the WebSocket connection failed: {untrusted}"))
        }
        other => {
            let secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
            PushError::Closed(format!(
                "the WebSocket connection failed: {}",
                clean_server_text(&other.to_string(), &secrets)
            ))
        }
    }
}

/// When to send an app-level heartbeat, and when silence means the socket is dead: a heartbeat after
/// [`Heartbeat::AFTER`] with nothing received (as `@rc-ex/ws`), or after a quarter of the idle timeout
/// with nothing sent; dead when nothing arrives within [`Heartbeat::REPLY`] of a heartbeat.
pub struct Heartbeat {
    received: Instant,
    sent: Instant,
    awaiting: Option<Instant>,
    send_every: Duration,
}

/// What the heartbeat policy wants now.
#[derive(Debug, PartialEq, Eq)]
pub enum Beat {
    Wait,
    Send,
    Dead,
}

impl Heartbeat {
    /// Silence (nothing received) after which a heartbeat goes out.
    pub const AFTER: Duration = Duration::from_secs(60);
    /// How long a heartbeat may go unanswered.
    pub const REPLY: Duration = Duration::from_secs(20);

    /// The policy of a connection opened at `now` whose gateway closes idle sockets after `idle_timeout`.
    pub fn new(now: Instant, idle_timeout: Option<Duration>) -> Self {
        // The gateway's figure is untrusted: a huge one must not overflow the clock (an hour is plenty).
        let idle = idle_timeout
            .unwrap_or(Duration::from_secs(1800))
            .min(Duration::from_secs(3600));
        Heartbeat {
            received: now,
            sent: now,
            awaiting: None,
            send_every: (idle / 4).max(Duration::from_secs(1)),
        }
    }

    /// Something arrived at `now`.
    pub fn received(&mut self, now: Instant) {
        self.received = now;
        self.awaiting = None;
    }

    /// Something was sent at `now` (a heartbeat when `heartbeat`).
    pub fn sent(&mut self, now: Instant, heartbeat: bool) {
        self.sent = now;
        if heartbeat {
            self.awaiting.get_or_insert(now);
        }
    }

    /// When [`Heartbeat::check`] next has something to do.
    pub fn deadline(&self) -> Instant {
        match self.awaiting {
            Some(at) => at + Self::REPLY,
            None => (self.received + Self::AFTER).min(self.sent + self.send_every),
        }
    }

    /// What to do at `now`.
    pub fn check(&self, now: Instant) -> Beat {
        match self.awaiting {
            Some(at) if now >= at + Self::REPLY => Beat::Dead,
            Some(_) => Beat::Wait,
            None if now >= self.deadline() => Beat::Send,
            None => Beat::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn the_address_carries_the_token_and_the_wsc() {
        let token = WsToken {
            ws_access_token: "a b+c".into(),
            uri: "wss://ws.example/ws".into(),
            expires_in: 30,
        };
        let url = address(&token, Some("W1")).unwrap();
        assert_eq!(url.as_str(), "wss://ws.example/ws?access_token=a+b%2Bc&wsc=W1");
        let bad = WsToken {
            uri: "https://x".into(),
            ..token
        };
        assert!(matches!(address(&bad, None), Err(PushError::Protocol(m)) if !m.contains("a b")));
    }

    #[test]
    fn a_heartbeat_goes_after_a_minute_of_silence_and_an_unanswered_one_is_death() {
        let t0 = Instant::now();
        let mut beat = Heartbeat::new(t0, Some(S(1800)));
        assert_eq!(beat.check(t0 + S(59)), Beat::Wait);
        assert_eq!(beat.deadline(), t0 + S(60));
        assert_eq!(beat.check(t0 + S(60)), Beat::Send);
        beat.sent(t0 + S(60), true);
        assert_eq!(beat.check(t0 + S(79)), Beat::Wait);
        beat.received(t0 + S(61));
        assert_eq!(beat.deadline(), t0 + S(121));
        beat.sent(t0 + S(121), true);
        assert_eq!(beat.check(t0 + S(141)), Beat::Dead);
    }

    #[test]
    fn a_busy_socket_still_sends_within_the_idle_timeout() {
        let t0 = Instant::now();
        let mut beat = Heartbeat::new(t0, Some(S(120)));
        beat.received(t0 + S(29));
        assert_eq!(
            beat.deadline(),
            t0 + S(30),
            "a quarter of the idle timeout with nothing sent"
        );
    }

    #[test]
    fn a_hostile_idle_timeout_does_not_overflow_the_clock() {
        let t0 = Instant::now();
        let beat = Heartbeat::new(t0, Some(Duration::MAX));
        assert!(
            beat.deadline() <= t0 + S(60),
            "silence still gets a heartbeat within the minute"
        );
        let _ = beat.check(t0 + S(86_400));
    }
}
