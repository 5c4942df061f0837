//! [`RecordCache`]: the parsed records of the last poll, keyed by a hash of their raw JSON, so a poll parses
//! only the records whose text changed. Between two polls ten seconds apart almost every record is
//! byte-identical, and hashing its text is about thirty times cheaper than parsing it again. The records
//! it parses share their strings and parties through the cache's [`Pool`]. Pages of active calls are
//! parsed here too ([`ActiveCallsPage::parse_with`]), each record through a cache.
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::value::RawValue;
use xxhash_rust::xxh3::xxh3_128;

use super::model::{ActiveCallsPage, CallLogResponse, CallRecord, Pool, SkippedRecord, record_id};

/// Records by the 128-bit XXH3 hash of their raw text: those of the last finished poll, and those seen so
/// far in the poll under way. A record that left the list is dropped when the poll after it finishes.
#[derive(Debug, Default)]
pub struct RecordCache {
    last: HashMap<u128, Arc<CallRecord>>,
    current: HashMap<u128, Arc<CallRecord>>,
    pool: Pool,
}

impl RecordCache {
    /// The record `raw` holds: the one parsed before when the same text was seen in the last poll or
    /// earlier in this one, else freshly parsed.
    pub fn parse(&mut self, raw: &str) -> Result<Arc<CallRecord>, serde_json::Error> {
        let key = xxh3_128(raw.as_bytes());
        if let Some(record) = self.current.get(&key) {
            return Ok(Arc::clone(record));
        }
        let record = match self.last.get(&key) {
            Some(record) => Arc::clone(record),
            None => Arc::new(self.pool.scope(|| serde_json::from_str(raw))?),
        };
        self.current.insert(key, Arc::clone(&record));
        Ok(record)
    }

    /// Ends a poll that read every page: its records are what the next poll reuses.
    pub fn finish_poll(&mut self) {
        // Swapped, not replaced: both tables keep their capacity, so a poll does not grow one from empty.
        std::mem::swap(&mut self.last, &mut self.current);
        self.current.clear();
        self.pool.prune();
    }

    /// Forgets a poll that stopped half-way; the last finished poll stays reusable.
    pub fn abandon_poll(&mut self) {
        self.current.clear();
    }

    /// How many records the next poll can reuse.
    pub fn len(&self) -> usize {
        self.last.len()
    }

    /// How many distinct strings and parties the kept records share.
    pub fn shared(&self) -> (usize, usize) {
        self.pool.len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.last.is_empty() && self.current.is_empty()
    }
}

impl ActiveCallsPage {
    /// Parses a response body. Fails only when the envelope itself is unreadable; a bad record is skipped.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        Self::parse_with(body, &mut RecordCache::default())
    }

    /// Like [`ActiveCallsPage::parse`], reusing the records of `cache` whose text did not change.
    pub fn parse_with(body: &[u8], cache: &mut RecordCache) -> Result<Self, serde_json::Error> {
        // Records stay raw JSON slices of `body` until each is parsed on its own: no intermediate
        // `Value` tree (which cost more than half the parse time and memory of a 1,000-record page).
        let raw: CallLogResponse<&RawValue> = serde_json::from_slice(body)?;
        let mut page = ActiveCallsPage {
            records: Vec::with_capacity(raw.records.len()),
            skipped: Vec::new(),
            paging: raw.paging,
            navigation: raw.navigation,
        };
        for (index, value) in raw.records.into_iter().enumerate() {
            match cache.parse(value.get()) {
                Ok(record) => page.records.push(record),
                Err(e) => page.skipped.push(SkippedRecord {
                    index,
                    id: record_id(value),
                    error: e.to_string(),
                }),
            }
        }
        Ok(page)
    }

    /// The URI of the next page, if the server advertised one.
    pub fn next_page_uri(&self) -> Option<&str> {
        self.navigation.next_page.as_ref().map(|l| l.uri.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_text_gives_the_same_record_and_changed_text_a_new_one() {
        let mut cache = RecordCache::default();
        let a = cache.parse(r#"{"id":"a","result":"In Progress"}"#).unwrap();
        let b = cache.parse(r#"{"id":"b"}"#).unwrap();
        cache.finish_poll();
        assert_eq!(cache.len(), 2);

        let a_again = cache.parse(r#"{"id":"a","result":"In Progress"}"#).unwrap();
        let b_changed = cache.parse(r#"{"id":"b","result":"Missed"}"#).unwrap();
        assert!(Arc::ptr_eq(&a, &a_again));
        assert!(!Arc::ptr_eq(&b, &b_changed));
        assert_eq!(b_changed.id, "b");
        cache.finish_poll();
        // `b`'s old text is gone with the poll that no longer listed it.
        assert_eq!(cache.len(), 2);
        assert!(!Arc::ptr_eq(&b, &cache.parse(r#"{"id":"b"}"#).unwrap()));
    }

    #[test]
    fn a_bad_record_is_an_error_every_time_and_is_not_kept() {
        let mut cache = RecordCache::default();
        for _ in 0..2 {
            assert!(cache.parse(r#"{"noid":true}"#).is_err());
            cache.finish_poll();
        }
        assert!(cache.is_empty());
    }

    #[test]
    fn an_abandoned_poll_keeps_the_last_finished_one() {
        let mut cache = RecordCache::default();
        let a = cache.parse(r#"{"id":"a"}"#).unwrap();
        cache.finish_poll();
        cache.parse(r#"{"id":"z"}"#).unwrap();
        cache.abandon_poll();
        assert_eq!(cache.len(), 1);
        assert!(Arc::ptr_eq(&a, &cache.parse(r#"{"id":"a"}"#).unwrap()));
    }
}
