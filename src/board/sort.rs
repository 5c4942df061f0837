//! Sorting of the live list: a column, a direction, and a fixed tie-break so rows never shake.
use std::cmp::Ordering;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::call::Call;
use crate::api::model::Direction;

/// A column the live list can be sorted by, in on-screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortColumn {
    /// Ringing, then connected.
    State,
    /// Call length.
    Duration,
    /// Inbound, then outbound.
    Direction,
    /// Caller's name, number or extension.
    From,
    /// Callee's name, number or extension.
    To,
    /// Queue, delegate or routing action.
    Via,
    /// Start time.
    Start,
}

impl SortColumn {
    /// All columns, left to right as the table shows them.
    pub const ALL: [SortColumn; 7] = [
        Self::State,
        Self::Duration,
        Self::Direction,
        Self::From,
        Self::To,
        Self::Via,
        Self::Start,
    ];

    /// Short header name.
    pub fn title(self) -> &'static str {
        match self {
            Self::State => "STATE",
            Self::Duration => "DUR",
            Self::Direction => "DIR",
            Self::From => "FROM",
            Self::To => "TO",
            Self::Via => "VIA",
            Self::Start => "START",
        }
    }

    /// The column `step` places to the right (negative: left), wrapping around.
    pub fn step(self, step: isize) -> Self {
        let n = Self::ALL.len() as isize;
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0) as isize;
        Self::ALL[(i + step).rem_euclid(n) as usize]
    }
}

/// The live list's order: a column and whether it is descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sort {
    /// The column compared first.
    pub column: SortColumn,
    /// Largest first when true.
    pub descending: bool,
}

impl Default for Sort {
    /// Longest-running calls first, like a wallboard.
    fn default() -> Self {
        Sort {
            column: SortColumn::Duration,
            descending: true,
        }
    }
}

impl Sort {
    /// Compares two calls: by the column (reversed when descending), then by start time and id, which
    /// are never reversed so equal keys keep their order across polls.
    pub fn compare(&self, a: &Call, b: &Call, now: Timestamp) -> Ordering {
        let primary = match self.column {
            SortColumn::State => a.state().rank().cmp(&b.state().rank()),
            SortColumn::Duration => a.duration(now).cmp(&b.duration(now)),
            SortColumn::Direction => direction_rank(a).cmp(&direction_rank(b)),
            SortColumn::From => a.sort_key_from().cmp(b.sort_key_from()),
            SortColumn::To => a.sort_key_to().cmp(b.sort_key_to()),
            SortColumn::Via => a.sort_key_via().cmp(b.sort_key_via()),
            SortColumn::Start => a.start().cmp(&b.start()),
        };
        let primary = if self.descending {
            primary.reverse()
        } else {
            primary
        };
        primary
            .then_with(|| a.start().cmp(&b.start()))
            .then_with(|| a.id().cmp(b.id()))
    }
}

fn direction_rank(c: &Call) -> (u8, &str) {
    match &c.record().fields.direction {
        Some(Direction::Inbound) => (0, ""),
        Some(Direction::Outbound) => (1, ""),
        Some(Direction::Other(s)) => (2, s.as_str()),
        None => (3, ""),
    }
}
