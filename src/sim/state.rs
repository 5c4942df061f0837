//! What every handler shares: the clock, the scenario, tokens, rate limits, faults and the request log;
//! and the bearer check that turns a request into a known, counted caller.
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, HOST};
use tokio::sync::watch;

use super::auth::{AccessCheck, TokenStore};
use super::bench_log::BenchLog;
use super::errors::ApiError;
use super::faults::Faults;
use super::generator::Generator;
use super::push::Gateway;
use super::rate_limit::{RateGroup, RateLimiter, RateVerdict};
use super::reply::Reply;
use super::request_log::{LoggedRequest, RequestLog};
use super::scenario::Scenario;
use super::users::{Directory, Extension};
use crate::clock::Clock;

/// Everything the handlers share.
pub struct SimState {
    pub clock: Clock,
    pub scenario: Scenario,
    pub dir: Directory,
    pub generator: Generator,
    pub tokens: Mutex<TokenStore>,
    pub limiter: Mutex<RateLimiter>,
    pub faults: Faults,
    pub log: RequestLog,
    /// `--bench-log FILE`: requests and probe events with Unix-time stamps, when asked for.
    pub bench_log: Option<BenchLog>,
    /// The WebSocket gateway's tokens, sessions and faults.
    pub gateway: Gateway,
    /// `http://127.0.0.1:PORT` (`https://` with TLS), used when a request has no usable `Host` header.
    pub base_url: String,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Flips to `true` when the simulator stops; withheld responses wait for it.
    pub stopping: watch::Receiver<bool>,
}

/// The authenticated user of an API request and its rate-limit verdict.
pub struct Caller {
    pub ext: Extension,
    pub verdict: RateVerdict,
}

impl SimState {
    /// Locks the token store.
    pub fn tokens(&self) -> MutexGuard<'_, TokenStore> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `entry` in the request log (and the bench log, when there is one).
    pub fn log_request(&self, entry: LoggedRequest) {
        if let Some(bench) = &self.bench_log {
            bench.request(&entry);
        }
        self.log.push(entry);
    }

    /// Counts a request by `key` in `group`.
    pub fn rate(&self, key: &str, group: RateGroup) -> RateVerdict {
        let now = self.clock.wall();
        let mut limiter = self.limiter.lock().unwrap_or_else(PoisonError::into_inner);
        limiter.check(key, group, now)
    }

    /// Authenticates the bearer token and counts the request in `group`.
    pub fn authorize(&self, headers: &HeaderMap, group: RateGroup) -> Result<Caller, Reply> {
        let token = bearer(headers);
        let check = self.tokens().check_access(token, self.clock.wall());
        let ext = match check {
            AccessCheck::Valid(id) => self.dir.by_id(id).cloned(),
            AccessCheck::Unparsable => None,
            AccessCheck::Expired => {
                return Err(Reply::error(ApiError::token_invalid(
                    "OAU-128",
                    "Access token expired.",
                )));
            }
            AccessCheck::NotFound => {
                return Err(Reply::error(ApiError::token_invalid(
                    "OAU-213",
                    "Token not found",
                )));
            }
        };
        let Some(ext) = ext else {
            return Err(Reply::error(ApiError::token_invalid(
                "OAU-149",
                "Unparsable access token",
            )));
        };
        let verdict = self.rate(&ext.id.to_string(), group);
        if let Some(penalty) = verdict.throttled {
            return Err(Reply::error_for(
                ApiError::rate_exceeded(penalty),
                Some(ext.id),
                verdict,
            ));
        }
        Ok(Caller { ext, verdict })
    }

    /// `http://host:port` (or `https://`) as the client addressed the simulator, for absolute URIs.
    pub fn base_for(&self, headers: &HeaderMap) -> String {
        let host = headers.get(HOST).and_then(|h| h.to_str().ok()).filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
        match host {
            Some(h) => format!("{}://{h}", self.scheme),
            None => self.base_url.clone(),
        }
    }
}

/// The bearer token of a request (empty when there is none).
pub fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| strip_scheme(v, "Bearer"))
        .unwrap_or_default()
}

/// The credentials after `scheme ` in an `Authorization` value (scheme matched case-insensitively).
pub fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}
