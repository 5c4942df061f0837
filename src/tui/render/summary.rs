//! The summary line under the status (live calls by direction and state, the longest calls, ended calls
//! by result), the alert counts and the PAUSED / PRIVATE markers of the status line.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::parts::{Part, apply, plan};
use super::{Pieces, fit_line};
use crate::board::format::{clock, short};
use crate::board::{AlertCounts, AlertLevel, CallState, Summary};
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// The mark a row carries for its alert level; colour is never the only signal.
pub(super) fn alert_symbol(level: Option<AlertLevel>) -> &'static str {
    match level {
        Some(AlertLevel::Critical) => "‼",
        Some(AlertLevel::Warn) => "!",
        None => " ",
    }
}

/// Alert counts for the header, long (`‼ 1 critical · ! 2 warn · `) and compact (`‼1 !2 `); empty
/// when nothing is over a threshold.
pub(super) fn alert_counts(counts: AlertCounts, theme: Theme) -> (Pieces, Pieces) {
    let (mut long, mut compact): (Pieces, Pieces) = Default::default();
    for (n, level, word, style) in [
        (
            counts.critical,
            AlertLevel::Critical,
            "critical",
            theme.critical(),
        ),
        (counts.warn, AlertLevel::Warn, "warn", theme.warn()),
    ] {
        if n > 0 {
            let symbol = alert_symbol(Some(level));
            long.push((format!("{symbol} {n} {word}"), style));
            long.push((" · ".into(), theme.dim()));
            compact.push((format!("{symbol}{n} "), style));
        }
    }
    (long, compact)
}

/// ` PAUSED · 3 new ` and ` PRIVATE ` markers, shown before the scope on the status line.
pub(super) fn markers(app: &App) -> Pieces {
    let theme = app.theme;
    let mut out: Pieces = Vec::new();
    if let Some((_, waiting)) = app.paused() {
        out.push((format!(" PAUSED · {waiting} new "), theme.alert()));
        out.push((" ".into(), Style::new()));
    }
    if app.privacy() {
        out.push((" PRIVATE ".into(), theme.demo()));
        out.push((" ".into(), Style::new()));
    }
    out
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App, now: Timestamp) {
    let window = short(app.board.config().ended_window);
    let width = area.width as usize;
    let line = line(&app.board.summary(now), &window, app.theme, width);
    frame.render_widget(Paragraph::new(fit_line(line, width)), area);
}

/// The line for `s` at `width`. Planned on the widest numbers, so its format depends on the width alone,
/// not on the counts.
fn line(s: &Summary, window: &str, theme: Theme, width: usize) -> Pieces {
    let forms = plan(&parts(&widest(), window, theme), width);
    apply(parts(s, window, theme), &forms)
}

/// Widest count the lines keep room for: a count beyond it is cut at the line's end, not reformatted.
pub(super) const WIDEST_COUNT: usize = 999;

/// A summary with every count and duration at the widest the line plans for.
fn widest() -> Summary {
    let n = WIDEST_COUNT;
    let longest = Some(jiff::SignedDuration::from_secs(9 * 3600 + 59 * 60 + 59));
    Summary {
        inbound: n,
        outbound: n,
        ringing: n,
        talking: n,
        on_hold: n,
        parked: n,
        in_voicemail: n,
        longest,
        longest_ringing: longest,
        answered: n,
        missed: n,
        voicemail: n,
        other: n,
    }
}

/// The parts of the line in screen order.
fn parts(s: &Summary, window: &str, theme: Theme) -> Vec<Part> {
    let sep = || (" │ ".to_owned(), theme.dim());
    let label = |t: &str| (t.to_owned(), theme.dim());
    let value = |t: String| (t, theme.text());
    let longest = |d: Option<jiff::SignedDuration>| d.map_or_else(|| "—".to_owned(), clock);
    let ended = |heading: String, words: [&str; 4]| {
        let mut p = vec![sep(), label(&heading)];
        for (n, word) in [s.answered, s.missed, s.voicemail, s.other]
            .into_iter()
            .zip(words)
        {
            p.push(value(format!(" {n} {word}")));
        }
        p
    };
    vec![
        Part::new(
            1,
            vec![
                label(" in "),
                value(s.inbound.to_string()),
                label(" out "),
                value(s.outbound.to_string()),
            ],
        ),
        Part::new(4, states(s, theme)),
        Part::with_short(
            0,
            vec![sep(), label("longest call "), value(longest(s.longest))],
            vec![sep(), label("longest "), value(longest(s.longest))],
        ),
        // Before the ended counts: a ringing call's wait shows in its row, its alert mark and the header.
        Part::with_short(
            3,
            vec![label(" · longest ringing "), value(longest(s.longest_ringing))],
            vec![label(" ring "), value(longest(s.longest_ringing))],
        ),
        Part::with_short(
            2,
            ended(
                format!("ended in {window}:"),
                ["answered", "missed", "voicemail", "other"],
            ),
            ended("ended:".into(), ["ans", "miss", "vm", "other"]),
        ),
    ]
}

/// Live calls by state: `│ ◌2 ●5`, then `‖1 P1 ✉1` for calls on hold, parked and in voicemail when there
/// are any (only push reports them).
fn states(s: &Summary, theme: Theme) -> Pieces {
    let mut out: Pieces = vec![(" │ ".to_owned(), theme.dim())];
    let counts = [
        (s.ringing, "◌", CallState::Ringing),
        (s.talking, "●", CallState::Connected),
        (s.on_hold, "‖", CallState::OnHold),
        (s.parked, "P", CallState::Parked),
        (s.in_voicemail, "✉", CallState::VoiceMail),
    ];
    for (i, (n, glyph, state)) in counts.into_iter().enumerate() {
        if i < 2 || n > 0 {
            if i > 0 {
                out.push((" ".to_owned(), theme.dim()));
            }
            out.push((format!("{glyph}{n}"), theme.state(&state)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line's words at `width`, digits and durations left out.
    fn words(s: &Summary, width: usize) -> String {
        let text: String = line(s, "2m00s", Theme::new(true), width)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        text.chars()
            .filter(|c| !c.is_ascii_digit() && *c != ':')
            .collect()
    }

    #[test]
    fn the_format_depends_on_the_width_alone() {
        let quiet = Summary {
            inbound: 1,
            talking: 1,
            longest: Some(jiff::SignedDuration::from_secs(5)),
            longest_ringing: Some(jiff::SignedDuration::from_secs(3)),
            ..Summary::default()
        };
        let busy = Summary {
            inbound: 120,
            outbound: 75,
            ringing: 40,
            talking: 155,
            on_hold: 3,
            parked: 2,
            in_voicemail: 1,
            longest: Some(jiff::SignedDuration::from_secs(4 * 3600)),
            longest_ringing: Some(jiff::SignedDuration::from_secs(95)),
            answered: 310,
            missed: 42,
            voicemail: 7,
            other: 11,
        };
        for width in 20..=200 {
            let (q, b) = (words(&quiet, width), words(&busy, width));
            // Hold, park and voicemail counts show only when there are any; the rest is the same.
            let b = b.replace(" ‖ P ✉", "");
            assert_eq!(q, b, "at {width} columns");
        }
    }
}
