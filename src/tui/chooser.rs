//! The column chooser (`C`): which live-table columns show, in which order. Pure state; the result is kept
//! in the preferences.
use crate::board::Column;

/// The chooser's list: every column with whether it shows, shown ones first in their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnChooser {
    /// The row the cursor is on.
    pub cursor: usize,
    /// Every column and whether it shows.
    pub items: Vec<(Column, bool)>,
}

/// The columns to show for a preference: all in the default order when it names none; repeats dropped.
pub fn effective(chosen: &[Column]) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    for c in chosen {
        if !out.contains(c) {
            out.push(*c);
        }
    }
    if out.is_empty() {
        out = Column::ALL.to_vec();
    }
    out
}

impl ColumnChooser {
    /// A chooser starting from the columns shown now.
    pub fn new(shown: &[Column]) -> Self {
        let shown = effective(shown);
        let hidden = Column::ALL.into_iter().filter(|c| !shown.contains(c));
        ColumnChooser {
            cursor: 0,
            items: shown
                .iter()
                .map(|c| (*c, true))
                .chain(hidden.map(|c| (c, false)))
                .collect(),
        }
    }

    /// The shown columns, left to right.
    pub fn shown(&self) -> Vec<Column> {
        self.items.iter().filter(|(_, on)| *on).map(|(c, _)| *c).collect()
    }

    /// Moves the cursor by `delta`, stopping at the ends.
    pub fn step(&mut self, delta: isize) {
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(self.items.len().saturating_sub(1));
    }

    /// Shows or hides the column under the cursor; the last shown column stays. True when it changed.
    pub fn toggle(&mut self) -> bool {
        let shown = self.shown().len();
        match self.items.get_mut(self.cursor) {
            Some((_, on)) if !(*on && shown == 1) => {
                *on = !*on;
                true
            }
            _ => false,
        }
    }

    /// Moves the column under the cursor `delta` places (negative: left), the cursor with it.
    pub fn shift(&mut self, delta: isize) {
        let to = self
            .cursor
            .saturating_add_signed(delta)
            .min(self.items.len().saturating_sub(1));
        if to != self.cursor {
            let item = self.items.remove(self.cursor);
            self.items.insert(to, item);
            self.cursor = to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Column::*;

    #[test]
    fn toggling_and_moving_columns() {
        let mut c = ColumnChooser::new(&[]);
        assert_eq!(c.shown(), Column::ALL);
        c.step(3);
        assert!(c.toggle());
        assert_eq!(c.shown(), [State, Duration, Direction, To, Via, Start]);
        c.step(1);
        c.shift(-4);
        assert_eq!(c.cursor, 0);
        assert_eq!(c.shown(), [To, State, Duration, Direction, Via, Start]);
        let mut one = ColumnChooser::new(&[Via, Via]);
        assert_eq!(one.shown(), [Via]);
        assert!(!one.toggle(), "the last column stays");
    }
}
