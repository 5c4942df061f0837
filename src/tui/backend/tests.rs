//! The backend against what it must write: fewest bytes, and never a wrong cell.
use super::*;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

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
fn redraw(w: u16, h: u16, prev: &[(u16, u16, &'static str)], next: &[(u16, u16, &'static str)]) -> String {
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
