//! Fetching all active calls of one scope (`view=Detailed`, every page), reusing the records of the last
//! poll whose text did not change.
use std::sync::Arc;

use jiff::Timestamp;

use super::error::{ApiError, Endpoint};
use super::model::{ActiveCallsPage, CallRecord, SkippedRecord};
use super::paging::{Pacing, each_page};
use super::rate_limit::{HEAVY, RateLimitHeaders};
use super::record_cache::RecordCache;
use super::scope::Scope;
use super::session::Session;
use super::transport::json_error;

/// All active calls of one scope, gathered over every page.
#[derive(Debug, Clone, Default)]
pub struct ActiveCalls {
    pub records: Vec<Arc<CallRecord>>,
    /// Records the parser skipped (`index` is the position within its page).
    pub skipped: Vec<SkippedRecord>,
    /// How many pages the scope took.
    pub page_count: u32,
    /// Every page as received, when [`Fetch::keep_pages`] asked for them (for recording).
    pub pages: Vec<RawPage>,
    /// Rate headers of the last page.
    pub rate: Option<RateLimitHeaders>,
}

/// What a poller carries from one poll of active calls to the next.
#[derive(Debug, Default)]
pub struct Fetch {
    /// Records of the last poll, reused when their text did not change.
    pub cache: RecordCache,
    /// Keep every page's body in [`ActiveCalls::pages`]; off, bodies are dropped once parsed.
    pub keep_pages: bool,
    /// Waiting for budget between pages and asking again for a failed page; the default does neither.
    pub pacing: Pacing,
}

/// One response body as received, for recording.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPage {
    /// The URL requested (never holds a token).
    pub url: String,
    pub received_at: Timestamp,
    pub rate: Option<RateLimitHeaders>,
    pub body: String,
}

/// Every page of `scope`'s active calls, `per_page` records a page, one Heavy request each. The cache of
/// `fetch` finishes its poll on success and abandons it on failure.
pub(crate) async fn fetch(
    session: &Session,
    scope: &Scope,
    per_page: u32,
    fetch: &mut Fetch,
) -> Result<ActiveCalls, ApiError> {
    let result = fetch_pages(session, scope, per_page, fetch).await;
    match result {
        Ok(_) => fetch.cache.finish_poll(),
        Err(_) => fetch.cache.abandon_poll(),
    }
    result
}

async fn fetch_pages(
    session: &Session,
    scope: &Scope,
    per_page: u32,
    fetch: &mut Fetch,
) -> Result<ActiveCalls, ApiError> {
    if let Scope::Extension(id) = scope
        && id != "~"
        && (id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(ApiError::Config(
            "an extension id is a number (or ~ for your own extension)".into(),
        ));
    }
    let mut url = session.transport.url(&scope.active_calls_path())?;
    url.query_pairs_mut()
        .append_pair("view", "Detailed")
        .append_pair("perPage", &per_page.to_string());
    let endpoint = Endpoint::ActiveCalls {
        account: scope.is_account(),
    };
    let mut calls = ActiveCalls::default();
    let paged = (HEAVY, endpoint);
    each_page(
        session,
        url,
        paged,
        ("active calls", fetch.pacing),
        |url, reply| {
            let page = ActiveCallsPage::parse_with(&reply.body, &mut fetch.cache)
                .map_err(|e| json_error("active calls", &e))?;
            if !page.skipped.is_empty() {
                tracing::debug!(skipped = page.skipped.len(), "skipped unreadable call records");
            }
            calls.records.extend(page.records);
            calls.skipped.extend(page.skipped);
            calls.rate = reply.rate.clone();
            calls.page_count += 1;
            if fetch.keep_pages {
                calls.pages.push(RawPage {
                    url: url.to_string(),
                    received_at: reply.received_at,
                    rate: reply.rate,
                    body: String::from_utf8_lossy(&reply.body).into_owned(),
                });
            }
            Ok(page.navigation.next_page.map(|link| link.uri))
        },
    )
    .await?;
    Ok(calls)
}
