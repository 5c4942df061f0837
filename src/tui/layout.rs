//! Where each part of the screen goes, for any terminal size.
use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 60;
/// Smallest usable terminal height.
pub const MIN_HEIGHT: u16 = 15;

/// Areas of the board screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub status: Rect,
    pub summary: Rect,
    pub calls: Rect,
    pub legs: Rect,
    pub ended: Rect,
    pub footer: Rect,
}

/// Splits the screen: status (`status_height` lines), a summary line, the live table, then the leg pane and the ended list (side by side
/// on wide terminals, stacked otherwise), and a footer line. `None` when the terminal is too small.
pub fn split(area: Rect, status_height: u16) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [status, summary, body, footer] = Layout::vertical([
        Constraint::Length(status_height),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let h = body.height;
    if area.width >= 110 && area.height >= 30 {
        let [calls, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Min(0)]).areas(body);
        let [legs, ended] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
            .spacing(1)
            .areas(bottom);
        return Some(Areas {
            status,
            summary,
            calls,
            legs,
            ended,
            footer,
        });
    }
    let ended_h = (h / 4).clamp(3, 8);
    let legs_h = (h * 35 / 100).clamp(3, 14);
    let [calls, ended, legs] = Layout::vertical([
        Constraint::Min(5),
        Constraint::Length(ended_h),
        Constraint::Length(legs_h),
    ])
    .areas(body);
    Some(Areas {
        status,
        summary,
        calls,
        legs,
        ended,
        footer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_adapt() {
        assert!(split(Rect::new(0, 0, 59, 30), 2).is_none());
        assert!(split(Rect::new(0, 0, 100, 14), 2).is_none());
        let a = split(Rect::new(0, 0, 80, 24), 2).unwrap();
        assert_eq!((a.calls.height, a.ended.height, a.legs.height), (8, 5, 7));
        let a = split(Rect::new(0, 0, 120, 40), 2).unwrap();
        assert_eq!(a.legs.y, a.ended.y);
        assert!(a.legs.width > a.ended.width);
        let a = split(Rect::new(0, 0, 60, 15), 2).unwrap();
        assert!(a.calls.height >= 5);
    }
}
