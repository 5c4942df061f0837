//! The selected call full-screen (`Enter`), like k9s's describe: its state and timing, every push party,
//! the record's fields and identifiers, then every leg with all its fields; scrolled with the movement
//! keys.
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::legs::{headline, identifiers, indented, leg_lines, more_pairs};
use super::{Pieces, empty_note, fit_line, pieces_width, section, wrap_pieces};
use crate::board::Call;
use crate::tui::app::App;
use crate::tui::help_scroll::HelpScroll;

/// Draws the call view in `body` and its key hints in `footer`.
pub(super) fn render(frame: &mut Frame, body: Rect, footer: Rect, app: &mut App, now: Timestamp) {
    let theme = app.theme;
    let call = app.board.selected(app.focus).map(|c| app.shown(c));
    let title = match &call {
        Some(c) => vec![
            Span::raw("Call "),
            Span::raw(crate::text::fit(c.id(), 40)),
            Span::styled(format!(" · {} leg(s)", c.record().legs.len()), theme.dim()),
        ],
        None => vec![Span::raw("Call")],
    };
    let block = section(title, true, theme);
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let width = inner.width as usize;
    let lines = match call.as_deref() {
        // Wrapped, not cut: the view shows every field whole.
        Some(call) => lines(app, call, now, width)
            .into_iter()
            .flat_map(|line| wrap(line, width))
            .collect(),
        None => {
            empty_note(frame, inner, "the call has left the board; Esc goes back", theme);
            Vec::new()
        }
    };
    let page = inner.height as usize;
    let Some(scroll) = &mut app.call_view else {
        return;
    };
    *scroll = HelpScroll {
        max: lines.len().saturating_sub(page),
        page,
        top: scroll.top.min(lines.len().saturating_sub(page)),
    };
    let top = scroll.top;
    let shown = if lines.is_empty() {
        String::new()
    } else {
        format!(
            " · lines {}–{} of {}",
            top + 1,
            (top + page).min(lines.len()),
            lines.len()
        )
    };
    let scroll_at = u16::try_from(top).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll_at, 0)), inner);
    let hint = format!(" Esc back · j/k ↓↑ PgDn/PgUp g/G scroll{shown}");
    frame.render_widget(
        Paragraph::new(fit_line(vec![(hint, theme.dim())], footer.width as usize)),
        footer,
    );
}

/// Where a wrapped line goes on, under the text of a leg's heading.
const HANGING: &str = "     ";

/// Word-wraps a line to `width` columns, the later lines indented by [`HANGING`].
fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let pieces: Pieces = line
        .spans
        .into_iter()
        .map(|span| (span.content.into_owned(), span.style))
        .collect();
    if pieces_width(&pieces) <= width {
        return vec![Line::from(
            pieces
                .into_iter()
                .map(|(t, s)| Span::styled(t, s))
                .collect::<Vec<_>>(),
        )];
    }
    wrap_pieces(pieces, width.saturating_sub(HANGING.len()).max(1), usize::MAX)
        .into_iter()
        .enumerate()
        .map(|(i, mut pieces)| {
            if i > 0 {
                pieces.insert(0, (HANGING.into(), Style::new()));
            }
            Line::from(
                pieces
                    .into_iter()
                    .map(|(t, s)| Span::styled(t, s))
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

/// Every line of the view for `call`: fields flowed at `width`, the other lines whole (wrapped later).
fn lines(app: &App, call: &Call, now: Timestamp, width: usize) -> Vec<Line<'static>> {
    let theme = app.theme;
    let whole = usize::MAX / 2;
    let mut lines = vec![headline(call, app, now, whole)];
    let parties = super::parties::lines(app, call, now, whole);
    if !parties.is_empty() {
        lines.push(Line::default());
        lines.push(fit_line(vec![(" Parties (push)".into(), theme.header())], width));
        lines.extend(parties);
    }
    lines.push(Line::default());
    lines.push(fit_line(vec![(" Record".into(), theme.header())], width));
    lines.extend(identifiers(call, width, theme));
    let legs = &call.record().legs;
    lines.push(Line::default());
    let heading = format!(" Legs ({})", legs.len());
    lines.push(fit_line(vec![(heading, theme.header())], width));
    for (i, leg) in legs.iter().enumerate() {
        lines.extend(leg_lines(i, leg, call, now, whole, theme));
        lines.extend(indented(&more_pairs(&leg.fields), HANGING.len(), width, theme));
    }
    lines
}
