//! The `?` overlay, generated from the key table so it cannot drift from what the keys do.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::fit_line;
use unicode_width::UnicodeWidthStr;

use crate::tui::help_scroll::HelpScroll;
use crate::tui::keymap::{self, KEYMAP};
use crate::tui::theme::Theme;

/// Width of the key column.
const KEYS: usize = 12;

/// Two columns when they fit; otherwise (80×24) one column that scrolls, so nothing is left out or cut.
pub(super) fn render(frame: &mut Frame, area: Rect, theme: Theme, scroll: &mut HelpScroll) {
    let sections = sections();
    let (split, height) = columns(&sections);
    let width = area.width.saturating_sub(4).min(84);
    // Inside the border, two columns two apart, each with a space either side.
    let column_width = usize::from(width.saturating_sub(4) / 2).saturating_sub(2);
    let two_columns = height <= area.height && widest(&sections) <= column_width;
    let total = if two_columns { 0 } else { line_count(&sections) };
    let height = if two_columns {
        height
    } else {
        (total as u16).saturating_add(2).min(area.height)
    };
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    };
    let page = usize::from(height.saturating_sub(2));
    scroll.page = page;
    scroll.max = total.saturating_sub(page);
    scroll.top = scroll.top.min(scroll.max);
    let hint = match scroll.max {
        0 => " any key closes ".to_owned(),
        _ => format!(
            " j/k scroll · {}–{} of {total} · other keys close ",
            scroll.top + 1,
            scroll.top + page
        ),
    };
    frame.render_widget(Clear, popup);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.dim())
        .title(Line::styled(" Keys ", theme.title()))
        .title_bottom(Line::styled(hint, theme.dim()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let padded = |col: Rect| Rect {
        x: col.x + 1,
        width: col.width.saturating_sub(2),
        ..col
    };
    if !two_columns {
        let col = padded(inner);
        let text = lines(&sections, usize::from(col.width), theme);
        frame.render_widget(Paragraph::new(text).scroll((scroll.top as u16, 0)), col);
        return;
    }
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
        .spacing(2)
        .areas(inner);
    for (col, range) in [(left, &sections[..split]), (right, &sections[split..])] {
        let col = padded(col);
        frame.render_widget(Paragraph::new(lines(range, usize::from(col.width), theme)), col);
    }
}

/// The lines of `sections` cut to `width`: each heading, its keys, and a blank line between sections.
fn lines(sections: &[Section], width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (name, bindings) in sections {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(fit_line(vec![(name.to_string(), theme.header())], width));
        for (keys, help) in bindings {
            lines.push(fit_line(
                vec![
                    (format!(" {keys:<KEYS$} "), theme.title()),
                    (help.to_string(), Style::new()),
                ],
                width,
            ));
        }
    }
    lines
}

/// The width of the longest key line.
fn widest(sections: &[Section]) -> usize {
    sections
        .iter()
        .flat_map(|(_, bindings)| bindings)
        .map(|(keys, help)| KEYS.max(keys.width()) + 2 + help.width())
        .max()
        .unwrap_or(0)
}

/// Where to split the sections into two columns, and the popup height that needs.
fn columns(sections: &[Section]) -> (usize, u16) {
    let split = (0..=sections.len())
        .min_by_key(|&i| line_count(&sections[..i]).max(line_count(&sections[i..])))
        .unwrap_or(0);
    let tallest = line_count(&sections[..split]).max(line_count(&sections[split..]));
    (split, tallest as u16 + 2)
}

/// Lines of `sections` one under another: a heading and its keys each, a blank line between two.
fn line_count(sections: &[Section]) -> usize {
    sections
        .iter()
        .map(|(_, b)| b.len() + 2)
        .sum::<usize>()
        .saturating_sub(1)
}

/// A heading and its (keys, help) lines.
type Section = (&'static str, Vec<(String, &'static str)>);

/// What the board's symbols mean, shown after the keys.
const SYMBOLS: [(&str, &str); 8] = [
    ("◌ ●", "ringing / connected"),
    ("‖ P", "on hold / parked (push)"),
    ("✉ vm", "in voicemail (push)"),
    ("✓ ✗", "ended ok / not ok"),
    ("? vanished", "gone, no result"),
    ("! ‼", "long: warn / critical"),
    ("⧉ n", "n records of one call"),
    ("★  ▲ ▼", "master leg · sort order"),
];

/// Bindings grouped by section in table order (the prompt's repeats of board keys left out), then the
/// symbols.
fn sections() -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for b in KEYMAP {
        let repeat = matches!(
            b.action,
            keymap::Action::Up | keymap::Action::Down | keymap::Action::Quit
        );
        // The call view and the thresholds popup show their own keys.
        let own_hints = matches!(b.mode, keymap::Mode::Call | keymap::Mode::Thresholds);
        if b.mode != keymap::Mode::Board && repeat || own_hints {
            continue;
        }
        let entry = (keymap::keys_label(b), b.help);
        match out.iter_mut().find(|(name, _)| *name == b.section) {
            Some((_, list)) => list.push(entry),
            None => out.push((b.section, vec![entry])),
        }
    }
    out.push((
        "Symbols",
        SYMBOLS
            .iter()
            .map(|&(sym, meaning)| (sym.to_owned(), meaning))
            .collect(),
    ));
    out
}
