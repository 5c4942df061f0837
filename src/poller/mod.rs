//! The background poller: a [`Feed`] source that lists the active calls of the current scope within the
//! rate budget, on the client's [`Clock`] (its rate limits and its schedule measure the same time), and
//! publishes each result as a listing; takes [`FeedCommand`]s from the UI. The UI never waits on it.
mod live;
mod report;
pub mod schedule;

use std::time::{Duration, Instant};

use jiff::Timestamp;
use rand::{Rng, SeedableRng, rngs::SmallRng};
use tokio::sync::mpsc;

use crate::api::client::{Fetch, RcClient};
use crate::api::error::ApiError;
use crate::api::{Pacing, Scope};
use crate::clock::Clock;
use crate::feed::{
    Feed, FeedCommand, FeedState, Publisher, PushHealth, RateHeadroom, SourceErrorKind, UserInfo,
};
use crate::record::{RecordedPoll, Recorder};
use schedule::{Budget, Limit};

/// The rate-limit group both active-calls endpoints belong to.
const HEAVY: &str = "Heavy";
/// How a poll meets a page it has no budget for or that failed: it waits, up to a window and a penalty
/// (a minute each by default), and asks for that page again, twice at most, rather than starting over.
const PAGE_PACING: Pacing = Pacing {
    max_wait: Duration::from_secs(120),
    page_retries: 2,
};

/// How the poller starts.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    /// Scope to start in; `None` picks account scope for admins, else the user's own extension.
    pub scope: Option<Scope>,
    /// Poll interval, already bounded by [`schedule::effective_interval`].
    pub interval: Duration,
}

/// Starts polling in the background.
pub fn spawn(client: RcClient, config: PollerConfig) -> Feed {
    spawn_recording(client, config, None)
}

/// Starts polling in the background, handing every successful poll's raw pages to `record`.
pub fn spawn_recording(client: RcClient, config: PollerConfig, record: Option<Recorder>) -> Feed {
    spawn_live(client, config, None, record)
}

/// Starts the live source: polling, and with a `safety_interval` push beside it (telephony-session events
/// as party deltas; while push is live, listings only every `safety_interval` and whenever push may have
/// missed events). Every successful poll's raw pages go to `record`.
pub fn spawn_live(
    client: RcClient,
    config: PollerConfig,
    safety_interval: Option<Duration>,
    record: Option<Recorder>,
) -> Feed {
    let initial = FeedState {
        scope: config.scope.clone(),
        interval: config.interval.try_into().unwrap_or_default(),
        switching: true,
        ..FeedState::default()
    };
    Feed::spawn(initial, move |out, commands| {
        let mut poll_loop = PollLoop::new(client, config, out);
        poll_loop.safety_interval = safety_interval;
        poll_loop.fetch.keep_pages = record.is_some();
        poll_loop.record = record;
        poll_loop.run(commands)
    })
}

struct PollLoop {
    client: RcClient,
    interval: Duration,
    /// The client's: the schedule waits on it and stamps times with it.
    clock: Clock,
    out: Publisher,
    /// When to list next; `None` waits for a command (credentials were refused: retrying cannot help).
    next_due: Option<Instant>,
    failures: u32,
    /// Pages the last successful poll took, and of which scope: what the next one will likely cost.
    pages: u32,
    pages_of: Option<Scope>,
    rng: SmallRng,
    /// Carries unchanged records from poll to poll; keeps pages only while recording.
    fetch: Fetch,
    record: Option<Recorder>,
    /// The interval without push; `interval` is the one in use.
    normal_interval: Duration,
    /// Set when this source runs push: the interval while push is live.
    safety_interval: Option<Duration>,
    push: Option<live::Push>,
    pending: live::Pending,
}

impl PollLoop {
    fn new(client: RcClient, config: PollerConfig, out: Publisher) -> Self {
        let seed = Timestamp::now().as_nanosecond() as u64;
        let clock = client.clock().clone();
        PollLoop {
            client,
            interval: config.interval,
            next_due: Some(clock.now()),
            clock,
            out,
            failures: 0,
            pages: 1,
            pages_of: None,
            rng: SmallRng::seed_from_u64(seed),
            fetch: Fetch {
                pacing: PAGE_PACING,
                ..Fetch::default()
            },
            record: None,
            normal_interval: config.interval,
            safety_interval: None,
            push: None,
            pending: Vec::new(),
        }
    }

    async fn run(mut self, mut commands: mpsc::Receiver<FeedCommand>) {
        self.identify().await;
        self.start_push();
        loop {
            let due = self
                .next_due
                .map(|next| next.max(self.clock.now() + self.client.wait_before(HEAVY)));
            self.out.state.next_listing_at = due.map(|due| self.clock.wall_at(due));
            self.out.publish();
            let clock = self.clock.clone();
            let wait = async move { clock.sleep_until_some(due).await };
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(cmd) => self.command(cmd),
                },
                event = live::next_event(&mut self.push) => self.on_push_burst(event),
                () = wait => {
                    self.poll().await;
                    self.after_poll();
                }
            }
        }
    }

    fn command(&mut self, cmd: FeedCommand) {
        self.push_command(&cmd);
        match cmd {
            FeedCommand::SetScope(scope) => {
                let state = &mut self.out.state;
                if state.scope.as_ref() != Some(&scope) {
                    state.scope = Some(scope);
                    state.switching = true;
                    state.error = None;
                }
                self.next_due = Some(self.clock.now());
            }
            FeedCommand::Refresh => self.next_due = Some(self.clock.now()),
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
                    account_id: ext.account_id.clone(),
                };
                let state = &mut self.out.state;
                if state.scope.is_none() {
                    state.scope = Some(if user.admin {
                        Scope::Account
                    } else {
                        Scope::own_extension()
                    });
                }
                state.user = Some(user);
            }
            Err(err) => {
                let scope = self
                    .out
                    .state
                    .scope
                    .get_or_insert_with(Scope::own_extension)
                    .clone();
                self.fail(&err, &scope);
            }
        }
    }

    async fn poll(&mut self) {
        let scope = self.out.state.scope.clone().unwrap_or_else(Scope::own_extension);
        // The whole poll is planned before its first page: it starts once the pages it will likely take
        // fit in the budget, so none of them is held back and the listing is not stamped early.
        let pages = if self.pages_of.as_ref() == Some(&scope) {
            self.pages
        } else {
            1
        };
        let wait = schedule::start_in(pages, &self.heavy_budget());
        if !wait.is_zero() {
            tracing::debug!(
                pages,
                wait_ms = wait.as_millis(),
                "waiting for the budget of a whole poll"
            );
            self.next_due = Some(self.clock.now() + wait);
            return;
        }
        // A listing is stamped with when its first page was asked for. Every record in it was read at or
        // after that moment, so the stamp never claims the listing is newer than it is; a change seen
        // after it (a delta, an event) is newer than the listing, and by the merge rules the listing
        // neither overwrites nor marks vanished that call. A later stamp (the last page's) would let
        // page 1's older records overrule what happened while the later pages were fetched.
        let started = self.clock.wall();
        let result = self.client.poll_active_calls(&scope, &mut self.fetch).await;
        let now = self.clock.wall();
        self.out.state.rate = self.headroom();
        match result {
            Ok(calls) => {
                let pages = calls.page_count;
                for skipped in &calls.skipped {
                    tracing::warn!(index = skipped.index, id = ?skipped.id, "skipped a malformed record: {}", skipped.error);
                }
                if let Some(record) = &self.record {
                    let (scope, pages) = (scope.clone(), calls.pages);
                    record.record(RecordedPoll {
                        at: now,
                        scope,
                        pages,
                    });
                }
                self.out
                    .list(scope.clone(), started, calls.records, calls.skipped.len());
                #[cfg(debug_assertions)]
                debug_panic(self.out.state.listing.seq);
                let state = &mut self.out.state;
                // A refused account scope stays explained until the user picks a scope again.
                if !state
                    .error
                    .as_ref()
                    .is_some_and(|e| matches!(e.kind, SourceErrorKind::Permission { .. }))
                {
                    state.error = None;
                }
                state.switching = false;
                self.failures = 0;
                self.pages = pages;
                self.pages_of = Some(scope);
                let wait = if matches!(self.out.state.push, PushHealth::Live { .. }) {
                    schedule::after_safety_listing(self.interval, pages)
                } else {
                    schedule::after_success(self.interval, pages, self.heavy_limit())
                };
                self.next_due = Some(self.clock.now() + wait);
            }
            Err(err) => self.fail(&err, &scope),
        }
    }

    /// Records a failure and schedules the retry. A refused account scope falls back to the user's own
    /// extension and is not retried; refused credentials are not retried until the user asks (`R`, or a
    /// scope key): every attempt would spend the Auth budget on the same refusal.
    fn fail(&mut self, err: &ApiError, scope: &Scope) {
        let retry_in = match err {
            ApiError::RateLimited { retry_after, .. } => Some(*retry_after),
            ApiError::Permission { .. } if scope.is_account() => {
                self.out.state.scope = Some(Scope::own_extension());
                self.out.state.switching = true;
                Some(Duration::ZERO)
            }
            ApiError::Unauthorized { .. } | ApiError::Config(_) => {
                self.out.state.switching = false;
                None
            }
            ApiError::Server { retry_after, .. } => Some(self.backoff(*retry_after)),
            _ => Some(self.backoff(None)),
        };
        tracing::warn!(%scope, "poll failed: {err}");
        self.out.state.error = Some(report::describe(err, scope, self.clock.wall(), retry_in));
        self.next_due = retry_in.map(|wait| self.clock.now() + wait);
    }

    /// The wait before a retry: backoff, but never sooner than the budget for a whole poll of the last
    /// poll's pages allows, so a retry of a multi-page poll does not run out of budget half-way.
    fn backoff(&mut self, retry_after: Option<Duration>) -> Duration {
        self.failures += 1;
        let jitter = self.rng.random_range(0.5..=1.0);
        let floor = schedule::after_success(self.interval, self.pages, self.heavy_limit());
        schedule::after_failure(self.failures, jitter, retry_after, floor)
    }

    /// The Heavy budget now, for planning a poll.
    fn heavy_budget(&self) -> Budget {
        let headroom = self.client.rate_headroom(HEAVY);
        Budget {
            limit: headroom.map_or(Limit::HEAVY_DEFAULT.limit, |h| h.limit),
            frees_in: self.client.budget_frees_in(HEAVY),
            penalty: headroom.and_then(|h| h.penalty_remaining),
        }
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
            penalty_until: h
                .penalty_remaining
                .map(|p| self.clock.wall_at(self.clock.now() + p)),
        })
    }
}

/// Debug builds only: with `CALLBOARD_DEBUG_PANIC=poller` the poller panics after its first listing, so a test
/// can prove that a dead task ends the program cleanly with the terminal restored.
#[cfg(debug_assertions)]
fn debug_panic(listing_seq: u64) {
    if listing_seq == 1 && std::env::var_os("CALLBOARD_DEBUG_PANIC").is_some_and(|v| v == "poller") {
        panic!("CALLBOARD_DEBUG_PANIC=poller: the poller panics on purpose");
    }
}
