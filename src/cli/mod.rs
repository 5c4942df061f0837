//! Wires the pieces together: configuration or the in-process simulator, the client, the poller, and the
//! terminal UI (or a plain table when stdout is not a terminal).
pub mod args;
mod exit;

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use tokio::sync::watch;

use crate::api::Scope;
use crate::api::client::{ClientConfig, RcClient};
use crate::board::{Board, BoardConfig};
use crate::config::{Config, Overrides};
use crate::poller::{self, PollerConfig, schedule};
use crate::secret::Secret;
use crate::sim::{SimOptions, Simulator};
use crate::snapshot::{PollErrorKind, Snapshot};
use crate::{logging, tui};
use args::{Args, BoardArgs, Command, DemoUser, ScopeArg};
pub use exit::Fatal;

/// How long the plain (non-terminal) output waits for the first poll.
const ONCE_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the command line.
pub async fn run(args: Args) -> Result<(), Fatal> {
    let _log = logging::log_dir().and_then(|dir| logging::init(&dir).ok());
    match args.command {
        Some(Command::Sim { listen, scenario }) => run_sim(listen, scenario).await,
        Some(Command::Logout) => logout(&args.board).await,
        None => run_board(args.board).await,
    }
}

fn sim_options(scenario: Option<&std::path::Path>) -> Result<SimOptions, Fatal> {
    match scenario {
        Some(path) => SimOptions::from_scenario_file(path)
            .map_err(|e| Fatal::Other(format!("scenario {}: {e}", path.display()))),
        None => Ok(SimOptions::demo()),
    }
}

async fn run_sim(listen: std::net::SocketAddr, scenario: Option<std::path::PathBuf>) -> Result<(), Fatal> {
    let sim = Simulator::start(sim_options(scenario.as_deref())?.listen(listen)).await?;
    println!("{}", sim.banner());
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

async fn logout(args: &BoardArgs) -> Result<(), Fatal> {
    let config = Config::load(&overrides(args))?;
    RcClient::new(config.client_config())?.logout().await?;
    eprintln!("Logged out: the session is revoked and the cached token deleted.");
    Ok(())
}

fn overrides(args: &BoardArgs) -> Overrides {
    Overrides {
        server_url: args.server_url.clone(),
        client_id: args.client_id.clone(),
    }
}

/// The client for a real account, or for an in-process simulator when `--demo` (kept alive in the tuple).
async fn connect(args: &BoardArgs) -> Result<(RcClient, Option<Simulator>), Fatal> {
    if !args.demo {
        let config = Config::load(&overrides(args))?;
        return Ok((RcClient::new(config.client_config())?, None));
    }
    let sim = Simulator::start(sim_options(args.scenario.as_deref())?).await?;
    let creds = sim.credentials();
    let jwt = match args.demo_user {
        DemoUser::Admin => &creds.admin_jwt,
        DemoUser::NonAdmin => &creds.non_admin_jwt,
    };
    let url = sim
        .base_url()
        .parse()
        .map_err(|e| Fatal::Other(format!("simulator URL: {e}")))?;
    let config = ClientConfig::new(
        url,
        creds.client_id.clone(),
        Secret::new(creds.client_secret.as_str()),
        Secret::new(jwt.as_str()),
    );
    Ok((RcClient::new(config)?, Some(sim)))
}

async fn run_board(args: BoardArgs) -> Result<(), Fatal> {
    let (client, sim) = connect(&args).await?;
    let requested = args
        .interval
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64);
    let (interval, note) = schedule::effective_interval(requested, schedule::Limit::HEAVY_DEFAULT);
    if let Some(note) = note {
        eprintln!("callboard: {note}");
    }
    let scope = args.scope.map(|s| match s {
        ScopeArg::Account => Scope::Account,
        ScopeArg::Extension => Scope::own_extension(),
    });
    let directory = crate::directory::spawn_for(&client);
    let poller = poller::spawn(client, PollerConfig { scope, interval });
    let ended_window = SignedDuration::from_secs(args.ended_window.try_into().unwrap_or(i64::MAX));
    let result = if std::io::stdout().is_terminal() {
        let (prefs, prefs_path) = crate::prefs::Prefs::load_default();
        let opts = tui::UiOptions {
            prefs,
            prefs_path,
            directory: Some(directory.directory.clone()),
            demo: sim.is_some(),
            no_color: args.no_color,
            ended_window,
            ..Default::default()
        };
        tui::run(opts, poller.snapshots, poller.commands)
            .await
            .map_err(Fatal::from)
    } else {
        print_once(poller.snapshots, ended_window).await
    };
    poller.task.abort();
    directory.task.abort();
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    result
}

/// Waits for the first successful poll and prints it as a plain table.
async fn print_once(
    mut rx: watch::Receiver<Arc<Snapshot>>,
    ended_window: SignedDuration,
) -> Result<(), Fatal> {
    let snap = tokio::time::timeout(ONCE_TIMEOUT, first_poll(&mut rx))
        .await
        .map_err(|_| Fatal::Other("no answer from RingCentral within 60 s; check the network".into()))??;
    if let Some(err) = &snap.error {
        eprintln!("callboard: {}", err.message);
    }
    let mut board = Board::new(BoardConfig {
        ended_window,
        ..BoardConfig::default()
    });
    let now = Timestamp::now();
    board.merge(&snap.calls, now);
    print!("{}", tui::plain_table(&board, now, &TimeZone::system()));
    Ok(())
}

/// The first snapshot with calls, or the error that makes waiting pointless.
async fn first_poll(rx: &mut watch::Receiver<Arc<Snapshot>>) -> Result<Arc<Snapshot>, Fatal> {
    loop {
        {
            let snap = rx.borrow_and_update();
            if snap.poll_seq > 0 {
                return Ok(Arc::clone(&snap));
            }
            if let Some(err) = &snap.error
                && !matches!(err.kind, PollErrorKind::Permission { .. } if snap.switching)
            {
                return Err(Fatal::Poll(err.clone()));
            }
        }
        rx.changed()
            .await
            .map_err(|_| Fatal::Other("the poller stopped unexpectedly".into()))?;
    }
}
