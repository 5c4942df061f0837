//! Turns a client error into what the status bar shows: a kind the UI can act on and words a person can
//! act on.
use std::time::Duration;

use jiff::Timestamp;

use crate::api::Scope;
use crate::api::error::ApiError;
use crate::snapshot::{PollError, PollErrorKind};

/// Describes `err`, met while polling `scope` at `now`, with the next attempt due after `retry_in`.
pub fn describe(err: &ApiError, scope: &Scope, now: Timestamp, retry_in: Duration) -> PollError {
    let retry_at = now.checked_add(retry_in).ok();
    let (kind, message) = match err {
        ApiError::Permission { permission, .. } if scope.is_account() => (
            PollErrorKind::Permission {
                permission: permission.clone(),
            },
            format!(
                "account scope needs an admin user with the {} permission; staying on extension scope",
                permission.as_deref().unwrap_or("ReadCompanyCallLog")
            ),
        ),
        ApiError::Permission { permission, .. } => (
            PollErrorKind::Permission {
                permission: permission.clone(),
            },
            err.to_string(),
        ),
        ApiError::Unauthorized { .. } | ApiError::Config(_) => (PollErrorKind::Unauthorized, err.to_string()),
        ApiError::RateLimited { .. } => (PollErrorKind::RateLimited, err.to_string()),
        ApiError::Server { .. } | ApiError::NotFound => (PollErrorKind::Server, err.to_string()),
        ApiError::Timeout => (PollErrorKind::Timeout, err.to_string()),
        ApiError::Network(_) => (PollErrorKind::Network, err.to_string()),
        ApiError::Malformed(_) => (PollErrorKind::Malformed, err.to_string()),
    };
    PollError {
        kind,
        scope: scope.clone(),
        message,
        at: now,
        retry_at,
    }
}
