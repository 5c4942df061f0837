//! The detail pane for the selected call: its identifiers and its legs, scrolled with `J`/`K` when they
//! do not all fit. The full-screen call view builds on the same lines.
use jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{empty_note, fit_line, flow, section};
use crate::api::model::{CallFields, CallRecord, Leg, Str};
use crate::board::Call;
use crate::board::format;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App, now: Timestamp) {
    let theme = app.theme;
    let call = app.board.selected(app.focus).map(|c| app.shown(c));
    let title = match &call {
        Some(c) => {
            let mut title = vec![Span::raw("Call "), Span::raw(crate::text::fit(c.id(), 40))];
            let legs = c.record().legs.len();
            if app.legs_skipped > 0 && legs > 1 {
                let from = app.legs_skipped.min(legs - 1) + 1;
                title.push(Span::styled(
                    format!(" · ↑ from leg {from} of {legs} (K)"),
                    theme.dim(),
                ));
            }
            title
        }
        None => vec![Span::raw("Call details")],
    };
    let block = section(title, false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(call) = call.as_deref() else {
        empty_note(frame, inner, "select a call to see its legs", theme);
        return;
    };
    let width = inner.width as usize;
    let height = inner.height as usize;
    let mut lines = vec![headline(call, app, now, width)];
    let conversation = app.board.conversation(call);
    if app.board.grouped() && conversation.len() > 1 {
        let shown: Vec<_> = conversation.iter().map(|c| app.shown(c)).collect();
        let parties = crate::board::parties(shown.iter().map(|c| &**c)).join(" · ");
        let text = format!(" conversation of {} records: {parties}", conversation.len());
        lines.push(fit_line(vec![(text, theme.notice())], width));
    }
    lines.extend(super::parties::lines(app, call, now, width));
    let ids = identifiers(call, width, theme);
    let legs = &call.record().legs;
    let skipped = app.legs_skipped.min(legs.len().saturating_sub(1));
    let blocks: Vec<Vec<Line>> = legs
        .iter()
        .enumerate()
        .skip(skipped)
        .map(|(i, leg)| leg_lines(i, leg, call, now, width, theme))
        .collect();
    // Reason descriptions (the third line of a leg) only when everything else fits too.
    let full: usize = blocks.iter().map(Vec::len).sum();
    let keep = if lines.len() + full + ids.len() <= height {
        3
    } else {
        2
    };
    let room = height.saturating_sub(lines.len());
    let mut used = 0;
    let mut all_legs = true;
    let count = blocks.len();
    for (i, block) in blocks.into_iter().enumerate() {
        let block: Vec<Line> = block.into_iter().take(keep).collect();
        let reserve = usize::from(i + 1 < count);
        if used + block.len() + reserve > room {
            if used < room {
                let more = format!(" ↓ {} more leg(s): J scrolls, Enter shows all", count - i);
                lines.push(fit_line(vec![(more, theme.dim())], width));
            }
            all_legs = false;
            break;
        }
        used += block.len();
        lines.extend(block);
    }
    if all_legs {
        lines.extend(ids);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// State and timing in one line.
pub(super) fn headline(call: &Call, app: &App, now: Timestamp, width: usize) -> Line<'static> {
    let theme = app.theme;
    let mut head: Vec<(String, Style)> = vec![
        (" ".into(), Style::new()),
        (format::state(call.state()), theme.state(call.state())),
        (format!("  {}", format::clock(call.duration(now))), theme.text()),
    ];
    if let Some(ring) = call.ring_time(now) {
        head.push((format!("  rang {}", format::short(ring)), theme.dim()));
    }
    if let Some(talk) = call.talk_time(now) {
        head.push((format!("  talking {}", format::short(talk)), theme.dim()));
    }
    if let Some(held) = call.hold_time(now) {
        let word = if *call.state() == crate::board::CallState::Parked {
            "parked"
        } else {
            "on hold"
        };
        head.push((
            format!("  {word} {}", format::short(held)),
            theme.state(call.state()),
        ));
    }
    head.push((
        format!("  started {}", format::time_of_day(call.start(), &app.tz)),
        theme.dim(),
    ));
    fit_line(head, width)
}

/// The record's own fields and identifiers, flowed over as many lines as they need.
pub(super) fn identifiers(call: &Call, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let r: &CallRecord = call.record();
    let f = &r.fields;
    let mut pairs: Vec<(&str, String)> = vec![
        ("from", format::party(f.from.as_deref())),
        ("to", format::party(f.to.as_deref())),
    ];
    pairs.retain(|(_, v)| !v.is_empty());
    pairs.extend(field_pairs(f));
    pairs.push(("id", r.id.to_string()));
    if let Some(s) = &r.session_id {
        pairs.push(("session", s.to_string()));
    }
    pairs.extend(more_pairs(f));
    indented(&pairs, 1, width, theme)
}

/// Fields flowed over lines of `width`, each indented by `indent` spaces.
pub(super) fn indented(
    pairs: &[(&str, String)],
    indent: usize,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = flow(pairs, width.saturating_sub(indent), theme);
    for l in &mut lines {
        l.spans.insert(0, Span::raw(" ".repeat(indent)));
    }
    lines
}

/// Identifiers and details a record and each of its legs may carry.
pub(super) fn more_pairs(f: &CallFields) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    if let Some(t) = &f.telephony_session_id {
        pairs.push(("telephony", t.to_string()));
    }
    if let Some(e) = &f.extension {
        pairs.push(("extension id", e.id.to_string()));
    }
    let optional: [(&str, Option<String>); 8] = [
        ("transport", f.transport.as_ref().map(|t| t.to_string())),
        ("type", f.call_type.as_ref().map(|t| t.to_string())),
        ("internal", owned(&f.internal_type)),
        (
            "delegate",
            f.delegate
                .as_ref()
                .map(|d| d.name.as_ref().unwrap_or(&d.id).to_string()),
        ),
        ("delegation", owned(&f.delegation_type)),
        ("sip", owned(&f.sip_uuid_info)),
        ("party", owned(&f.party_id)),
        (
            "recording",
            f.recording
                .as_ref()
                .map(|rec| rec.kind.as_deref().unwrap_or("yes").to_owned()),
        ),
    ];
    pairs.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    pairs
}

/// Direction, action, result and reason of a record or leg, when present.
fn field_pairs(f: &CallFields) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    if let Some(d) = &f.direction {
        pairs.push(("dir", d.to_string()));
    }
    if let Some(a) = &f.action {
        pairs.push(("action", a.to_string()));
    }
    if let Some(r) = &f.result {
        pairs.push(("result", r.to_string()));
    }
    if let Some(r) = &f.reason {
        pairs.push(("reason", r.to_string()));
    }
    pairs
}

/// One leg: a heading line, the parties, and the reason in words.
pub(super) fn leg_lines(
    i: usize,
    leg: &Leg,
    call: &Call,
    now: Timestamp,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let f = &leg.fields;
    let master = if leg.master == Some(true) { "★ " } else { "  " };
    let offset = f
        .start_time
        .map(|t| format!("+{}", format::short(t.duration_since(call.start()))))
        .unwrap_or_else(|| "+?".into());
    let duration = match f.duration {
        Some(s) => format::clock(SignedDuration::from_secs(i64::try_from(s).unwrap_or(i64::MAX))),
        None if call.state().is_live() => {
            // A leg never started before its call; clamping keeps skewed data from showing nonsense.
            let start = f.start_time.map_or(call.start(), |t| t.max(call.start()));
            format::clock(now.duration_since(start))
        }
        None => "—".into(),
    };
    let leg_type = leg
        .leg_type
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| "leg".into());
    let mut head = vec![
        (format!(" {}. ", i + 1), theme.dim()),
        (master.to_owned(), theme.title()),
        (leg_type, theme.header()),
        (
            format!("  {}", format::direction(f.direction.as_ref())),
            theme.text(),
        ),
        (
            format!("  {}", f.action.as_ref().map(|a| a.as_str()).unwrap_or("")),
            theme.text(),
        ),
        (format!("  {offset}  {duration}"), theme.dim()),
    ];
    if let Some(result) = &f.result {
        head.push((format!("  {result}"), theme.text()));
    }
    if let Some(reason) = &f.reason {
        head.push((format!(" · {reason}"), theme.text()));
    }
    let mut lines = vec![fit_line(head, width)];
    lines.push(fit_line(
        vec![
            ("     ".into(), Style::new()),
            (format::party_with_device(f.from.as_deref()), theme.text()),
            ("  →  ".into(), theme.dim()),
            (format::party_with_device(f.to.as_deref()), theme.text()),
        ],
        width,
    ));
    if let Some(desc) = &f.reason_description {
        lines.push(fit_line(
            vec![("     ".into(), Style::new()), (desc.to_string(), theme.dim())],
            width,
        ));
    }
    lines
}

/// An optional text field as an owned string.
fn owned(text: &Option<Str>) -> Option<String> {
    text.as_deref().map(str::to_owned)
}
