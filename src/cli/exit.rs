//! Errors that end the program, and the exit code each one gives scripts.
use std::process::ExitCode;

use crate::api::error::ApiError;
use crate::config::ConfigError;

/// What stopped callboard. Exit codes are listed in `--help` (see `args.rs`).
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
    /// `doctor` found problems; the first API error behind them gives the exit code.
    #[error("{failed} check(s) failed; see the FAILED lines above")]
    Checks { failed: usize, first: Option<ApiError> },
}

impl Fatal {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> ExitCode {
        let code = match self {
            Fatal::Config(_) => 3,
            Fatal::Api(ApiError::Unauthorized { .. } | ApiError::Config(_)) => 3,
            Fatal::Api(ApiError::Permission { .. }) => 4,
            Fatal::Api(ApiError::RateLimited { .. }) => 5,
            Fatal::Api(ApiError::Network(_) | ApiError::Timeout) => 6,
            Fatal::Checks { first: Some(e), .. } => return Fatal::Api(e.clone()).exit_code(),
            Fatal::Api(_) | Fatal::Io(_) | Fatal::Other(_) | Fatal::Checks { .. } => 1,
        };
        ExitCode::from(code)
    }
}
