//! Recordings of what a live source received, one NDJSON line each, in the order it arrived: a successful
//! poll (`at`, `scope`, and every page as received: URL, rate-limit headers, body), or a telephony-session
//! event (`at` it arrived, and `event`: the notification's body as the gateway sent it). They hold no
//! token, secret, request header or WebSocket session token. [`Recorder`] writes them from the live
//! board; [`replay`] reads them back and [`player`] plays them onto the same board.
pub mod player;
mod recorder;
pub mod replay;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::api::Scope;
use crate::api::client::RawPage;
use crate::api::rate_limit::RateLimitHeaders;
use crate::api::wsg::{Notification, SessionEvent};
pub use recorder::Recorder;

/// One successful poll, handed from the poller to the [`Recorder`].
#[derive(Debug, Clone)]
pub struct RecordedPoll {
    /// When the poll finished (its listing's `taken_at`).
    pub at: Timestamp,
    pub scope: Scope,
    pub pages: Vec<RawPage>,
}

/// What the live source hands the [`Recorder`], in the order it received them.
#[derive(Debug, Clone)]
enum Entry {
    Poll(RecordedPoll),
    /// A telephony-session notification and when it arrived.
    Event(Timestamp, Box<Notification<SessionEvent>>),
}

/// One line of a recording file: a poll (`scope` and `pages`) or an event (`event`). Recordings made
/// before events were recorded hold only polls.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    /// When the poll finished, or when the event arrived.
    at: Timestamp,
    /// `account`, or `extension:ID` (`~` for the logged-in user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pages: Option<Vec<PageLine>>,
    /// The `ServerNotification`'s body: the `Notification<SessionEvent>` envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event: Option<Box<RawValue>>,
}

/// One page of a recorded poll.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageLine {
    url: String,
    received_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rate: Option<RateLine>,
    /// The response body: its JSON as received, or a string when it was not JSON.
    body: serde_json::Value,
}

/// The `X-Rate-Limit-*` headers of a page.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remaining: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window_secs: Option<u64>,
}

impl From<&RateLimitHeaders> for RateLine {
    fn from(h: &RateLimitHeaders) -> Self {
        RateLine {
            group: h.group.clone(),
            limit: h.limit,
            remaining: h.remaining,
            window_secs: h.window.map(|w| w.as_secs()),
        }
    }
}

impl From<&RateLine> for RateLimitHeaders {
    fn from(r: &RateLine) -> Self {
        RateLimitHeaders {
            group: r.group.clone(),
            limit: r.limit,
            remaining: r.remaining,
            window: r.window_secs.map(std::time::Duration::from_secs),
        }
    }
}

/// The scope as written in a recording.
fn scope_text(scope: &Scope) -> String {
    match scope {
        Scope::Account => "account".to_owned(),
        Scope::Extension(id) => format!("extension:{id}"),
    }
}

/// Reads a recorded scope; `None` for anything else.
fn parse_scope(text: &str) -> Option<Scope> {
    match text.split_once(':') {
        None if text == "account" => Some(Scope::Account),
        Some(("extension", id)) if !id.is_empty() => Some(Scope::Extension(id.to_owned())),
        _ => None,
    }
}

/// A recorded poll or event as one NDJSON line (with its newline).
fn encode(entry: &Entry) -> String {
    let line = match entry {
        Entry::Poll(poll) => Line {
            at: poll.at,
            scope: Some(scope_text(&poll.scope)),
            pages: Some(poll.pages.iter().map(page_line).collect()),
            event: None,
        },
        Entry::Event(at, event) => Line {
            at: *at,
            scope: None,
            pages: None,
            event: serde_json::value::to_raw_value(event).ok(),
        },
    };
    // Plain structs and JSON values with string keys always serialise.
    let mut text = serde_json::to_string(&line).unwrap_or_default();
    text.push('\n');
    text
}

fn page_line(p: &RawPage) -> PageLine {
    PageLine {
        url: p.url.clone(),
        received_at: p.received_at,
        rate: p.rate.as_ref().map(RateLine::from),
        body: serde_json::from_str(&p.body).unwrap_or_else(|_| serde_json::Value::String(p.body.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip() {
        for scope in [
            Scope::Account,
            Scope::own_extension(),
            Scope::Extension("101".into()),
        ] {
            assert_eq!(parse_scope(&scope_text(&scope)), Some(scope));
        }
        assert_eq!(parse_scope("extension:"), None);
        assert_eq!(parse_scope("galaxy"), None);
    }
}
