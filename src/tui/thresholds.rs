//! The alert thresholds editor (`t`): warn and critical limits for ringing, talking and hold, and the
//! bell. Pure state; the values are kept in the preferences when saved.
use crate::board::{AlertConfig, Threshold};

/// The measures in the editor's order, with the step one key press moves their limits by.
pub const MEASURES: [(&str, u64); 3] = [("ringing", 5), ("talking", 60), ("on hold", 15)];

/// Rows: a warn and a critical limit per measure, then the bell.
pub const ROWS: usize = MEASURES.len() * 2 + 1;

/// The editor's values and the row the cursor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdEditor {
    /// The row the cursor is on.
    pub cursor: usize,
    /// The thresholds as edited.
    pub alerts: AlertConfig,
    /// The bell as edited.
    pub bell: bool,
}

impl ThresholdEditor {
    /// An editor starting from the values in use.
    pub fn new(alerts: AlertConfig, bell: bool) -> Self {
        ThresholdEditor {
            cursor: 0,
            alerts,
            bell,
        }
    }

    /// Moves the cursor by `by` rows, wrapping.
    pub fn step(&mut self, by: isize) {
        self.cursor = (self.cursor as isize + by).rem_euclid(ROWS as isize) as usize;
    }

    /// One measure's threshold.
    pub fn threshold(&self, measure: usize) -> Threshold {
        match measure {
            0 => self.alerts.ringing,
            1 => self.alerts.talking,
            _ => self.alerts.hold,
        }
    }

    fn threshold_mut(&mut self, measure: usize) -> &mut Threshold {
        match measure {
            0 => &mut self.alerts.ringing,
            1 => &mut self.alerts.talking,
            _ => &mut self.alerts.hold,
        }
    }

    /// Raises (`up`) or lowers the limit under the cursor by its measure's step, never below one step;
    /// warn stays at or under critical by moving the other limit along. On the bell row it toggles.
    pub fn adjust(&mut self, up: bool) {
        if self.cursor >= ROWS - 1 {
            self.bell = !self.bell;
            return;
        }
        let (measure, critical) = (self.cursor / 2, self.cursor % 2 == 1);
        let step = MEASURES[measure].1;
        let t = self.threshold_mut(measure);
        let value = if critical {
            &mut t.critical_secs
        } else {
            &mut t.warn_secs
        };
        *value = if up {
            value.saturating_add(step)
        } else {
            value.saturating_sub(step).max(step)
        };
        if critical {
            t.warn_secs = t.warn_secs.min(t.critical_secs);
        } else {
            t.critical_secs = t.critical_secs.max(t.warn_secs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_move_by_their_step_and_warn_stays_under_critical() {
        let mut e = ThresholdEditor::new(AlertConfig::default(), false);
        e.adjust(true);
        assert_eq!(e.alerts.ringing.warn_secs, 25);
        for _ in 0..10 {
            e.adjust(true);
        }
        assert_eq!(e.alerts.ringing.warn_secs, 75);
        assert_eq!(e.alerts.ringing.critical_secs, 75, "critical follows warn up");
        e.step(1);
        for _ in 0..100 {
            e.adjust(false);
        }
        assert_eq!(
            (e.alerts.ringing.warn_secs, e.alerts.ringing.critical_secs),
            (5, 5)
        );
        e.step(-2);
        assert_eq!(e.cursor, ROWS - 1);
        e.adjust(false);
        assert!(e.bell, "the bell row toggles");
    }
}
