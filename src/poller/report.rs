//! Turns a client error into what the status bar shows: a kind the UI can act on and words a person can
//! act on.
use std::time::Duration;

use jiff::Timestamp;

use crate::api::Scope;
use crate::api::error::ApiError;
use crate::feed::{SourceError, SourceErrorKind};

/// Describes `err`, met while polling `scope` at `now`, with the next attempt due after `retry_in` (none:
/// not retried until the user asks).
pub fn describe(err: &ApiError, scope: &Scope, now: Timestamp, retry_in: Option<Duration>) -> SourceError {
    let retry_at = retry_in.and_then(|wait| now.checked_add(wait).ok());
    let (kind, message) = match err {
        ApiError::Permission { permission, .. } if scope.is_account() => (
            SourceErrorKind::Permission {
                permission: permission.clone(),
            },
            format!(
                "account scope needs an admin user with the {} permission; staying on extension scope",
                permission.as_deref().unwrap_or("ReadCompanyCallLog")
            ),
        ),
        ApiError::Permission { permission, .. } => (
            SourceErrorKind::Permission {
                permission: permission.clone(),
            },
            err.to_string(),
        ),
        ApiError::Unauthorized { .. } | ApiError::Config(_) => {
            (SourceErrorKind::Unauthorized, err.to_string())
        }
        // The status bar counts down to the retry, so these messages leave the wait out.
        ApiError::RateLimited { group, sent, .. } => {
            (SourceErrorKind::RateLimited, rate_limited(group, *sent))
        }
        ApiError::Server { .. } => {
            let text = err.to_string();
            let what = text.split("; retrying after").next().unwrap_or(&text).to_owned();
            (SourceErrorKind::Server, what)
        }
        ApiError::NotFound => (SourceErrorKind::Server, err.to_string()),
        ApiError::Timeout => (SourceErrorKind::Timeout, err.to_string()),
        ApiError::Network(_) | ApiError::Proxy(_) | ApiError::Tls(_) => {
            (SourceErrorKind::Network, err.to_string())
        }
        ApiError::Malformed(_) => (SourceErrorKind::Malformed, err.to_string()),
    };
    SourceError {
        kind,
        scope: scope.clone(),
        message,
        at: now,
        retry_at,
    }
}

/// A rate-limit message without a wait in it.
fn rate_limited(group: &str, sent: bool) -> String {
    if sent {
        format!(
            "RingCentral's {group} rate limit was exceeded (HTTP 429); nothing is sent until the penalty ends"
        )
    } else {
        format!("callboard is holding back {group} requests to stay within RingCentral's rate limit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_leave_the_wait_to_the_countdown() {
        let now = Timestamp::now();
        let scope = Scope::Account;
        let wait = Duration::from_secs(23);
        let limited = ApiError::RateLimited {
            group: "Heavy".into(),
            retry_after: wait,
            sent: false,
        };
        let server = ApiError::Server {
            status: 503,
            code: None,
            message: "Service Unavailable".into(),
            retry_after: Some(Duration::from_secs(5)),
        };
        for err in [limited, server] {
            let described = describe(&err, &scope, now, Some(wait));
            assert!(
                !described.message.contains("23s") && !described.message.contains("5s"),
                "{described:?}"
            );
            assert_eq!(described.retry_at, now.checked_add(wait).ok());
        }
    }
}
