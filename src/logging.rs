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

/// The log's filter: `directives` (`CALLBOARD_LOG`; `info` when unset or unreadable), with the WebSocket
/// library's own trace off whatever they ask: it traces its handshake request, whose URL carries the
/// gateway token.
pub fn filter(directives: Option<&str>) -> EnvFilter {
    let mut filter = directives
        .and_then(|d| EnvFilter::try_new(d).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    for quiet in ["tungstenite=off", "tokio_tungstenite=off"] {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
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
    let filter = filter(std::env::var(LOG_ENV).ok().as_deref());
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(writer)
        .try_init();
    Ok(guard)
}
