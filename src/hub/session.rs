//! One attached board, on any byte stream: its hello and admission, then the updates its view allows
//! (filtered here, before a byte leaves), its status, its directory entries and heartbeats, and its
//! commands (scope, refresh). A board that cannot keep up gets a fresh listing instead of the backlog;
//! one that stops reading or goes silent is dropped.
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use jiff::Timestamp;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, timeout};
use tokio_util::codec::Framed;

use super::filter::ViewFilter;
use super::protocol::{
    self, Hello, HubCodec, Numbered, ProtocolError, Status, ToBoard, ToHub, Update, View, Welcome,
};
use super::serve::{Event, Hub, REFRESH_EVERY};
use crate::api::Scope;
use crate::directory::Directory;
use crate::feed::{FeedState, PushHealth, SourceError, SourceErrorKind, UserInfo};

/// How often the hub says it is there.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// A board silent this long (it heartbeats every [`HEARTBEAT`]) is gone.
const SILENCE: Duration = Duration::from_secs(60);
/// A board that takes this long to take one message is not reading.
const WRITE: Duration = Duration::from_secs(30);
/// Time a board has to say hello.
const HELLO: Duration = Duration::from_secs(10);

/// Serves one board on `stream` (`transport` names it in metrics and logs). `admit` decides from the
/// hello what the board may see, or why it may not attach.
pub async fn serve<S>(
    hub: Arc<Hub>,
    stream: S,
    transport: &'static str,
    admit: impl FnOnce(&Hello) -> Result<View, String>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut frames = Framed::new(stream, protocol::codec_up_to(protocol::MAX_FRAME_TO_HUB));
    let first = match timeout(HELLO, frames.next()).await {
        Ok(Some(Ok(frame))) => protocol::read_hello(&frame),
        Ok(Some(Err(e))) => Err(ProtocolError::Io(e)),
        Ok(None) => return,
        Err(_) => Err(ProtocolError::Garbled("no hello within 10 s".into())),
    };
    let mut framed = frames.map_codec(|_| HubCodec::up_to(protocol::MAX_FRAME_TO_HUB));
    let admitted = first
        .map_err(|e| e.to_string())
        .and_then(|hello| Ok((admit(&hello)?, hello)));
    let (view, hello) = match admitted {
        Ok(admitted) => admitted,
        Err(reason) => {
            tracing::info!("hub: refused a board over {transport}: {reason}");
            let _ = timeout(WRITE, framed.send(&ToBoard::Refused { reason })).await;
            let _ = timeout(WRITE, SinkExt::<&ToBoard>::close(&mut framed)).await;
            return;
        }
    };
    let _attached = crate::metrics::viewer_attached(transport);
    let mut session = Session::new(hub, view);
    tracing::info!(
        "hub: board {} ({}) attached over {transport} as {}",
        session.id,
        crate::text::fit(&hello.client, 60),
        session.view.viewer
    );
    match session.run(&mut framed, &hello).await {
        Ok(()) => tracing::info!("hub: board {} left", session.id),
        Err(e) => tracing::info!("hub: board {} dropped: {e}", session.id),
    }
    let _ = timeout(WRITE, SinkExt::<&ToBoard>::close(&mut framed)).await;
}

struct Session {
    hub: Arc<Hub>,
    id: u64,
    view: View,
    /// The board's scope and the filter of it.
    scope: Scope,
    filter: ViewFilter,
    directory: tokio::sync::watch::Receiver<Option<Arc<Directory>>>,
    /// The newest hub update the board is up to date with.
    through: u64,
    status: Option<Status>,
    /// When the newest delta this board was sent happened: a filtered board's push status shows this,
    /// never another call's event.
    last_sent: Option<Timestamp>,
}

type Frames<S> = Framed<S, HubCodec>;

impl Session {
    fn new(hub: Arc<Hub>, view: View) -> Session {
        let mut directory = hub.directory();
        let known = directory.borrow_and_update().clone();
        let filter = ViewFilter::new(&view, known.as_deref());
        if known.is_some() {
            log_unresolved(&view, &filter);
        }
        Session {
            id: hub.next_session(),
            hub,
            view,
            scope: Scope::Account,
            filter,
            directory,
            through: 0,
            status: None,
            last_sent: None,
        }
    }

    async fn run<S>(&mut self, framed: &mut Frames<S>, hello: &Hello) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let mut events = self.hub.subscribe();
        let (welcome, state, missed) = {
            let history = self.hub.history();
            let missed = hello.resume.as_ref().and_then(|r| history.since(r));
            let welcome = Welcome {
                version: protocol::VERSION,
                hub: history.hub().to_owned(),
                session: self.id,
                view: self.view.clone(),
                user: self.user_of(history.state()),
                resumed: missed.is_some(),
            };
            (welcome, Arc::clone(history.state()), missed)
        };
        send(framed, &ToBoard::Welcome(welcome)).await?;
        self.send_directory(framed).await?;
        let state = match missed {
            Some(missed) => {
                self.through = hello.resume.as_ref().map_or(0, |r| r.seq);
                // The sessions of the calls the board has are the ones the current listing allows.
                self.filter.listing(&state.listing, None);
                for numbered in missed {
                    self.forward(framed, &numbered, None).await?;
                }
                state
            }
            None => self.snapshot(framed).await?,
        };
        self.send_status(framed, &state).await?;
        let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
        let mut heard = Instant::now();
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(Event::Update(numbered, bytes)) => self.forward(framed, &numbered, Some(bytes)).await?,
                    Ok(Event::State(state)) => self.send_status(framed, &state).await?,
                    Err(RecvError::Lagged(_)) => {
                        self.snapshot(framed).await?;
                    }
                    Err(RecvError::Closed) => return Ok(()),
                },
                message = framed.next() => {
                    heard = Instant::now();
                    match message {
                        Some(message) => self.command(framed, message?).await?,
                        None => return Ok(()),
                    }
                }
                changed = self.directory.changed() => {
                    if changed.is_ok() {
                        self.rebuild_filter(framed).await?;
                    }
                }
                _ = heartbeat.tick() => {
                    if heard.elapsed() > SILENCE {
                        return Err(ProtocolError::Garbled("silent for a minute".into()));
                    }
                    send(framed, &ToBoard::Heartbeat).await?;
                }
            }
        }
    }

    /// Sends one update if the board's view allows it; `whole` is its message already encoded, for a
    /// board that sees everything.
    async fn forward<S>(
        &mut self,
        framed: &mut Frames<S>,
        numbered: &Numbered,
        whole: Option<tokio_util::bytes::Bytes>,
    ) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        if numbered.seq <= self.through {
            return Ok(());
        }
        self.through = numbered.seq;
        if let (true, Some(bytes)) = (self.sees_everything(), &whole) {
            return send_bytes(framed, bytes.clone()).await;
        }
        let update = match &numbered.update {
            Update::Listing(listing) => {
                Update::Listing(Arc::new(self.filter.listing(listing, Some(self.scope.clone()))))
            }
            // An allowed delta is the same message every board gets: the encoded one when there is one.
            Update::Delta(delta) if self.filter.allows_delta(delta) => {
                self.last_sent = Some(delta.at);
                if let Some(bytes) = whole {
                    return send_bytes(framed, bytes).await;
                }
                Update::Delta(delta.clone())
            }
            Update::Delta(_) => return Ok(()),
        };
        let seq = numbered.seq;
        send(framed, &ToBoard::Update(Numbered { seq, update })).await
    }

    /// True when the board gets every update whole (its view and its scope are the whole account).
    fn sees_everything(&self) -> bool {
        self.filter.is_whole_account() && self.scope.is_account()
    }

    /// A fresh listing of the board's scope from the hub's newest state (once there is one), and the
    /// deltas after it that it may see; returns that state.
    async fn snapshot<S>(&mut self, framed: &mut Frames<S>) -> Result<Arc<FeedState>, ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let everything = self.sees_everything();
        // The state and its number together: an update numbered after it comes through the fan-out.
        let (state, seq, whole) = {
            let mut history = self.hub.history();
            let whole = if everything { history.whole_listing() } else { None };
            (Arc::clone(history.state()), history.last_seq(), whole)
        };
        self.through = seq;
        // Before the source's first listing there is none to send (an empty one would say "no calls").
        if let Some(bytes) = whole {
            send_bytes(framed, bytes).await?;
        } else if state.listing.seq > 0 {
            let listing = self.filter.listing(&state.listing, Some(self.scope.clone()));
            let update = Update::Listing(Arc::new(listing));
            send(framed, &ToBoard::Update(Numbered { seq, update })).await?;
        }
        for delta in state.deltas.iter() {
            if self.filter.allows_delta(delta) {
                self.last_sent = Some(delta.at);
                let update = Update::Delta(delta.clone());
                send(framed, &ToBoard::Update(Numbered { seq, update })).await?;
            }
        }
        Ok(state)
    }

    async fn command<S>(&mut self, framed: &mut Frames<S>, message: ToHub) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match message {
            ToHub::SetScope { scope } => match self.filter_of(&scope) {
                Ok(filter) => self.show(framed, scope, filter).await,
                Err(message) => send(framed, &ToBoard::Notice { message }).await,
            },
            ToHub::Refresh => match self.hub.refresh(Timestamp::now()) {
                Ok(()) => Ok(()),
                Err(again) => self.refresh_refused(framed, again).await,
            },
            ToHub::Heartbeat | ToHub::Unknown => Ok(()),
            ToHub::Hello(_) => Err(ProtocolError::Garbled("a second hello".into())),
        }
    }

    /// Tells the board its refresh was not passed on, as a status whose error says until when; the
    /// next status the hub sends replaces it.
    async fn refresh_refused<S>(
        &mut self,
        framed: &mut Frames<S>,
        again: Timestamp,
    ) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let state = Arc::clone(self.hub.history().state());
        let mut status = Status::of(&state, Some(self.scope.clone()));
        status.error = Some(SourceError {
            kind: SourceErrorKind::RateLimited,
            scope: self.scope.clone(),
            message: format!(
                "the hub lists again on request at most every {} s, as all its boards share one RingCentral budget; R works again after that",
                REFRESH_EVERY.as_secs()
            ),
            at: Timestamp::now(),
            retry_at: Some(again),
        });
        self.status = None;
        send(framed, &ToBoard::Status(status)).await
    }

    /// The filter of `scope` within the view, with names and numbers resolved through the current
    /// directory; `Err` says why the policy does not allow it.
    fn filter_of(&self, scope: &Scope) -> Result<ViewFilter, String> {
        let directory = self.directory.borrow().clone();
        let base = ViewFilter::new(&self.view, directory.as_deref());
        base.scoped(scope, &self.view, directory.as_deref())
    }

    /// Shows `scope` through `filter` from now on: a fresh listing, then its status.
    async fn show<S>(
        &mut self,
        framed: &mut Frames<S>,
        scope: Scope,
        filter: ViewFilter,
    ) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        self.filter = filter;
        self.scope = scope;
        let state = self.snapshot(framed).await?;
        self.status = None;
        self.send_status(framed, &state).await
    }

    /// The board's filter again, after the directory changed (the calls it let through stay allowed),
    /// and its directory entries. A scope the policy no longer allows falls back to the whole view (its
    /// calls no longer allowed), with a notice and a fresh listing.
    async fn rebuild_filter<S>(&mut self, framed: &mut Frames<S>) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let directory = self.directory.borrow_and_update().clone();
        let base = ViewFilter::new(&self.view, directory.as_deref());
        log_unresolved(&self.view, &base);
        match base.scoped(&self.scope, &self.view, directory.as_deref()) {
            Ok(mut filter) => {
                filter.remember_sessions_of(&mut self.filter);
                self.filter = filter;
                self.send_directory(framed).await
            }
            Err(why) => {
                self.filter = base;
                self.send_directory(framed).await?;
                let message =
                    format!("the account's directory changed and {why}: showing all the policy allows");
                send(framed, &ToBoard::Notice { message }).await?;
                let filter = self.filter.clone();
                self.show(framed, Scope::Account, filter).await
            }
        }
    }

    async fn send_directory<S>(&mut self, framed: &mut Frames<S>) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let directory = self.directory.borrow().clone();
        match directory {
            Some(directory) => {
                let entries = self.filter.directory(&directory);
                send(framed, &ToBoard::Directory { entries }).await
            }
            None => Ok(()),
        }
    }

    /// The status of `state`, if it changed since the last one sent.
    async fn send_status<S>(&mut self, framed: &mut Frames<S>, state: &FeedState) -> Result<(), ProtocolError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let mut status = Status::of(state, Some(self.scope.clone()));
        status.user = self.user_of(state);
        let filtered = !self.sees_everything();
        if filtered && let PushHealth::Live { last_event, .. } = &mut status.push {
            *last_event = self.last_sent;
        }
        if self.status.as_ref() == Some(&status) {
            return Ok(());
        }
        self.status = Some(status.clone());
        send(framed, &ToBoard::Status(status)).await
    }

    /// Who the hub is logged in as, as this board may know it: a restricted view gets the account only.
    fn user_of(&self, state: &FeedState) -> Option<UserInfo> {
        let user = state.user.as_ref()?;
        Some(match self.view.account {
            true => user.clone(),
            false => UserInfo::account_only(user),
        })
    }
}

/// Logs the names in `view` that the directory does not have (`filter` is its filter): they match no call.
fn log_unresolved(view: &View, filter: &ViewFilter) {
    if !filter.unresolved().is_empty() {
        tracing::warn!(
            "hub: the policy for {} names {}, which the account's directory does not have: they match \
             no call (check extensions and queues in hub.toml)",
            view.viewer,
            filter.unresolved().join(", ")
        );
    }
}

async fn send<S>(framed: &mut Frames<S>, message: &ToBoard) -> Result<(), ProtocolError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    send_bytes(framed, protocol::encode(message)).await
}

/// Writes one encoded message as a frame straight to the connection: the message is shared by every
/// board that gets it whole, and a listing of a few thousand calls is megabytes, so it is not copied into
/// each board's write buffer (200 boards would hold a gigabyte of copies while they read).
async fn send_bytes<S>(framed: &mut Frames<S>, bytes: tokio_util::bytes::Bytes) -> Result<(), ProtocolError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let length = u32::try_from(bytes.len())
        .ok()
        .filter(|n| *n as usize <= protocol::MAX_FRAME)
        .ok_or_else(|| {
            ProtocolError::Garbled(format!("a message of {} bytes is too large to send", bytes.len()))
        })?;
    let writing = async {
        SinkExt::<&ToBoard>::flush(framed).await?;
        let io = framed.get_mut();
        io.write_all(&length.to_be_bytes()).await?;
        io.write_all(&bytes).await?;
        io.flush().await?;
        Ok(())
    };
    timeout(WRITE, writing).await.map_err(|_| not_reading())?
}

fn not_reading() -> ProtocolError {
    ProtocolError::Garbled("not reading for 30 s".into())
}
