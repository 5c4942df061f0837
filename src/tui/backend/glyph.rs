//! What to print for a cell's symbol, and how far terminals agree it moves the cursor.
use ratatui::buffer::CellWidth;
use unicode_width::UnicodeWidthChar;

/// What to print for a cell's symbol, and what that does on the terminal.
pub(super) struct Glyph<'a> {
    pub(super) text: &'a str,
    /// Columns the cursor moves on, when every terminal agrees.
    pub(super) advance: Option<u16>,
    /// Columns the text may cover on any terminal.
    pub(super) covers: u16,
}

impl Glyph<'_> {
    pub(super) const BLANK: Glyph<'static> = Glyph {
        text: " ",
        advance: Some(1),
        covers: 1,
    };

    /// The glyph for `symbol` with `room` columns left on the row.
    pub(super) fn of(symbol: &str, room: u16) -> Glyph<'_> {
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
