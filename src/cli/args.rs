//! Command-line arguments. Secrets are never flags: they come from the environment, `.env` or the config
//! file, so they cannot leak through `--help`, shell history or `ps`.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::output::Format;

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

Scripts: `callboard once --format json` prints the current calls and exits; `callboard doctor` checks
the setup; `--record FILE` keeps every poll for `callboard replay FILE`.

Exit codes: 0 success, 1 other failure, 2 usage, 3 bad credentials or configuration,
4 missing permission, 5 rate limited, 6 network failure or timeout.";

/// [`AFTER_HELP`] plus where the log files are, so a user can find them.
fn after_help() -> String {
    let dir = crate::logging::log_dir().map_or_else(|| "unavailable".into(), |d| d.display().to_string());
    format!("{AFTER_HELP}\n\nLogs: daily files in {dir} (more detail: CALLBOARD_LOG=debug).")
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
    #[arg(long, value_name = "FILE", requires = "demo")]
    pub scenario: Option<PathBuf>,

    /// Scope to start in (default: account for admins, else your extension).
    #[arg(global = true, long, value_enum)]
    pub scope: Option<ScopeArg>,

    /// Seconds between polls; raised to what the rate limit allows (default 10).
    #[arg(long, value_name = "SECS")]
    pub interval: Option<f64>,

    /// How long ended calls stay in the recently-ended section, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub ended_window: u64,

    /// Draw without colours (also: the NO_COLOR environment variable).
    #[arg(global = true, long)]
    pub no_color: bool,

    /// Do not copy with y/Y (OSC 52 clipboard escape sequences are never written).
    #[arg(global = true, long)]
    pub no_osc52: bool,

    /// Append every raw poll response (with its time, scope and rate-limit headers) to FILE as NDJSON;
    /// play it back with `callboard replay FILE`. Holds no token or secret.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

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
    },
    /// Revoke the cached token and delete it from disk.
    Logout,
    /// Poll once (all pages), print the calls and exit; for scripts and pipes.
    Once {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Play a recording made with --record on the board (or print its final state with --once).
    Replay {
        /// The recording (NDJSON from --record), or a single raw active-calls response.
        file: PathBuf,
        /// Playback speed: 2 plays twice as fast as it was recorded.
        #[arg(long, default_value_t = 1.0, value_name = "N")]
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

    #[test]
    fn help_names_no_secret_flag() {
        let help = Args::command().render_long_help().to_string();
        assert!(!help.contains("--jwt") && !help.contains("--client-secret"));
        assert!(help.contains("RC_USER_JWT"));
    }
}
