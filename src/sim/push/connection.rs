//! One gateway connection: `ConnectionDetails` first (with the recovery outcome and the missed events of
//! a recovered session), then client requests (the subscription), heartbeats and events as the clock
//! passes them, until the client leaves, a timeout (WSG-902 idle, WSG-903 absolute), a drop fault, another
//! connection taking the session over, or the simulator stopping.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde::Serialize;
use serde_json::Value;

use super::events::{self, Outgoing};
use super::sessions::Attached;
use super::subscription;
use super::tokens::TokenOwner;
use crate::api::wsg::{ConnectionDetails, Frame, MessageType, Meta, RecoveryState, Wsc, WsgError};
use crate::sim::errors::ApiError;
use crate::sim::rate_limit::{RateGroup, RateVerdict};
use crate::sim::request_log::{LoggedRequest, redact};
use crate::sim::state::SimState;

/// How often (simulated time) due events are looked for.
const TICK: Duration = Duration::from_millis(100);

/// Waits until the simulator stops (or is gone).
async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// The socket is gone or must be let go; nothing more to send.
struct Gone;

/// A connection let in: whose it is and the session it joined.
pub struct Admitted {
    /// The WebSocket access token it used (free again once the socket closes).
    pub access_token: String,
    pub owner: TokenOwner,
    /// The session's `wsc` token.
    pub wsc: String,
    pub conn: u64,
    pub attached: Attached,
}

/// Serves one admitted connection until it ends, then frees its token and leaves its session
/// recoverable.
pub async fn run(st: Arc<SimState>, socket: WebSocket, admitted: Admitted) {
    let now = st.clock.now();
    let mut conn = Conn {
        st: Arc::clone(&st),
        socket,
        a: admitted,
        sent: 0,
        opened: now,
        heard: now,
    };
    // However it ended, the socket is closed below (dropped, for a drop fault).
    let _ = conn.serve().await;
    let gateway = &st.gateway;
    gateway.tokens().close(&conn.a.access_token);
    gateway
        .sessions()
        .detach(&conn.a.wsc, conn.a.conn, st.clock.wall());
}

struct Conn {
    st: Arc<SimState>,
    socket: WebSocket,
    a: Admitted,
    /// Messages sent on this connection: `wsc.sequence`.
    sent: u64,
    opened: Instant,
    /// When the client last sent a message.
    heard: Instant,
}

impl Conn {
    async fn serve(&mut self) -> Result<(), Gone> {
        self.connection_details().await?;
        if self.a.attached == Attached::Recovered {
            let buffer = self.st.scenario.push.recovery_buffer_size as usize;
            self.pump(Some(buffer)).await?;
        }
        let st = Arc::clone(&self.st);
        let push = &st.scenario.push;
        let idle = Duration::from_secs(push.idle_timeout_secs);
        let absolute = Duration::from_secs(push.absolute_timeout_secs);
        let gateway = &st.gateway;
        let mut drops = gateway.faults.drops();
        drops.mark_unchanged();
        let mut stopping = st.stopping.clone();
        let clock = st.clock.clone();
        loop {
            let now = clock.now();
            if now >= self.heard + idle {
                return self.fail("WSG-902", "Idle timeout expired").await;
            }
            if now >= self.opened + absolute {
                return self.fail("WSG-903", "Absolute timeout expired").await;
            }
            let drop_at = gateway.faults.drop_after().map(|d| self.opened + d);
            if drop_at.is_some_and(|at| now >= at) {
                return Err(Gone);
            }
            self.pump(None).await?;
            let deadline = [now + TICK, self.heard + idle, self.opened + absolute]
                .into_iter()
                .chain(drop_at)
                .min()
                .unwrap_or(now + TICK);
            tokio::select! {
                msg = self.socket.recv() => match msg {
                    Some(Ok(Message::Text(text))) => {
                        self.heard = clock.now();
                        // Events already due go first: a reply never overtakes them.
                        self.pump(None).await?;
                        self.on_text(text.as_str()).await?;
                    }
                    // Ping frames are not traffic to the gateway (a client must send Heartbeats).
                    Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return Err(Gone),
                },
                () = clock.sleep_until(deadline) => {}
                _ = drops.changed() => return Err(Gone),
                () = stopped(&mut stopping) => {
                    let close = CloseFrame { code: 1001, reason: "simulator stopping".into() };
                    let _ = self.socket.send(Message::Close(Some(close))).await;
                    return Err(Gone);
                }
            }
        }
    }

    /// The first message: the session's `wsc`, the gateway's limits and the recovery outcome.
    async fn connection_details(&mut self) -> Result<(), Gone> {
        let push = &self.st.scenario.push;
        let (recovery_state, recovery_error_code) = match self.a.attached {
            Attached::Fresh => (None, None),
            Attached::Recovered => (Some(RecoveryState::Successful), None),
            Attached::Failed(code) => (Some(RecoveryState::Failed), Some(code.to_owned())),
        };
        let details = ConnectionDetails {
            creation_time: Some(self.st.clock.wall()),
            max_connections_per_session: Some(50),
            recovery_buffer_size: Some(push.recovery_buffer_size),
            recovery_timeout: Some(push.recovery_timeout_secs),
            idle_timeout: Some(push.idle_timeout_secs),
            absolute_timeout: Some(push.absolute_timeout_secs),
            max_active_requests: Some(10),
            recovery_state,
            recovery_error_code,
        };
        let id = self.st.gateway.new_id();
        let meta = Meta {
            status: Some(200),
            headers: Some(BTreeMap::from([("RCRequestId".to_owned(), id.clone())])),
            ..Meta::new(MessageType::ConnectionDetails, id)
        };
        self.send(meta, Some(&details), true).await
    }

    /// Sends the events due since the last look (at most the `limit` most recent ones).
    async fn pump(&mut self, limit: Option<usize>) -> Result<(), Gone> {
        let st = Arc::clone(&self.st);
        let gateway = &st.gateway;
        let now = st.clock.wall();
        let to = now.as_millisecond().saturating_sub(gateway.faults.delay_ms());
        let (sub, from, mut held) = {
            let mut sessions = gateway.sessions();
            let session = sessions.current(&self.a.wsc, self.a.conn).ok_or(Gone)?;
            let from = session.cursor_ms;
            session.cursor_ms = session.cursor_ms.max(to);
            match session.subscription.clone() {
                Some(sub) if to > from => (sub, from, session.held.take()),
                _ => return Ok(()),
            }
        };
        let due = events::between(
            (&st.generator, &st.dir),
            &sub,
            self.a.owner.extension,
            from,
            to,
            now,
        );
        let mut out = gateway.faults.apply(due, Outgoing::is_disconnected, &mut held);
        if let Some(session) = gateway.sessions().current(&self.a.wsc, self.a.conn) {
            session.held = held;
        }
        if let Some(limit) = limit {
            out.drain(..out.len().saturating_sub(limit));
        }
        for event in out {
            let n = event.notification;
            let meta = Meta {
                status: Some(200),
                headers: Some(BTreeMap::from([("RCRequestId".to_owned(), gateway.new_id())])),
                ..Meta::new(MessageType::ServerNotification, n.uuid.clone())
            };
            self.send(meta, Some(&n), true).await?;
            if let Some(bench) = &st.bench_log {
                bench.sent(&n.body, st.clock.wall());
            }
        }
        Ok(())
    }

    async fn on_text(&mut self, text: &str) -> Result<(), Gone> {
        let frame = match Frame::parse(text) {
            Ok(frame) => frame,
            Err(e) => return self.error("WSG-400", &e.to_string()).await,
        };
        let id = frame
            .meta
            .message_id
            .clone()
            .unwrap_or_else(|| self.st.gateway.new_id());
        match frame.meta.kind {
            MessageType::Heartbeat => {
                let meta = Meta::new(MessageType::Heartbeat, id);
                self.send::<()>(meta, None, false).await
            }
            MessageType::ClientRequest => self.client_request(&frame, id).await,
            _ => Ok(()),
        }
    }

    /// A REST request over the socket: the subscription (create, or delete); anything else is 404.
    async fn client_request(&mut self, frame: &Frame, id: String) -> Result<(), Gone> {
        let st = Arc::clone(&self.st);
        let method = frame
            .meta
            .method
            .as_deref()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let path = frame.meta.path.as_deref().unwrap_or_default();
        let bare = path.split('?').next().unwrap_or_default().trim_end_matches('/');
        let owner = self.a.owner.extension;
        let sub_path = "/restapi/v1.0/subscription";
        let known = bare == sub_path || bare.starts_with("/restapi/v1.0/subscription/");
        let verdict = known.then(|| st.rate(&owner.to_string(), RateGroup::Medium));
        let result = match (method.as_str(), verdict) {
            (_, None) => Err(ApiError::invalid_uri()),
            (_, Some(v)) if v.throttled.is_some() => {
                Err(ApiError::rate_exceeded(v.throttled.unwrap_or_default()))
            }
            ("POST", Some(_)) if bare == sub_path => self.subscribe(frame),
            ("DELETE", Some(_)) => self.unsubscribe(bare.rsplit('/').next().unwrap_or_default()),
            _ => Err(ApiError::invalid_uri()),
        };
        let (status, body, retry_after) = match result {
            Ok((status, body)) => (status, body, None),
            Err(e) => (e.status.as_u16(), Some(e.body), e.retry_after),
        };
        st.log_request(LoggedRequest {
            at: st.clock.wall(),
            method,
            path: redact(path),
            user: Some(owner),
            session: Some(self.a.owner.oauth_session.clone()),
            group: verdict.map(|v| v.group),
            status: Some(status),
            accept_encoding: None,
        });
        let meta = Meta {
            status: Some(status),
            headers: Some(self.reply_headers(verdict, retry_after)),
            ..Meta::new(MessageType::ClientRequest, id)
        };
        self.send(meta, body.as_ref(), false).await
    }

    fn subscribe(&mut self, frame: &Frame) -> Result<(u16, Option<Value>), ApiError> {
        let st = &self.st;
        let owner = st
            .dir
            .by_id(self.a.owner.extension)
            .ok_or_else(|| ApiError::token_invalid("OAU-213", "Token not found"))?;
        let id = st.gateway.new_id();
        let (sub, info) = subscription::create(
            (&st.scenario.app, &st.dir),
            owner,
            id,
            frame.body.as_deref(),
            st.clock.wall(),
        )?;
        if let Some(session) = st.gateway.sessions().current(&self.a.wsc, self.a.conn) {
            // One subscription per connection: a second replaces the first.
            session.subscription = Some(sub);
        }
        Ok((200, serde_json::to_value(info).ok()))
    }

    fn unsubscribe(&mut self, id: &str) -> Result<(u16, Option<Value>), ApiError> {
        let mut sessions = self.st.gateway.sessions();
        let session = sessions.current(&self.a.wsc, self.a.conn);
        match session {
            Some(s) if s.subscription.as_ref().is_some_and(|sub| sub.id == id) => {
                s.subscription = None;
                Ok((204, None))
            }
            _ => Err(ApiError::not_found_parameter("subscriptionId")),
        }
    }

    fn reply_headers(
        &self,
        verdict: Option<RateVerdict>,
        retry_after: Option<u64>,
    ) -> BTreeMap<String, String> {
        let mut headers = BTreeMap::from([
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("RCRequestId".to_owned(), self.st.gateway.new_id()),
            ("RoutingKey".to_owned(), "SIM01P01".to_owned()),
            ("Server".to_owned(), "nginx".to_owned()),
        ]);
        if let Some(v) = verdict {
            headers.insert("X-Rate-Limit-Group".to_owned(), v.group.as_str().to_owned());
            headers.insert("X-Rate-Limit-Limit".to_owned(), v.limit.to_string());
            headers.insert("X-Rate-Limit-Remaining".to_owned(), v.remaining.to_string());
            headers.insert("X-Rate-Limit-Window".to_owned(), v.window_secs.to_string());
        }
        if let Some(secs) = retry_after {
            headers.insert("Retry-After".to_owned(), secs.to_string());
        }
        headers
    }

    /// An `Error` message; the connection stays open.
    async fn error(&mut self, code: &str, message: &str) -> Result<(), Gone> {
        let meta = Meta::new(MessageType::Error, self.st.gateway.new_id());
        let body = WsgError {
            error_code: code.to_owned(),
            message: message.to_owned(),
        };
        self.send(meta, Some(&body), false).await
    }

    /// An `Error` message, then the close.
    async fn fail(&mut self, code: &str, message: &str) -> Result<(), Gone> {
        self.error(code, message).await?;
        let close = CloseFrame {
            code: 1000,
            reason: code.into(),
        };
        let _ = self.socket.send(Message::Close(Some(close))).await;
        Err(Gone)
    }

    /// Sends one message (`with_wsc`: carrying the session's `wsc`, with this message's sequence).
    async fn send<B: Serialize>(
        &mut self,
        mut meta: Meta,
        body: Option<&B>,
        with_wsc: bool,
    ) -> Result<(), Gone> {
        self.sent += 1;
        if with_wsc {
            meta.wsc = Some(Wsc {
                token: self.a.wsc.clone(),
                sequence: self.sent,
            });
        }
        let text = Frame::new(meta, body).to_text();
        self.socket
            .send(Message::Text(text.into()))
            .await
            .map_err(|_| Gone)
    }
}
