//! Logs go to a daily-rotated file under the platform state directory, never to the terminal (the TUI owns
//! it). The level comes from `CALLBOARD_LOG` (an `EnvFilter` directive such as `debug` or
//! `callboard=trace`); the default is `info`.
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Environment variable holding the log filter.
pub const LOG_ENV: &str = "CALLBOARD_LOG";
/// Log files kept (one per day).
const KEEP_FILES: usize = 7;

/// Where log files go: `<state dir>/logs`, falling back to the cache dir on platforms without a state dir.
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "callboard")?;
    Some(dirs.state_dir().unwrap_or(dirs.cache_dir()).join("logs"))
}

/// Starts logging to `dir`. Keep the guard alive for the life of the program: dropping it flushes.
pub fn init(dir: &Path) -> std::io::Result<WorkerGuard> {
    std::fs::create_dir_all(dir)?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("callboard")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(std::io::Error::other)?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let mut filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    // The WebSocket library traces its handshake request, whose URL carries the gateway token: never logged,
    // whatever CALLBOARD_LOG asks.
    for quiet in ["tungstenite=off", "tokio_tungstenite=off"] {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(writer)
        .try_init();
    Ok(guard)
}
