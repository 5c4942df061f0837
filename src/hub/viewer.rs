//! A board's source fed by a hub: a [`Feed`] that connects, says hello, and publishes the listings,
//! deltas and status the hub sends (already filtered for this viewer), so the board, `once` and `tail`
//! run on a hub as on their own poller. Scope keys become requests to the hub; a lost connection is
//! retried with backoff and resumed where it left off. It holds no RingCentral credential.
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use jiff::Timestamp;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, timeout};
use tokio_util::codec::Framed;

use super::connect::{Connector, HubAddr, Stream};
use super::protocol::{self, BoardCodec, Hello, ProtocolError, Resume, ToBoard, ToHub, Update};
use crate::api::Scope;
use crate::directory::Directory;
use crate::feed::{Feed, FeedCommand, FeedState, Publisher, SourceError, SourceErrorKind};
use crate::secret::Secret;

/// How often the board says it is there.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A hub silent this long (it heartbeats every 15 s) is gone.
const SILENCE: Duration = Duration::from_secs(45);
/// Waits between reconnections: doubling from the first to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(250), Duration::from_secs(15));

/// A running hub source and the directory entries the hub lets it see.
pub struct HubFeed {
    /// The source, as the board, `once` and `tail` read any source.
    pub feed: Feed,
    /// The directory entries the hub sends (`None` until it sends some).
    pub directory: watch::Receiver<Option<Arc<Directory>>>,
}

/// Connects to the hub behind `connector` (presenting `token` over TCP) and starts showing `scope`
/// (`None`: all the policy allows).
pub fn spawn(connector: Connector, token: Option<Secret>, scope: Option<Scope>) -> HubFeed {
    let (directory_tx, directory) = watch::channel(None);
    let initial = FeedState {
        scope: Some(scope.clone().unwrap_or(Scope::Account)),
        switching: true,
        ..FeedState::default()
    };
    let feed = Feed::spawn(initial, move |out, commands| {
        let link = Link {
            connector,
            token,
            out,
            commands,
            directory: directory_tx,
            resume: None,
            listed: None,
            scope: scope.unwrap_or(Scope::Account),
            notice: None,
        };
        link.run()
    });
    HubFeed { feed, directory }
}

/// How a connection ended.
enum End {
    /// The board is gone (every command sender dropped).
    Closed,
    /// The hub will not serve this board as it is (refused, another protocol version): wait for the
    /// user's refresh.
    Refused(String),
    /// The connection failed or dropped: try again.
    Lost(String),
}

struct Link {
    connector: Connector,
    token: Option<Secret>,
    out: Publisher,
    commands: mpsc::Receiver<FeedCommand>,
    directory: watch::Sender<Option<Arc<Directory>>>,
    resume: Option<Resume>,
    /// The number of a listing whose deltas may still be coming (a fresh listing's deltas all carry its
    /// number): until something else arrives, a reconnection asks for a fresh listing.
    listed: Option<u64>,
    /// The scope the board asked for.
    scope: Scope,
    /// Why the hub did not switch to the asked scope, shown until the next switch.
    notice: Option<SourceError>,
}

type Frames = Framed<Box<dyn Stream>, BoardCodec>;

impl Link {
    async fn run(mut self) {
        let mut backoff = BACKOFF.0;
        loop {
            let (end, attached) = self.session().await;
            if attached {
                backoff = BACKOFF.0;
            }
            let wait = match end {
                End::Closed => return,
                End::Refused(message) => {
                    self.fail(SourceErrorKind::Unauthorized, message, None);
                    None
                }
                End::Lost(message) => {
                    let retry_at = Timestamp::now() + backoff;
                    self.fail(SourceErrorKind::Network, message, Some(retry_at));
                    let wait = backoff;
                    backoff = (backoff * 2).min(BACKOFF.1);
                    Some(wait)
                }
            };
            // Commands while disconnected: a scope is remembered, a refresh reconnects now.
            loop {
                let command = match wait {
                    Some(wait) => match timeout(wait, self.commands.recv()).await {
                        Ok(command) => command,
                        Err(_) => break,
                    },
                    None => self.commands.recv().await,
                };
                match command {
                    None => return,
                    Some(FeedCommand::Refresh) => break,
                    Some(FeedCommand::SetScope(scope)) => self.scope = scope,
                }
            }
        }
    }

    /// Publishes a failure in the board's status (which adds when it is retried, or that R retries).
    fn fail(&mut self, kind: SourceErrorKind, message: String, retry_at: Option<Timestamp>) {
        self.out.state.error = Some(SourceError {
            kind,
            scope: self.scope.clone(),
            message,
            at: Timestamp::now(),
            retry_at,
        });
        self.out.publish();
    }

    /// One connection, from hello to its end; also says whether the hub let the board in.
    async fn session(&mut self) -> (End, bool) {
        let mut framed = match self.attach().await {
            Ok(framed) => framed,
            Err(end) => return (end, false),
        };
        if !self.scope.is_account() {
            let scope = self.scope.clone();
            if let Err(e) = framed.send(&ToHub::SetScope { scope }).await {
                return (End::Lost(lost(&self.connector, &e)), true);
            }
        }
        (self.serve(&mut framed).await, true)
    }

    /// Connects, says hello and reads the welcome.
    async fn attach(&mut self) -> Result<Frames, End> {
        let stream = self.connector.connect().await.map_err(End::Lost)?;
        let mut frames = Framed::new(stream, protocol::codec());
        let hello = ToHub::Hello(Hello {
            version: protocol::VERSION,
            client: format!("callboard {}", env!("CARGO_PKG_VERSION")),
            // A token goes only where TLS protects it; a Unix socket's hub admits by peer credentials.
            token: matches!(self.connector.addr, HubAddr::Tcp { .. })
                .then(|| self.token.clone())
                .flatten(),
            // Only once something of that hub run was received: a bare run id would resume from 0.
            resume: self.resume.clone().filter(|r| r.seq > 0),
        });
        let said = frames.send(protocol::encode(&hello)).await;
        said.map_err(|e| End::Lost(lost(&self.connector, &ProtocolError::Io(e))))?;
        let welcome = match timeout(SILENCE, frames.next()).await {
            Ok(Some(Ok(frame))) => protocol::read_welcome(&frame),
            Ok(Some(Err(e))) => Err(ProtocolError::Io(e)),
            Ok(None) => Err(ProtocolError::Io(std::io::ErrorKind::UnexpectedEof.into())),
            // A slow or silent hub is retried, never taken for a refusal.
            Err(_) => Err(ProtocolError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no answer to hello within 45 s",
            ))),
        };
        let welcome = welcome.map_err(|e| match e {
            ProtocolError::Io(_) => End::Lost(lost(&self.connector, &e)),
            refused => End::Refused(format!("hub {}: {refused}", self.connector.addr)),
        })?;
        tracing::info!(
            "attached to the hub at {} as {} (session {}{})",
            self.connector.addr,
            welcome.view.viewer,
            welcome.session,
            if welcome.resumed { ", resumed" } else { "" }
        );
        // Numbers of another hub run (the hub restarted) mean nothing here.
        let seq = match &self.resume {
            Some(r) if welcome.resumed && r.hub == welcome.hub => r.seq,
            _ => 0,
        };
        self.resume = Some(Resume {
            hub: welcome.hub,
            seq,
        });
        self.listed = None;
        if let Some(user) = welcome.user {
            self.out.state.user = Some(user);
        }
        Ok(frames.map_codec(|_| BoardCodec::default()))
    }

    /// Takes the hub's messages and the board's commands until either side ends.
    async fn serve(&mut self, framed: &mut Frames) -> End {
        let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
        let mut heard = Instant::now();
        // The first state is published once the hub's status follows its listing: complete.
        let mut ready = false;
        loop {
            tokio::select! {
                message = framed.next() => {
                    heard = Instant::now();
                    let mut next = message;
                    // Everything already received goes out as one state.
                    loop {
                        match next {
                            Some(Ok(message)) => ready |= self.take(message),
                            Some(Err(e)) => return End::Lost(lost(&self.connector, &e)),
                            None => return End::Lost(format!("the hub at {} closed the connection", self.connector.addr)),
                        }
                        match framed.next().now_or_never() {
                            Some(message) => next = message,
                            None => break,
                        }
                    }
                    if ready {
                        self.out.publish();
                    }
                }
                command = self.commands.recv() => {
                    let message = match command {
                        None => return End::Closed,
                        Some(FeedCommand::Refresh) => ToHub::Refresh,
                        Some(FeedCommand::SetScope(scope)) => {
                            self.scope = scope.clone();
                            self.notice = None;
                            self.out.state.switching = true;
                            self.out.publish();
                            ToHub::SetScope { scope }
                        }
                    };
                    if let Err(e) = framed.send(&message).await {
                        return End::Lost(lost(&self.connector, &e));
                    }
                }
                _ = heartbeat.tick() => {
                    if heard.elapsed() > SILENCE {
                        return End::Lost(format!("no word from the hub at {} for 45 s", self.connector.addr));
                    }
                    if let Err(e) = framed.send(&ToHub::Heartbeat).await {
                        return End::Lost(lost(&self.connector, &e));
                    }
                }
            }
        }
    }

    /// Takes one message into the state; true for a status (the state is complete to publish).
    fn take(&mut self, message: ToBoard) -> bool {
        let now = Timestamp::now();
        match message {
            ToBoard::Update(numbered) => {
                self.advance(numbered.seq, matches!(numbered.update, Update::Listing(_)));
                numbered.update.apply(&mut self.out, now);
                false
            }
            ToBoard::Status(status) => {
                self.settle();
                status.apply(&mut self.out.state);
                if self.out.state.error.is_none() {
                    self.out.state.error.clone_from(&self.notice);
                }
                true
            }
            ToBoard::Directory { entries } => {
                self.settle();
                self.directory
                    .send_replace(Some(Arc::new(Directory::new(Some(now), entries))));
                false
            }
            ToBoard::Notice { message } => {
                self.settle();
                // The hub stays on the scope it was showing; the error names the one it refused.
                let refused = std::mem::replace(
                    &mut self.scope,
                    self.out.state.scope.clone().unwrap_or(Scope::Account),
                );
                self.out.state.switching = false;
                let notice = SourceError {
                    kind: SourceErrorKind::Permission { permission: None },
                    scope: refused,
                    message,
                    at: now,
                    retry_at: None,
                };
                self.out.state.error = Some(notice.clone());
                self.notice = Some(notice);
                true
            }
            ToBoard::Heartbeat => {
                self.settle();
                false
            }
            ToBoard::Welcome(_) | ToBoard::Refused { .. } | ToBoard::Unknown => false,
        }
    }

    /// Moves the resume point to update `seq`, a listing's only once what follows it shows its deltas
    /// are all in (see [`Link::listed`]).
    fn advance(&mut self, seq: u64, listing: bool) {
        let Some(resume) = &mut self.resume else {
            return;
        };
        if listing {
            self.listed = Some(seq);
            resume.seq = 0;
        } else if self.listed != Some(seq) {
            self.listed = None;
            resume.seq = seq;
        }
    }

    /// Something other than an update arrived: a listing received before it is complete.
    fn settle(&mut self) {
        if let (Some(seq), Some(resume)) = (self.listed.take(), &mut self.resume) {
            resume.seq = seq;
        }
    }
}

fn lost(connector: &Connector, e: &ProtocolError) -> String {
    format!("lost the hub at {}: {e}", connector.addr)
}
