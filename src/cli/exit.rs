//! Errors that end the program, and the exit code each one gives scripts.
use std::process::ExitCode;

use crate::api::error::ApiError;
use crate::config::ConfigError;
use crate::feed::{SourceError, SourceErrorKind};

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
    /// A running source (`tail`'s) failed in a way it cannot outlive; its kind gives the exit code.
    #[error("{}", .0.message)]
    Source(SourceError),
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
            Fatal::Api(ApiError::Network(_) | ApiError::Proxy(_) | ApiError::Tls(_) | ApiError::Timeout) => 6,
            Fatal::Checks { first: Some(e), .. } => return Fatal::Api(e.clone()).exit_code(),
            Fatal::Source(e) => match e.kind {
                SourceErrorKind::Unauthorized => 3,
                SourceErrorKind::Permission { .. } => 4,
                SourceErrorKind::RateLimited => 5,
                SourceErrorKind::Network | SourceErrorKind::Timeout => 6,
                SourceErrorKind::Server | SourceErrorKind::Malformed => 1,
            },
            Fatal::Api(_) | Fatal::Io(_) | Fatal::Other(_) | Fatal::Checks { .. } => 1,
        };
        ExitCode::from(code)
    }
}
