//! Board model: state derivation on the seed captures, merging, selection, sorting, windows, filters.
use callboard::api::model::{ActiveCallsPage, CallFields, CallRecord, CallResult, Direction, Party};
use callboard::board::{Board, BoardConfig, CallState, Column, List, Sort};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

fn capture(name: &str) -> CallRecord {
    let path = format!("{}/assets/captures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let mut page = ActiveCallsPage::parse(&std::fs::read(path).unwrap()).unwrap();
    std::sync::Arc::unwrap_or_clone(page.records.remove(0))
}

/// Merges records built here, each in its own allocation as a poll would hand them over.
fn merge(board: &mut Board, records: &[CallRecord], at: Timestamp) {
    let shared: Vec<_> = records.iter().cloned().map(Arc::new).collect();
    board.merge(&shared, at);
}

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_611_100_000 + secs).unwrap()
}

/// A live (ringing) call from `name` started at `t(start)`.
fn ringing(id: &str, name: &str, start: i64) -> CallRecord {
    CallRecord {
        id: id.into(),
        fields: CallFields {
            start_time: Some(t(start)),
            direction: Some(Direction::Inbound),
            result: Some(CallResult::InProgress),
            from: Some(Arc::new(Party {
                name: Some(name.into()),
                ..Party::default()
            })),
            ..CallFields::default()
        },
        ..CallRecord::default()
    }
}

fn ids(board: &Board, list: List) -> Vec<String> {
    board
        .window(list, 0, usize::MAX)
        .map(|c| c.id().to_owned())
        .collect()
}

fn selected(board: &Board, list: List) -> Option<String> {
    board.selected(list).map(|c| c.id().to_owned())
}

fn state_of(name: &str) -> CallState {
    let mut board = Board::default();
    merge(&mut board, &[capture(name)], t(0));
    board
        .window(List::Live, 0, 9)
        .chain(board.window(List::Ended, 0, 9))
        .next()
        .unwrap()
        .state()
        .clone()
}

#[test]
fn seed_captures_derive_their_states() {
    assert_eq!(state_of("direct_1_ringing"), CallState::Ringing);
    assert_eq!(state_of("direct_2_answered"), CallState::Connected);
    assert_eq!(state_of("direct_3_ended"), CallState::Ended(CallResult::Accepted));
    assert_eq!(state_of("queue_1_ringing"), CallState::Ringing);
    assert_eq!(state_of("queue_2_answered"), CallState::Connected);
    assert_eq!(state_of("queue_3_ended"), CallState::Ended(CallResult::Accepted));
}

#[test]
fn ended_calls_use_the_api_duration() {
    for (name, secs) in [("direct_3_ended", 10), ("queue_3_ended", 18)] {
        let mut board = Board::default();
        merge(&mut board, &[capture(name)], t(0));
        let call = board.selected(List::Ended).unwrap();
        assert_eq!(call.duration(t(500)), SignedDuration::from_secs(secs), "{name}");
    }
}

#[test]
fn missing_result_is_ringing_and_unknown_result_is_ended() {
    let mut r = ringing("a", "A", 0);
    r.fields.result = None;
    assert_eq!(CallState::derive(&r), CallState::Ringing);
    r.fields.result = Some(CallResult::Other("Teleported".into()));
    assert_eq!(
        CallState::derive(&r),
        CallState::Ended(CallResult::Other("Teleported".into()))
    );
}

#[test]
fn queue_call_keeps_its_row_and_selection_across_polls() {
    let mut board = Board::default();
    let other = ringing("zz-other", "Someone", -100);
    let q1 = capture("queue_1_ringing");
    let start = q1.fields.start_time.unwrap();
    merge(&mut board, &[q1.clone(), other.clone()], start);
    let pos = ids(&board, List::Live)
        .iter()
        .position(|id| *id == q1.id)
        .unwrap();
    board.select_index(List::Live, pos);
    assert_eq!(
        board.get(&q1.id).unwrap().record().fields.direction,
        Some(Direction::Outbound)
    );

    let at = start + SignedDuration::from_secs(5);
    merge(&mut board, &[capture("queue_2_answered"), other.clone()], at);
    assert_eq!(selected(&board, List::Live).as_deref(), Some(q1.id.as_str()));
    let call = board.selected(List::Live).unwrap();
    assert_eq!(*call.state(), CallState::Connected);
    assert_eq!(call.answered_at(), Some(at));
    assert_eq!(call.ring_time(at), Some(SignedDuration::from_secs(5)));

    let end = start + SignedDuration::from_secs(20);
    merge(&mut board, &[capture("queue_3_ended"), other], end);
    let call = board.get(&q1.id).unwrap();
    assert_eq!(*call.state(), CallState::Ended(CallResult::Accepted));
    assert_eq!(call.record().fields.direction, Some(Direction::Inbound));
    assert_eq!(call.via().as_deref(), Some("Tyler's call queue"));
    assert_eq!(ids(&board, List::Ended), [q1.id.as_str()]);
    assert_eq!(ids(&board, List::Live), ["zz-other"]);
}

#[test]
fn direct_call_goes_ringing_connected_ended() {
    let mut board = Board::default();
    for (i, name) in ["direct_1_ringing", "direct_2_answered", "direct_3_ended"]
        .iter()
        .enumerate()
    {
        merge(&mut board, &[capture(name)], t(i as i64 * 5));
    }
    let call = board.selected(List::Ended).unwrap();
    assert_eq!(call.first_seen(), t(0));
    assert_eq!(call.answered_at(), Some(t(5)));
    assert_eq!(call.ended_at(), Some(t(10)));
    // The accepting leg starts 4 s after the call: the exact ring time, whatever the poll times.
    assert_eq!(call.ring_time(t(99)), Some(SignedDuration::from_secs(4)));
    assert_eq!(board.counts().ended, 1);
    assert_eq!(board.counts().live, 0);
}

#[test]
fn ring_and_talk_time_are_unknown_for_calls_first_seen_talking() {
    let mut board = Board::default();
    let mut r = ringing("a", "A", 0);
    r.fields.reason = Some(callboard::api::model::CallReason::Accepted);
    merge(&mut board, &[r], t(60));
    let call = board.get("a").unwrap();
    assert_eq!(*call.state(), CallState::Connected);
    assert_eq!(call.ring_time(t(70)), None);
    assert_eq!(call.talk_time(t(70)), None);
    assert_eq!(call.duration(t(70)), SignedDuration::from_secs(70));
}

#[test]
fn live_duration_ticks_from_start_and_never_goes_negative() {
    let mut board = Board::default();
    let mut no_start = ringing("b", "B", 0);
    no_start.fields.start_time = None;
    merge(&mut board, &[ringing("a", "A", 0), no_start], t(10));
    assert_eq!(
        board.get("a").unwrap().duration(t(75)),
        SignedDuration::from_secs(75)
    );
    assert_eq!(board.get("a").unwrap().duration(t(-5)), SignedDuration::ZERO);
    assert_eq!(
        board.get("b").unwrap().duration(t(15)),
        SignedDuration::from_secs(5)
    );
}

#[test]
fn selection_sticks_when_calls_arrive_and_leave() {
    let mut board = Board::default();
    let (a, b, c) = (ringing("a", "A", 0), ringing("b", "B", 10), ringing("c", "C", 20));
    board.set_sort(
        Sort {
            column: Column::Start,
            descending: false,
        },
        t(30),
    );
    merge(&mut board, &[a.clone(), b.clone(), c.clone()], t(30));
    board.select_index(List::Live, 1);
    assert_eq!(selected(&board, List::Live).as_deref(), Some("b"));

    // A call sorting before it arrives: still on b, one row lower.
    merge(
        &mut board,
        &[ringing("0", "Zero", -10), a.clone(), b.clone(), c.clone()],
        t(31),
    );
    assert_eq!(selected(&board, List::Live).as_deref(), Some("b"));
    assert_eq!(board.selected_index(List::Live), Some(2));

    // b leaves: the neighbour now at the same position is selected.
    merge(&mut board, &[ringing("0", "Zero", -10), a, c.clone()], t(32));
    assert_eq!(selected(&board, List::Live).as_deref(), Some("c"));

    // The last row leaves: selection clamps to the new last row.
    merge(&mut board, &[ringing("0", "Zero", -10)], t(33));
    assert_eq!(selected(&board, List::Live).as_deref(), Some("0"));
    merge(&mut board, &[], t(34));
    assert_eq!(selected(&board, List::Live), None);
}

#[test]
fn selection_sticks_across_resorts() {
    let mut board = Board::default();
    merge(
        &mut board,
        &[
            ringing("a", "Carol", 0),
            ringing("b", "alice", 10),
            ringing("c", "Bob", 20),
        ],
        t(30),
    );
    board.select_index(List::Live, 0);
    let chosen = selected(&board, List::Live).unwrap();
    for column in Column::ALL {
        for descending in [false, true] {
            board.set_sort(Sort { column, descending }, t(30));
            assert_eq!(selected(&board, List::Live).as_ref(), Some(&chosen));
        }
    }
    board.set_sort(
        Sort {
            column: Column::From,
            descending: false,
        },
        t(30),
    );
    assert_eq!(ids(&board, List::Live), ["b", "c", "a"]);
    board.set_sort(
        Sort {
            column: Column::From,
            descending: true,
        },
        t(30),
    );
    assert_eq!(ids(&board, List::Live), ["a", "c", "b"]);
}

#[test]
fn equal_sort_keys_keep_their_order_across_merges() {
    let mut board = Board::default();
    board.set_sort(
        Sort {
            column: Column::Direction,
            descending: true,
        },
        t(0),
    );
    let recs: Vec<_> = (0..20)
        .map(|i| ringing(&format!("id{i:02}"), "Same", i % 3))
        .collect();
    merge(&mut board, &recs, t(50));
    let first = ids(&board, List::Live);
    for round in 1..5 {
        let mut shuffled = recs.clone();
        shuffled.rotate_left(round * 7 % 20);
        shuffled.reverse();
        merge(&mut board, &shuffled, t(50 + round as i64));
        assert_eq!(ids(&board, List::Live), first);
    }
    // The tie-break is start time, then id.
    assert_eq!(&first[..3], ["id00", "id03", "id06"]);
}

#[test]
fn ended_calls_expire_after_the_window() {
    let mut board = Board::default();
    merge(&mut board, &[capture("direct_2_answered")], t(0));
    merge(&mut board, &[capture("direct_3_ended")], t(5));
    assert_eq!(board.counts().ended, 1);
    let call = board.selected(List::Ended).unwrap();
    assert_eq!(board.time_left(call, t(65)), SignedDuration::from_secs(60));
    assert!(!board.expire(t(124)));
    assert_eq!(board.counts().ended, 1);
    // Still in the API's cache a little longer: it does not come back.
    assert!(board.expire(t(125)));
    assert_eq!(board.counts().ended, 0);
    merge(&mut board, &[capture("direct_3_ended")], t(130));
    assert_eq!(board.counts().ended, 0);
}

#[test]
fn vanished_calls_are_kept_for_the_window_and_can_come_back() {
    let mut board = Board::new(BoardConfig {
        ended_window: SignedDuration::from_secs(120),
        ended_cap: 500,
    });
    merge(&mut board, &[ringing("a", "A", 0), ringing("b", "B", 0)], t(0));
    merge(&mut board, &[ringing("b", "B", 0)], t(5));
    assert_eq!(*board.get("a").unwrap().state(), CallState::Vanished);
    assert_eq!(
        board.get("a").unwrap().duration(t(60)),
        SignedDuration::from_secs(5)
    );
    assert_eq!(ids(&board, List::Ended), ["a"]);

    // It comes back live.
    merge(&mut board, &[ringing("a", "A", 0), ringing("b", "B", 0)], t(10));
    assert_eq!(*board.get("a").unwrap().state(), CallState::Ringing);
    assert_eq!(board.counts().live, 2);

    merge(&mut board, &[ringing("b", "B", 0)], t(15));
    merge(&mut board, &[ringing("b", "B", 0)], t(134));
    assert_eq!(board.counts().ended, 1);
    merge(&mut board, &[ringing("b", "B", 0)], t(135));
    assert_eq!(board.counts().ended, 0);
    assert!(board.get("a").is_none());
}

/// Live rows once the filter is `text`.
fn count(board: &mut Board, text: &str) -> usize {
    board.set_filter(text);
    board.len(List::Live)
}

#[test]
fn filter_matches_model_fields_case_insensitively() {
    let mut board = Board::default();
    merge(
        &mut board,
        &[
            capture("direct_2_answered"),
            capture("queue_1_ringing"),
            ringing("x1", "Zed", 0),
            ringing("x2", "ÅSA Öberg", 0),
        ],
        t(0),
    );
    assert_eq!(count(&mut board, ""), 4);
    assert_eq!(count(&mut board, "åsa ö"), 1); // lower-cased beyond ASCII
    assert_eq!(count(&mut board, "asa"), 0);
    assert_eq!(count(&mut board, "wireless"), 1); // from name, record only
    assert_eq!(count(&mut board, "+1720386"), 2); // number on a leg of the direct call
    assert_eq!(count(&mut board, "11115"), 2); // extension number
    assert_eq!(count(&mut board, "lifmpydx"), 1); // record id
    assert_eq!(count(&mut board, "S-8F8125"), 1); // telephonySessionId
    assert_eq!(count(&mut board, "nobody"), 0);
    assert_eq!(board.selected(List::Live).map(|c| c.id().to_owned()), None);
    assert_eq!(count(&mut board, "zed"), 1);
    assert_eq!(board.selected(List::Live).unwrap().id(), "x1");

    // The filter applies to the ended list too.
    merge(&mut board, &[capture("direct_3_ended")], t(5));
    board.set_filter("wireless");
    assert_eq!(board.len(List::Ended), 1);
    board.set_filter("zed");
    assert_eq!(board.len(List::Ended), 1);
    assert_eq!(board.selected(List::Ended).unwrap().id(), "x1");
}

#[test]
fn with_privacy_on_the_filter_searches_only_what_the_screen_shows() {
    let mut board = Board::default();
    merge(
        &mut board,
        &[
            capture("direct_2_answered"),
            capture("queue_1_ringing"),
            ringing("x1", "Sales - ANN LEE", 0),
            ringing("x2", "Zed", 0),
            ringing("x3", "Queue 7 - BOB", 0),
        ],
        t(0),
    );
    let tyler = count(&mut board, "tyler liu");
    assert!(tyler > 0);
    board.set_masked(true);
    assert_eq!(count(&mut board, "+1720386"), 0); // phone numbers are masked
    assert_eq!(count(&mut board, "wireless"), 0); // so are outside callers' names
    assert_eq!(count(&mut board, "zed"), 0);
    assert_eq!(count(&mut board, "ann"), 0);
    assert_eq!(count(&mut board, "sales"), 1); // the queue part of a queue caller's name stays
    assert_eq!(count(&mut board, "queue 7"), 0); // unless it has digits, which are masked
    assert_eq!(count(&mut board, "tyler liu"), tyler); // account extensions keep names
    assert_eq!(count(&mut board, "11115"), 2); // and numbers
    assert_eq!(count(&mut board, "lifmpydx"), 1); // ids are not masked
    board.set_masked(false);
    assert_eq!(count(&mut board, "+1720386"), 2);
    assert_eq!(count(&mut board, "zed"), 1);
}

#[test]
fn ended_list_is_bounded_and_newest_first() {
    let mut board = Board::new(BoardConfig {
        ended_window: SignedDuration::from_secs(3600),
        ended_cap: 50,
    });
    for i in 0..200 {
        merge(&mut board, &[ringing(&format!("c{i}"), "X", i)], t(i));
    }
    merge(&mut board, &[], t(300));
    assert_eq!(board.counts().ended, 50);
    let ended = ids(&board, List::Ended);
    assert_eq!(ended[0], "c199");
    assert_eq!(ended[1], "c198");
}

#[test]
fn reset_for_scope_forgets_calls_but_keeps_sort_and_filter() {
    let mut board = Board::default();
    let sort = Sort {
        column: Column::To,
        descending: false,
    };
    board.set_sort(sort, t(0));
    board.set_filter("x");
    merge(&mut board, &[ringing("x", "X", 0)], t(0));
    merge(&mut board, &[], t(1));
    board.reset_for_scope();
    assert_eq!(board.counts(), Default::default());
    assert_eq!(board.sort(), sort);
    assert_eq!(board.filter(), "x");
    assert!(board.selected(List::Live).is_none());
}

#[test]
fn window_returns_only_the_requested_rows() {
    let mut board = Board::default();
    board.set_sort(
        Sort {
            column: Column::Start,
            descending: false,
        },
        t(0),
    );
    let recs: Vec<_> = (0..100).map(|i| ringing(&format!("r{i:03}"), "N", i)).collect();
    merge(&mut board, &recs, t(200));
    let rows: Vec<_> = board
        .window(List::Live, 40, 5)
        .map(|c| c.id().to_owned())
        .collect();
    assert_eq!(rows, ["r040", "r041", "r042", "r043", "r044"]);
    assert_eq!(board.window(List::Live, 98, 10).count(), 2);
    assert_eq!(board.window(List::Live, 500, 10).count(), 0);
    board.move_selection(List::Live, 1000);
    assert_eq!(board.selected_index(List::Live), Some(99));
    board.move_selection(List::Live, -5);
    assert_eq!(board.selected_index(List::Live), Some(94));
    board.move_selection(List::Live, -1000);
    assert_eq!(board.selected_index(List::Live), Some(0));
}

#[test]
fn a_huge_window_never_overflows() {
    let mut board = Board::new(BoardConfig {
        ended_window: SignedDuration::MAX,
        ended_cap: 10,
    });
    merge(&mut board, &[ringing("a", "A", 0)], t(0));
    merge(&mut board, &[], t(5));
    assert!(!board.expire(t(1_000_000)));
    let call = board.selected(List::Ended).unwrap();
    assert!(board.time_left(call, t(10)) > SignedDuration::from_secs(1_000_000));
}

#[test]
fn a_vanished_call_whose_ended_record_shows_up_keeps_its_end_time() {
    let mut board = Board::default();
    merge(&mut board, &[capture("direct_2_answered")], t(0));
    merge(&mut board, &[], t(5));
    assert_eq!(
        *board.get("LIef14l8Nt_1zUA").unwrap().state(),
        CallState::Vanished
    );
    merge(&mut board, &[capture("direct_3_ended")], t(10));
    let call = board.get("LIef14l8Nt_1zUA").unwrap();
    assert_eq!(*call.state(), CallState::Ended(CallResult::Accepted));
    assert_eq!(call.ended_at(), Some(t(5)));
    assert_eq!(board.counts().ended, 1);
}
