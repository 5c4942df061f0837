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
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

mod glyph;
mod motion;
mod pen;
#[cfg(test)]
mod tests;

use glyph::Glyph;
use motion::{Motion, Op, cheaper, cost, keep_cheaper};
use pen::{BLANK, Pen, Shown, sgr_params};

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
