//! The built-in RingCentral simulator: a loopback HTTP server speaking RingCentral's wire format (OAuth
//! token/revoke, active calls, extensions) with seeded deterministic calls, real rate limiting and error
//! bodies, a manual clock and fault injection, so the demo, tests and benchmarks need no account.
//!
//! ```no_run
//! use std::time::Duration;
//! use callboard::clock::Clock;
//! use callboard::sim::{Fault, SimOptions, Simulator};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let start = "2026-01-05T09:00:00Z".parse().expect("timestamp");
//! let sim = Simulator::start(SimOptions::demo().clock(Clock::manual(start))).await?;
//! let creds = sim.credentials();
//! // POST {base}/restapi/oauth/token with Basic client_id:client_secret and the admin JWT, then poll
//! // GET {base}/restapi/v1.0/account/~/active-calls with the access token.
//! println!("{} {} {}", sim.base_url(), creds.client_id, creds.admin_jwt);
//! sim.faults().fail_next(2, Fault::ServerError { status: 503, retry_after: Some(5) });
//! sim.clock().advance(Duration::from_secs(30));
//! assert!(sim.requests().is_empty());
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
mod auth;
mod bench_log;
mod endpoints;
mod errors;
mod fake;
mod faults;
mod generator;
mod intercept;
mod listener;
mod oauth;
mod paging;
mod probe;
mod push;
mod rate_limit;
mod records;
mod reply;
mod request_log;
mod routes;
mod scenario;
mod state;
mod timeline;
mod tls;
mod users;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::watch;

use crate::clock::Clock;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultSettings, Faults, PeriodicFault, QueuedFault};

pub use push::{PushFaultSettings, PushFaults, PushSettings};
pub use rate_limit::{RateGroup, RateLimits};
pub use request_log::LoggedRequest;
pub use scenario::{
    AppSettings, AuthSettings, CallSettings, MixWeights, OutcomeWeights, ProbeSettings, Scenario,
    ScenarioError,
};
pub use tls::CA_NAME;
pub use users::SimCredentials;

use listener::{ConnHandle, SimListener};
use state::SimState;
use tls::{CaPemFile, SimTls};
use users::Directory;

/// How to run a simulator: the scenario, where to listen and which clock to use.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub scenario: Scenario,
    /// Must be a loopback address; port 0 picks a free one. Default `127.0.0.1:0`.
    pub listen: SocketAddr,
    pub clock: Clock,
    /// Where to write the bench log (requests and probe events with Unix-time stamps), if anywhere.
    pub bench_log: Option<PathBuf>,
    /// Serve HTTPS and `wss://` with a certificate authority generated at start.
    pub tls: bool,
    /// Where to write that authority's certificate (PEM); `None`: a directory the simulator removes when
    /// it stops.
    pub ca_out: Option<PathBuf>,
}

impl SimOptions {
    /// The calm built-in demo scenario on a real clock.
    pub fn demo() -> Self {
        Self::with_scenario(Scenario::demo())
    }

    /// The built-in contact-centre scenario (thousands of concurrent calls).
    pub fn contact_centre() -> Self {
        Self::with_scenario(Scenario::contact_centre())
    }

    /// A scenario read from a TOML file.
    pub fn from_scenario_file(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        Scenario::from_file(path).map(Self::with_scenario)
    }

    /// Any scenario, on `127.0.0.1:0` with a real clock.
    pub fn with_scenario(scenario: Scenario) -> Self {
        Self {
            scenario,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: Clock::system(),
            bench_log: None,
            tls: false,
            ca_out: None,
        }
    }

    /// Serves HTTPS (ALPN h2 and http/1.1) and `wss://`, signed by a CA generated at start whose
    /// certificate [`Simulator::ca_file`] names.
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// With [`SimOptions::tls`], writes the CA's certificate to `path` (kept when the simulator stops).
    pub fn ca_out(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_out = Some(path.into());
        self
    }

    /// Uses `clock` (e.g. [`Clock::manual`]) for calls, tokens and rate limits.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Listens on `addr` (loopback only).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Overrides the scenario's rate limits.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.scenario.rate_limits = limits;
        self
    }

    /// Overrides the scenario's access-token lifetime.
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.scenario.auth.access_token_ttl_secs = ttl.as_secs().max(1);
        self
    }

    /// Overrides the scenario's seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.scenario.seed = seed;
        self
    }

    /// Adds a probe call (`PROBE 0001`, …) every `secs` seconds (0: none), overriding the scenario's.
    pub fn probe_every(mut self, secs: u64) -> Self {
        self.scenario.probe.every_secs = secs;
        self
    }

    /// Writes the bench log to `path` (created or truncated at start).
    pub fn bench_log(mut self, path: impl Into<PathBuf>) -> Self {
        self.bench_log = Some(path.into());
        self
    }

    /// Overrides the scenario's initial faults.
    pub fn faults(mut self, faults: FaultSettings) -> Self {
        self.scenario.faults = faults;
        self
    }
}

/// A running simulator. Stops on [`Simulator::shutdown`] or when dropped.
pub struct Simulator {
    state: Arc<SimState>,
    ca_file: Option<CaPemFile>,
    credentials: SimCredentials,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Simulator {
    /// Binds the listener (loopback only) and starts serving in the background.
    pub async fn start(opts: SimOptions) -> std::io::Result<Simulator> {
        let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
        if !opts.listen.ip().is_loopback() {
            return Err(invalid(format!(
                "refusing to listen on {}: the simulator only listens on loopback (127.0.0.1 or ::1)",
                opts.listen
            )));
        }
        opts.scenario.validate().map_err(|e| invalid(e.to_string()))?;
        let tls = opts.tls.then(SimTls::generate).transpose()?;
        let ca_file = tls
            .as_ref()
            .map(|tls| CaPemFile::write(&tls.ca_pem, opts.ca_out.as_deref()))
            .transpose()?;
        let (scheme, ws_scheme) = if tls.is_some() {
            ("https", "wss")
        } else {
            ("http", "ws")
        };
        let listener = tokio::net::TcpListener::bind(opts.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("{scheme}://{addr}");
        let ws_listener = tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?;
        let ws_url = format!("{ws_scheme}://{}/ws", ws_listener.local_addr()?);
        let (rest_tls, ws_tls) = tls.map(|tls| (tls.rest, tls.gateway)).unzip();
        let (listener, ws_listener) = (
            SimListener::new(listener, rest_tls),
            SimListener::new(ws_listener, ws_tls),
        );
        let (stop, stopping) = watch::channel(false);
        let scenario = opts.scenario;
        let dir = Directory::new(scenario.users, scenario.queues, scenario.hostile_names);
        let state = Arc::new(SimState {
            clock: opts.clock,
            generator: generator::Generator::new(scenario.clone()),
            tokens: Mutex::new(auth::TokenStore::new(scenario.seed)),
            limiter: Mutex::new(rate_limit::RateLimiter::new(scenario.rate_limits.clone())),
            faults: Faults::from_settings(&scenario.faults),
            log: request_log::RequestLog::default(),
            bench_log: opts
                .bench_log
                .as_deref()
                .map(bench_log::BenchLog::create)
                .transpose()?,
            gateway: push::Gateway::new(ws_url, &scenario.push, scenario.seed),
            base_url,
            scheme,
            stopping: stopping.clone(),
            dir,
            scenario,
        });
        let app = routes::router(state.clone()).into_make_service_with_connect_info::<ConnHandle>();
        let until_stop = |mut stopping: watch::Receiver<bool>| async move {
            // A closed channel also means stop.
            let _ = stopping.wait_for(|stop| *stop).await;
        };
        let serve = axum::serve(listener, app).with_graceful_shutdown(until_stop(stopping.clone()));
        let gateway =
            axum::serve(ws_listener, push::serve(state.clone())).with_graceful_shutdown(until_stop(stopping));
        let tasks = vec![
            tokio::spawn(planned_probes(state.clone())),
            tokio::spawn(async move {
                if let Err(e) = serve.await {
                    tracing::warn!("simulator server stopped: {e}");
                }
            }),
            tokio::spawn(async move {
                if let Err(e) = gateway.await {
                    tracing::warn!("simulator WebSocket gateway stopped: {e}");
                }
            }),
        ];
        tracing::info!("RingCentral simulator listening on {}", state.base_url);
        Ok(Simulator {
            credentials: SimCredentials::for_directory(&state.dir),
            state,
            ca_file,
            stop,
            tasks,
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// With TLS, the file holding the simulator's CA certificate (PEM): what a client must trust.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_ref().map(CaPemFile::path)
    }

    /// `ws://127.0.0.1:PORT/ws` (`wss://` with TLS): the WebSocket gateway, on a listener of its own (the
    /// `uri` that `POST /restapi/oauth/wstoken` returns).
    pub fn gateway_url(&self) -> &str {
        &self.state.gateway.url
    }

    /// Runtime push fault injection: dropped sockets, late, reordered, duplicated and lost events.
    pub fn push_faults(&self) -> &PushFaults {
        &self.state.gateway.faults
    }

    /// The demo app and user credentials.
    pub fn credentials(&self) -> &SimCredentials {
        &self.credentials
    }

    /// Every request so far (up to the most recent 50 000), oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.log.snapshot()
    }

    /// Runtime fault injection.
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// The simulator's clock; `advance` it to move calls, tokens and rate limits forward.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// The scenario being served.
    pub fn scenario(&self) -> &Scenario {
        &self.state.scenario
    }

    /// What `callboard sim` prints: where it listens, who can log in, and the environment to export.
    pub fn banner(&self) -> String {
        let c = &self.credentials;
        let users = self.state.dir.users();
        let (admin, user) = (&users[0], &users[1]);
        let base = self.base_url();
        let (tls, trust) = match self.ca_file() {
            Some(path) => (
                format!(
                    "TLS: HTTP/2 and HTTP/1.1; certificates signed by \"{CA_NAME}\", generated at start \
                     and written to {}\n",
                    path.display()
                ),
                format!("export SSL_CERT_FILE={}\n", path.display()),
            ),
            None => (String::new(), String::new()),
        };
        format!(
            "callboard sim: simulated RingCentral account, scenario \"{scenario}\" ({n} users, {q} call queues)\n\
             Listening on {base} (loopback only). Ctrl-C to stop.\n\
             {tls}\
             Rate limits: {limits}\n\
             \n\
             Admin user:     {admin_name}, ext {admin_ext} (id {admin_id}), sees the whole account\n\
             Non-admin user: {user_name}, ext {user_ext} (id {user_id}), sees own calls only\n\
             \n\
             export RC_SERVER_URL={base}\n\
             export RC_APP_CLIENT_ID={client_id}\n\
             export RC_APP_CLIENT_SECRET={client_secret}\n\
             export RC_USER_JWT={admin_jwt}\n\
             {trust}\
             # or, as the non-admin user:\n\
             # export RC_USER_JWT={user_jwt}\n",
            scenario = self.state.scenario.name,
            limits = self.state.scenario.rate_limits.label(),
            n = users.len(),
            q = self.state.dir.queues().len(),
            admin_name = admin.name(),
            admin_ext = admin.number,
            admin_id = admin.id,
            user_name = user.name(),
            user_ext = user.number,
            user_id = user.id,
            client_id = c.client_id,
            client_secret = c.client_secret,
            admin_jwt = c.admin_jwt,
            user_jwt = c.non_admin_jwt,
        )
    }

    /// Stops serving: withheld responses are released, open connections closed.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for mut task in std::mem::take(&mut self.tasks) {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Writes a `planned` line for each probe's start as the simulator's clock reaches it, until the
/// simulator stops (nothing to do without a bench log or probes).
pub async fn planned_probes(st: Arc<SimState>) {
    let (Some(log), Ok(every @ 1..)) = (&st.bench_log, i64::try_from(st.scenario.probe.every_secs)) else {
        return;
    };
    let mut stopping = st.stopping.clone();
    // Counted rather than recomputed, so a clock that jumps ahead still gets a line for every probe.
    let mut n = st.clock.wall().as_second().div_euclid(every) + 1;
    loop {
        let at = Timestamp::from_second(n.saturating_mul(every)).unwrap_or(Timestamp::MAX);
        let wait = at.as_millisecond() - st.clock.wall().as_millisecond();
        let wait = u64::try_from(wait).unwrap_or(0);
        let deadline = st.clock.now() + Duration::from_millis(wait);
        tokio::select! {
            () = st.clock.sleep_until(deadline) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
        log.planned(at, &probe::name(n));
        n += 1;
    }
}
