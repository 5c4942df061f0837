//! The visible rows of one list after the filter (and conversation grouping), and its selection.
use std::collections::HashSet;

use super::call::{Call, Needle};
use super::conversation::conversation_of;
use super::push::PushSessions;

/// The visible (filtered) rows of one list and its selection, kept by call id.
#[derive(Debug, Default)]
pub(super) struct View {
    pub(super) rows: Vec<usize>,
    pub(super) selected: Option<String>,
    pub(super) pos: usize,
}

impl View {
    /// The rows matching `needle`; with `grouped`, only the first row of each telephony session.
    pub(super) fn rebuild(&mut self, calls: &[Call], needle: &Needle, grouped: bool, push: &PushSessions) {
        let mut sessions = HashSet::new();
        self.rows = (0..calls.len())
            .filter(|&i| calls[i].matches(needle))
            .filter(|&i| !grouped || conversation_of(push, &calls[i]).is_none_or(|s| sessions.insert(s)))
            .collect();
        let found = self
            .selected
            .as_deref()
            .and_then(|id| self.rows.iter().position(|&i| calls[i].id() == id));
        match found {
            Some(pos) => self.pos = pos,
            None if self.rows.is_empty() => {
                self.selected = None;
                self.pos = 0;
            }
            None => self.select(calls, self.pos),
        }
    }

    pub(super) fn select(&mut self, calls: &[Call], pos: usize) {
        if let Some(last) = self.rows.len().checked_sub(1) {
            self.pos = pos.min(last);
            self.selected = Some(calls[self.rows[self.pos]].id().to_owned());
        }
    }
}
