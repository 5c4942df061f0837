//! The merge rules of the module docs, one test each: listings and deltas for the same call, a listing
//! lacking a call only a delta knows, a delta never vanishing anything, a party delta finding its call.
use std::sync::Arc;

use jiff::Timestamp;

use super::{Board, CallState, List};
use crate::api::Scope;
use crate::api::model::{CallFields, CallReason, CallRecord, CallResult};
use crate::feed::{Change, Delta, Listing, PartyChange, PartyStatus};

/// The test clock: `secs` after a fixed moment.
pub(super) fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_767_600_000 + secs).unwrap()
}

/// A call of telephony session `session` whose record is party `party`, ringing or answered.
fn call(id: &str, session: &str, party: &str, answered: bool) -> Arc<CallRecord> {
    Arc::new(CallRecord {
        id: id.into(),
        fields: CallFields {
            start_time: Some(t(0)),
            result: Some(CallResult::InProgress),
            reason: answered.then_some(CallReason::Accepted),
            telephony_session_id: Some(session.into()),
            party_id: Some(party.into()),
            ..CallFields::default()
        },
        ..CallRecord::default()
    })
}

/// A listing of account scope numbered `seq`, taken at `t(at)`.
pub(super) fn listing(seq: u64, at: i64, calls: &[Arc<CallRecord>]) -> Listing {
    Listing {
        seq,
        scope: Some(Scope::Account),
        taken_at: Some(t(at)),
        calls: calls.to_vec().into(),
        skipped: 0,
    }
}

fn delta(seq: u64, at: i64, change: Change) -> Delta {
    Delta {
        seq,
        at: t(at),
        change,
    }
}

fn party(session: &str, party: &str, status: PartyStatus) -> Change {
    Change::Party(PartyChange::new(session, party, status))
}

/// Every call on the board, live then ended, with its state.
fn calls(board: &Board) -> Vec<(String, CallState)> {
    [List::Live, List::Ended]
        .into_iter()
        .flat_map(|list| board.window(list, 0, usize::MAX))
        .map(|c| (c.id().to_owned(), c.state().clone()))
        .collect()
}

#[test]
fn a_listing_then_a_delta_for_the_same_call_is_one_call_with_the_delta_applied_once() {
    let mut board = Board::default();
    let first = listing(1, 0, &[call("a", "s1", "p1", false)]);
    let deltas = [delta(2, 5, Change::Call(call("a", "s1", "p1", true)))];
    assert!(board.catch_up(&first, &deltas, t(6)));
    assert_eq!(calls(&board), [("a".to_owned(), CallState::Connected)]);
    assert_eq!(board.get("a").unwrap().answered_at(), Some(t(6)));
    // The same state again (the watch republished it): nothing new, nothing doubled.
    assert!(!board.catch_up(&first, &deltas, t(7)));
    assert_eq!(calls(&board), [("a".to_owned(), CallState::Connected)]);
    assert_eq!(board.seen(), 2);
}

#[test]
fn between_a_listing_and_a_delta_for_the_same_call_the_newer_wins() {
    let mut board = Board::default();
    board.merge_delta(&delta(1, 5, Change::Call(call("a", "s1", "p1", true))), t(5));
    // A poll taken before the delta still shows the call ringing: the delta's answer stands.
    board.merge_listing(&listing(2, 3, &[call("a", "s1", "p1", false)]), t(6));
    assert_eq!(calls(&board), [("a".to_owned(), CallState::Connected)]);
    // A delta no newer than the last listing is already in it.
    board.merge_delta(&delta(3, 3, Change::Call(call("a", "s1", "p1", false))), t(7));
    assert_eq!(calls(&board), [("a".to_owned(), CallState::Connected)]);
    // A listing taken after the delta replaces it.
    board.merge_listing(&listing(4, 9, &[call("a", "s1", "p1", false)]), t(10));
    assert_eq!(calls(&board), [("a".to_owned(), CallState::Ringing)]);
}

#[test]
fn a_listing_lacking_a_call_only_a_newer_delta_knows_does_not_vanish_it() {
    let mut board = Board::default();
    board.merge_listing(&listing(1, 0, &[call("a", "s1", "p1", true)]), t(0));
    board.merge_delta(&delta(2, 5, Change::Call(call("b", "s2", "p1", false))), t(5));
    board.merge_listing(&listing(3, 4, &[call("a", "s1", "p1", true)]), t(6));
    assert_eq!(
        calls(&board),
        [
            ("a".to_owned(), CallState::Connected),
            ("b".to_owned(), CallState::Ringing)
        ],
        "the listing was taken before the delta"
    );
    board.merge_listing(&listing(4, 8, &[call("a", "s1", "p1", true)]), t(9));
    assert_eq!(
        board.get("b").unwrap().state(),
        &CallState::Vanished,
        "a listing newer than the delta lacks it"
    );
}

#[test]
fn a_delta_never_vanishes_anything() {
    let mut board = Board::default();
    let listed = [call("a", "s1", "p1", true), call("b", "s2", "p1", false)];
    board.merge_listing(&listing(1, 0, &listed), t(0));
    board.merge_delta(&delta(2, 5, Change::Call(call("c", "s3", "p1", false))), t(5));
    board.merge_delta(&delta(3, 6, party("s2", "p1", PartyStatus::Disconnected)), t(6));
    let states = calls(&board);
    assert_eq!(states.len(), 3, "{states:?}");
    assert!(
        states.iter().all(|(_, s)| *s != CallState::Vanished),
        "{states:?}"
    );
    assert_eq!(board.get("a").unwrap().state(), &CallState::Connected);
    assert_eq!(
        board.get("b").unwrap().state(),
        &CallState::Ended(CallResult::Missed),
        "ended by its party, not vanished"
    );
}

#[test]
fn a_party_delta_changes_the_calls_of_that_session() {
    let mut board = Board::default();
    let listed = [
        call("a", "s1", "p1", false),
        call("b", "s2", "p1", false),
        call("c", "s1", "p2", false),
    ];
    board.merge_listing(&listing(1, 0, &listed), t(0));
    board.merge_delta(&delta(2, 5, party("s1", "p1", PartyStatus::Answered)), t(5));
    assert_eq!(board.get("a").unwrap().state(), &CallState::Connected);
    assert_eq!(
        board.get("b").unwrap().state(),
        &CallState::Ringing,
        "another session"
    );
    assert_eq!(
        board.get("c").unwrap().state(),
        &CallState::Connected,
        "the other side of the same session"
    );
    board.merge_delta(&delta(3, 8, party("s1", "p1", PartyStatus::Disconnected)), t(8));
    board.merge_delta(&delta(4, 8, party("s1", "p2", PartyStatus::Disconnected)), t(8));
    assert_eq!(
        board.get("a").unwrap().state(),
        &CallState::Ended(CallResult::CallConnected)
    );
    let before = calls(&board);
    board.merge_delta(&delta(5, 9, party("s9", "p1", PartyStatus::Disconnected)), t(9));
    assert_eq!(
        calls(&board),
        before,
        "a session first heard of ended makes no call"
    );
}

#[test]
fn one_catch_up_applies_every_new_delta_in_order_and_sorts_once() {
    let mut board = Board::default();
    let deltas = [
        delta(2, 5, Change::Call(call("b", "s2", "p1", false))),
        delta(3, 6, party("s2", "p1", PartyStatus::Answered)),
        delta(4, 7, Change::Call(call("c", "s3", "p1", false))),
        delta(5, 8, party("s3", "p1", PartyStatus::Disconnected)),
    ];
    assert!(board.catch_up(&listing(1, 0, &[call("a", "s1", "p1", true)]), &deltas, t(9)));
    assert_eq!(board.seen(), 5);
    let states: Vec<_> = calls(&board);
    assert!(
        states.contains(&("a".to_owned(), CallState::Connected)),
        "{states:?}"
    );
    assert!(
        states.contains(&("b".to_owned(), CallState::Connected)),
        "{states:?}"
    );
    assert_eq!(board.len(List::Live), 2, "c ended: {states:?}");
    assert_eq!(board.len(List::Ended), 1, "{states:?}");
    assert!(!board.get("c").unwrap().state().is_live());
}

#[test]
fn a_connected_call_ended_twice_stays_answered() {
    let mut board = Board::default();
    board.merge_listing(&listing(1, 0, &[call("a", "s1", "p1", true)]), t(1));
    board.merge_delta(&delta(2, 5, party("s1", "p1", PartyStatus::Disconnected)), t(5));
    board.merge_delta(&delta(3, 6, party("s1", "p1", PartyStatus::Gone)), t(6));
    let ended = board.get("a").unwrap();
    assert_eq!(ended.state(), &CallState::Ended(CallResult::CallConnected));
    assert_eq!(ended.ended_at(), Some(t(5)), "the first end is when it ended");
}

#[test]
fn an_older_delta_arriving_late_does_not_undo_a_newer_one() {
    let mut board = Board::default();
    board.merge_listing(&listing(1, 0, &[call("a", "s1", "p1", false)]), t(1));
    board.merge_delta(&delta(2, 9, Change::Call(call("a", "s1", "p1", true))), t(9));
    board.merge_delta(&delta(3, 7, Change::Call(call("a", "s1", "p1", false))), t(10));
    assert_eq!(board.get("a").unwrap().state(), &CallState::Connected);
}
