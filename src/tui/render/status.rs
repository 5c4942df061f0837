//! The status lines: scope and counts; then notices (errors in plain words, OFFLINE, switching, STALE) on
//! the left and poll timing and rate headroom on the right. A notice too long for one line wraps, and the
//! status grows (up to [`MAX_NOTICE_LINES`] lines of notice) so it can always be read.
use jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::{Pieces, fit_line, pieces_width, wrap_pieces};
use crate::board::format::short;
use crate::feed::{FeedState, PushHealth, SourceError, SourceErrorKind};
use crate::tui::app::App;

/// Data older than this many poll intervals is marked STALE.
const STALE_INTERVALS: i32 = 3;
/// Most lines a wrapped notice may take.
const MAX_NOTICE_LINES: usize = 3;

/// Lines the status needs at this width: 2, or more while a long notice is shown.
pub(super) fn height(app: &App, width: u16, now: Timestamp) -> u16 {
    let lines = layout_lines(app, width as usize, now);
    1 + lines.len() as u16
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App, now: Timestamp) {
    let width = area.width as usize;

    let line1 = Rect {
        height: 1.min(area.height),
        ..area
    };
    super::header::render(frame, line1, app, now);

    for (i, (left, right)) in layout_lines(app, width, now).into_iter().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.bottom() {
            break;
        }
        let line = Rect { y, height: 1, ..area };
        let right_width = pieces_width(&right);
        frame.render_widget(
            Paragraph::new(fit_line(right, width)).alignment(Alignment::Right),
            line,
        );
        frame.render_widget(
            Paragraph::new(fit_line(left, width.saturating_sub(right_width))),
            line,
        );
    }
}

/// The lines below the first: (left, right) pieces of each.
fn layout_lines(app: &App, width: usize, now: Timestamp) -> Vec<(Pieces, Pieces)> {
    let theme = app.theme;
    let mut timing = timing(app, now);
    let notice = notice(app, now);
    let indent: Pieces = vec![(" ".into(), Style::new())];
    if notice.is_empty()
        && let Some(push) = push_notice(app)
    {
        // Why push is not live, on one line beside the listing's age (cut rather than wrapped, so the
        // status never changes height with it).
        let mut left = indent;
        left.extend(push);
        let essential = usize::from(is_stale(&app.feed, now)) + 1;
        while timing.len() > essential && pieces_width(&left) + pieces_width(&timing) + 1 > width {
            timing.pop();
        }
        return vec![(left, timing)];
    }
    if notice.is_empty() {
        while pieces_width(&timing) > width && timing.len() > 1 {
            timing.pop();
        }
        let mut left = indent;
        if let Some(user) = user_line(&app.feed)
            && pieces_width(&timing) + crate::text::width(&user) + 3 <= width
        {
            left.push((user, theme.dim()));
        }
        return vec![(left, timing)];
    }
    // The notice beside the timing, dropping the least useful timing first.
    let notice_width = pieces_width(&notice) + 1;
    let mut beside = timing.clone();
    while !beside.is_empty() && notice_width + pieces_width(&beside) + 2 > width {
        beside.pop();
    }
    let essential = usize::from(is_stale(&app.feed, now)) + usize::from(app.feed.listing.taken_at.is_some());
    if one_line_notice(&app.feed) {
        // A lasting explanation is cut rather than wrapped, so the layout never shifts under it; its key
        // says it in full.
        timing.truncate(essential.max(1));
        let mut left = indent;
        left.extend(notice);
        return vec![(left, timing)];
    }
    if notice_width <= width && beside.len() >= essential.min(timing.len()) {
        let mut left = indent;
        left.extend(notice);
        return vec![(left, beside)];
    }
    let mut lines: Vec<(Pieces, Pieces)> = wrap_pieces(notice, width.saturating_sub(1), MAX_NOTICE_LINES)
        .into_iter()
        .map(|mut l| {
            l.insert(0, (" ".into(), Style::new()));
            (l, Vec::new())
        })
        .collect();
    while pieces_width(&timing) > width && timing.len() > 1 {
        timing.pop();
    }
    lines.push((Vec::new(), timing));
    lines
}

/// True when the notice stays for long (a refused account scope) and so keeps to one line.
fn one_line_notice(snap: &FeedState) -> bool {
    snap.error
        .as_ref()
        .is_some_and(|e| matches!(e.kind, SourceErrorKind::Permission { .. }) && e.scope.is_account())
}

/// Why push is not live, in words: `None` while it is live or off.
fn push_notice(app: &App) -> Option<Pieces> {
    let theme = app.theme;
    let (text, style) = match &app.feed.push {
        PushHealth::Off | PushHealth::Live { .. } => return None,
        PushHealth::Connecting => ("connecting push…".to_owned(), theme.notice()),
        PushHealth::Reconnecting { reason, .. } => (format!("push reconnecting: {reason}"), theme.notice()),
        PushHealth::Unavailable { reason } => (format!("no push: {reason}"), theme.error()),
    };
    Some(vec![(text, style)])
}

/// Push is called quiet, and its last event's age shown, from this long without an event.
const QUIET: SignedDuration = SignedDuration::from_secs(10);

/// `d` rounded down to whole tens of seconds: an age that redraws every 10 s, not every second.
fn tens(d: SignedDuration) -> SignedDuration {
    SignedDuration::from_secs(d.as_secs() / 10 * 10)
}

/// LIVE and the last event's age while push is live; STALE, age of the data (and the poll interval while
/// push is not live), next poll, rate headroom; most important first, each ending in a space.
fn timing(app: &App, now: Timestamp) -> Pieces {
    if let Some(replay) = super::replay::timing(app, now) {
        return replay;
    }
    let theme = app.theme;
    let snap = &app.feed;
    let mut out: Pieces = Vec::new();
    let live = matches!(snap.push, PushHealth::Live { .. });
    if let PushHealth::Live { last_event, .. } = &snap.push {
        out.push((" LIVE ".into(), theme.live()));
        // While events flow the word says it all; a quiet spell gets its age, in 10 s steps.
        match last_event {
            Some(at) if now.duration_since(*at) < QUIET => {}
            Some(at) => out.push((
                format!(" event {} ago ", short(tens(now.duration_since(*at)))),
                theme.text(),
            )),
            None => out.push((" no events yet ".into(), theme.dim())),
        }
    }
    if is_stale(snap, now) {
        out.push((" STALE ".into(), theme.alert()));
    }
    if let Some(at) = snap.listing.taken_at {
        // With push live the listing is only the safety net: its age in 10 s steps is enough.
        let age = now.duration_since(at);
        let age = match live {
            true if age < QUIET => "just now".to_owned(),
            true => format!("{} ago", short(tens(age))),
            false => format!("{} ago", short(age)),
        };
        out.push(match snap.push {
            PushHealth::Off | PushHealth::Live { .. } => (format!(" updated {age} "), theme.text()),
            // Polling is all there is: how old the listing is and how often it comes.
            _ => (
                format!(" polled {age} · every {} ", short(snap.interval)),
                theme.text(),
            ),
        });
    }
    if let Some((at, _)) = app.paused() {
        // The screen is as of the pause; the source is not, so no countdown or budget from back then.
        let at = super::header::time_of_day(app, at);
        out.push((format!("· frozen at {at} · polls go on "), theme.text()));
        return out;
    }
    let rate_limited = snap
        .error
        .as_ref()
        .is_some_and(|e| e.kind == SourceErrorKind::RateLimited);
    match snap
        .rate
        .and_then(|r| r.penalty_until)
        .filter(|t| *t > now && !rate_limited)
    {
        Some(until) => out.push((
            format!("· rate-limited, resumes in {} ", short(until.duration_since(now))),
            theme.alert(),
        )),
        None => {
            if let Some(next) = snap.next_listing_at {
                let left = next.duration_since(now);
                out.push(match left.as_secs() {
                    ..=0 => ("· polling… ".into(), theme.text()),
                    // The safety net's countdown is nothing to act on while push is live.
                    _ if live && !app.refresh_asked => ("".into(), theme.text()),
                    // The refresh asked for waits for the rate budget: say so, and when it will run.
                    _ if app.refresh_asked => (
                        format!("· refresh in {} (Heavy budget) ", short(left)),
                        theme.alert(),
                    ),
                    _ => (format!("· next poll in {} ", short(left)), theme.text()),
                });
            }
            if let Some(r) = snap.rate {
                out.push((
                    format!(
                        "· Heavy {} of {} left per {}s ",
                        r.remaining, r.limit, r.window_secs
                    ),
                    if r.remaining == 0 {
                        theme.alert()
                    } else {
                        theme.dim()
                    },
                ));
            }
        }
    }
    out
}

/// What needs attention, in words: switching, the last error, stale data, no data yet.
fn notice(app: &App, now: Timestamp) -> Pieces {
    let theme = app.theme;
    let snap = &app.feed;
    let mut out: Pieces = Vec::new();
    if snap.switching {
        let to = super::header::scope_label(snap.scope.as_ref().or(app.requested.as_ref()), snap);
        out.push((format!("⟳ switching to {to}…  "), theme.notice()));
    }
    if let Some(err) = snap.error.as_ref().filter(|e| e.kind == SourceErrorKind::Network) {
        out.push((" OFFLINE ".into(), theme.alert()));
        let wait = retry_wait(err, now)
            .map(|w| format!(" retrying in {w} —"))
            .unwrap_or_default();
        out.push((format!("{wait} {}", err.message), theme.error()));
    } else if let Some(err) = &snap.error {
        out.push((format!("✗ {}", error_text(err, now)), theme.error()));
    } else if app.player.is_none() && is_stale(snap, now) {
        let age = snap
            .listing
            .taken_at
            .map(|at| short(now.duration_since(at)))
            .unwrap_or_default();
        out.push((format!("STALE: the last good poll was {age} ago"), theme.error()));
    } else if snap.listing.taken_at.is_none() && !snap.switching {
        out.push(("waiting for the first poll…".into(), theme.notice()));
    } else if snap.listing.skipped > 0 {
        out.push((
            format!(
                "{} unreadable record(s) skipped; see the log",
                snap.listing.skipped
            ),
            theme.notice(),
        ));
    }
    out
}

fn user_line(snap: &FeedState) -> Option<String> {
    let u = snap.user.as_ref().filter(|u| !u.is_account_only())?;
    let mut who = format!("signed in as {}", u.name.as_deref().unwrap_or(&u.extension_id));
    if u.admin {
        who.push_str(" (admin)");
    }
    Some(who)
}

/// Time left before the retry of `err`, for display.
fn retry_wait(err: &SourceError, now: Timestamp) -> Option<String> {
    err.retry_at
        .map(|t| short(t.duration_since(now).max(SignedDuration::ZERO)))
}

/// The error in words, with what happens next.
fn error_text(err: &SourceError, now: Timestamp) -> String {
    let wait = retry_wait(err, now);
    match &err.kind {
        SourceErrorKind::Permission { permission } if err.scope.is_account() => format!(
            "no account scope (press a for why): it needs an admin user with the {} permission; showing \
             your extension",
            permission.as_deref().unwrap_or("ReadCompanyCallLog")
        ),
        SourceErrorKind::RateLimited => match wait {
            Some(w) => format!("{}; next request in {w}", err.message),
            None => err.message.clone(),
        },
        _ => match wait {
            Some(w) => format!("{}; retrying in {w}", err.message),
            None if err.kind == SourceErrorKind::Unauthorized => {
                format!("{}; press R to try again", err.message)
            }
            None => err.message.clone(),
        },
    }
}

/// True when the calls on screen may be out of date: the last poll failed (other than a refused scope), or
/// the last good poll is older than three poll intervals.
fn is_stale(snap: &FeedState, now: Timestamp) -> bool {
    let Some(at) = snap.listing.taken_at else {
        return false;
    };
    let failed_since = snap
        .error
        .as_ref()
        .is_some_and(|e| e.at >= at && !matches!(e.kind, SourceErrorKind::Permission { .. }));
    let interval = snap.interval.max(SignedDuration::from_secs(1));
    failed_since
        || now.duration_since(at)
            > interval
                .checked_mul(STALE_INTERVALS)
                .unwrap_or(SignedDuration::MAX)
}
