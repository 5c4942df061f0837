//! Command-line arguments. Secrets are never flags: they come from the environment, `.env` or the config
//! file, so they cannot leak through `--help`, shell history or `ps`.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::hub::connect::HubAddr;
use crate::hub::listen::Listen;
use crate::hub::nats::{NatsAddr, View};
use crate::output::Format;
use crate::output::tail::TailFormat;

/// A terminal live call board for RingCentral accounts.
#[derive(Debug, Parser)]
#[command(name = "callboard", version, about, long_about = None, after_help = after_help())]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub board: BoardArgs,
}

const AFTER_HELP: &str = "\
Credentials: set RC_SERVER_URL, RC_APP_CLIENT_ID, RC_APP_CLIENT_SECRET and RC_USER_JWT in the environment,
in .env in the working directory, or in config.toml in the platform config directory.

Scripts: `callboard once --format json` prints the current calls and exits; `callboard tail --format
ndjson` prints each call state change as it happens; `callboard doctor` checks the setup; `--record FILE`
keeps every poll for `callboard replay FILE`.

Exit codes: 0 success, 1 other failure, 2 usage, 3 bad credentials or configuration,
4 missing permission, 5 rate limited, 6 network failure or timeout.";

/// [`AFTER_HELP`] plus where the log files are, so a user can find them.
fn after_help() -> String {
    let dir = crate::logging::log_dir().map_or_else(|| "unavailable".into(), |d| d.display().to_string());
    format!("{AFTER_HELP}\n\nLogs: daily files in {dir} (more detail: CALLBOARD_LOG=debug).")
}

/// `--interval`'s accepted seconds.
const INTERVAL: Range = Range {
    min: 1.0,
    max: 3600.0,
    unit: " seconds",
};
/// `--safety-interval`'s accepted seconds.
const SAFETY_INTERVAL: Range = Range {
    min: crate::push::SAFETY_INTERVAL_RANGE.0,
    max: crate::push::SAFETY_INTERVAL_RANGE.1,
    unit: " seconds",
};
/// `replay --speed`'s accepted factors.
const SPEED: Range = Range {
    min: 0.01,
    max: 1000.0,
    unit: "",
};

/// The finite numbers a flag accepts, from `min` to `max`: anything else is a usage error (exit 2)
/// that names the range.
#[derive(Debug, Clone, Copy)]
struct Range {
    min: f64,
    max: f64,
    unit: &'static str,
}

impl Range {
    fn parser(self) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
        move |text| {
            let Range { min, max, unit } = self;
            match text.trim().parse::<f64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(format!("expected a number from {min} to {max}{unit}")),
            }
        }
    }
}

/// Options of the live board.
#[derive(Debug, clap::Args)]
pub struct BoardArgs {
    /// Run on the built-in RingCentral simulator (no account needed).
    #[arg(global = true, long)]
    pub demo: bool,

    /// Which simulated user to log in as with --demo.
    #[arg(global = true, long, value_enum, default_value_t = DemoUser::Admin, requires = "demo")]
    pub demo_user: DemoUser,

    /// Simulator scenario file for --demo (default: the built-in calm demo).
    #[arg(global = true, long, value_name = "FILE", requires = "demo")]
    pub scenario: Option<PathBuf>,

    /// Scope to start in (default: account for admins, else your extension).
    #[arg(global = true, long, value_enum)]
    pub scope: Option<ScopeArg>,

    /// Seconds between polls, 1 to 3600; raised to what the rate limit allows (default 10).
    #[arg(global = true, long, value_name = "SECS", value_parser = INTERVAL.parser())]
    pub interval: Option<f64>,

    /// Seconds between safety-net polls while push is live, 10 to 3600 (default 60; config
    /// `safety_interval`).
    #[arg(global = true, long, value_name = "SECS", value_parser = SAFETY_INTERVAL.parser())]
    pub safety_interval: Option<f64>,

    /// Poll only: no live push over RingCentral's WebSocket (config `push = false`).
    #[arg(global = true, long)]
    pub no_push: bool,

    /// How long ended calls stay in the recently-ended section, in seconds (1 to 86400).
    #[arg(global = true, long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub ended_window: u64,

    /// Draw without colours (also: the NO_COLOR environment variable).
    #[arg(global = true, long)]
    pub no_color: bool,

    /// Capture the mouse: a click selects a row, the wheel scrolls (pref `mouse = true`). Off by default
    /// so the terminal's own text selection keeps working, over SSH too.
    #[arg(global = true, long)]
    pub mouse: bool,

    /// Do not copy with y/Y (OSC 52 clipboard escape sequences are never written).
    #[arg(global = true, long)]
    pub no_osc52: bool,

    /// Append every raw poll response (with its time, scope and rate-limit headers) to FILE as NDJSON;
    /// play it back with `callboard replay FILE`. Holds no token or secret.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Attach to a team hub (`callboard serve`) instead of RingCentral: unix:PATH, tcp://HOST:PORT
    /// (TLS; the viewer token comes from CALLBOARD_HUB_TOKEN or hub_token in config.toml), or through
    /// NATS: nats://[USER:PASS@]HOST:PORT/<account>[/ext/<id>|/queue/<id>] (tls:// for TLS).
    #[arg(global = true, long, value_name = "ADDR", conflicts_with = "demo")]
    pub hub: Option<HubArg>,

    /// NATS credentials for `--hub nats://…` and `serve --nats`: a .creds file (user JWT and seed) or a
    /// user nkey seed, instead of a user and password in the URL.
    #[arg(global = true, long, value_name = "FILE")]
    pub nats_creds: Option<PathBuf>,

    /// Trust the hub's TLS certificate from this PEM file, besides the system's roots.
    #[arg(global = true, long, value_name = "FILE", requires = "hub")]
    pub hub_ca: Option<PathBuf>,

    /// RingCentral server URL (overrides RC_SERVER_URL).
    #[arg(global = true, long, value_name = "URL")]
    pub server_url: Option<String>,

    /// RingCentral app client id (overrides RC_APP_CLIENT_ID).
    #[arg(global = true, long, value_name = "ID")]
    pub client_id: Option<String>,
}

/// Subcommands besides the live board.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the RingCentral simulator on loopback and print its URL and demo credentials.
    Sim {
        /// Loopback address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        /// Scenario file (default: the built-in calm demo).
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Adds a probe call (caller PROBE 0001, PROBE 0002, ...) every SECS seconds, 1 to 3600, for
        /// latency benchmarks.
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        probe_every: Option<u64>,
        /// Writes one line per request and per probe event, with Unix-time stamps, to FILE.
        #[arg(long, value_name = "FILE")]
        bench_log: Option<PathBuf>,
        /// Serves HTTPS (HTTP/2 and HTTP/1.1) and wss:// with a certificate authority generated at start;
        /// the banner names the file holding its certificate, for SSL_CERT_FILE.
        #[arg(long)]
        tls: bool,
        /// With --tls, writes the certificate authority's certificate (PEM) to FILE instead of a
        /// directory removed when the simulator stops.
        #[arg(long, value_name = "FILE", requires = "tls")]
        ca_out: Option<PathBuf>,
    },
    /// Run a team hub: one RingCentral session and rate budget serving many boards (`callboard --hub`),
    /// each seeing what the viewer policy (hub.toml) allows.
    Serve(ServeArgs),
    /// Revoke the cached token and delete it from disk.
    Logout,
    /// Poll once (all pages), print the calls and exit; for scripts and pipes.
    Once {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print call state changes as they happen, one line each, until interrupted or the reader goes.
    Tail {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TailFormat::Table)]
        format: TailFormat,
    },
    /// Play a recording made with --record on the board (or print its final state with --once).
    Replay {
        /// The recording (NDJSON from --record), or a single raw active-calls response.
        file: PathBuf,
        /// Playback speed, 0.01 to 1000: 2 plays twice as fast as it was recorded.
        #[arg(long, default_value_t = 1.0, value_name = "N", value_parser = SPEED.parser())]
        speed: f64,
        /// Print the board at the end of the recording and exit instead of showing it.
        #[arg(long)]
        once: bool,
        /// Output format with --once.
        #[arg(long, value_enum, default_value_t = Format::Table, requires = "once")]
        format: Format,
    },
    /// Check configuration, server, clock, token, permissions and rate limits; one line each.
    Doctor,
    /// Print a shell completion script (e.g. `callboard completions bash > /etc/bash_completion.d/callboard`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `callboard man | man -l -`.
    Man,
}

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where boards attach, repeatable: unix:PATH (default: callboard/hub.sock in the runtime
    /// directory; mode 0660) or tcp:HOST:PORT (needs --tls-cert and --tls-key; boards present a token).
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<Listen>,
    /// The TLS certificate chain (PEM) for tcp: listeners.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM) for tcp: listeners.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The viewer policy (default: hub.toml beside config.toml; without one, only the user running the
    /// hub may attach, and sees the whole account).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Check the viewer policy, print it as the hub reads it, and exit.
    #[arg(long)]
    pub check: bool,
    /// Answer Prometheus scrapes at http://HOST:PORT/metrics (no authentication: bind it to loopback or
    /// a monitoring network).
    #[arg(long, value_name = "HOST:PORT")]
    pub metrics: Option<SocketAddr>,
    /// Also publish on NATS, for boards anywhere (`--hub nats://…`) and a standby hub:
    /// nats://[USER:PASS@]HOST:PORT/<account>. Of the hubs of one account, only the one holding its
    /// lease talks to RingCentral; the others stand by and take over within 15 s when it stops.
    #[arg(long, value_name = "URL", value_parser = NatsAddr::parse)]
    pub nats: Option<NatsAddr>,
    /// A view published pre-filtered on NATS besides the whole account, repeatable: ext/<id> or
    /// queue/<id> (NATS users' subject permissions decide who reads which).
    #[arg(long, value_name = "VIEW", value_parser = View::parse, requires = "nats")]
    pub nats_view: Vec<View>,
}

/// A hub as `--hub` names it: a `callboard serve` socket, or an account's subjects on NATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubArg {
    Socket(HubAddr),
    Nats(NatsAddr),
}

impl std::str::FromStr for HubArg {
    type Err = String;

    fn from_str(s: &str) -> Result<HubArg, String> {
        if s.starts_with("nats://") || s.starts_with("tls://") {
            return NatsAddr::parse(s).map(HubArg::Nats);
        }
        s.parse()
            .map(HubArg::Socket)
            .map_err(|e: String| format!("{e}, or nats://HOST:PORT/<account>[/ext/<id>|/queue/<id>]"))
    }
}

impl std::fmt::Display for HubArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HubArg::Socket(addr) => addr.fmt(f),
            HubArg::Nats(addr) => addr.fmt(f),
        }
    }
}

/// Simulated user for `--demo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoUser {
    Admin,
    NonAdmin,
}

/// Scope chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    Account,
    Extension,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_is_well_formed() {
        Args::command().debug_assert();
    }

    /// Every numeric flag and the values that must stay inside its range.
    const NUMERIC: [(&[&str], &str, f64, f64); 4] = [
        (&["callboard"], "--interval", 1.0, 3600.0),
        (&["callboard"], "--safety-interval", 10.0, 3600.0),
        (&["callboard"], "--ended-window", 1.0, 86_400.0),
        (&["callboard", "replay", "rec.ndjson"], "--speed", 0.01, 1000.0),
    ];

    /// What `flag` parsed to, or the exit code of the error.
    fn parse(prefix: &[&str], flag: &str, value: &str) -> Result<f64, i32> {
        let argv = prefix.iter().copied().chain([flag, value]);
        let args = Args::try_parse_from(argv).map_err(|e| e.exit_code())?;
        Ok(match (flag, args.command) {
            ("--speed", Some(Command::Replay { speed, .. })) => speed,
            ("--interval", _) => args.board.interval.expect("given"),
            ("--safety-interval", _) => args.board.safety_interval.expect("given"),
            _ => args.board.ended_window as f64,
        })
    }

    #[test]
    fn out_of_range_numbers_are_usage_errors_naming_the_range() {
        for (prefix, flag, _, _) in NUMERIC {
            for bad in [
                "1e300",
                "99999999999999999999",
                "0",
                "-5",
                "nan",
                "inf",
                "ten",
                "",
            ] {
                assert_eq!(parse(prefix, flag, bad), Err(2), "{flag} {bad}");
            }
        }
        let err = Args::try_parse_from(["callboard", "--interval", "1e10"]).unwrap_err();
        assert!(err.to_string().contains("from 1 to 3600 seconds"), "{err}");
        assert_eq!(parse(&["callboard"], "--interval", "2.5"), Ok(2.5));
        assert_eq!(parse(&["callboard", "replay", "r"], "--speed", "0.5"), Ok(0.5));
    }

    proptest::proptest! {
        #[test]
        fn any_text_for_a_numeric_flag_is_a_number_in_range_or_exit_2(text in "\\PC{0,24}", which in 0..4usize) {
            let (prefix, flag, min, max) = NUMERIC[which];
            match parse(prefix, flag, &text) {
                Ok(n) => proptest::prop_assert!((min..=max).contains(&n), "{flag} {text:?} gave {n}"),
                Err(code) => proptest::prop_assert_eq!(code, 2, "{} {:?}", flag, text),
            }
        }
    }

    #[test]
    fn help_names_no_secret_flag() {
        let help = Args::command().render_long_help().to_string();
        assert!(!help.contains("--jwt") && !help.contains("--client-secret"));
        assert!(help.contains("RC_USER_JWT"));
    }
}
