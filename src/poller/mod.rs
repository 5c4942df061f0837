//! The background poller: polls the active calls of the current scope within the rate budget and
//! publishes each result as a [`Snapshot`]; takes [`PollCommand`]s from the UI. The UI never waits on it.
mod report;
pub mod schedule;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use rand::{Rng, SeedableRng, rngs::SmallRng};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::api::Scope;
use crate::api::client::{Fetch, RcClient};
use crate::api::error::ApiError;
use crate::record::{RecordedPoll, Recorder};
use crate::snapshot::{PollCommand, PollErrorKind, RateHeadroom, Snapshot, UserInfo};
use schedule::Limit;

/// The rate-limit group both active-calls endpoints belong to.
const HEAVY: &str = "Heavy";

/// How the poller starts.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    /// Scope to start in; `None` picks account scope for admins, else the user's own extension.
    pub scope: Option<Scope>,
    /// Poll interval, already bounded by [`schedule::effective_interval`].
    pub interval: Duration,
}

/// The running poller: the latest snapshot, a command channel, and the task.
pub struct Poller {
    /// Latest published state.
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    /// Commands to the poller.
    pub commands: mpsc::Sender<PollCommand>,
    /// The task; it ends when every command sender is dropped.
    pub task: JoinHandle<()>,
}

/// Starts polling in the background.
pub fn spawn(client: RcClient, config: PollerConfig) -> Poller {
    spawn_recording(client, config, None)
}

/// Starts polling in the background, handing every successful poll's raw pages to `record`.
pub fn spawn_recording(client: RcClient, config: PollerConfig, record: Option<Recorder>) -> Poller {
    let (snap_tx, snapshots) = watch::channel(Arc::new(Snapshot::default()));
    let (commands, cmd_rx) = mpsc::channel(16);
    let mut poll_loop = PollLoop::new(client, config, snap_tx);
    poll_loop.fetch.keep_pages = record.is_some();
    poll_loop.record = record;
    let task = tokio::spawn(poll_loop.run(cmd_rx));
    Poller {
        snapshots,
        commands,
        task,
    }
}

struct PollLoop {
    client: RcClient,
    interval: Duration,
    out: watch::Sender<Arc<Snapshot>>,
    snap: Snapshot,
    next_due: Instant,
    failures: u32,
    /// Pages the last successful poll took: what the next one will likely cost.
    pages: u32,
    rng: SmallRng,
    /// Carries unchanged records from poll to poll; keeps pages only while recording.
    fetch: Fetch,
    record: Option<Recorder>,
}

impl PollLoop {
    fn new(client: RcClient, config: PollerConfig, out: watch::Sender<Arc<Snapshot>>) -> Self {
        let seed = Timestamp::now().as_nanosecond() as u64;
        let snap = Snapshot {
            scope: config.scope,
            interval: config.interval.try_into().unwrap_or_default(),
            switching: true,
            ..Snapshot::default()
        };
        PollLoop {
            client,
            interval: config.interval,
            out,
            snap,
            next_due: Instant::now(),
            failures: 0,
            pages: 1,
            rng: SmallRng::seed_from_u64(seed),
            fetch: Fetch::default(),
            record: None,
        }
    }

    async fn run(mut self, mut commands: mpsc::Receiver<PollCommand>) {
        self.identify().await;
        loop {
            let due = self.next_due.max(Instant::now() + self.client.wait_before(HEAVY));
            self.snap.next_poll_at = Some(to_timestamp(due));
            self.publish();
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(PollCommand::SetScope(scope)) => {
                        if self.snap.scope.as_ref() != Some(&scope) {
                            self.snap.scope = Some(scope);
                            self.snap.switching = true;
                            self.snap.error = None;
                        }
                        self.next_due = Instant::now();
                    }
                    Some(PollCommand::RefreshNow) => self.next_due = Instant::now(),
                },
                () = tokio::time::sleep_until(due) => self.poll().await,
            }
        }
    }

    /// Learns who is logged in, and picks the starting scope from it when none was given.
    async fn identify(&mut self) {
        match self.client.current_extension().await {
            Ok(ext) => {
                let user = UserInfo {
                    extension_id: ext.id.to_string(),
                    extension_number: ext.extension_number.clone(),
                    name: ext.name.clone(),
                    admin: ext.admin,
                };
                if self.snap.scope.is_none() {
                    self.snap.scope = Some(if user.admin {
                        Scope::Account
                    } else {
                        Scope::own_extension()
                    });
                }
                self.snap.user = Some(user);
            }
            Err(err) => {
                let scope = self.snap.scope.get_or_insert_with(Scope::own_extension).clone();
                self.fail(&err, &scope);
            }
        }
    }

    async fn poll(&mut self) {
        let scope = self.snap.scope.clone().unwrap_or_else(Scope::own_extension);
        let result = self.client.poll_active_calls(&scope, &mut self.fetch).await;
        let now = Timestamp::now();
        self.snap.rate = self.headroom();
        match result {
            Ok(calls) => {
                let pages = calls.page_count;
                self.snap.poll_seq += 1;
                #[cfg(debug_assertions)]
                debug_panic(self.snap.poll_seq);
                self.snap.skipped = calls.skipped.len();
                for skipped in &calls.skipped {
                    tracing::warn!(index = skipped.index, id = ?skipped.id, "skipped a malformed record: {}", skipped.error);
                }
                self.snap.calls = calls.records.into();
                if let Some(record) = &self.record {
                    let (scope, pages) = (scope.clone(), calls.pages);
                    record.record(RecordedPoll {
                        at: now,
                        scope,
                        pages,
                    });
                }
                self.snap.calls_scope = Some(scope);
                self.snap.fetched_at = Some(now);
                // A refused account scope stays explained until the user picks a scope again.
                if !self
                    .snap
                    .error
                    .as_ref()
                    .is_some_and(|e| matches!(e.kind, PollErrorKind::Permission { .. }))
                {
                    self.snap.error = None;
                }
                self.snap.switching = false;
                self.failures = 0;
                self.pages = pages;
                let limit = self.heavy_limit();
                self.next_due = Instant::now() + schedule::after_success(self.interval, pages, limit);
            }
            Err(err) => self.fail(&err, &scope),
        }
    }

    /// Records a failure and schedules the retry. A refused account scope falls back to the user's own
    /// extension and is not retried.
    fn fail(&mut self, err: &ApiError, scope: &Scope) {
        let retry_in = match err {
            ApiError::RateLimited { retry_after, .. } => *retry_after,
            ApiError::Permission { .. } if scope.is_account() => {
                self.snap.scope = Some(Scope::own_extension());
                self.snap.switching = true;
                Duration::ZERO
            }
            ApiError::Server { retry_after, .. } => self.backoff(*retry_after),
            _ => self.backoff(None),
        };
        tracing::warn!(%scope, "poll failed: {err}");
        self.snap.error = Some(report::describe(err, scope, Timestamp::now(), retry_in));
        self.next_due = Instant::now() + retry_in;
    }

    /// The wait before a retry: backoff, but never sooner than the budget for a whole poll of the last
    /// poll's pages allows, so a retry of a multi-page poll does not run out of budget half-way.
    fn backoff(&mut self, retry_after: Option<Duration>) -> Duration {
        self.failures += 1;
        let jitter = self.rng.random_range(0.5..=1.0);
        let floor = schedule::after_success(self.interval, self.pages, self.heavy_limit());
        schedule::after_failure(self.failures, jitter, retry_after, floor)
    }

    fn heavy_limit(&self) -> Limit {
        self.client
            .rate_headroom(HEAVY)
            .map(|h| Limit {
                limit: h.limit,
                window: h.window,
            })
            .unwrap_or(Limit::HEAVY_DEFAULT)
    }

    fn headroom(&self) -> Option<RateHeadroom> {
        let h = self.client.rate_headroom(HEAVY)?;
        Some(RateHeadroom {
            remaining: h.remaining,
            limit: h.limit,
            window_secs: u32::try_from(h.window.as_secs()).unwrap_or(u32::MAX),
            penalty_until: h.penalty_remaining.map(|p| to_timestamp(Instant::now() + p)),
        })
    }

    fn publish(&mut self) {
        self.snap.seq += 1;
        self.out.send_replace(Arc::new(self.snap.clone()));
    }
}

/// Wall-clock time of a tokio instant, for display.
fn to_timestamp(at: Instant) -> Timestamp {
    let delta = at.saturating_duration_since(Instant::now());
    Timestamp::now().checked_add(delta).unwrap_or(Timestamp::MAX)
}

/// Debug builds only: with `CALLBOARD_DEBUG_PANIC=poller` the poller panics after its first poll, so a test
/// can prove that a dead task ends the program cleanly with the terminal restored.
#[cfg(debug_assertions)]
fn debug_panic(poll_seq: u64) {
    if poll_seq == 1 && std::env::var_os("CALLBOARD_DEBUG_PANIC").is_some_and(|v| v == "poller") {
        panic!("CALLBOARD_DEBUG_PANIC=poller: the poller panics on purpose");
    }
}
