//! The account directory: extension ids and numbers to names, for the picker, favourites and parties
//! the API lists without a name. Fetched rarely by its own background task (Medium group, never the
//! Heavy budget of the active-calls polls) and cached on disk with a TTL.
#![warn(missing_docs)]
mod cache;
mod naming;
mod task;

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::api::DirectoryEntry;
pub use cache::{DirectoryCache, TTL};
pub use task::{DirectoryTask, load, spawn, spawn_for};

/// Every extension of the account as of `fetched_at`, indexed by id and by number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Stored", into = "Stored")]
pub struct Directory {
    fetched_at: Option<Timestamp>,
    entries: Vec<DirectoryEntry>,
    ids: HashMap<String, usize>,
    numbers: HashMap<String, usize>,
}

/// The directory as cached on disk.
#[derive(Serialize, Deserialize)]
struct Stored {
    fetched_at: Option<Timestamp>,
    entries: Vec<DirectoryEntry>,
}

impl From<Stored> for Directory {
    fn from(s: Stored) -> Self {
        Directory::new(s.fetched_at, s.entries)
    }
}

impl From<Directory> for Stored {
    fn from(d: Directory) -> Self {
        Stored {
            fetched_at: d.fetched_at,
            entries: d.entries,
        }
    }
}

impl Directory {
    /// A directory of `entries` listed at `fetched_at`; the first entry wins for a repeated id or number.
    pub fn new(fetched_at: Option<Timestamp>, entries: Vec<DirectoryEntry>) -> Self {
        let mut ids = HashMap::with_capacity(entries.len());
        let mut numbers = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            ids.entry(e.id.clone()).or_insert(i);
            if let Some(n) = &e.number {
                numbers.entry(n.clone()).or_insert(i);
            }
        }
        Directory {
            fetched_at,
            entries,
            ids,
            numbers,
        }
    }

    /// When the server listed it.
    pub fn fetched_at(&self) -> Option<Timestamp> {
        self.fetched_at
    }

    /// The extensions, in the server's order.
    pub fn entries(&self) -> &[DirectoryEntry] {
        &self.entries
    }

    /// The extension with this id.
    pub fn by_id(&self, id: &str) -> Option<&DirectoryEntry> {
        self.ids.get(id).map(|&i| &self.entries[i])
    }

    /// The extension with this short number.
    pub fn by_number(&self, number: &str) -> Option<&DirectoryEntry> {
        self.numbers.get(number).map(|&i| &self.entries[i])
    }

    /// Extensions whose name or number contains every word of `query` (case-insensitive); an exact
    /// number comes first, then the server's order. Empty matches all.
    pub fn search(&self, query: &str) -> Vec<&DirectoryEntry> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut found: Vec<&DirectoryEntry> = self
            .entries
            .iter()
            .filter(|e| {
                let hay = label(e).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect();
        let query = query.trim();
        found.sort_by_key(|e| e.number.as_deref() != Some(query));
        found
    }
}

/// `101 Ana Gómez`, or whatever of number, name and id is known.
pub fn label(e: &DirectoryEntry) -> String {
    match (&e.number, &e.name) {
        (Some(n), Some(name)) => format!("{n} {name}"),
        (Some(n), None) => n.clone(),
        (None, Some(name)) => name.clone(),
        (None, None) => format!("id {}", e.id),
    }
}
