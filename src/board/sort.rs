//! Sorting of the live list: a column, a direction, and a fixed tie-break so rows never shake.
use std::cmp::Ordering;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::call::Call;
use super::column::Column;

/// The live list's order: a column and whether it is descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sort {
    /// The column compared first.
    pub column: Column,
    /// Largest first when true.
    pub descending: bool,
}

impl Default for Sort {
    /// Longest-running calls first, like a wallboard.
    fn default() -> Self {
        Sort::by(Column::Duration)
    }
}

impl Sort {
    /// Sorting by `column` in its default direction (text A→Z, times and durations newest or longest first).
    pub fn by(column: Column) -> Self {
        Sort {
            column,
            descending: column.descending_by_default(),
        }
    }

    /// Sorting by the column `n` places to the right (negative: left), in that column's default direction.
    pub fn step(self, n: isize) -> Self {
        Sort::by(self.column.step(n))
    }

    /// The same column the other way round.
    pub fn inverted(self) -> Self {
        Sort {
            descending: !self.descending,
            ..self
        }
    }

    /// Compares two calls: by the column (reversed when descending), then by start time and id, which
    /// are never reversed so equal keys keep their order across polls.
    pub fn compare(&self, a: &Call, b: &Call, now: Timestamp) -> Ordering {
        let primary = self.column.compare(a, b, now);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_to_from_and_to_sorts_them_a_to_z() {
        let from = Sort::default().step(2);
        assert_eq!(
            from,
            Sort {
                column: Column::From,
                descending: false
            }
        );
        assert_eq!(
            from.step(1),
            Sort {
                column: Column::To,
                descending: false
            }
        );
        assert_eq!(
            from.step(3),
            Sort {
                column: Column::Start,
                descending: true
            }
        );
        assert_eq!(from.step(-2), Sort::default());
        assert_eq!(
            from.inverted(),
            Sort {
                column: Column::From,
                descending: true
            }
        );
    }
}
