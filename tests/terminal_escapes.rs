//! Property: whatever text the API sends, the bytes written to the terminal hold no escape sequence, control
//! character, bidi override or zero-width character of its own: every ESC in the output is one of the
//! backend's cursor moves or style changes, and no cell holds a control character (the backend's own
//! CR, LF and BS moves are the only controls written).
use crate::support::app::options;
use crate::support::board::{feed_state, live_records, now, party};
use crate::support::captured::Captured;

use std::sync::Arc;

use callboard::tui::{App, LeanBackend, draw};
use proptest::prelude::*;
use ratatui::layout::{Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};

/// Text leaning hard on what a terminal would act on.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z \u{1b}\u{7}\u{8}\u{9b}\u{9d}\u{90}\u{202e}\u{202d}\u{2066}\u{2069}\u{200b}\u{200d}\u{feff}\u{061c}\\[\\];0-9m]{0,60}",
        "\u{1b}\\]0;[a-z]{0,10}\u{7}",
        "\u{1b}\\[[0-9;]{0,8}[A-Za-z]",
    ]
}

/// Frame bytes of a board whose callers are named by `names`, drawn without colour at 120x40, and whether
/// any cell of the frame holds a control character.
fn frame_bytes(names: &[(String, String)]) -> (Vec<u8>, bool) {
    let mut records = live_records();
    for (r, (from, to)) in records.iter_mut().zip(names) {
        r.fields.from = Some(party(Some(from), Some(to), None));
        r.fields.to = Some(party(Some(to), None, Some(from)));
        for leg in &mut r.legs {
            leg.fields.from = r.fields.from.clone();
        }
    }
    let mut app = App::new(&options(false));
    app.apply(Arc::new(feed_state(1, records, now())), now());
    let area = Rect::new(0, 0, 120, 40);
    let out = Captured::default();
    let backend = LeanBackend::with_size(out.clone(), Size::new(120, 40));
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )
    .unwrap();
    let frame = terminal.draw(|f| draw(f, &mut app, now())).unwrap();
    let control_in_cell = frame
        .buffer
        .content()
        .iter()
        .any(|c| c.symbol().chars().any(char::is_control));
    (out.take(), control_in_cell)
}

/// The first escape sequence in `bytes` (which starts with ESC) that the backend would not write.
fn foreign_escape(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b {
            // CSI: ESC [ parameters final; the backend writes only cursor moves (H, A-D, G), styles (m) and
            // cursor hide/show (?25l, ?25h).
            if bytes.get(i + 1) != Some(&b'[') {
                return Some(i);
            }
            let mut j = i + 2;
            while bytes
                .get(j)
                .is_some_and(|b| b.is_ascii_digit() || *b == b';' || *b == b'?')
            {
                j += 1;
            }
            if !matches!(bytes.get(j), Some(b'H' | b'A'..=b'D' | b'G' | b'm' | b'l' | b'h')) {
                return Some(i);
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_escape_or_invisible_control_from_the_data_reaches_the_terminal(
        names in proptest::collection::vec((hostile(), hostile()), 1..7),
    ) {
        let (bytes, control_in_cell) = frame_bytes(&names);
        prop_assert!(foreign_escape(&bytes).is_none(), "foreign escape at {:?}", foreign_escape(&bytes));
        prop_assert!(!control_in_cell, "a cell holds a control character");
        prop_assert!(
            bytes.iter().all(|b| *b >= 0x20 || matches!(b, 0x1b | b'\r' | b'\n' | 0x08)),
            "a C0 control other than ESC and the backend's CR, LF and BS was written"
        );
        let text = String::from_utf8(bytes).expect("the output is UTF-8");
        let bad = |c: char| {
            ('\u{80}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        };
        prop_assert!(!text.chars().any(bad), "a C1, bidi or zero-width character was written");
    }
}

#[test]
fn the_checker_catches_what_a_raw_name_would_write() {
    assert_eq!(foreign_escape(b"ok\x1b[12;3Hx\x1b[0m\x1b[?25l"), None);
    assert_eq!(foreign_escape(b"\x1b]0;pwn\x07"), Some(0));
    assert_eq!(foreign_escape(b"a\x1b[2J"), Some(1));
}
