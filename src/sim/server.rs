//! The HTTP front: routes, the per-request frame (faults, request log), bearer auth and rate limiting, and
//! the reply type every handler returns.
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use tokio::sync::watch;

use super::auth::{AccessCheck, TokenStore};
use super::clock::SimClock;
use super::endpoints;
use super::errors::ApiError;
use super::faults::{Fault, Faults};
use super::generator::Generator;
use super::listener::ConnHandle;
use super::oauth;
use super::rate_limit::{RateGroup, RateLimiter, RateVerdict};
use super::request_log::{LoggedRequest, RequestLog, redact};
use super::scenario::Scenario;
use super::users::{Directory, Extension};

/// Everything the handlers share.
pub struct SimState {
    pub clock: SimClock,
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

/// What the request log learns from a handler.
#[derive(Debug, Clone, Copy, Default)]
struct ReqMeta {
    user: Option<u64>,
    group: Option<RateGroup>,
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
        .layer(middleware::from_fn_with_state(state.clone(), frame))
        .with_state(state)
}

async fn unknown_uri() -> Reply {
    Reply::error(ApiError::invalid_uri())
}

/// Applies injected faults to API requests and logs every request with its outcome.
async fn frame(
    State(st): State<Arc<SimState>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    req: Request,
    next: Next,
) -> Response {
    let at = st.clock.now();
    let method = req.method().to_string();
    let path = redact(
        req.uri()
            .path_and_query()
            .map_or(req.uri().path(), |p| p.as_str()),
    );
    let is_api = req.uri().path().starts_with("/restapi/v1.0/");
    let log = |status: Option<u16>, meta: ReqMeta| {
        st.log.push(LoggedRequest {
            at,
            method: method.clone(),
            path: path.clone(),
            user: meta.user,
            group: meta.group,
            status,
        })
    };
    let (fault, delay) = if is_api {
        (st.faults.next_for_api_request(), st.faults.delay())
    } else {
        (None, Duration::ZERO)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let response = match fault {
        None => next.run(req).await,
        Some(Fault::Slow { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(req).await
        }
        Some(Fault::Hang) => return withhold(&st, log, None).await,
        Some(Fault::Drop) => return withhold(&st, log, Some(&conn)).await,
        Some(Fault::Unauthorized) => {
            Reply::error(ApiError::token_invalid("OAU-213", "Token not found")).into_response()
        }
        Some(Fault::RateLimited) => {
            Reply::error(ApiError::rate_exceeded(st.scenario.rate_limits.penalty_secs)).into_response()
        }
        Some(Fault::ServerError { status, retry_after }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Reply::error(ApiError::server_error(status, retry_after)).into_response()
        }
        Some(Fault::Truncated) => damage(next.run(req).await, |b| b[..b.len() / 2].to_vec()).await,
        Some(Fault::Malformed) => damage(next.run(req).await, malform).await,
    };
    let meta = response
        .extensions()
        .get::<ReqMeta>()
        .copied()
        .unwrap_or_default();
    log(Some(response.status().as_u16()), meta);
    response
}

/// Sends nothing: optionally cuts the connection, then waits until the simulator stops.
async fn withhold(st: &SimState, log: impl Fn(Option<u16>, ReqMeta), conn: Option<&ConnHandle>) -> Response {
    log(None, ReqMeta::default());
    if let Some(conn) = conn {
        conn.kill();
    }
    let mut stopping = st.stopping.clone();
    // An error means the simulator is gone, which also ends the wait.
    let _ = stopping.wait_for(|stop| *stop).await;
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// Rewrites a response body with `f`, keeping status and headers (minus the stale length).
async fn damage(response: Response, f: impl FnOnce(&[u8]) -> Vec<u8>) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(f(&bytes)))
}

/// Breaks JSON syntax while keeping the body recognisably the same document.
fn malform(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    match out.iter().position(|b| *b == b':') {
        Some(i) => out[i] = b'=',
        None => out.extend_from_slice(b"{\"records\":[,]"),
    }
    out
}

impl SimState {
    /// Locks the token store.
    pub fn tokens(&self) -> MutexGuard<'_, TokenStore> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a request by `key` in `group`.
    pub fn rate(&self, key: &str, group: RateGroup) -> RateVerdict {
        let now = self.clock.now();
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
        let check = self.tokens().check_access(token, self.clock.now());
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
