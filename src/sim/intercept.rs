//! The intercept around every request: injected faults for API requests, then an entry in the request log.
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_LENGTH};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;
use super::faults::Fault;
use super::listener::ConnHandle;
use super::reply::{Reply, ReqMeta};
use super::request_log::{LoggedRequest, redact};
use super::state::{SimState, bearer};

/// Applies injected faults to API requests and logs every request with its outcome.
pub async fn intercept(
    State(st): State<Arc<SimState>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    req: Request,
    next: Next,
) -> Response {
    let at = st.clock.wall();
    let method = req.method().to_string();
    let path = redact(
        req.uri()
            .path_and_query()
            .map_or(req.uri().path(), |p| p.as_str()),
    );
    let is_api = req.uri().path().starts_with("/restapi/v1.0/");
    let session = st.tokens().session_of(bearer(req.headers())).map(str::to_owned);
    let accept_encoding = req
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let log = |status: Option<u16>, meta: ReqMeta| {
        tracing::debug!(target: "callboard::sim::requests", status = status.unwrap_or(0), "{method} {path}");
        st.log_request(LoggedRequest {
            at,
            method: method.clone(),
            path: path.clone(),
            user: meta.user,
            session: session.clone(),
            group: meta.group,
            status,
            accept_encoding: accept_encoding.clone(),
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
