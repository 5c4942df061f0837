//! Following `navigation.nextPage`: one loop for every paged listing (active calls, the extension
//! directory), refusing links that leave the server or go round in a loop. With a [`Pacing`] the loop
//! waits for its group's budget before a page instead of failing, and asks for a page that failed
//! transiently again by itself: a listing never starts over from its first page.
use std::collections::HashSet;
use std::time::Duration;

use url::Url;

use super::error::{ApiError, Endpoint};
use super::session::Session;
use super::transport::Reply;

/// Most pages one listing follows.
const MAX_PAGES: usize = 50;
/// Wait before asking again for a page that failed without a `Retry-After`, times the attempt number.
const PAGE_RETRY_DELAY: Duration = Duration::from_secs(1);

/// How a listing meets a spent budget or a page that failed. The default waits for nothing and retries
/// nothing: a one-off listing fails at once and says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pacing {
    /// Longest wait for the group's budget (or a 429's penalty) before one page. A page that would have
    /// to wait longer fails the listing with `RateLimited { sent: false }`.
    pub max_wait: Duration,
    /// How many more times a page after the first is asked for after a transient failure (a 5xx, a
    /// timeout, a dropped connection, an unreadable body, a 429) before the listing fails. A failed first
    /// page fails the listing at once: nothing of it is spent yet, and the caller's retry (with its
    /// backoff and its report of the failure) asks for the same page.
    pub page_retries: u32,
}

/// GETs `first` and every page after it, handing each page's URL and reply to `on_page`, which returns the
/// page's next-page link (`None` or blank on the last page) and must change nothing when it fails. `what`
/// names the listing in the error for too many pages.
pub(crate) async fn each_page(
    session: &Session,
    first: Url,
    (group, endpoint): (&str, Endpoint),
    (what, pacing): (&str, Pacing),
    mut on_page: impl FnMut(&Url, Reply) -> Result<Option<String>, ApiError>,
) -> Result<(), ApiError> {
    let base = session.transport.base();
    let mut url = first;
    let mut seen = HashSet::new();
    while seen.len() < MAX_PAGES {
        seen.insert(url.clone());
        let retries = if seen.len() == 1 { 0 } else { pacing.page_retries };
        let mut failures = 0;
        let next = loop {
            wait_for_budget(session, group, pacing.max_wait).await?;
            let result = session.get(&url, group, endpoint).await;
            match result.and_then(|reply| on_page(&url, reply)) {
                Ok(next) => break next,
                Err(e) if failures < retries && is_transient(&e) => {
                    failures += 1;
                    let delay = retry_delay(&e, failures);
                    if delay > pacing.max_wait {
                        return Err(e);
                    }
                    tracing::debug!(page = seen.len(), failures, "asking for the page again: {e}");
                    session.transport.clock().sleep(delay).await;
                }
                Err(e) => return Err(e),
            }
        };
        match next.filter(|link| !link.trim().is_empty()) {
            Some(next) => url = next_page_url(base, &next, &seen)?,
            None => return Ok(()),
        }
    }
    Err(ApiError::Malformed(format!(
        "more than {MAX_PAGES} pages of {what}"
    )))
}

/// Waits until `group` has budget for one request, unless that takes longer than `max_wait`.
async fn wait_for_budget(session: &Session, group: &str, max_wait: Duration) -> Result<(), ApiError> {
    let clock = session.transport.clock();
    let deadline = clock.now() + max_wait;
    loop {
        let wait = session.transport.wait_before(group);
        if wait.is_zero() {
            return Ok(());
        }
        if clock.now() + wait > deadline {
            return Err(ApiError::RateLimited {
                group: group.to_owned(),
                retry_after: wait,
                sent: false,
            });
        }
        tracing::debug!(
            group,
            wait_ms = wait.as_millis(),
            "waiting for budget before the next page"
        );
        clock.sleep(wait).await;
    }
}

/// Failures that asking for the same page again can cure. A 429's penalty is waited out by
/// [`wait_for_budget`] before the next attempt.
fn is_transient(e: &ApiError) -> bool {
    match e {
        ApiError::Server { status, .. } => *status >= 500,
        ApiError::Timeout
        | ApiError::Network(_)
        | ApiError::Proxy(_)
        | ApiError::Malformed(_)
        | ApiError::RateLimited { .. } => true,
        _ => false,
    }
}

/// The wait before attempt `failures + 1` of a page: the server's `Retry-After` when it gave one, else
/// [`PAGE_RETRY_DELAY`] times the attempt.
fn retry_delay(e: &ApiError, failures: u32) -> Duration {
    match e {
        ApiError::Server {
            retry_after: Some(after),
            ..
        } => *after,
        ApiError::RateLimited { .. } => Duration::ZERO,
        _ => PAGE_RETRY_DELAY * failures,
    }
}

/// The URL of the next page: `link` resolved against `base`, refused when it leaves `base`'s origin or
/// returns to a page already fetched.
fn next_page_url(base: &Url, link: &str, seen: &HashSet<Url>) -> Result<Url, ApiError> {
    let url = base
        .join(link)
        .map_err(|_| ApiError::Malformed("the next-page link is not a URL".into()))?;
    if url.origin() != base.origin() {
        return Err(ApiError::Malformed(
            "the next-page link points to another server; not followed".into(),
        ));
    }
    if seen.contains(&url) {
        return Err(ApiError::Malformed(
            "the next-page links go round in a loop".into(),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_links_stay_on_the_server_and_never_loop() {
        let base: Url = "https://platform.ringcentral.com".parse().unwrap();
        let first: Url = "https://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=1"
            .parse()
            .unwrap();
        let seen = HashSet::from([first.clone()]);
        let next = next_page_url(
            &base,
            "https://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=2",
            &seen,
        );
        assert_eq!(next.unwrap().query(), Some("page=2"));
        let relative = next_page_url(&base, "/restapi/v1.0/account/~/active-calls?page=3", &seen).unwrap();
        assert_eq!(relative.host_str(), Some("platform.ringcentral.com"));
        for link in [
            "https://evil.example/restapi/v1.0/account/~/active-calls?page=2",
            "http://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=2",
            "https://platform.ringcentral.com:8443/x",
            "//evil.example/x",
            first.as_str(),
            "http://[::1",
        ] {
            assert!(
                matches!(next_page_url(&base, link, &seen), Err(ApiError::Malformed(_))),
                "{link}"
            );
        }
    }
}
