//! The live board's ratatui backend: the same cells as ratatui's `CrosstermBackend`, in far fewer bytes.
//!
//! An idle board changes one duration digit on each of a few dozen rows every second. The crossterm
//! backend moves there with an absolute `ESC[row;colH` (8 bytes for 1 byte of text), sets colours in the
//! 256-colour form and ends each frame by resetting every attribute and hiding the cursor again, which
//! put the idle output over its 1 KB/s budget. This backend follows the terminal instead:
//!
//! - **The cursor.** It moves with the shortest of `CR`, `LF`, `BS`, `ESC[nA`/`B`/`C`/`D`, `ESC[nG` and
//!   the absolute move (after a write into the last column, only with a move that starts with `CR`), and
//!   treats the position as unknown (absolute move next) after anything it cannot follow: a
//!   multi-character grapheme (terminals disagree on its width), a clear, bytes sent through [`Write`].
//! - **The screen**, where it shows plain ASCII: a short run of unchanged cells in the current style
//!   between two changed ones is printed again (a byte a cell) when that is cheaper than moving over it.
//! - **The pen.** One `ESC[…m` with only what changed, 16-colour codes for named colours, or a reset
//!   when that is shorter. The pen is left at the default after every frame (one `ESC[m` if needed).
//! - **The cursor's visibility**, so hiding it on every frame costs nothing after the first.
//!
//! It assumes what a full-screen ratatui app sets up: raw mode, so `LF` moves straight down (it is
//! only used above the last row, so it never scrolls). Nothing is printed past the last column: a
//! symbol that would not fit, or that a terminal cannot draw in place (empty, zero-width, control
//! characters), is drawn as a blank.
use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Cell, CellWidth};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthChar;

/// A [`Backend`] that writes only what the terminal does not already show, with the shortest cursor
/// moves and style changes. Bytes written through its [`Write`] impl (a bell, an OSC 52 copy) go straight
/// out; they must not change any cell, and the cursor and pen count as unknown afterwards.
#[derive(Debug)]
pub struct LeanBackend<W: Write> {
    writer: W,
    /// The terminal size when the caller fixed it (the writer is not this process's terminal).
    fixed_size: Option<Size>,
    /// The size `shown` covers.
    size: Size,
    /// Row by row, the ASCII character and pen each cell shows, where known.
    shown: Vec<Option<Shown>>,
    /// Where the next character would go, when known. Past the last column after a write there (the
    /// pending wrap): only a CR or an absolute move leave that state the same way on every terminal.
    cursor: Option<Position>,
    /// The terminal's current colours and modifiers, when known.
    pen: Option<Pen>,
    /// Whether the cursor is hidden, when known.
    cursor_hidden: Option<bool>,
    /// Scratch space for choosing between two ways to set the pen.
    sgr: [Vec<u8>; 2],
}

/// Colours and modifiers: what `ESC[…m` sets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        }
    }
}

/// A cell known to show one printable ASCII character in a pen, so it can be printed again as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shown {
    byte: u8,
    pen: Pen,
}

const BLANK: Shown = Shown {
    byte: b' ',
    pen: Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
    },
};

impl<W: Write> LeanBackend<W> {
    /// A backend for the process's terminal, written through `writer` (buffer it: a frame is many small
    /// writes, and ratatui flushes once per frame).
    pub fn new(writer: W) -> Self {
        Self::with(writer, None)
    }

    /// A backend for a terminal of `size` that is not this process's (tests, recordings): nothing is
    /// asked of the process's terminal.
    pub fn with_size(writer: W, size: Size) -> Self {
        Self::with(writer, Some(size))
    }

    fn with(writer: W, fixed_size: Option<Size>) -> Self {
        LeanBackend {
            writer,
            fixed_size,
            size: Size::default(),
            shown: Vec::new(),
            cursor: None,
            pen: None,
            cursor_hidden: None,
            sgr: [Vec::new(), Vec::new()],
        }
    }

    /// Forgets what the screen shows unless its size is unchanged.
    fn follow_size(&mut self) -> io::Result<()> {
        let size = self.size()?;
        if size != self.size {
            self.size = size;
            self.forget_screen();
        }
        Ok(())
    }

    fn forget_screen(&mut self) {
        self.shown.clear();
        let cells = usize::from(self.size.width) * usize::from(self.size.height);
        self.shown.resize(cells, None);
        self.cursor = None;
    }

    fn index(&self, x: u16, y: u16) -> usize {
        usize::from(y) * usize::from(self.size.width) + usize::from(x)
    }

    /// Whether cells `from..to` of `row` all show ASCII in `pen`, so printing them again moves the cursor
    /// over them without changing anything.
    fn reprintable(&self, row: u16, from: u16, to: u16, pen: Option<Pen>) -> bool {
        let Some(pen) = pen else { return false };
        let start = self.index(from, row);
        self.shown[start..start + usize::from(to - from)]
            .iter()
            .all(|s| s.is_some_and(|s| s.pen == pen))
    }

    /// The cheapest way to put the cursor at `to`, printing known cells again only if they are in `pen`.
    fn motion(&self, to: Position, pen: Option<Pen>) -> Motion {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let mut best = [Op::To(to), Op::Nop, Op::Nop];
        let Some(at) = self.cursor else {
            return best;
        };
        let down = match to.y.cmp(&at.y) {
            Equal => Op::Nop,
            // Windows consoles in raw mode still return to column 0 on LF.
            Greater if cfg!(unix) => cheaper(Op::Repeat(b'\n', to.y - at.y), Op::Csi(to.y - at.y, b'B')),
            Greater => Op::Csi(to.y - at.y, b'B'),
            Less => Op::Csi(at.y - to.y, b'A'),
        };
        let reprint = |from: u16| Op::Reprint {
            row: to.y,
            from,
            to: to.x,
        };
        let home = Op::Repeat(b'\r', 1);
        // After the last column terminals differ on where relative moves start from, until a CR.
        if at.x < self.size.width {
            match to.x.cmp(&at.x) {
                Equal => keep_cheaper(&mut best, [down, Op::Nop, Op::Nop]),
                Greater => {
                    let gap = to.x - at.x;
                    keep_cheaper(&mut best, [down, Op::Csi(gap, b'C'), Op::Nop]);
                    if usize::from(gap) < cost(&best) && self.reprintable(to.y, at.x, to.x, pen) {
                        keep_cheaper(&mut best, [down, reprint(at.x), Op::Nop]);
                    }
                }
                Less => {
                    let back = at.x - to.x;
                    let left = cheaper(Op::Repeat(b'\x08', back), Op::Csi(back, b'D'));
                    keep_cheaper(&mut best, [down, left, Op::Nop]);
                }
            }
            keep_cheaper(&mut best, [down, Op::Csi(to.x + 1, b'G'), Op::Nop]);
        } else {
            keep_cheaper(&mut best, [home, down, Op::Csi(to.x + 1, b'G')]);
        }
        // CR then a move right never beats the column move; CR then printing cells again can.
        if to.x == 0 {
            keep_cheaper(&mut best, [home, down, Op::Nop]);
        } else if usize::from(to.x) + 1 < cost(&best) && self.reprintable(to.y, 0, to.x, pen) {
            keep_cheaper(&mut best, [home, down, reprint(0)]);
        }
        best
    }

    fn write_motion(&mut self, motion: &Motion) -> io::Result<()> {
        for op in motion {
            match *op {
                Op::Nop => {}
                Op::Csi(n, end) => {
                    self.writer.write_all(b"\x1b[")?;
                    if n != 1 {
                        write!(self.writer, "{n}")?;
                    }
                    self.writer.write_all(&[end])?;
                }
                Op::To(p) if p.x == 0 => write!(self.writer, "\x1b[{}H", p.y + 1)?,
                Op::To(p) => write!(self.writer, "\x1b[{};{}H", p.y + 1, p.x + 1)?,
                Op::Repeat(byte, n) => {
                    for _ in 0..n {
                        self.writer.write_all(&[byte])?;
                    }
                }
                Op::Reprint { row, from, to } => {
                    let start = self.index(from, row);
                    for s in self.shown[start..start + usize::from(to - from)].iter().flatten() {
                        self.writer.write_all(&[s.byte])?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Moves to `to` and sets `pen`, in the order that lets the move print known cells again more cheaply.
    fn go_to(&mut self, to: Position, pen: Pen) -> io::Result<()> {
        if self.cursor == Some(to) {
            return self.set_pen(pen);
        }
        let keep = self.motion(to, self.pen);
        if self.pen != Some(pen) {
            let switch = self.motion(to, Some(pen));
            if cost(&switch) < cost(&keep) {
                self.set_pen(pen)?;
                return self.write_motion(&switch);
            }
        }
        self.write_motion(&keep)?;
        self.set_pen(pen)
    }

    fn set_pen(&mut self, to: Pen) -> io::Result<()> {
        if self.pen == Some(to) {
            return Ok(());
        }
        let [change, reset] = &mut self.sgr;
        reset.clear();
        if to != Pen::default() {
            reset.push(b'0');
            sgr_params(Pen::default(), to, reset);
        }
        change.clear();
        let shortest = match self.pen {
            Some(from) => {
                sgr_params(from, to, change);
                if change.len() < reset.len() {
                    &*change
                } else {
                    &*reset
                }
            }
            None => &*reset,
        };
        self.writer.write_all(b"\x1b[")?;
        self.writer.write_all(shortest)?;
        self.writer.write_all(b"m")?;
        self.pen = Some(to);
        Ok(())
    }

    /// Prints `glyph` at `at` in `pen` and records what that did to the screen and the cursor.
    fn print(&mut self, at: Position, glyph: &Glyph, pen: Pen) -> io::Result<()> {
        self.go_to(at, pen)?;
        self.writer.write_all(glyph.text.as_bytes())?;
        // Printing over half of a wide character blanks the other half, which is never an ASCII cell.
        let start = self.index(at.x, at.y);
        self.shown[start..start + usize::from(glyph.covers)].fill(None);
        if let [byte] = glyph.text.as_bytes() {
            self.shown[start] = Some(Shown { byte: *byte, pen });
        }
        self.cursor = glyph.advance.map(|a| Position { x: at.x + a, y: at.y });
        Ok(())
    }
}

/// One step of a cursor motion.
#[derive(Debug, Clone, Copy)]
enum Op {
    Nop,
    /// `ESC [ n final`, with `n` left out when it is 1.
    Csi(u16, u8),
    /// The absolute move.
    To(Position),
    /// A control byte (`CR`, `LF`, `BS`) this many times.
    Repeat(u8, u16),
    /// The known cells `from..to` of `row` printed again.
    Reprint {
        row: u16,
        from: u16,
        to: u16,
    },
}

type Motion = [Op; 3];

impl Op {
    /// Bytes written.
    fn cost(self) -> usize {
        match self {
            Op::Nop => 0,
            Op::Csi(n, _) => 3 + if n == 1 { 0 } else { digits(n) },
            Op::To(p) if p.x == 0 => 3 + digits(p.y + 1),
            Op::To(p) => 4 + digits(p.y + 1) + digits(p.x + 1),
            Op::Repeat(_, n) => usize::from(n),
            Op::Reprint { from, to, .. } => usize::from(to - from),
        }
    }
}

fn cost(motion: &[Op]) -> usize {
    motion.iter().map(|op| op.cost()).sum()
}

fn keep_cheaper(best: &mut Motion, candidate: Motion) {
    if cost(&candidate) < cost(best) {
        *best = candidate;
    }
}

fn cheaper(a: Op, b: Op) -> Op {
    if b.cost() < a.cost() { b } else { a }
}

fn digits(n: u16) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Appends the SGR parameters that turn `from` into `to`.
fn sgr_params(from: Pen, to: Pen, out: &mut Vec<u8>) {
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
fn color_params(color: Color, base: u8, out: &mut Vec<u8>) {
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
fn param(out: &mut Vec<u8>, n: u8) {
    if !out.is_empty() {
        out.push(b';');
    }
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{n}");
}

/// What to print for a cell's symbol, and what that does on the terminal.
struct Glyph<'a> {
    text: &'a str,
    /// Columns the cursor moves on, when every terminal agrees.
    advance: Option<u16>,
    /// Columns the text may cover on any terminal.
    covers: u16,
}

impl Glyph<'_> {
    const BLANK: Glyph<'static> = Glyph {
        text: " ",
        advance: Some(1),
        covers: 1,
    };

    /// The glyph for `symbol` with `room` columns left on the row.
    fn of(symbol: &str, room: u16) -> Glyph<'_> {
        if let [byte] = symbol.as_bytes() {
            return if byte.is_ascii_graphic() || *byte == b' ' {
                Glyph {
                    text: symbol,
                    advance: Some(1),
                    covers: 1,
                }
            } else {
                Glyph::BLANK
            };
        }
        // Columns if every character is drawn on its own, as terminals that do not join clusters do.
        let mut apart = 0usize;
        let mut chars = 0;
        // East Asian "ambiguous" characters (`…`, `│`, `●`, `▲`) are two columns on terminals set up
        // for CJK text.
        let mut ambiguous = false;
        for c in symbol.chars() {
            let Some(w) = c.width() else {
                return Glyph::BLANK;
            };
            apart += w;
            chars += 1;
            ambiguous |= c.width_cjk() != Some(w);
        }
        let apart = u16::try_from(apart).unwrap_or(u16::MAX);
        // Some terminals draw a cluster wider than its characters (an emoji with VS16).
        let covers = apart.max(symbol.cell_width());
        if apart == 0 || covers > room {
            return Glyph::BLANK;
        }
        Glyph {
            text: symbol,
            // A lone character advances by its width on every terminal unless its width is ambiguous; a
            // cluster by what the terminal makes of it.
            advance: (chars == 1 && !ambiguous).then_some(apart),
            // Drawn wide, an ambiguous character also covers the next cell, when there is one.
            covers: if ambiguous && covers < room {
                covers + 1
            } else {
                covers
            },
        }
    }
}

impl<W: Write> Write for LeanBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.cursor = None;
        self.pen = None;
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.follow_size()?;
        for (x, y, cell) in content {
            // Off screen only when the terminal shrank since ratatui asked; its resize redraws everything.
            if x >= self.size.width || y >= self.size.height {
                continue;
            }
            let glyph = Glyph::of(cell.symbol(), self.size.width - x);
            self.print(Position { x, y }, &glyph, Pen::of(cell))?;
        }
        self.set_pen(Pen::default())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        for _ in 0..n {
            self.writer.write_all(b"\n")?;
        }
        self.forget_screen();
        self.writer.flush()
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(true) {
            self.writer.write_all(b"\x1b[?25l")?;
            self.cursor_hidden = Some(true);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(false) {
            self.writer.write_all(b"\x1b[?25h")?;
            self.cursor_hidden = Some(false);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        match (self.cursor, self.fixed_size) {
            (Some(p), _) => Ok(Position {
                x: p.x.min(self.size.width.saturating_sub(1)),
                y: p.y,
            }),
            (None, None) => crossterm::cursor::position().map(|(x, y)| Position { x, y }),
            (None, Some(_)) => Err(io::Error::other("the cursor position is not known")),
        }
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let to = position.into();
        self.follow_size()?;
        if to.x < self.size.width && to.y < self.size.height {
            let motion = self.motion(to, self.pen);
            self.write_motion(&motion)?;
            self.cursor = Some(to);
        } else {
            self.write_motion(&[Op::To(to), Op::Nop, Op::Nop])?;
            self.cursor = None;
        }
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // Erased cells take the current background: erase with the default one.
        self.set_pen(Pen::default())?;
        self.writer.write_all(match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        })?;
        self.size = self.size()?;
        self.forget_screen();
        if clear_type == ClearType::All {
            self.shown.fill(Some(BLANK));
        }
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed_size {
            Some(size) => Ok(size),
            None => crossterm::terminal::size().map(|(width, height)| Size { width, height }),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        if let Some(size) = self.fixed_size {
            return Ok(WindowSize {
                columns_rows: size,
                pixels: Size::default(),
            });
        }
        let ws = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: ws.columns,
                height: ws.rows,
            },
            pixels: Size {
                width: ws.width,
                height: ws.height,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;

    fn sgr(from: Option<Pen>, to: Pen) -> String {
        let mut backend = LeanBackend::with_size(Vec::new(), Size::new(1, 1));
        backend.pen = from;
        backend.set_pen(to).unwrap();
        String::from_utf8(backend.writer).unwrap()
    }

    fn pen(fg: Color, bg: Color, modifier: Modifier) -> Pen {
        Pen { fg, bg, modifier }
    }

    #[test]
    fn the_pen_changes_with_the_fewest_parameters() {
        let selected = pen(Color::White, Color::Blue, Modifier::BOLD);
        assert_eq!(sgr(Some(Pen::default()), selected), "\x1b[1;97;44m");
        assert_eq!(sgr(None, selected), "\x1b[0;1;97;44m");
        assert_eq!(sgr(Some(selected), Pen::default()), "\x1b[m");
        let gray = pen(Color::DarkGray, Color::Reset, Modifier::empty());
        assert_eq!(sgr(Some(Pen::default()), gray), "\x1b[90m");
        assert_eq!(sgr(Some(selected), gray), "\x1b[0;90m");
        assert_eq!(
            sgr(Some(selected), pen(Color::White, Color::Blue, Modifier::empty())),
            "\x1b[22m"
        );
        // Ending bold also ends dim, and ending one blink ends both: the one that stays is set again.
        let both = Modifier::BOLD | Modifier::DIM | Modifier::SLOW_BLINK | Modifier::RAPID_BLINK;
        let some = Modifier::BOLD | Modifier::RAPID_BLINK;
        let rgb = Color::Rgb(1, 2, 3);
        assert_eq!(
            sgr(Some(pen(rgb, Color::Reset, both)), pen(rgb, Color::Reset, some)),
            "\x1b[22;25;1;6m"
        );
        let all_off = Modifier::ITALIC | Modifier::UNDERLINED | Modifier::REVERSED | Modifier::HIDDEN;
        assert_eq!(
            sgr(
                Some(pen(rgb, Color::Reset, all_off | Modifier::CROSSED_OUT)),
                pen(rgb, Color::Reset, Modifier::CROSSED_OUT)
            ),
            "\x1b[23;24;27;28m"
        );
        assert_eq!(
            sgr(
                Some(pen(rgb, Color::Reset, Modifier::CROSSED_OUT)),
                pen(rgb, Color::Reset, Modifier::empty())
            ),
            "\x1b[29m"
        );
        assert_eq!(
            sgr(
                Some(Pen::default()),
                pen(
                    Color::Indexed(200),
                    Color::Rgb(1, 2, 3),
                    Modifier::HIDDEN | Modifier::CROSSED_OUT
                )
            ),
            "\x1b[8;9;38;5;200;48;2;1;2;3m"
        );
    }

    /// The bytes drawing `next` writes after `prev` was drawn, on a cleared `w`x`h` screen.
    fn redraw(
        w: u16,
        h: u16,
        prev: &[(u16, u16, &'static str)],
        next: &[(u16, u16, &'static str)],
    ) -> String {
        let mut backend = LeanBackend::with_size(Vec::new(), Size::new(w, h));
        backend.clear().unwrap();
        let mut cells = |list: &[(u16, u16, &'static str)]| {
            let buf = Buffer::with_lines(list.iter().map(|&(_, _, s)| s));
            let cells: Vec<_> = list
                .iter()
                .zip(&buf.content)
                .map(|(&(x, y, _), c)| (x, y, c.clone()))
                .collect();
            backend.writer.clear();
            backend.draw(cells.iter().map(|(x, y, c)| (*x, *y, c))).unwrap();
        };
        cells(prev);
        cells(next);
        String::from_utf8(backend.writer).unwrap()
    }

    #[test]
    fn the_cursor_takes_the_shortest_way() {
        // The cursor is known from the last frame; the digit below is down and one back.
        assert_eq!(
            redraw(20, 3, &[(5, 0, "1")], &[(5, 0, "2"), (5, 1, "3")]),
            "\x082\n\x083"
        );
        // A gap of known blanks is printed again; a long one is jumped.
        assert_eq!(redraw(20, 1, &[(0, 0, "a")], &[(3, 0, "b")]), "  b");
        assert_eq!(
            redraw(20, 1, &[(2, 0, "a")], &[(2, 0, "b"), (12, 0, "c")]),
            "\x08b\x1b[9Cc"
        );
        assert_eq!(redraw(20, 12, &[(2, 0, "a")], &[(2, 11, "b")]), "\x1b[11B\x08b");
    }

    #[test]
    fn after_the_last_column_the_cursor_moves_from_a_carriage_return() {
        assert_eq!(
            redraw(5, 2, &[(0, 0, "a")], &[(4, 0, "e"), (2, 1, "x")]),
            "   e\r\n  x"
        );
        assert_eq!(
            redraw(5, 12, &[(0, 9, "a")], &[(4, 9, "e"), (4, 10, "x")]),
            "   e\r\n\x1b[5Gx"
        );
    }

    #[test]
    fn a_frame_leaves_the_pen_at_the_default_and_hides_the_cursor_once() {
        let mut backend = LeanBackend::with_size(Vec::new(), Size::new(4, 1));
        let mut cell = Cell::new("a");
        cell.fg = Color::Red;
        backend.draw([(0, 0, &cell)].into_iter()).unwrap();
        backend.hide_cursor().unwrap();
        backend.hide_cursor().unwrap();
        assert_eq!(backend.writer, b"\x1b[1H\x1b[0;31ma\x1b[m\x1b[?25l");
    }

    #[test]
    fn what_a_terminal_cannot_draw_in_place_is_drawn_as_a_blank() {
        for symbol in ["", "\u{301}", "\x1b", "\u{200b}"] {
            assert_eq!(Glyph::of(symbol, 4).text, " ", "{symbol:?}");
        }
        assert_eq!(
            Glyph::of("王", 1).text,
            " ",
            "a wide character in the last column"
        );
        let cluster = Glyph::of("e\u{301}", 4);
        assert_eq!(
            (cluster.text, cluster.advance, cluster.covers),
            ("e\u{301}", None, 1)
        );
        let wide = Glyph::of("王", 2);
        assert_eq!((wide.advance, wide.covers), (Some(2), 2));
        // Two columns on a terminal set up for CJK text: the cursor is not known after it.
        let dot = Glyph::of("●", 4);
        assert_eq!((dot.text, dot.advance, dot.covers), ("●", None, 2));
        let last = Glyph::of("│", 1);
        assert_eq!((last.text, last.advance, last.covers), ("│", None, 1));
    }
}
