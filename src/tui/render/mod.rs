//! Drawing the whole screen from the app state at a given time.
mod call_view;
mod calls;
mod chooser;
mod ended;
mod footer;
mod header;
mod help;
mod legs;
mod parties;
mod parts;
mod picker;
mod replay;
mod status;
mod summary;
mod thresholds;

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Table, TableState, Wrap};

use super::app::{App, list_index};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::theme::Theme;
use crate::board::List;
use crate::text;

/// Draws the screen as of `now` (as of the pause while paused). Takes the app mutably only to keep list scroll offsets.
pub fn draw(frame: &mut Frame, app: &mut App, now: Timestamp) {
    let now = app.paused().map_or(now, |(at, _)| at);
    let area = frame.area();
    let status_height = status::height(app, area.width, now);
    let Some(mut areas) = layout::split(area, status_height) else {
        too_small(frame, area, app.theme);
        return;
    };
    status::render(frame, areas.status, app, now);
    let lower = areas.calls.union(areas.legs).union(areas.ended);
    if app.call_view.is_some() {
        app.rows_at = [Rect::default(); 2];
        call_view::render(frame, areas.summary.union(lower), areas.footer, app, now);
    } else {
        if app.zoom {
            let (full, hidden) = match app.focus {
                List::Live => (&mut areas.calls, &mut areas.ended),
                List::Ended => (&mut areas.ended, &mut areas.calls),
            };
            (*full, *hidden, areas.legs) = (lower, Rect::default(), Rect::default());
        }
        summary::render(frame, areas.summary, app, now);
        calls::render(frame, areas.calls, app, now);
        legs::render(frame, areas.legs, app, now);
        ended::render(frame, areas.ended, app, now);
        footer::render(frame, areas.footer, app, now);
        // Rows start under the section's title rule, and the live table's column headers.
        app.rows_at = [rows(areas.calls, 2), rows(areas.ended, 1)];
    }
    picker::render(frame, area, app);
    chooser::render(frame, area, areas.calls.width, app, now);
    thresholds::render(frame, area, app);
    if app.help {
        help::render(frame, area, app.theme, &mut app.help_scroll);
    }
}

/// The part of a list's `area` below its first `skip` lines, where its rows are.
fn rows(area: Rect, skip: u16) -> Rect {
    let skip = skip.min(area.height);
    Rect {
        y: area.y + skip,
        height: area.height - skip,
        ..area
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: Theme) {
    let text = format!(
        "terminal too small: need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
        area.width, area.height
    );
    let height = (text.len() as u16).div_ceil(area.width.max(1)).min(area.height);
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(area);
    let p = Paragraph::new(Span::styled(text, theme.notice()))
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    frame.render_widget(p, mid);
}

/// A section with a title rule on top; the focused one is marked with `▸` and drawn bold.
fn section(title: Vec<Span<'static>>, focused: bool, theme: Theme) -> Block<'static> {
    let marker = if focused { "▸ " } else { "  " };
    let style = if focused { theme.title() } else { theme.header() };
    let mut spans = vec![Span::styled(marker, style)];
    spans.extend(title.into_iter().map(|s| {
        if s.style == Style::default() {
            s.style(style)
        } else {
            s
        }
    }));
    spans.push(Span::raw(" "));
    Block::new()
        .borders(Borders::TOP)
        .border_style(theme.dim())
        .title(Line::from(spans))
}

/// Clears a centred box of at most `width`×`height`, draws its frame with a title and a bottom hint, and
/// returns the inside.
fn popup(frame: &mut Frame, area: Rect, size: (u16, u16), titles: (&str, &str), theme: Theme) -> Rect {
    let width = size.0.min(area.width);
    let height = size.1.min(area.height);
    let outer = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(ratatui::widgets::Clear, outer);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.dim())
        .title(Line::styled(titles.0.to_owned(), theme.title()))
        .title_bottom(Line::styled(titles.1.to_owned(), theme.dim()));
    let inner = block.inner(outer);
    frame.render_widget(block, outer);
    inner
}

/// Pieces of a line: (untrusted) text and its style.
type Pieces = Vec<(String, Style)>;

/// Display width of pieces after sanitising.
fn pieces_width(pieces: &Pieces) -> usize {
    pieces.iter().map(|(t, _)| text::width(&text::clean(t))).sum()
}

/// Word-wraps pieces into at most `max_lines` lines of `width`; the last line ends in `…` if cut.
fn wrap_pieces(pieces: Pieces, width: usize, max_lines: usize) -> Vec<Pieces> {
    let mut lines: Vec<Pieces> = vec![Vec::new()];
    let mut used = 0;
    for (text, style) in pieces {
        let text = text::clean(&text);
        for word in text.split_inclusive(' ') {
            let w = text::width(word.trim_end());
            if used > 0 && used + w > width {
                lines.push(Vec::new());
                used = 0;
            }
            if let Some(line) = lines.last_mut() {
                line.push((word.to_owned(), style));
            }
            used += text::width(word);
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push((" …".into(), Style::new()));
        }
    }
    lines
}

/// Cuts a line made of (untrusted) pieces to `width` columns, sanitising every piece.
fn fit_line(pieces: Vec<(String, Style)>, width: usize) -> Line<'static> {
    let mut used = 0;
    let mut spans = Vec::with_capacity(pieces.len());
    for (text, style) in pieces {
        let room = width.saturating_sub(used);
        if room == 0 {
            break;
        }
        let piece = text::fit(&text, room);
        used += text::width(&piece);
        let cut = piece.ends_with('…') && !text.ends_with('…');
        spans.push(Span::styled(piece, style));
        if cut {
            break;
        }
    }
    Line::from(spans)
}

/// Packs `label value` pairs into lines of `width`, two spaces apart.
fn flow(pairs: &[(&str, String)], width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut current: Vec<(String, Style)> = Vec::new();
    let mut used = 0;
    for (label, value) in pairs {
        let value = text::clean(value);
        let w = text::width(label) + 1 + text::width(&value);
        if used > 0 && used + 2 + w > width {
            lines.push(fit_line(std::mem::take(&mut current), width));
            used = 0;
        }
        if used > 0 {
            current.push(("  ".into(), Style::new()));
            used += 2;
        }
        current.push((format!("{label} "), theme.dim()));
        current.push((value, theme.text()));
        used += w;
    }
    if !current.is_empty() {
        lines.push(fit_line(current, width));
    }
    lines
}

/// A dim, centred note inside an empty pane.
fn empty_note(frame: &mut Frame, area: Rect, text: &str, theme: Theme) {
    if area.height == 0 {
        return;
    }
    let y = area.y + (area.height.saturating_sub(1)) / 2;
    let line = fit_line(vec![(text.to_owned(), theme.dim())], area.width as usize);
    frame.render_widget(
        Paragraph::new(line).alignment(Alignment::Center),
        Rect::new(area.x, y, area.width, 1),
    );
}

/// Draws a table holding only the visible rows `[offset, offset + height)`, highlighting the selection
/// when it is among them.
fn window_table(frame: &mut Frame, area: Rect, table: Table, window: Window, focused: bool, theme: Theme) {
    let highlight = if focused {
        theme.selected()
    } else {
        theme.selected_unfocused()
    };
    let in_view = window
        .selected
        .filter(|s| (window.offset..window.offset + window.height).contains(s))
        .map(|s| s - window.offset);
    let mut state = TableState::default().with_selected(in_view);
    frame.render_stateful_widget(table.row_highlight_style(highlight), area, &mut state);
}

/// The part of a list on screen and its selected row.
#[derive(Debug, Clone, Copy)]
struct Window {
    offset: usize,
    height: usize,
    selected: Option<usize>,
}

/// Places a list's window of `height` rows and remembers its page size and scroll offset in the app.
/// With `follow` the window scrolls to keep the selection in view; without, it shows the top.
fn place(app: &mut App, list: List, height: usize, follow: bool) -> Window {
    let idx = list_index(list);
    let selected = app.board.selected_index(list);
    let len = app.board.len(list);
    let offset = if follow {
        scroll(app.offsets[idx], selected, height, len)
    } else {
        0
    };
    app.pages[idx] = height;
    app.offsets[idx] = offset;
    Window {
        offset,
        height,
        selected,
    }
}

/// Keeps `selected` inside the `height` rows shown from `offset`; returns the new offset.
fn scroll(offset: usize, selected: Option<usize>, height: usize, len: usize) -> usize {
    let mut offset = offset.min(len.saturating_sub(height));
    if let Some(s) = selected {
        if s < offset {
            offset = s;
        } else if height > 0 && s >= offset + height {
            offset = s + 1 - height;
        }
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_keeps_the_selection_visible() {
        assert_eq!(scroll(0, Some(3), 5, 10), 0);
        assert_eq!(scroll(0, Some(7), 5, 10), 3);
        assert_eq!(scroll(6, Some(2), 5, 10), 2);
        assert_eq!(scroll(8, None, 5, 6), 1);
        assert_eq!(scroll(4, Some(0), 0, 0), 0);
    }

    #[test]
    fn lines_are_cut_with_an_ellipsis() {
        let line = fit_line(
            vec![("abc".into(), Style::new()), ("defgh".into(), Style::new())],
            6,
        );
        assert_eq!(line.to_string(), "abcde…");
    }
}
