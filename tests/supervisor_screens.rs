//! Screens of the supervisor features on a fixed clock: alerts, summary, privacy, pause.
use crate::support::app::app;
use crate::support::board::{ago, now, polls};
use crate::support::screen::screen;

use std::sync::Arc;

use callboard::api::model::{CallRecord, Party};
use callboard::feed::FeedState;
use callboard::tui::App;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE), now());
}

/// Every phone number of every party of the test board, digits only.
fn phone_numbers() -> Vec<String> {
    let mut out = Vec::new();
    for (_, records) in polls() {
        for r in records {
            for f in r.all_fields() {
                for p in [&f.from, &f.to].into_iter().flatten() {
                    let Party { phone_number, .. } = &**p;
                    out.extend(
                        phone_number
                            .iter()
                            .map(|n| n.chars().filter(char::is_ascii_digit).collect::<String>()),
                    );
                }
            }
        }
    }
    out
}

/// Live rows after clearing the filter and typing `text` into the filter prompt.
fn filtered(app: &mut App, text: &str) -> usize {
    press(app, KeyCode::Esc);
    press(app, KeyCode::Char('/'));
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter);
    app.board().len(callboard::board::List::Live)
}

#[test]
fn privacy_keeps_the_filter_from_finding_calls_by_hidden_numbers() {
    let (mut app, _) = app();
    let all = filtered(&mut app, "");
    let number = phone_numbers().into_iter().find(|n| n.len() >= 10).unwrap();
    let digits = &number[number.len() - 7..];
    assert!(filtered(&mut app, digits) > 0);
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(filtered(&mut app, digits), 0, "{digits} of {number} finds a call");
    assert_eq!(filtered(&mut app, ""), all);
}

#[test]
fn privacy_masks_every_number_and_external_name() {
    let (mut app, _) = app();
    press(&mut app, KeyCode::Char('p'));
    assert!(app.privacy());
    for (w, h) in [(120, 40), (80, 24)] {
        let s = screen(&mut app, w, h);
        for number in phone_numbers() {
            for digits in number.as_bytes().windows(4) {
                let digits = std::str::from_utf8(digits).unwrap();
                assert!(!s.contains(digits), "{digits} of {number} shows at {w}x{h}:\n{s}");
            }
        }
        for name in ["Acme Logistics", "王小明", "WIRELESS CALLER", "DALY CITY"] {
            assert!(!s.contains(name), "{name} shows at {w}x{h}");
        }
        assert!(s.contains("Kenji Sato") && s.contains("x117"), "extensions stay");
        assert!(s.contains("PRIVATE"));
    }
    insta::assert_snapshot!("privacy_120x40", screen(&mut app, 120, 40));
    insta::assert_snapshot!("privacy_80x24", screen(&mut app, 80, 24));
    press(&mut app, KeyCode::Char('p'));
    assert!(screen(&mut app, 120, 40).contains("+16502886377"));
}

#[test]
fn alerts_mark_rows_and_are_counted() {
    let (mut app, last) = app();
    // A call that has been ringing for 50 s: over the 45 s critical threshold.
    let mut s = last.clone();
    let mut records = s.listing.calls.to_vec();
    let mut long_ring = CallRecord::clone(&records[1]);
    long_ring.id = "LIringingLong".into();
    long_ring.fields.start_time = Some(ago(50));
    records.push(Arc::new(long_ring));
    s.listing.calls = records.into();
    s.seq += 1;
    s.listing.seq += 1;
    app.apply(Arc::new(s), now());
    let big = screen(&mut app, 120, 40);
    assert!(big.contains("‼2") || big.contains("‼ 2 critical"), "{big}");
    insta::assert_snapshot!("alerts_120x40", big);
    insta::assert_snapshot!("alerts_80x24", screen(&mut app, 80, 24));
}

#[test]
fn summary_line_counts_directions_longest_calls_and_results() {
    let (mut app, _) = app();
    let line = |app: &mut App, w| screen(app, w, 40).lines().nth(3).unwrap().to_owned();
    let wide = line(&mut app, 160);
    assert_eq!(
        wide.trim(),
        "in 6 out 1 │ ◌3 ●4 │ longest call 1:06:40 · longest ringing 00:28 │ ended in 2m00s: 1 answered 1 \
         missed 0 voicemail 1 other"
    );
    let narrow = line(&mut app, 80);
    assert!(
        narrow.contains("longest 1:06:40") && narrow.contains("ended:"),
        "{narrow}"
    );
    assert!(line(&mut app, 60).contains("longest 1:06:40"));
}

#[test]
fn pause_freezes_the_screen_and_counts_what_waits() {
    let (mut app, last) = app();
    press(&mut app, KeyCode::Char(' '));
    let frozen = screen(&mut app, 80, 24);
    let mut s: FeedState = last.clone();
    let mut records = s.listing.calls.to_vec();
    records.retain(|r| r.id != "LIsynthLong05");
    s.listing.calls = records.into();
    for _ in 0..2 {
        s.seq += 1;
        s.listing.seq += 1;
        app.apply(Arc::new(s.clone()), now());
    }
    assert_eq!(app.paused().map(|p| p.1), Some(2));
    let paused = screen(&mut app, 80, 24);
    assert!(paused.contains("PAUSED · 2 new"), "{paused}");
    assert!(
        paused.contains("王小明"),
        "the screen still shows the frozen board"
    );
    assert_eq!(
        frozen.lines().skip(2).collect::<Vec<_>>(),
        paused.lines().skip(2).collect::<Vec<_>>()
    );
    insta::assert_snapshot!("paused_80x24", paused);
    insta::assert_snapshot!("paused_120x40", screen(&mut app, 120, 40));
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.paused(), None);
    let resumed = screen(&mut app, 80, 24);
    assert!(!resumed.contains("PAUSED"));
    assert!(
        resumed.contains("? vanished    1:06:40") || resumed.contains("Recently ended calls 4"),
        "{resumed}"
    );
}

#[test]
fn conversations_toggle_in_account_scope_only() {
    let (mut app, last) = app();
    press(&mut app, KeyCode::Char('c'));
    assert!(!app.board().grouped());
    assert!(
        screen(&mut app, 120, 40).contains("conversations join the records of one call in account scope")
    );
    let mut s = last.clone();
    s.seq += 1;
    s.scope = Some(callboard::api::Scope::Account);
    app.apply(Arc::new(s), now());
    press(&mut app, KeyCode::Char('c'));
    assert!(app.board().grouped());
    press(&mut app, KeyCode::Char('c'));
    assert!(!app.board().grouped());
}
