//! Issue 14, items 12 and 14: the live table gives the width of a column with nothing to show to the
//! columns with text, the column chooser says which ticked column has no room, the ended list shows
//! from → to, and a live queue call's agent leg reads as the inbound queue call it is.
use crate::support::app::app;
use crate::support::board::{ago, now, party};
use crate::support::captures::capture;
use crate::support::screen::screen;

use std::sync::Arc;

use callboard::api::model::Direction;
use callboard::board::{Board, CALLER_NOT_LISTED, CellContext, Column, List, QUEUE_CALL};
use callboard::feed::{Change, Delta, FeedState, PartyChange, PartyStatus};
use callboard::tui::App;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::tz::TimeZone;

fn key(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE), now());
}

fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

#[test]
fn at_80x24_an_empty_via_yields_its_width_so_start_stays() {
    let (mut app, _) = app();
    key(&mut app, KeyCode::Char('/'));
    for c in "kenji".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 80, 24);
    let header = line_with(&s, "STATE");
    assert!(header.contains(" VIA START"), "VIA narrowed, START kept:\n{s}");
    let row = line_with(&s, "王小明");
    assert!(
        row.contains("王小明 +862155550199 ") && row.ends_with("23:08:50"),
        "FROM whole, START shown:\n{s}"
    );
}

#[test]
fn the_chooser_marks_a_ticked_column_the_table_has_no_room_for() {
    let (mut app, _) = app();
    key(&mut app, KeyCode::Char('C'));
    let narrow = screen(&mut app, 80, 24);
    assert!(line_with(&narrow, "[x] START").contains("(no room)"), "{narrow}");
    assert!(!line_with(&narrow, "[x] VIA").contains("(no room)"), "{narrow}");
    let wide = screen(&mut app, 120, 40);
    assert!(!wide.contains("(no room)"), "{wide}");
}

#[test]
fn the_ended_list_shows_from_and_to() {
    let (mut app, _) = app();
    let s = screen(&mut app, 80, 24);
    assert!(
        line_with(&s, "✗ Missed").contains("DALY CITY CA → Tyler Liu"),
        "{s}"
    );
    assert!(
        line_with(&s, "✓ Accepted").contains("WIRELESS CALLER → Tyler Liu"),
        "{s}"
    );
}

/// The FROM, TO, VIA and DIR cells of the live call `id`, without push.
fn cells(board: &Board, id: &str) -> [String; 4] {
    let call = board
        .window(List::Live, 0, usize::MAX)
        .find(|c| c.id() == id)
        .unwrap();
    let cx = CellContext {
        now: now(),
        tz: &TimeZone::UTC,
        records: 1,
        caller: None,
        queue: None,
    };
    [Column::From, Column::To, Column::Via, Column::Direction].map(|c| c.cell(call, &cx))
}

#[test]
fn a_live_queue_leg_reads_as_an_inbound_queue_call() {
    // The seed capture: the agent's PstnToSip leg, outbound, from and to the agent's own extension.
    let mut board = Board::default();
    let records = ["queue_2_answered", "direct_2_answered"].map(|n| Arc::new(capture(n)));
    board.merge(&records, now());
    assert_eq!(
        cells(&board, "LIfMpYdXOsxPzUA"),
        [CALLER_NOT_LISTED, "Tyler Liu x11115", QUEUE_CALL, "in"]
    );
    assert_eq!(
        cells(&board, "LIef14l8Nt_1zUA")[3],
        "in",
        "a direct call reads as before"
    );
    let summary = board.summary(now());
    assert_eq!((summary.inbound, summary.outbound), (2, 0));
}

#[test]
fn push_names_the_caller_and_queue_of_a_queue_leg() {
    let (mut app, last) = app();
    let session = "s-31f9c0cf910a41f98c4c5cb29b72377d";
    let mut caller = PartyChange::new(session, "p1", PartyStatus::Answered);
    caller.sequence = 2;
    caller.from = Some(party(Some("WIRELESS CALLER"), Some("+16504306662"), None));
    caller.to = Some(party(Some("Tyler's call queue"), None, Some("1000")));
    caller.direction = Some(Direction::Inbound);
    let mut agent = PartyChange::new(session, "p2", PartyStatus::Answered);
    agent.sequence = 3;
    agent.from = caller.from.clone();
    agent.to = Some(party(Some("Tyler Liu"), None, Some("11115")));
    agent.queue_call = true;
    let deltas: Vec<Delta> = [caller, agent]
        .into_iter()
        .enumerate()
        .map(|(i, change)| Delta {
            seq: last.last_update() + 1 + i as u64,
            at: ago(5),
            change: Change::Party(change),
        })
        .collect();
    let state = FeedState {
        seq: last.seq + 1,
        deltas: deltas.into(),
        ..last
    };
    app.apply(Arc::new(state), now());
    let s = screen(&mut app, 120, 40);
    let row = line_with(&s, "00:15:02");
    assert!(
        row.contains(" in ")
            && row.contains("WIRELESS CALLER +16504306662")
            && row.contains("Tyler Liu x11115")
            && row.contains("Tyler's call queue"),
        "{s}"
    );
}
