//! `GET /metrics` in the Prometheus text format: installs the process's recorder once and serves what it
//! has counted on a listener the caller bound (`serve --metrics ADDR`, or a test on 127.0.0.1:0).
//!
//! A caller spawns [`serve`] and aborts the task to stop it, or passes its own shutdown to
//! [`serve_handle`].
use std::future::Future;
use std::io;
use std::sync::OnceLock;

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use jiff::Timestamp;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

/// The media type of the Prometheus text exposition format.
pub const CONTENT_TYPE_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the Prometheus recorder as the process's `metrics` recorder (once; later calls return the
/// same handle) and registers every series at zero. Fails when another recorder was installed first.
pub fn install() -> io::Result<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .install_recorder()
                .map_err(|e| format!("cannot serve /metrics: {e}"))?;
            super::register_all();
            Ok(handle)
        })
        .clone()
        .map_err(io::Error::other)
}

/// Installs the recorder ([`install`]) and serves `GET /metrics` on `listener` until the task is dropped
/// or aborted.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    serve_handle(listener, install()?, std::future::pending()).await
}

/// Serves `GET /metrics` from `handle` on `listener` until `shutdown` completes, then finishes the
/// scrapes under way.
pub async fn serve_handle(
    listener: TcpListener,
    handle: PrometheusHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = Router::new().route("/metrics", get(scrape)).with_state(handle);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

async fn scrape(State(handle): State<PrometheusHandle>) -> impl IntoResponse {
    super::refresh_listing_age(Timestamp::now());
    ([(CONTENT_TYPE, CONTENT_TYPE_TEXT)], handle.render())
}
