//! The summary line under the status (live calls by direction and state, the longest calls, ended calls
//! by result), the alert counts and the PAUSED / PRIVATE markers of the status line.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::{Pieces, fit_line, pieces_width};
use crate::board::format::{clock, short};
use crate::board::{AlertLevel, CallState, Summary};
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

/// Alert counts for the status line, long (`‼ 1 critical · ! 2 warn · `) and compact (`‼1 !2  `); empty
/// when nothing is over a threshold.
pub(super) fn alert_counts(app: &App, now: Timestamp) -> (Pieces, Pieces) {
    let theme = app.theme;
    let counts = app.board.alert_counts(&app.alerts, now);
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
            compact.push((format!("{symbol}{n}  "), style));
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
    let parts = parts(&app.board.summary(now), &window, app.theme);
    let line = fit_parts(parts, area.width as usize);
    frame.render_widget(Paragraph::new(fit_line(line, area.width as usize)), area);
}

/// One part of the line: its priority (lower is kept longer), its full form and a shorter one.
struct Part {
    priority: u8,
    long: Pieces,
    short: Option<Pieces>,
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
        Part {
            priority: 1,
            long: vec![
                label(" in "),
                value(s.inbound.to_string()),
                label(" out "),
                value(s.outbound.to_string()),
            ],
            short: None,
        },
        Part {
            priority: 4,
            long: states(s, theme),
            short: None,
        },
        Part {
            priority: 0,
            long: vec![sep(), label("longest call "), value(longest(s.longest))],
            short: Some(vec![sep(), label("longest "), value(longest(s.longest))]),
        },
        Part {
            priority: 2,
            long: vec![label(" · longest ringing "), value(longest(s.longest_ringing))],
            short: Some(vec![label(" ring "), value(longest(s.longest_ringing))]),
        },
        Part {
            priority: 3,
            long: ended(
                format!("ended in {window}:"),
                ["answered", "missed", "voicemail", "other"],
            ),
            short: Some(ended("ended:".into(), ["ans", "miss", "vm", "other"])),
        },
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

/// Shortens, then drops, the least important parts until the rest fits `width`.
fn fit_parts(mut parts: Vec<Part>, width: usize) -> Pieces {
    let total = |parts: &[Part]| parts.iter().map(|p| pieces_width(&p.long)).sum::<usize>();
    while total(&parts) > width {
        let worst = |pick: fn(&Part) -> bool| {
            parts
                .iter()
                .enumerate()
                .filter(|(_, p)| pick(p))
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i)
        };
        if let Some(i) = worst(|p| p.short.is_some()) {
            parts[i].long = parts[i].short.take().unwrap_or_default();
        } else if let Some(i) = worst(|_| true) {
            parts.remove(i);
        }
    }
    parts.into_iter().flat_map(|p| p.long).collect()
}
