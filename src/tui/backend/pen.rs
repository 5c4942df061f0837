//! The pen (colours and modifiers: what `ESC[…m` sets) and the fewest SGR parameters that change it.
use std::io::Write;

use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};

/// Colours and modifiers: what `ESC[…m` sets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pen {
    pub(super) fg: Color,
    pub(super) bg: Color,
    pub(super) modifier: Modifier,
}

impl Pen {
    pub(super) fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        }
    }
}

/// A cell known to show one printable ASCII character in a pen, so it can be printed again as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shown {
    pub(super) byte: u8,
    pub(super) pen: Pen,
}

pub(super) const BLANK: Shown = Shown {
    byte: b' ',
    pen: Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
    },
};

/// Appends the SGR parameters that turn `from` into `to`.
pub(super) fn sgr_params(from: Pen, to: Pen, out: &mut Vec<u8>) {
    const INTENSITY: Modifier = Modifier::BOLD.union(Modifier::DIM);
    const BLINK: Modifier = Modifier::SLOW_BLINK.union(Modifier::RAPID_BLINK);
    const ON: [(Modifier, u8); 9] = [
        (Modifier::BOLD, 1),
        (Modifier::DIM, 2),
        (Modifier::ITALIC, 3),
        (Modifier::UNDERLINED, 4),
        (Modifier::SLOW_BLINK, 5),
        (Modifier::RAPID_BLINK, 6),
        (Modifier::REVERSED, 7),
        (Modifier::HIDDEN, 8),
        (Modifier::CROSSED_OUT, 9),
    ];
    let removed = from.modifier - to.modifier;
    let mut on = to.modifier - from.modifier;
    // 22 ends both bold and dim, 25 both blinks: put back the one that stays.
    if removed.intersects(INTENSITY) {
        param(out, 22);
        on |= to.modifier & INTENSITY;
    }
    if removed.intersects(BLINK) {
        param(out, 25);
        on |= to.modifier & BLINK;
    }
    // The others each end with their own code plus 20.
    for (modifier, code) in ON {
        if removed.contains(modifier) && !(INTENSITY | BLINK).contains(modifier) {
            param(out, code + 20);
        }
    }
    for (modifier, code) in ON {
        if on.contains(modifier) {
            param(out, code);
        }
    }
    if from.fg != to.fg {
        color_params(to.fg, 30, out);
    }
    if from.bg != to.bg {
        color_params(to.bg, 40, out);
    }
}

/// Appends the parameters of a foreground (`base` 30) or background (`base` 40) colour.
pub(super) fn color_params(color: Color, base: u8, out: &mut Vec<u8>) {
    let named = match color {
        Color::Reset => return param(out, base + 9),
        Color::Indexed(i) => {
            for p in [base + 8, 5, i] {
                param(out, p);
            }
            return;
        }
        Color::Rgb(r, g, b) => {
            for p in [base + 8, 2, r, g, b] {
                param(out, p);
            }
            return;
        }
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
    };
    // The bright eight are 90–97 and 100–107.
    param(
        out,
        if named < 8 {
            base + named
        } else {
            base + 52 + named
        },
    );
}

/// Appends one SGR parameter, after a `;` unless it is the first.
pub(super) fn param(out: &mut Vec<u8>, n: u8) {
    if !out.is_empty() {
        out.push(b';');
    }
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{n}");
}
