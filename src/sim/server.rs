//! The HTTP front: routes, the per-request frame (faults, request log), bearer auth and rate limiting, and
//! the reply type every handler returns.
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use tokio::sync::watch;

use super::auth::{AccessCheck, TokenStore};
use super::endpoints;
use super::errors::ApiError;
use super::faults::Faults;
use super::frame;
use super::generator::Generator;
use super::oauth;
use super::rate_limit::{RateGroup, RateLimiter, RateVerdict};
use super::request_log::RequestLog;
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
    /// `http://127.0.0.1:PORT`, used when a request has no usable `Host` header.
    pub base_url: String,
    /// Flips to `true` when the simulator stops; withheld responses wait for it.
    pub stopping: watch::Receiver<bool>,
}

/// The authenticated user of an API request and its rate-limit verdict.
pub struct Caller {
    pub ext: Extension,
    pub verdict: RateVerdict,
}

/// What the request log learns from a handler (carried as a response extension).
#[derive(Debug, Clone, Copy, Default)]
pub struct ReqMeta {
    pub user: Option<u64>,
    pub group: Option<RateGroup>,
}

/// A handler's answer: JSON body plus the headers the real service adds.
pub struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    verdict: Option<RateVerdict>,
    retry_after: Option<u64>,
    meta: ReqMeta,
}

impl Reply {
    /// 200 with `value` as JSON, rate headers from `verdict`.
    pub fn ok<T: Serialize>(value: &T, user: Option<u64>, verdict: RateVerdict) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                status: StatusCode::OK,
                body,
                verdict: Some(verdict),
                retry_after: None,
                meta: ReqMeta {
                    user,
                    group: Some(verdict.group),
                },
            },
            Err(_) => Reply::error(ApiError::server_error(StatusCode::INTERNAL_SERVER_ERROR, None)),
        }
    }

    /// An error body without rate headers.
    pub fn error(e: ApiError) -> Reply {
        Reply {
            status: e.status,
            body: serde_json::to_vec(&e.body).unwrap_or_default(),
            verdict: None,
            retry_after: e.retry_after,
            meta: ReqMeta::default(),
        }
    }

    /// An error body for a known user, with the rate headers of `verdict`.
    pub fn error_for(e: ApiError, user: Option<u64>, verdict: RateVerdict) -> Reply {
        let mut reply = Reply::error(e);
        reply.verdict = Some(verdict);
        reply.meta = ReqMeta {
            user,
            group: Some(verdict.group),
        };
        reply
    }

    /// 200 with an empty body (revoke).
    pub fn empty(user: Option<u64>, verdict: RateVerdict) -> Reply {
        let mut reply = Reply::ok(&(), user, verdict);
        reply.body.clear();
        reply
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let empty = self.body.is_empty();
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        if !empty {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if let Some(v) = self.verdict {
            headers.insert("X-Rate-Limit-Group", HeaderValue::from_static(v.group.as_str()));
            headers.insert("X-Rate-Limit-Limit", v.limit.into());
            headers.insert("X-Rate-Limit-Remaining", v.remaining.into());
            headers.insert("X-Rate-Limit-Window", v.window_secs.into());
        }
        if let Some(secs) = self.retry_after {
            headers.insert(RETRY_AFTER, secs.into());
        }
        response.extensions_mut().insert(self.meta);
        response
    }
}

/// The router with every endpoint, wrapped in the fault/log frame.
pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/restapi/oauth/token", post(oauth::token))
        .route("/restapi/oauth/revoke", post(oauth::revoke))
        .route(
            "/restapi/v1.0/account/{account}/active-calls",
            get(endpoints::account_calls),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}/active-calls",
            get(endpoints::extension_calls),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension/{ext}",
            get(endpoints::extension_info),
        )
        .route(
            "/restapi/v1.0/account/{account}/extension",
            get(endpoints::directory),
        )
        .fallback(unknown_uri)
        .method_not_allowed_fallback(unknown_uri)
        .layer(middleware::from_fn_with_state(state.clone(), frame::frame))
        .with_state(state)
}

async fn unknown_uri() -> Reply {
    Reply::error(ApiError::invalid_uri())
}

impl SimState {
    /// Locks the token store.
    pub fn tokens(&self) -> MutexGuard<'_, TokenStore> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a request by `key` in `group`.
    pub fn rate(&self, key: &str, group: RateGroup) -> RateVerdict {
        let now = self.clock.wall();
        let mut limiter = self.limiter.lock().unwrap_or_else(PoisonError::into_inner);
        limiter.check(key, group, now)
    }

    /// Authenticates the bearer token and counts the request in `group`.
    pub fn authorize(&self, headers: &HeaderMap, group: RateGroup) -> Result<Caller, Reply> {
        let token = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| strip_scheme(v, "Bearer"))
            .unwrap_or_default();
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

    /// `http://host:port` as the client addressed the simulator, for absolute URIs.
    pub fn base_for(&self, headers: &HeaderMap) -> String {
        let host = headers.get(HOST).and_then(|h| h.to_str().ok()).filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
        match host {
            Some(h) => format!("http://{h}"),
            None => self.base_url.clone(),
        }
    }
}

/// The credentials after `scheme ` in an `Authorization` value (scheme matched case-insensitively).
pub fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}
