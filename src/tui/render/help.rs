//! The `?` overlay, generated from the key table so it cannot drift from what the keys do.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::fit_line;
use crate::tui::keymap::{self, KEYMAP};
use crate::tui::theme::Theme;

/// Width of the key column.
const KEYS: usize = 12;

pub(super) fn render(frame: &mut Frame, area: Rect, theme: Theme) {
    let mut sections = sections();
    // On a short terminal the symbols go first, then the prompts' keys (shown in the prompts themselves).
    let (mut split, mut height) = columns(&sections);
    let keep = board_sections();
    while height > area.height && sections.len() > keep {
        sections.pop();
        (split, height) = columns(&sections);
    }
    let width = area.width.saturating_sub(4).min(84);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height: height.min(area.height),
    };
    frame.render_widget(Clear, popup);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.dim())
        .title(Line::styled(" Keys ", theme.title()))
        .title_bottom(Line::styled(" any key closes ", theme.dim()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
        .spacing(2)
        .areas(inner);
    for (col, range) in [(left, &sections[..split]), (right, &sections[split..])] {
        let w = col.width as usize;
        let mut lines = Vec::new();
        for (name, bindings) in range {
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(fit_line(vec![(name.to_string(), theme.header())], w));
            for (keys, help) in bindings {
                lines.push(fit_line(
                    vec![
                        (format!(" {keys:<KEYS$} "), theme.title()),
                        (help.to_string(), Style::new()),
                    ],
                    w,
                ));
            }
        }
        frame.render_widget(
            Paragraph::new(lines),
            Rect {
                x: col.x + 1,
                width: col.width.saturating_sub(2),
                ..col
            },
        );
    }
}

/// Where to split the sections into two columns, and the popup height that needs.
fn columns(sections: &[Section]) -> (usize, u16) {
    // Lines of each section: a heading, its keys, and a blank line before all but the first.
    let sizes: Vec<usize> = sections.iter().map(|(_, b)| b.len() + 2).collect();
    let column = |range: &[usize]| range.iter().sum::<usize>().saturating_sub(1);
    let split = (0..=sections.len())
        .min_by_key(|&i| column(&sizes[..i]).max(column(&sizes[i..])))
        .unwrap_or(0);
    (
        split,
        column(&sizes[..split]).max(column(&sizes[split..])) as u16 + 2,
    )
}

/// How many sections hold board keys (they come first and are never dropped).
fn board_sections() -> usize {
    let mut names: Vec<&str> = KEYMAP
        .iter()
        .filter(|b| b.mode == keymap::Mode::Board)
        .map(|b| b.section)
        .collect();
    names.dedup();
    names.len()
}

/// A heading and its (keys, help) lines.
type Section = (&'static str, Vec<(String, &'static str)>);

/// What the board's symbols mean, shown after the keys.
const SYMBOLS: [(&str, &str); 6] = [
    ("◌ ring", "ringing"),
    ("● talk", "connected"),
    ("✓ ✗", "ended ok / not ok"),
    ("? vanished", "gone, no result"),
    ("★", "master leg"),
    ("▲ ▼", "sort order"),
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
        if b.mode != keymap::Mode::Board && repeat {
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
