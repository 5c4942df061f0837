//! Wires the pieces together: configuration or the in-process simulator, the client, the poller, and the
//! terminal UI (or a plain table when stdout is not a terminal).
pub mod args;
mod doctor;
mod exit;
mod generate;
mod hub;
pub mod once;
mod replay;
mod serve;
pub mod tail;

use std::io::IsTerminal;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};

use crate::api::Scope;
use crate::api::client::{ClientConfig, Logout, RcClient};
use crate::board::BoardConfig;
use crate::config::{Config, Overrides};
use crate::feed::Feed;
use crate::output::Format;
use crate::poller::{self, PollerConfig, schedule};
use crate::record::Recorder;
use crate::secret::Secret;
use crate::sim::{SimOptions, Simulator};
use crate::{logging, tui};
use args::{Args, BoardArgs, Command, DemoUser, ScopeArg};
pub use exit::Fatal;

/// Runs the command line.
pub async fn run(args: Args) -> Result<(), Fatal> {
    let _log = logging::log_dir().and_then(|dir| logging::init(&dir).ok());
    match args.command {
        Some(Command::Sim {
            listen,
            scenario,
            probe_every,
            bench_log,
            tls,
            ca_out,
        }) => {
            let mut opts = sim_options(scenario.as_deref())?.listen(listen);
            if tls {
                opts = opts.tls();
            }
            if let Some(path) = ca_out {
                opts = opts.ca_out(path);
            }
            if let Some(secs) = probe_every {
                opts = opts.probe_every(secs);
            }
            if let Some(path) = bench_log {
                opts = opts.bench_log(path);
            }
            run_sim(opts).await
        }
        Some(Command::Serve(serve)) => serve::run(&args.board, &serve).await,
        Some(Command::Logout) => logout(&args.board).await,
        Some(Command::Once { format }) => match &args.board.hub {
            Some(addr) => hub::once(&args.board, addr, format).await,
            None => run_once(&args.board, format).await,
        },
        Some(Command::Tail { format }) => match &args.board.hub {
            Some(addr) => hub::tail(&args.board, addr, format).await,
            None => tail::run(&args.board, format).await,
        },
        Some(Command::Doctor) => doctor::run(&args.board).await,
        Some(Command::Completions { shell }) => generate::completions(shell, &mut std::io::stdout()),
        Some(Command::Man) => generate::man(&mut std::io::stdout()),
        Some(Command::Replay {
            file,
            speed,
            once,
            format,
        }) => replay::run(&args.board, &file, speed, once.then_some(format)).await,
        None => match &args.board.hub {
            Some(addr) => hub::board(&args.board, addr).await,
            None => run_board(args.board).await,
        },
    }
}

fn sim_options(scenario: Option<&std::path::Path>) -> Result<SimOptions, Fatal> {
    match scenario {
        Some(path) => SimOptions::from_scenario_file(path)
            .map_err(|e| Fatal::Other(format!("scenario {}: {e}", path.display()))),
        None => Ok(SimOptions::demo()),
    }
}

async fn run_sim(opts: SimOptions) -> Result<(), Fatal> {
    let sim = Simulator::start(opts).await?;
    println!("{}", sim.banner());
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

async fn logout(args: &BoardArgs) -> Result<(), Fatal> {
    let config = Config::load(&overrides(args))?;
    eprintln!(
        "{}",
        match RcClient::new(config.client_config())?.logout().await? {
            Logout::NoSession => "Nothing to log out: no session was open and no token was cached.",
            Logout::Revoked => "Logged out: the session is revoked and the cached token deleted.",
            Logout::Forgotten => {
                "Logged out here: the cached token is deleted, but the server did not confirm the revoke, \
                 so the session stays valid there until its tokens expire."
            }
        }
    );
    Ok(())
}

fn overrides(args: &BoardArgs) -> Overrides {
    Overrides {
        server_url: args.server_url.clone(),
        client_id: args.client_id.clone(),
    }
}

fn ended_window(args: &BoardArgs) -> SignedDuration {
    SignedDuration::from_secs(args.ended_window.try_into().unwrap_or(i64::MAX))
}

/// The client for a real account (with its configuration), or for an in-process simulator when `--demo`
/// (kept alive in the tuple).
async fn connect(args: &BoardArgs) -> Result<(RcClient, Option<Simulator>, Option<Config>), Fatal> {
    if !args.demo {
        let config = Config::load(&overrides(args))?;
        return Ok((RcClient::new(config.client_config())?, None, Some(config)));
    }
    let (config, sim) = start_demo(args).await?;
    Ok((RcClient::new(config)?, Some(sim), None))
}

/// The safety interval of the live source, or `None` for polling alone (`--no-push`, `push = false`).
/// Flags win over the config file.
fn safety_interval(args: &BoardArgs, config: Option<&Config>) -> Option<Duration> {
    let push = !args.no_push && config.and_then(|c| c.push).unwrap_or(true);
    let secs = args
        .safety_interval
        .or_else(|| config.and_then(|c| c.safety_interval))
        .unwrap_or(crate::push::DEFAULT_SAFETY_INTERVAL);
    push.then(|| Duration::from_secs_f64(secs))
}

/// Starts the in-process simulator and returns the client configuration for the chosen demo user.
async fn start_demo(args: &BoardArgs) -> Result<(ClientConfig, Simulator), Fatal> {
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
    Ok((config, sim))
}

/// `once`: connects, polls once and prints.
async fn run_once(args: &BoardArgs, format: Format) -> Result<(), Fatal> {
    let (client, sim, _) = connect(args).await?;
    let result = once::once_text(
        &client,
        scope_arg(args),
        format,
        Timestamp::now(),
        &TimeZone::system(),
    )
    .await;
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    print!("{}", result?);
    Ok(())
}

fn scope_arg(args: &BoardArgs) -> Option<Scope> {
    args.scope.map(|s| match s {
        ScopeArg::Account => Scope::Account,
        ScopeArg::Extension => Scope::own_extension(),
    })
}

/// `CALLBOARD_BACKEND`: whether to draw through ratatui's stock backend.
pub(crate) fn backend_setting() -> Result<bool, Fatal> {
    let value = std::env::var(tui::BACKEND_VAR).ok();
    tui::stock_backend(value.as_deref()).map_err(Fatal::Other)
}

/// True when the full-screen board can be drawn: stdout is a terminal, and not one that says it cannot
/// move the cursor (`TERM=dumb`, as in Emacs shells and some CI logs).
pub(crate) fn can_draw_board() -> bool {
    std::io::stdout().is_terminal() && !dumb_terminal()
}

fn dumb_terminal() -> bool {
    std::env::var_os("TERM").is_some_and(|term| term == "dumb")
}

/// After the plain table that stood in for the board: why, when the cause is the terminal type (last,
/// so it does not scroll away above the table).
pub(crate) fn say_why_no_board() {
    if std::io::stdout().is_terminal() && dumb_terminal() {
        eprintln!(
            "callboard: TERM=dumb cannot draw the full-screen board, so this is the plain table, once; \
             set TERM to your terminal's type (e.g. xterm-256color) for the board"
        );
    }
}

/// The live source the board, `tail` and the hub run on `client` in `scope` (`None`: the user's default),
/// recording into `recorder` when given: the poller at `--interval`, raised to what the rate limit
/// allows (said on stderr).
fn start_source(
    client: RcClient,
    args: &BoardArgs,
    scope: Option<Scope>,
    config: Option<&Config>,
    recorder: Option<Recorder>,
) -> Feed {
    // `--interval` is a finite number of seconds in its range (checked when parsed).
    let requested = args.interval.map(Duration::from_secs_f64);
    let (interval, note) = schedule::effective_interval(requested, schedule::Limit::HEAVY_DEFAULT);
    if let Some(note) = note {
        eprintln!("callboard: {note}");
    }
    let poll = PollerConfig { scope, interval };
    poller::spawn_live(client, poll, safety_interval(args, config), recorder)
}

/// The board's limits from `--ended-window`.
fn board_config(args: &BoardArgs) -> BoardConfig {
    BoardConfig {
        ended_window: ended_window(args),
        ..BoardConfig::default()
    }
}

async fn run_board(args: BoardArgs) -> Result<(), Fatal> {
    if !can_draw_board() {
        if args.record.is_some() {
            return Err(Fatal::Other(
                "--record records the live board, which needs a terminal that can draw it; run it in one"
                    .into(),
            ));
        }
        let printed = run_once(&args, Format::Table).await;
        say_why_no_board();
        return printed;
    }
    // A wrong backend setting is said before the simulator starts or a login is spent.
    let stock_backend = backend_setting()?;
    let (client, sim, config) = connect(&args).await?;
    let recorder = args.record.as_deref().map(Recorder::create).transpose()?;
    let directory = crate::directory::spawn_for(&client);
    let server = sim
        .is_none()
        .then(|| client.server_url().host_str().unwrap_or_default().to_owned());
    let mut feed = start_source(client, &args, scope_arg(&args), config.as_ref(), recorder.clone());
    let (prefs, prefs_path) = crate::prefs::Prefs::load_default();
    let opts = tui::UiOptions {
        mouse: args.mouse || prefs.mouse,
        prefs,
        prefs_path,
        directory: Some(directory.directory.clone()),
        demo: sim.is_some(),
        server,
        recording: recorder.is_some(),
        no_color: args.no_color,
        osc52: (!args.no_osc52).then(tui::clipboard::Clipboard::detect),
        stock_backend,
        ended_window: ended_window(&args),
        notes: recorder
            .as_ref()
            .map_or_else(tui::Notes::default, |r| tui::Notes::from_fn(r.problems())),
        ..Default::default()
    };
    let result = tui::run(opts, &mut feed).await.map_err(Fatal::from);
    feed.task.abort();
    directory.task.abort();
    let _ = feed.task.await;
    if let Some(problem) = recorder.and_then(Recorder::finish) {
        eprintln!("callboard: {problem}");
    }
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    result
}
