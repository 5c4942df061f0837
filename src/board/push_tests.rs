//! The push merge rules of the module docs, one test each: telephony-session events (party deltas) with
//! listings — push-only calls, ringing calls listings lack, ended calls lagging listings still show,
//! zombies, lost Disconnecteds, transfers, duplicates and reordering — and a session's state.
use std::sync::Arc;

use jiff::SignedDuration;

use super::merge_tests::{listing, t};
use super::{Board, CallState, List};
use crate::api::model::{CallFields, CallReason, CallRecord, CallResult, Direction, Party};
use crate::feed::{Change, Delta, PartyChange, PartyStatus, Peer};

/// A listed record `id` of `session`, in progress (answered or not) or ended.
fn record(id: &str, session: &str, result: CallResult, answered: bool) -> Arc<CallRecord> {
    Arc::new(CallRecord {
        id: id.into(),
        fields: CallFields {
            start_time: Some(t(0)),
            result: Some(result),
            reason: answered.then_some(CallReason::Accepted),
            telephony_session_id: Some(session.into()),
            ..CallFields::default()
        },
        ..CallRecord::default()
    })
}

fn talking(id: &str, session: &str) -> Arc<CallRecord> {
    record(id, session, CallResult::InProgress, true)
}

fn who(name: &str) -> Option<Arc<Party>> {
    Some(Arc::new(Party {
        name: Some(name.into()),
        ..Party::default()
    }))
}

/// Party `party` of `session` went to `status` with `sequence`, as seen by an event at `at`.
fn event(seq: u64, at: i64, session: &str, party: &str, status: PartyStatus, sequence: u64) -> Delta {
    let mut change = PartyChange::new(session, party, status);
    change.sequence = sequence;
    change.from = who("Caller");
    change.to = who("Agent");
    Delta {
        seq,
        at: t(at),
        change: Change::Party(change),
    }
}

fn state(board: &Board, id: &str) -> Option<CallState> {
    board.get(id).map(|c| c.state().clone())
}

fn ids(board: &Board, list: List) -> Vec<String> {
    board
        .window(list, 0, usize::MAX)
        .map(|c| c.id().to_owned())
        .collect()
}

#[test]
fn a_session_only_push_knows_is_a_call_of_its_own_until_a_listing_takes_over() {
    let mut board = Board::default();
    board.merge_listing(&listing(1, 0, &[]), t(0));
    board.merge_delta(&event(2, 10, "s1", "p1", PartyStatus::Setup, 2), t(10));
    let pushed = board.get("s1").expect("a synthesized call keyed by the session");
    assert_eq!(pushed.state(), &CallState::Ringing);
    assert_eq!(party_name(pushed.record().fields.from.as_deref()), "Caller");
    assert_eq!(pushed.first_seen(), t(10));
    board.merge_delta(&event(3, 14, "s1", "p1", PartyStatus::Answered, 3), t(14));
    board.merge_delta(&event(4, 20, "s1", "p1", PartyStatus::Hold, 4), t(20));
    assert_eq!(state(&board, "s1"), Some(CallState::OnHold));
    // The listing of t(25) holds the session's record: it takes over, keeping the observed times.
    board.merge_listing(&listing(5, 25, &[talking("r1", "s1")]), t(26));
    assert_eq!(ids(&board, List::Live), ["r1"], "one call, not two");
    assert!(board.get("s1").is_none());
    let listed = board.get("r1").unwrap();
    assert_eq!(
        listed.state(),
        &CallState::OnHold,
        "push's hold outlives the listing"
    );
    assert_eq!(listed.first_seen(), t(10));
    assert_eq!(listed.answered_at(), Some(t(14)));
    assert_eq!(listed.hold_time(t(30)), Some(SignedDuration::from_secs(10)));
}

fn party_name(p: Option<&Party>) -> &str {
    p.and_then(|p| p.name.as_deref()).unwrap_or("")
}

#[test]
fn a_listing_never_drops_a_call_push_knows_is_ringing() {
    let mut board = Board::default();
    board.merge_listing(
        &listing(1, 0, &[record("r1", "s1", CallResult::InProgress, false)]),
        t(0),
    );
    board.merge_delta(&event(2, 5, "s1", "p2", PartyStatus::Proceeding, 5), t(5));
    // Active Calls does not return calls being routed: the next listing lacks it.
    board.merge_listing(&listing(3, 10, &[]), t(10));
    assert_eq!(state(&board, "r1"), Some(CallState::Ringing));
    // Once push has been silent for the ended window, a listing lacking it ends it.
    board.merge_listing(&listing(4, 200, &[]), t(200));
    assert_eq!(state(&board, "r1"), Some(CallState::Vanished));
}

#[test]
fn a_listing_never_resurrects_a_call_push_saw_end() {
    let mut board = Board::default();
    board.merge_listing(&listing(1, 0, &[talking("r1", "s1")]), t(0));
    board.merge_delta(&event(2, 5, "s1", "p1", PartyStatus::Answered, 3), t(5));
    board.merge_delta(&event(3, 8, "s1", "p1", PartyStatus::Disconnected, 4), t(8));
    assert_eq!(
        state(&board, "r1"),
        Some(CallState::Ended(CallResult::CallConnected))
    );
    // A lagging listing (taken after the end) still shows it in progress.
    board.merge_listing(&listing(4, 12, &[talking("r1", "s1")]), t(12));
    assert_eq!(
        state(&board, "r1"),
        Some(CallState::Ended(CallResult::CallConnected))
    );
    assert_eq!(board.get("r1").unwrap().ended_at(), Some(t(8)));
    assert!(board.is_empty(List::Live));
}

#[test]
fn a_call_only_push_knows_expires_after_the_ended_window_from_its_last_event() {
    let mut board = Board::default();
    board.merge_delta(&event(1, 0, "s1", "p1", PartyStatus::Answered, 2), t(0));
    assert_eq!(state(&board, "s1"), Some(CallState::Connected));
    // Its Disconnected is lost; no listing ever shows it.
    board.merge_listing(&listing(2, 60, &[]), t(60));
    assert_eq!(
        state(&board, "s1"),
        Some(CallState::Connected),
        "a listing never shows push-only calls"
    );
    assert!(!board.expire(t(119)));
    assert!(
        board.expire(t(120)),
        "gone once the ended window has run from the last event"
    );
    assert!(board.get("s1").is_none());
}

#[test]
fn a_lost_disconnected_on_a_listed_call_ends_it_at_the_next_listing() {
    let mut board = Board::default();
    let both = [talking("r1", "s1"), talking("r2", "s2")];
    board.merge_listing(&listing(1, 0, &both), t(0));
    board.merge_delta(&event(2, 5, "s1", "p1", PartyStatus::Hold, 3), t(5));
    board.merge_delta(&event(3, 5, "s2", "p1", PartyStatus::Answered, 3), t(5));
    assert_eq!(state(&board, "r1"), Some(CallState::OnHold));
    // r1's listing shows it ended; r2 is missing from it.
    let ended = record("r1", "s1", CallResult::CallConnected, true);
    board.merge_listing(&listing(4, 10, &[ended]), t(10));
    assert_eq!(
        state(&board, "r1"),
        Some(CallState::Ended(CallResult::CallConnected))
    );
    assert_eq!(state(&board, "r2"), Some(CallState::Vanished));
}

#[test]
fn gone_follows_the_peer_so_a_transferred_call_stays_one_conversation() {
    let mut board = Board::default();
    board.merge_listing(&listing(1, 0, &[talking("r1", "s1")]), t(0));
    let mut gone = event(2, 5, "s1", "p1", PartyStatus::Gone, 5);
    if let Change::Party(change) = &mut gone.change {
        change.peer = Some(Peer {
            session_id: "s2".into(),
            party_id: Some("p9".into()),
        });
    }
    board.merge_delta(&gone, t(5));
    board.merge_delta(&event(3, 6, "s2", "p9", PartyStatus::Answered, 2), t(6));
    board.set_grouped(true);
    assert_eq!(
        board.len(List::Live),
        1,
        "one row for the transfer: {:?}",
        ids(&board, List::Live)
    );
    let shown = board.selected(List::Live).unwrap();
    let conversation: Vec<&str> = board.conversation(shown).iter().map(|c| c.id()).collect();
    assert_eq!(conversation.len(), 2, "{conversation:?}");
    let sessions: Vec<&str> = board.push_sessions(shown).iter().map(|s| s.id()).collect();
    assert_eq!(sessions.len(), 2, "every party of both sessions: {sessions:?}");
}

#[test]
fn duplicate_and_reordered_events_never_double_count_nor_go_backwards() {
    let mut board = Board::default();
    let answered = event(2, 5, "s1", "p1", PartyStatus::Answered, 4);
    let setup = event(3, 3, "s1", "p1", PartyStatus::Setup, 2);
    let hold = event(4, 9, "s1", "p1", PartyStatus::Hold, 6);
    let again = Delta {
        seq: 5,
        ..hold.clone()
    };
    let deltas = [answered, setup, hold, again];
    board.catch_up(&listing(1, 0, &[]), &deltas, t(10));
    assert_eq!(
        state(&board, "s1"),
        Some(CallState::OnHold),
        "the late Setup is stale"
    );
    let call = board.get("s1").unwrap();
    assert_eq!(
        call.hold_time(t(10)),
        Some(SignedDuration::from_secs(1)),
        "the duplicate kept the timer"
    );
    assert_eq!(board.counts().on_hold, 1);
    assert_eq!(board.counts().live, 1);
    let stale_end = event(6, 4, "s1", "p1", PartyStatus::Disconnected, 3);
    board.merge_delta(&stale_end, t(11));
    assert_eq!(state(&board, "s1"), Some(CallState::OnHold));
}

#[test]
fn the_parties_decide_the_state_held_and_parked_before_talking_before_ringing() {
    let mut board = Board::default();
    let steps: [(&str, PartyStatus, CallState); 6] = [
        ("p1", PartyStatus::Setup, CallState::Ringing),
        ("p2", PartyStatus::Answered, CallState::Connected),
        ("p3", PartyStatus::Proceeding, CallState::Connected),
        ("p2", PartyStatus::Hold, CallState::OnHold),
        ("p2", PartyStatus::Parked, CallState::Parked),
        ("p3", PartyStatus::VoiceMail, CallState::Parked),
    ];
    for (i, (party, status, expected)) in steps.into_iter().enumerate() {
        let n = i as u64 + 1;
        board.merge_delta(&event(n, n as i64, "s1", party, status, n), t(n as i64));
        assert_eq!(state(&board, "s1"), Some(expected), "after {party} {status:?}");
    }
    for (n, party) in [(7, "p1"), (8, "p2")] {
        board.merge_delta(
            &event(n, n as i64, "s1", party, PartyStatus::Disconnected, n),
            t(n as i64),
        );
    }
    assert_eq!(state(&board, "s1"), Some(CallState::VoiceMail));
    board.merge_delta(&event(9, 9, "s1", "p3", PartyStatus::Gone, 9), t(9));
    assert_eq!(
        state(&board, "s1"),
        Some(CallState::Ended(CallResult::CallConnected)),
        "every party left: it had been answered"
    );
}

#[test]
fn a_queue_call_shows_caller_queue_and_agent() {
    let mut board = Board::default();
    let mut caller = PartyChange::new("s1", "p1", PartyStatus::Answered);
    caller.sequence = 2;
    caller.from = who("Ann Caller");
    caller.to = who("Sales Queue");
    let mut agent = PartyChange::new("s1", "p2", PartyStatus::Hold);
    agent.sequence = 5;
    agent.from = who("Ann Caller");
    agent.to = who("Bob Agent");
    agent.queue_call = true;
    for (seq, change) in [(1, caller), (2, agent)] {
        let delta = Delta {
            seq,
            at: t(seq as i64),
            change: Change::Party(change),
        };
        board.merge_delta(&delta, t(3));
    }
    let call = board.get("s1").unwrap();
    assert_eq!(call.state(), &CallState::OnHold);
    assert_eq!(call.via().as_deref(), Some("Sales Queue"));
    assert_eq!(party_name(call.record().fields.to.as_deref()), "Bob Agent");
    let sessions = board.push_sessions(call);
    let route = sessions[0].queue_route().unwrap().map(party_name);
    assert_eq!(route, ["Ann Caller", "Sales Queue", "Bob Agent"]);
}

#[test]
fn a_push_only_call_reads_as_the_account_party_sees_it() {
    // The outside caller's party reports first: from its side the call is Outbound to a company number.
    let mut caller = PartyChange::new("s1", "p1", PartyStatus::Setup);
    caller.sequence = 1;
    caller.direction = Some(Direction::Outbound);
    caller.from = who("Caller");
    caller.to = number("+16505550100");
    let mut user = PartyChange::new("s1", "p2", PartyStatus::Setup);
    user.sequence = 2;
    user.direction = Some(Direction::Inbound);
    user.extension_id = Some(62);
    user.from = who("Caller");
    user.to = who("Agent");
    let mut board = Board::default();
    for (seq, change) in [(1, caller), (2, user)] {
        let delta = Delta {
            seq,
            at: t(10),
            change: Change::Party(change),
        };
        board.merge_delta(&delta, t(10));
    }
    let fields = &board.get("s1").unwrap().record().fields;
    assert_eq!(fields.direction, Some(Direction::Inbound), "the user's side");
    assert_eq!(party_name(fields.from.as_deref()), "Caller");
    assert_eq!(
        party_name(fields.to.as_deref()),
        "Agent",
        "named, not the bare number"
    );
    assert_eq!(fields.extension.as_ref().map(|e| e.id), Some(62));
}

fn number(n: &str) -> Option<Arc<Party>> {
    Some(Arc::new(Party {
        phone_number: Some(n.into()),
        ..Party::default()
    }))
}
