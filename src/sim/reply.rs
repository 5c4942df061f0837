//! The reply every handler returns: a JSON body plus the headers the real service adds, and what the
//! request log learns from it.
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::errors::ApiError;
use super::rate_limit::{RateGroup, RateVerdict};

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
