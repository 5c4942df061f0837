//! The background task that keeps the directory: the cache while it is fresh, else one fetch of every
//! page (Medium group), then sleep until it goes stale. Failures are logged and retried much later.
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Directory;
use super::cache::{DirectoryCache, is_fresh};
use crate::api::RcClient;
use crate::api::rate_limit::MEDIUM;

/// Wait after a failed fetch.
const RETRY: Duration = Duration::from_secs(300);

/// The running task and the latest directory it published (`None` until one is known).
#[derive(Debug)]
pub struct DirectoryTask {
    /// The directory, updated when it is fetched again.
    pub directory: watch::Receiver<Option<Arc<Directory>>>,
    /// The task; abort it on exit.
    pub task: JoinHandle<()>,
}

/// Starts keeping the directory of `client`'s server, cached in the platform cache directory (not for a
/// loopback server such as the demo simulator, whose port and directory change every run).
pub fn spawn_for(client: &RcClient) -> DirectoryTask {
    let server = client.server_url();
    let cache = if crate::api::settings::is_loopback(server) {
        None
    } else {
        DirectoryCache::for_server(server.as_str())
    };
    spawn(client.clone(), cache)
}

/// Starts keeping the directory of `client`'s account, cached in `cache` (nothing on disk without one).
pub fn spawn(client: RcClient, cache: Option<DirectoryCache>) -> DirectoryTask {
    let (tx, directory) = watch::channel(None);
    let task = tokio::spawn(async move {
        loop {
            let wait = match load(&client, cache.as_ref(), Timestamp::now()).await {
                Ok(dir) => {
                    let left = dir
                        .fetched_at()
                        .map(|at| super::TTL - Timestamp::now().duration_since(at))
                        .and_then(|d| Duration::try_from(d).ok())
                        .unwrap_or(RETRY);
                    tx.send_replace(Some(Arc::new(dir)));
                    left.max(Duration::from_secs(1))
                }
                Err(e) => {
                    tracing::warn!("could not fetch the extension directory: {e}; retrying in 5 minutes");
                    RETRY
                }
            };
            tokio::time::sleep(wait).await;
        }
    });
    DirectoryTask { directory, task }
}

/// The directory: from `cache` while fresh at `now`, else fetched (every page) and written back. Waits for
/// the Medium budget rather than being refused.
pub async fn load(
    client: &RcClient,
    cache: Option<&DirectoryCache>,
    now: Timestamp,
) -> Result<Directory, crate::api::ApiError> {
    if let Some(dir) = cache.and_then(DirectoryCache::load).filter(|d| is_fresh(d, now)) {
        return Ok(dir);
    }
    let wait = client.wait_before(MEDIUM);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let dir = Directory::new(Some(Timestamp::now()), client.list_extensions().await?);
    if let Some(cache) = cache
        && let Err(e) = cache.save(&dir)
    {
        tracing::warn!(path = %cache.path().display(), "could not cache the extension directory: {e}");
    }
    Ok(dir)
}
