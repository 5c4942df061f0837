//! The account directory: extension ids and numbers to names, for the picker, favourites and parties
//! the API lists without a name. Fetched rarely by its own background task (Medium group, never the
//! Heavy budget of the active-calls polls) and cached on disk with a TTL.
#![warn(missing_docs)]
mod cache;
mod task;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::api::DirectoryEntry;
pub use cache::{DirectoryCache, TTL};
pub use task::{DirectoryTask, load, spawn, spawn_for};

/// Every extension of the account as of `fetched_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// When the server listed it.
    pub fetched_at: Option<Timestamp>,
    /// The extensions, in the server's order.
    pub entries: Vec<DirectoryEntry>,
}

impl Directory {
    /// The extension with this id.
    pub fn by_id(&self, id: &str) -> Option<&DirectoryEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The extension with this short number.
    pub fn by_number(&self, number: &str) -> Option<&DirectoryEntry> {
        self.entries.iter().find(|e| e.number.as_deref() == Some(number))
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
