//! The hub's core: one source's published states numbered into a [`History`] and fanned out to every
//! attached board's session (see [`super::session`]) over a broadcast channel, whose bounded buffer is
//! each session's queue: a session that falls behind gets a fresh listing instead of the backlog.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::bytes::Bytes;

use super::history::History;
use super::policy::Policy;
use super::protocol::{Numbered, ToBoard, encode};
use crate::directory::Directory;
use crate::feed::{Feed, FeedCommand, FeedState};

/// Updates kept for boards that reconnect.
pub const HISTORY: usize = 4096;
/// Messages a session may fall behind before it is sent a fresh listing instead.
pub const QUEUE: usize = 1024;
/// A board's `R` lists again at most this often, hub-wide: every board spends the hub's one Heavy
/// budget (10 requests a minute).
pub const REFRESH_EVERY: SignedDuration = SignedDuration::from_secs(15);

/// What the hub fans out.
#[derive(Debug, Clone)]
pub enum Event {
    /// A numbered update, and its message encoded once for the boards that see everything.
    Update(Arc<Numbered>, Bytes),
    /// The source published a state (its status may have changed).
    State(Arc<FeedState>),
}

/// A running hub: its source, its history and its fan-out. Shared by every session.
#[derive(Debug)]
pub struct Hub {
    /// The viewer policy.
    pub policy: Arc<Policy>,
    history: Mutex<History>,
    events: broadcast::Sender<Event>,
    commands: mpsc::Sender<FeedCommand>,
    directory: watch::Receiver<Option<Arc<Directory>>>,
    sessions: AtomicU64,
    /// When a board's refresh was last passed on to the source.
    refreshed: Mutex<Option<Timestamp>>,
}

impl Hub {
    /// Starts fanning out `feed`'s states (and `directory`) under `policy`. The returned task ends when
    /// the source does.
    pub fn start(
        feed: &Feed,
        directory: watch::Receiver<Option<Arc<Directory>>>,
        policy: Policy,
    ) -> (Arc<Hub>, tokio::task::JoinHandle<()>) {
        let id = format!("{:016x}", rand::random::<u64>());
        let (events, _) = broadcast::channel(QUEUE);
        let hub = Arc::new(Hub {
            policy: Arc::new(policy),
            history: Mutex::new(History::new(id, HISTORY)),
            events,
            commands: feed.commands.clone(),
            directory,
            sessions: AtomicU64::new(0),
            refreshed: Mutex::new(None),
        });
        let pump = tokio::spawn(pump(Arc::clone(&hub), feed.state.clone()));
        (hub, pump)
    }

    /// The history, locked (never across an await).
    pub fn history(&self) -> MutexGuard<'_, History> {
        // A panic while holding it aborts the process (release builds abort on panic).
        self.history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new receiver of the fan-out.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// The directory as the source's directory task keeps it.
    pub fn directory(&self) -> watch::Receiver<Option<Arc<Directory>>> {
        self.directory.clone()
    }

    /// Asks the source to list again now (a board's `R`), unless it listed or was asked to less than
    /// [`REFRESH_EVERY`] before `now`: then `Err` says when a refresh is taken again.
    pub fn refresh(&self, now: Timestamp) -> Result<(), Timestamp> {
        let listed = self.history().state().listing.taken_at;
        let mut refreshed = self
            .refreshed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let newest = listed.into_iter().chain(*refreshed).max();
        if let Some(again) = newest.map(|t| t + REFRESH_EVERY).filter(|&again| again > now) {
            return Err(again);
        }
        *refreshed = Some(now);
        let _ = self.commands.try_send(FeedCommand::Refresh);
        Ok(())
    }

    /// The next session number.
    pub fn next_session(&self) -> u64 {
        self.sessions.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Takes every state the source publishes, numbers its new updates and sends them out.
async fn pump(hub: Arc<Hub>, mut states: watch::Receiver<Arc<FeedState>>) {
    loop {
        let state = Arc::clone(&states.borrow_and_update());
        crate::metrics::observe_feed(&state, Timestamp::now());
        let new = hub.history().take(Arc::clone(&state));
        // Encoded only for boards attached now; a board that attaches later starts from the history.
        if hub.events.receiver_count() > 0 {
            for numbered in new {
                let bytes = encode(&ToBoard::Update(Numbered::clone(&numbered)));
                let _ = hub.events.send(Event::Update(numbered, bytes));
            }
        }
        let _ = hub.events.send(Event::State(state));
        if states.changed().await.is_err() {
            return;
        }
    }
}
