//! The HTTP front: every route, behind the request intercept (faults, request log), compressed with gzip
//! when the client asks (`Accept-Encoding: gzip`), as RingCentral's servers do.
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;

use super::errors::ApiError;
use super::reply::Reply;
use super::state::SimState;
use super::{endpoints, intercept, oauth, push};

/// The router with every endpoint, behind the fault/log intercept. Compression wraps the intercept, so a
/// damaged body (truncated, malformed) is damaged before it is compressed, as a server's bug would be.
pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/restapi/oauth/token", post(oauth::token))
        .route("/restapi/oauth/revoke", post(oauth::revoke))
        .route("/restapi/oauth/wstoken", post(push::wstoken))
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
        .layer(middleware::from_fn_with_state(
            state.clone(),
            intercept::intercept,
        ))
        .layer(CompressionLayer::new().gzip(true))
        .with_state(state)
}

async fn unknown_uri() -> Reply {
    Reply::error(ApiError::invalid_uri())
}
