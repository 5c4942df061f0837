//! Reading a recording back: its listings (one per recorded poll) and events, in play order, and the
//! board at the end (see [`super::player`] for playing it on recorded time).
use std::sync::Arc;

use jiff::Timestamp;

use super::{Line, PageLine, parse_scope};
use crate::api::model::{ActiveCallsPage, CallRecord};
use crate::api::rate_limit::RateLimitHeaders;
use crate::api::wsg::{Notification, SessionEvent};
use crate::api::{RecordCache, Scope};
use crate::board::{Board, BoardConfig};
use crate::feed::{Change, Delta, Listing, PartyChange};

/// One recorded poll, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedListing {
    /// When the poll finished.
    pub at: Timestamp,
    /// When its first page arrived: how old the listing is, which events newer than it outlive.
    pub taken_at: Timestamp,
    pub scope: Scope,
    /// Rate-limit headers of the last page.
    pub rate: Option<RateLimitHeaders>,
    /// The records of all pages.
    pub records: Vec<Arc<CallRecord>>,
    /// Records the parser had to skip.
    pub skipped: usize,
}

/// One recorded telephony-session event.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// When it arrived.
    pub at: Timestamp,
    pub event: Notification<SessionEvent>,
}

impl RecordedEvent {
    /// Its party changes, each at the time it happened.
    fn changes(&self) -> Vec<(Timestamp, PartyChange)> {
        PartyChange::from_event(&self.event, self.at)
    }
}

/// A parsed recording: its listings and events, each in file order, and what had to be skipped (one
/// message per line).
#[derive(Debug, Default)]
pub struct Recording {
    pub listings: Vec<RecordedListing>,
    pub events: Vec<RecordedEvent>,
    pub problems: Vec<String>,
}

/// What a replay publishes next: a listing or an event, at the time it was recorded.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Listing(&'a RecordedListing),
    Event(&'a RecordedEvent),
}

impl Step<'_> {
    /// When it was recorded.
    pub fn at(&self) -> Timestamp {
        match self {
            Step::Listing(listing) => listing.at,
            Step::Event(event) => event.at,
        }
    }
}

/// One parsed line.
enum Parsed {
    Listing(RecordedListing),
    Event(RecordedEvent),
}

impl Recording {
    /// Reads a recording file (see [`Recording::parse`]).
    pub fn read(path: &std::path::Path) -> std::io::Result<Recording> {
        let bytes = std::fs::read(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())))?;
        Ok(Recording::parse(&String::from_utf8_lossy(&bytes)))
    }

    /// Parses NDJSON written by `--record`, or a single raw active-calls response (one listing). A bad
    /// line is skipped with a message naming its number; the rest is kept.
    pub fn parse(text: &str) -> Recording {
        if let Some(listing) = raw_response(text) {
            return Recording {
                listings: vec![listing],
                ..Recording::default()
            };
        }
        let mut recording = Recording::default();
        // Listings share the records that did not change between polls, as the live board does.
        let mut cache = RecordCache::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(line, &mut cache) {
                Ok(Parsed::Listing(listing)) => {
                    cache.finish_poll();
                    recording.listings.push(listing);
                }
                Ok(Parsed::Event(event)) => recording.events.push(event),
                Err(why) => {
                    cache.abandon_poll();
                    recording.problems.push(format!("line {}: {why}; skipped", i + 1));
                }
            }
        }
        recording
    }

    /// Listings and events in the order of their times; on a tie, file order and listings first.
    pub fn steps(&self) -> Vec<Step<'_>> {
        let mut steps: Vec<Step<'_>> = self.listings.iter().map(Step::Listing).collect();
        steps.extend(self.events.iter().map(Step::Event));
        steps.sort_by_key(Step::at);
        steps
    }

    /// The board after merging every listing and event at its time, and that time; `None` for an empty
    /// recording.
    pub fn final_board(&self, config: BoardConfig) -> Option<(Board, Timestamp)> {
        let mut board = Board::new(config);
        let mut scope = None;
        let steps = self.steps();
        for (seq, step) in (1..).zip(&steps) {
            merge_step(&mut board, step, seq, &mut scope);
        }
        Some((board, steps.last()?.at()))
    }
}

/// Merges one frame into `board` as update `seq`: a listing (after forgetting the calls of another
/// scope than `scope`, the scope of the last listing merged) or an event's party changes.
pub(super) fn merge_step(board: &mut Board, step: &Step<'_>, seq: u64, scope: &mut Option<Scope>) {
    match step {
        Step::Listing(listing) => {
            if scope.as_ref() != Some(&listing.scope) {
                board.reset_for_scope();
                *scope = Some(listing.scope.clone());
            }
            board.expire(listing.at);
            let update = Listing {
                seq,
                scope: Some(listing.scope.clone()),
                taken_at: Some(listing.taken_at),
                calls: listing.records.as_slice().into(),
                skipped: listing.skipped,
            };
            board.merge_listing(&update, listing.at);
        }
        Step::Event(event) => {
            for (at, change) in event.changes() {
                let change = Change::Party(change);
                board.merge_delta(&Delta { seq, at, change }, event.at);
            }
        }
    }
}

/// A whole-file raw active-calls response (`{"records": [...]}`), as one listing.
fn raw_response(text: &str) -> Option<RecordedListing> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("records")?.as_array()?;
    let page = ActiveCallsPage::parse(text.as_bytes()).ok()?;
    let scope = match value.get("uri").and_then(serde_json::Value::as_str) {
        Some(uri) if uri.contains("/extension/") => Scope::own_extension(),
        _ => Scope::Account,
    };
    // The response carries no time of its own: the newest time any record names.
    let at = page
        .records
        .iter()
        .flat_map(|r| [r.last_modified_time, r.fields.start_time])
        .flatten()
        .max()
        .unwrap_or_else(Timestamp::now);
    Some(RecordedListing {
        at,
        taken_at: at,
        scope,
        rate: None,
        skipped: page.skipped.len(),
        records: page.records,
    })
}

fn parse_line(line: &str, cache: &mut RecordCache) -> Result<Parsed, String> {
    let line: Line = serde_json::from_str(line).map_err(|e| {
        format!(
            "not a recorded poll or event ({:?} error at column {})",
            e.classify(),
            e.column()
        )
    })?;
    match line {
        Line {
            event: Some(event), ..
        } => {
            let event = serde_json::from_str(event.get())
                .map_err(|e| format!("not a telephony-session event ({e})"))?;
            Ok(Parsed::Event(RecordedEvent { at: line.at, event }))
        }
        Line {
            scope: Some(scope),
            pages: Some(pages),
            ..
        } => parse_poll(line.at, &scope, &pages, cache).map(Parsed::Listing),
        _ => Err("neither a recorded poll (scope and pages) nor an event".into()),
    }
}

fn parse_poll(
    at: Timestamp,
    scope: &str,
    pages: &[PageLine],
    cache: &mut RecordCache,
) -> Result<RecordedListing, String> {
    let scope = parse_scope(scope).ok_or("unknown scope (expected account or extension:ID)")?;
    let mut listing = RecordedListing {
        at,
        taken_at: pages.first().map_or(at, |p| p.received_at.min(at)),
        scope,
        rate: None,
        records: Vec::new(),
        skipped: 0,
    };
    for (n, page) in pages.iter().enumerate() {
        let body = match &page.body {
            serde_json::Value::String(s) => s.clone().into_bytes(),
            other => other.to_string().into_bytes(),
        };
        let parsed = ActiveCallsPage::parse_with(&body, cache).map_err(|e| {
            format!(
                "page {} is not an active-calls response ({:?} error)",
                n + 1,
                e.classify()
            )
        })?;
        listing.records.extend(parsed.records);
        listing.skipped += parsed.skipped.len();
        listing.rate = page.rate.as_ref().map(RateLimitHeaders::from);
    }
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str =
        r#"{"records":[{"id":"a","startTime":"2026-01-05T09:00:00Z","result":"In Progress"}]}"#;

    #[test]
    fn bad_lines_are_named_and_skipped() {
        let good = format!(
            r#"{{"at":"2026-01-05T09:00:05Z","scope":"account","pages":[{{"url":"u","receivedAt":"2026-01-05T09:00:05Z","body":{PAGE}}}]}}"#
        );
        let text = format!("{good}\nnot json\n\n{}\n", good.replace("account", "moon"));
        let rec = Recording::parse(&text);
        assert_eq!(rec.listings.len(), 1);
        assert_eq!(rec.listings[0].records[0].id, "a");
        assert_eq!(rec.problems.len(), 2, "{:?}", rec.problems);
        assert!(
            rec.problems[0].starts_with("line 2: not a recorded poll or event"),
            "{:?}",
            rec.problems
        );
        assert!(
            rec.problems[1].starts_with("line 4: unknown scope"),
            "{:?}",
            rec.problems
        );
    }

    #[test]
    fn a_raw_response_is_one_listing_at_its_newest_time() {
        let rec = Recording::parse(PAGE);
        assert_eq!(rec.listings.len(), 1);
        assert_eq!(rec.listings[0].at, "2026-01-05T09:00:00Z".parse().unwrap());
    }
}
