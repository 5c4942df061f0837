//! The header, the status's first line: where you are (markers, scope, server or DEMO, REC, account, the
//! wall-clock time) on the left and the call counts on the right. Parts go least important first, planned
//! on the widest counts so the line keeps its format at a given width.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::fit_line;
use super::parts::{Part, apply, plan};
use super::summary::WIDEST_COUNT;
use crate::api::Scope;
use crate::board::{AlertCounts, CallState, Counts};
use crate::directory;
use crate::feed::{FeedState, PushHealth};
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// Draws the header on the one-line `area` at `now`.
pub(super) fn render(frame: &mut Frame, area: Rect, app: &App, now: Timestamp) {
    let width = area.width as usize;
    let theme = app.theme;
    let left = left_parts(app, now);
    let counts = app.board.counts();
    let alerts = app.board.alert_counts(&app.alerts, now);
    let n = WIDEST_COUNT;
    let widest = Counts {
        live: n,
        ringing: n,
        connected: n,
        // Hold and park only come with push: no room kept for them without it.
        on_hold: if app.feed.push == PushHealth::Off { 0 } else { n },
        parked: if app.feed.push == PushHealth::Off { 0 } else { n },
        ended: n,
    };
    let widest_alerts = AlertCounts { warn: n, critical: n };
    let mut template: Vec<Part> = left.clone();
    template.push(counts_part(widest, widest_alerts, theme));
    // Two columns between the left and the counts.
    let forms = plan(&template, width.saturating_sub(2));
    let (left_forms, count_form) = forms.split_at(left.len());
    let right = apply(vec![counts_part(counts, alerts, theme)], count_form);
    let right_width = super::pieces_width(&right);
    let left = apply(left, left_forms);
    frame.render_widget(
        Paragraph::new(fit_line(left, width.saturating_sub(right_width + 1))),
        area,
    );
    frame.render_widget(
        Paragraph::new(fit_line(right, width)).alignment(Alignment::Right),
        area,
    );
}

/// Where you are, in screen order: the app's name, PAUSED / PRIVATE, the scope, DEMO or REPLAY or the
/// server's host, REC, the account and the time.
fn left_parts(app: &App, now: Timestamp) -> Vec<Part> {
    let theme = app.theme;
    let gap = || ("  ".to_owned(), Style::new());
    let mut parts = vec![
        Part::new(0, vec![(" ".into(), Style::new())]),
        Part::new(9, vec![("callboard".into(), theme.title()), gap()]),
        Part::new(0, super::summary::markers(app)),
    ];
    let scope = scope_text(app);
    let short = scope.replacen("extension ", "x", 1);
    parts.push(Part::shortened_at(
        7,
        1,
        vec![(scope, theme.title())],
        vec![(short, theme.title())],
    ));
    if app.demo {
        parts.push(Part::new(3, vec![gap(), (" DEMO ".into(), theme.demo())]));
    }
    if app.replay {
        parts.push(Part::new(3, super::replay::marker(app, now)));
    }
    if let Some(host) = app.server.as_deref().filter(|h| !h.is_empty()) {
        parts.push(Part::new(5, vec![gap(), (host.to_owned(), theme.text())]));
    }
    if app.recording {
        parts.push(Part::new(1, vec![gap(), (" REC ".into(), theme.alert())]));
    }
    if let Some(id) = app.feed.user.as_ref().and_then(|u| u.account_id.as_deref()) {
        parts.push(Part::shortened_at(
            8,
            6,
            vec![gap(), (format!("acct {id}"), theme.dim())],
            vec![gap(), (format!("#{id}"), theme.dim())],
        ));
    }
    parts.push(Part::new(4, vec![gap(), (time_of_day(app, now), theme.text())]));
    parts
}

/// `14:05` in the board's time zone: to the minute, so an idle board redraws it once a minute, not every
/// second.
pub(super) fn time_of_day(app: &App, t: Timestamp) -> String {
    app.tz.to_datetime(t).strftime("%H:%M").to_string()
}

/// The counts, long (`‼ 1 critical · 7 live · ◌ 3 ringing · …`) and compact (`‼1 7 live ◌3 ●4 3 ended`).
fn counts_part(c: Counts, alerts: AlertCounts, theme: Theme) -> Part {
    let (ring, talk) = (CallState::Ringing, CallState::Connected);
    let (hold, park) = (CallState::OnHold, CallState::Parked);
    // On hold and parked only when there are any: a board without push never has them.
    let held = [(c.on_hold, "‖", "on hold", hold), (c.parked, "P", "parked", park)];
    let held = held.into_iter().filter(|h| h.0 > 0);
    let (mut long, mut compact) = super::summary::alert_counts(alerts, theme);
    long.extend([
        (format!("{} live", c.live), theme.text()),
        (" · ".into(), theme.dim()),
        (format!("◌ {} ringing", c.ringing), theme.state(&ring)),
        (" · ".into(), theme.dim()),
        (format!("● {} talking", c.connected), theme.state(&talk)),
        (" · ".into(), theme.dim()),
    ]);
    compact.extend([
        (format!("{} live ", c.live), theme.text()),
        (format!("◌{} ", c.ringing), theme.state(&ring)),
        (format!("●{} ", c.connected), theme.state(&talk)),
    ]);
    for (n, glyph, word, state) in held {
        long.push((format!("{glyph} {n} {word}"), theme.state(&state)));
        long.push((" · ".into(), theme.dim()));
        compact.push((format!("{glyph}{n} "), theme.state(&state)));
    }
    long.push((format!("{} recently ended ", c.ended), theme.text()));
    compact.push((format!("{} ended ", c.ended), theme.text()));
    Part::shortened_at(10, 2, long, compact)
}

/// `extension 101 (Kenji Sato)` for a watched extension the directory knows.
fn directory_scope_label(app: &App) -> Option<String> {
    let Some(Scope::Extension(id)) = app.current_scope() else {
        return None;
    };
    let entry = app.directory.as_deref()?.by_id(id)?;
    Some(match (&entry.number, &entry.name) {
        (Some(n), Some(name)) => format!("extension {n} ({name})"),
        _ => format!("extension {}", directory::label(entry)),
    })
}

/// The scope watched, in words: `account`, `extension 101 (Kenji Sato)`.
fn scope_text(app: &App) -> String {
    directory_scope_label(app).unwrap_or_else(|| scope_label(app.current_scope(), &app.feed))
}

/// `account`, `extension 101 (Name)`, or `my extension` while the user is not known yet.
pub(super) fn scope_label(scope: Option<&Scope>, snap: &FeedState) -> String {
    match scope {
        None => "connecting…".into(),
        Some(Scope::Account) => "account".into(),
        Some(Scope::Extension(id)) => {
            let user = snap
                .user
                .as_ref()
                .filter(|u| !u.is_account_only() && (id == "~" || *id == u.extension_id));
            match user {
                Some(u) => {
                    let number = u.extension_number.as_deref().unwrap_or(&u.extension_id);
                    match &u.name {
                        Some(name) => format!("extension {number} ({name})"),
                        None => format!("extension {number}"),
                    }
                }
                None if id == "~" => "my extension".into(),
                None => format!("extension {id}"),
            }
        }
    }
}
