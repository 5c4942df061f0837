//! The push task's loop: get a WebSocket token (cached, and never past the Auth budget), connect
//! (recovering the last session with `wsc` while it can), subscribe for the scope unless the session was
//! recovered, then pass events on until the socket drops, goes silent or the gateway ends it; then back off
//! with jitter and go again. A refusal (a missing app permission, a refused filter) stops it until the
//! scope changes or the user asks to retry.
use std::time::Duration;

use rand::{Rng, SeedableRng, rngs::SmallRng};
use tokio::sync::mpsc;

use super::{PushCommand, PushEvent};
use crate::api::Scope;
use crate::api::client::RcClient;
use crate::api::error::ApiError;
use crate::api::push::PushError;
use crate::api::push::connection::{self, Beat, Connection, Heartbeat};
use crate::api::push::events::EventGate;
use crate::api::push::recovery::Recovery;
use crate::api::push::subscription;
use crate::api::push::token::TokenCache;
use crate::api::rate_limit::AUTH;
use crate::api::wsg::{Frame, MessageType, Notification, RecoveryState, SessionEvent, WsToken};
use crate::clock::Clock;
use crate::feed::PushHealth;

/// First reconnect delay after a failure.
const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// Longest reconnect delay.
const BACKOFF_CAP: Duration = Duration::from_secs(120);
/// Reconnect delay after the gateway ended a healthy connection (idle or absolute timeout).
const AFTER_GATEWAY_END: Duration = Duration::from_secs(1);
/// A connection live this long resets the backoff.
const STABLE: Duration = Duration::from_secs(60);
/// Auth requests always left for logins and token refreshes: a wstoken request never takes these.
const AUTH_RESERVE: u32 = 2;
/// Longest wait for the subscription's reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(15);

/// How a connection ended.
enum End {
    /// The live source is gone.
    Quit,
    /// Push cannot work; the reason says what to change.
    Refused(String),
    /// Worth another try after `at_least`.
    Failed { error: PushError, at_least: Duration },
}

impl From<PushError> for End {
    fn from(error: PushError) -> Self {
        match error {
            PushError::Refused(reason) => End::Refused(reason),
            PushError::Api(ApiError::RateLimited { retry_after, .. }) => End::Failed {
                at_least: retry_after,
                error,
            },
            error => End::Failed {
                error,
                at_least: Duration::ZERO,
            },
        }
    }
}

pub(super) struct Driver {
    client: RcClient,
    clock: Clock,
    scope: Scope,
    events: mpsc::Sender<PushEvent>,
    tokens: TokenCache,
    recovery: Recovery,
    gate: EventGate,
    /// The current subscription's id and scope.
    subscription: Option<(String, Scope)>,
    failures: u32,
    rng: SmallRng,
}

impl Driver {
    pub(super) fn new(client: RcClient, scope: Scope, events: mpsc::Sender<PushEvent>) -> Self {
        let clock = client.clock().clone();
        Driver {
            client,
            clock,
            scope,
            events,
            tokens: TokenCache::default(),
            recovery: Recovery::default(),
            gate: EventGate::default(),
            subscription: None,
            failures: 0,
            rng: SmallRng::seed_from_u64(jiff::Timestamp::now().as_nanosecond() as u64),
        }
    }

    pub(super) async fn run(mut self, mut commands: mpsc::Receiver<PushCommand>) {
        // `None`: refused, waiting for a scope change or a retry.
        let mut next_try = Some(self.clock.now());
        loop {
            let clock = self.clock.clone();
            let wait = async move { clock.sleep_until_some(next_try).await };
            tokio::select! {
                command = commands.recv() => match command {
                    None => return,
                    Some(PushCommand::SetScope(scope)) => {
                        self.scope = scope;
                        next_try = Some(next_try.unwrap_or_else(|| self.clock.now()));
                        continue;
                    }
                    Some(PushCommand::Retry) if next_try.is_none() => {}
                    Some(PushCommand::Retry) => continue,
                },
                () = wait => {}
            }
            if !self.report(PushHealth::Connecting).await {
                return;
            }
            next_try = match self.connection(&mut commands).await {
                End::Quit => return,
                End::Refused(reason) => {
                    tracing::warn!("push unavailable: {reason}");
                    self.recovery.forget();
                    self.subscription = None;
                    if !self.report(PushHealth::Unavailable { reason }).await {
                        return;
                    }
                    None
                }
                End::Failed { error, at_least } => {
                    let now = self.clock.now();
                    self.recovery.dropped(now);
                    let retry_at = now + self.backoff().max(at_least);
                    tracing::info!("push connection lost: {error}");
                    let health = PushHealth::Reconnecting {
                        reason: error.to_string(),
                        retry_at: Some(self.clock.wall_at(retry_at)),
                    };
                    if !self.report(health).await {
                        return;
                    }
                    Some(retry_at)
                }
            };
        }
    }

    /// One connection, from its token to its end.
    async fn connection(&mut self, commands: &mut mpsc::Receiver<PushCommand>) -> End {
        let token = match self.token().await {
            Ok(token) => token,
            Err(e) => return e.into(),
        };
        let wsc = self.recovery.token(self.clock.now()).map(str::to_owned);
        let opened = match connection::open(
            self.client.network(),
            &token,
            wsc.as_deref(),
            self.client.websocket_tls(),
        )
        .await
        {
            Ok(opened) => opened,
            Err(e) => {
                match e {
                    PushError::TokenRefused(_) => self.tokens.clear(),
                    // A malformed or unknown wsc (WSG-400): the next attempt starts afresh.
                    PushError::Gateway(_) if wsc.is_some() => self.recovery.forget(),
                    _ => {}
                }
                return e.into();
            }
        };
        let mut conn = opened.connection;
        self.recovery.observe(&opened.meta);
        self.recovery.connected(&opened.details);
        let idle = opened.details.idle_timeout.map(Duration::from_secs);
        let mut beat = Heartbeat::new(self.clock.now(), idle);
        let recovered = wsc.is_some()
            && opened.details.recovery_state == Some(RecoveryState::Successful)
            && self
                .subscription
                .as_ref()
                .is_some_and(|(_, scope)| *scope == self.scope);
        if wsc.is_some() && !recovered {
            tracing::info!(
                code = opened.details.recovery_error_code.as_deref(),
                "push session not recovered; subscribing again"
            );
        }
        if !recovered {
            if let Err(e) = self.subscribe(&mut conn, &mut beat).await {
                conn.close().await;
                return e;
            }
            if !self.send(PushEvent::Resync).await {
                return End::Quit;
            }
        }
        let since = self.clock.now();
        let live = PushHealth::Live {
            since: self.clock.wall_at(since),
            last_event: None,
        };
        if !self.report(live).await {
            return End::Quit;
        }
        let end = self.receive(&mut conn, &mut beat, commands).await;
        if self.clock.now().saturating_duration_since(since) >= STABLE {
            self.failures = 0;
        }
        conn.close().await;
        end
    }

    /// A WebSocket token: the cached one while fresh, else a new one if the Auth budget keeps its reserve.
    async fn token(&mut self) -> Result<WsToken, PushError> {
        let now = self.clock.now();
        if let Some(token) = self.tokens.fresh(now) {
            return Ok(token.clone());
        }
        let headroom = self.client.rate_headroom(AUTH);
        if headroom.is_some_and(|h| h.remaining <= AUTH_RESERVE) {
            return Err(PushError::Api(ApiError::RateLimited {
                group: AUTH.to_owned(),
                retry_after: self.client.wait_before(AUTH),
                sent: false,
            }));
        }
        match self.client.ws_token().await {
            Ok(token) => {
                self.tokens.store(token.clone(), self.clock.now());
                Ok(token)
            }
            Err(ApiError::Permission { .. }) => Err(PushError::Refused(subscription::lacks(
                "WebSocket Subscriptions",
                "add it to the app in the RingCentral Developer Console",
            ))),
            Err(ApiError::NotFound) => Err(PushError::Refused(
                "this server has no WebSocket gateway (POST /restapi/oauth/wstoken answered 404)".into(),
            )),
            Err(e) => Err(PushError::Api(e)),
        }
    }

    /// Subscribes `conn` to the scope's events, passing on nothing that arrives meanwhile.
    async fn subscribe(&mut self, conn: &mut Connection, beat: &mut Heartbeat) -> Result<(), End> {
        self.subscription = None;
        let scope = self.scope.clone();
        let id = conn.message_id();
        conn.send(&subscription::request(&scope, &id)).await?;
        beat.sent(self.clock.now(), false);
        let reply = async {
            loop {
                let frame = conn.next().await?;
                self.recovery.observe(&frame.meta);
                if frame.meta.message_id.as_deref() == Some(id.as_str())
                    && matches!(frame.meta.kind, MessageType::ClientRequest | MessageType::Error)
                {
                    return subscription::reply(&frame, &scope);
                }
            }
        };
        let info = tokio::time::timeout(REPLY_TIMEOUT, reply)
            .await
            .unwrap_or_else(|_| {
                Err(PushError::Closed(
                    "the subscription request went unanswered".into(),
                ))
            })?;
        beat.received(self.clock.now());
        tracing::info!(%scope, "push subscribed");
        self.subscription = Some((info.id, scope));
        Ok(())
    }

    /// Passes events on until the connection ends.
    async fn receive(
        &mut self,
        conn: &mut Connection,
        beat: &mut Heartbeat,
        commands: &mut mpsc::Receiver<PushCommand>,
    ) -> End {
        loop {
            let clock = self.clock.clone();
            let deadline = beat.deadline();
            tokio::select! {
                frame = conn.next() => {
                    let frame = match frame {
                        Ok(frame) => frame,
                        Err(e) => return e.into(),
                    };
                    beat.received(self.clock.now());
                    self.recovery.observe(&frame.meta);
                    if let Some(end) = self.handle(&frame).await {
                        return end;
                    }
                }
                command = commands.recv() => match command {
                    None => return End::Quit,
                    Some(PushCommand::SetScope(scope)) => {
                        self.scope = scope;
                        if let Err(end) = self.subscribe(conn, beat).await {
                            return end;
                        }
                        if !self.send(PushEvent::Resync).await {
                            return End::Quit;
                        }
                    }
                    Some(PushCommand::Retry) => {}
                },
                () = clock.sleep_until(deadline) => match beat.check(self.clock.now()) {
                    Beat::Wait => {}
                    Beat::Send => {
                        if let Err(e) = conn.heartbeat().await {
                            return e.into();
                        }
                        beat.sent(self.clock.now(), true);
                    }
                    Beat::Dead => {
                        return End::Failed {
                            error: PushError::Closed("the WebSocket gateway stopped answering heartbeats".into()),
                            at_least: Duration::ZERO,
                        };
                    }
                },
            }
        }
    }

    /// Acts on one message; `Some` ends the connection.
    async fn handle(&mut self, frame: &Frame) -> Option<End> {
        match frame.meta.kind {
            MessageType::ServerNotification => {
                let event = match frame.body_as::<Notification<SessionEvent>>() {
                    Some(Ok(event)) => event,
                    Some(Err(e)) => {
                        tracing::warn!(
                            "skipped an unreadable call event: {:?} at column {}",
                            e.classify(),
                            e.column()
                        );
                        return None;
                    }
                    None => return None,
                };
                let Some((current, scope)) = &self.subscription else {
                    return None;
                };
                if event.subscription_id.as_deref().is_some_and(|id| id != current) {
                    return None;
                }
                let scope = scope.clone();
                crate::metrics::events(1);
                let received = self.clock.wall();
                let changes = self.gate.admit(&event, self.clock.now(), received);
                if changes.is_empty() {
                    return None;
                }
                let event = Box::new(event);
                if !self
                    .send(PushEvent::Changes {
                        changes,
                        event,
                        received,
                        scope,
                    })
                    .await
                {
                    return Some(End::Quit);
                }
                None
            }
            MessageType::Error => Some(End::Failed {
                error: connection::gateway_error(frame),
                at_least: AFTER_GATEWAY_END,
            }),
            _ => None,
        }
    }

    /// The delay before the next attempt: doubling from [`BACKOFF_BASE`] to [`BACKOFF_CAP`], with jitter.
    fn backoff(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let exp = BACKOFF_BASE
            .saturating_mul(1u32 << self.failures.saturating_sub(1).min(16))
            .min(BACKOFF_CAP);
        exp.mul_f64(self.rng.random_range(0.5..=1.0))
    }

    async fn report(&mut self, health: PushHealth) -> bool {
        self.send(PushEvent::Health(health)).await
    }

    async fn send(&mut self, event: PushEvent) -> bool {
        self.events.send(event).await.is_ok()
    }
}
