//! A replay's part of the status: the `REPLAY` marker with the recording's time, and in place of live
//! timing (next poll, rate budget, STALE, which a recording has none of) whether it plays, is paused or
//! has ended, and the frame on the board.
use jiff::Timestamp;
use ratatui::style::Style;

use super::Pieces;
use crate::board::format::{short, time_of_day};
use crate::tui::app::App;

/// `REPLAY`, and while a recording plays its time at `now`.
pub(super) fn marker(app: &App, now: Timestamp) -> Pieces {
    let theme = app.theme;
    let mut out: Pieces = vec![("  ".into(), Style::new()), (" REPLAY ".into(), theme.demo())];
    if app.player.is_some() {
        out.push((format!(" {}", time_of_day(now, &app.tz)), theme.text()));
    }
    out
}

/// END OF RECORDING, paused or playing, the frame on the board (`frame n of N`), the keys that step, and
/// the age of the last listing at recorded time `now`; `None` when no recording plays.
pub(super) fn timing(app: &App, now: Timestamp) -> Option<Pieces> {
    let player = app.player.as_ref()?;
    let theme = app.theme;
    let mut out: Pieces = Vec::new();
    let frame = (
        format!(" frame {} of {} ", player.position(), player.frames()),
        theme.text(),
    );
    if player.at_end() {
        out.push((" END OF RECORDING ".into(), theme.alert()));
        out.push(frame);
    } else if player.clock().paused() {
        out.push((" PAUSED ".into(), theme.notice()));
        out.push(frame);
        out.push(("· ←/→ step · Space plays ".into(), theme.dim()));
    } else {
        out.push((" ▶ playing ".into(), theme.text()));
        out.push(frame);
        out.push(("· Space pauses · ←/→ step ".into(), theme.dim()));
    }
    if let Some(at) = app.feed.listing.taken_at {
        out.push((
            format!("· last poll {} earlier ", short(now.duration_since(at))),
            theme.text(),
        ));
    }
    Some(out)
}
