//! Snapshots of what push adds to the screens (on the fixed clock): calls on hold and parked in the
//! list, the summary and the status counts, the party pane and call view of a held queue call, and the
//! status line saying how live the data is — LIVE with the last event's age, or why push is unavailable.
use crate::support::app::app;
use crate::support::board::{ago, now, party};
use crate::support::screen::screen;

use std::sync::Arc;

use callboard::api::model::Direction;
use callboard::feed::{Change, Delta, FeedState, PartyChange, PartyStatus, PushHealth};
use callboard::tui::App;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

/// Party `id` of the session of test record `record` going to `status` at `at`.
fn change(record: &str, id: &str, status: PartyStatus, sequence: u64) -> PartyChange {
    let mut c = PartyChange::new(format!("s-{}", record.to_lowercase()), id, status);
    c.sequence = sequence;
    c
}

/// The test board after push put the queue call's agent on hold, parked the long call, and reported
/// a call still being routed that no listing shows; push `health` as given.
fn pushed(health: PushHealth) -> App {
    let (mut app, last) = app();
    let mut caller = change("LIsynthQueue02", "p1", PartyStatus::Answered, 2);
    caller.from = Some(party(Some("SAN FRANCSCO CA"), Some("+14155550123"), None));
    caller.to = Some(party(Some("Support Queue"), None, Some("200")));
    caller.direction = Some(Direction::Inbound);
    let mut agent = change("LIsynthQueue02", "p2", PartyStatus::Hold, 6);
    agent.from = caller.from.clone();
    agent.to = Some(party(Some("Priya Natarajan"), None, Some("104")));
    agent.queue_call = true;
    let mut parked = change("LIsynthLong05", "p2", PartyStatus::Parked, 9);
    parked.reason = Some("CallPark".into());
    parked.park_id = Some("801".into());
    let mut routed = PartyChange::new("s-routed", "p1", PartyStatus::Proceeding);
    routed.sequence = 2;
    routed.from = Some(party(Some("Marta Ruiz"), Some("+13125550188"), None));
    routed.to = Some(party(Some("Front desk"), None, Some("100")));
    routed.direction = Some(Direction::Inbound);
    let changes: [(Timestamp, PartyChange); 4] = [
        (ago(8), caller),
        (ago(6), agent),
        (ago(75), parked),
        (ago(3), routed),
    ];
    let deltas: Vec<Delta> = changes
        .into_iter()
        .enumerate()
        .map(|(i, (at, change))| Delta {
            seq: last.last_update() + 1 + i as u64,
            at,
            change: Change::Party(change),
        })
        .collect();
    let state = FeedState {
        seq: last.seq + 1,
        deltas: deltas.into(),
        push: health,
        ..last
    };
    app.apply(Arc::new(state), now());
    app
}

/// Moves the selection down to the queue call.
fn select_queue_call(app: &mut App) {
    for _ in 0..10 {
        if screen(app, 120, 40).contains("Call LIsynthQueue02") {
            break;
        }
        app.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE), now());
    }
}

fn live() -> PushHealth {
    PushHealth::Live {
        since: ago(600),
        last_event: Some(ago(2)),
    }
}

#[test]
fn calls_on_hold_and_parked_with_push_live() {
    let mut app = pushed(live());
    insta::assert_snapshot!("push_live_120x40", screen(&mut app, 120, 40));
    insta::assert_snapshot!("push_live_80x24", screen(&mut app, 80, 24));
}

#[test]
fn live_push_says_only_live_while_events_flow_and_the_age_of_a_quiet_spell_in_tens() {
    let busy = screen(&mut pushed(live()), 120, 40);
    let status = busy.lines().nth(2).unwrap();
    assert!(status.contains("LIVE  updated just now ·"), "{busy}");
    assert!(
        !status.contains("next poll"),
        "no safety-net countdown while live: {busy}"
    );
    let quiet = PushHealth::Live {
        since: ago(600),
        last_event: Some(ago(27)),
    };
    let quiet = screen(&mut pushed(quiet), 120, 40);
    assert!(
        quiet.lines().nth(2).unwrap().contains("LIVE  event 20s ago"),
        "{quiet}"
    );
}

#[test]
fn the_party_pane_of_a_held_queue_call() {
    let mut app = pushed(live());
    select_queue_call(&mut app);
    let shown = screen(&mut app, 120, 40);
    assert!(
        shown.contains("queue call  SAN FRANCSCO CA +14155550123 → Support Queue x200 → Pri"),
        "{shown}"
    );
    assert!(
        shown.contains("‖ hold 00:06  SAN FRANCSCO CA"),
        "the agent's party with its hold time:\n{shown}"
    );
    insta::assert_snapshot!("push_queue_call_120x40", shown);
    insta::assert_snapshot!("push_queue_call_80x24", screen(&mut app, 80, 24));

    // Enter: the call full-screen, both push parties whole.
    app.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), now());
    let view = screen(&mut app, 80, 24);
    assert!(
        view.contains("Parties (push)") && view.contains("● talk  SAN FRANCSCO CA"),
        "{view}"
    );
    insta::assert_snapshot!("push_call_view_80x24", view);
    insta::assert_snapshot!("push_call_view_120x40", screen(&mut app, 120, 40));
}

#[test]
fn push_unavailable_says_why_on_one_line_and_keeps_polling() {
    let reason = "the app lacks the CallControl permission".to_owned();
    let mut app = pushed(PushHealth::Unavailable { reason });
    let wide = screen(&mut app, 120, 40);
    let status: Vec<&str> = wide.lines().skip(1).take(3).collect();
    assert!(
        status[1].contains("no push: the app lacks the CallControl permission"),
        "{wide}"
    );
    assert!(status[1].contains("polled 4s ago · every 10s"), "{wide}");
    insta::assert_snapshot!("push_unavailable_120x40", wide);
    let narrow = screen(&mut app, 80, 24);
    insta::assert_snapshot!("push_unavailable_80x24", narrow);
    let line = narrow.lines().nth(2).unwrap();
    assert!(
        line.contains("no push: the app lacks the CallControl permission")
            && line.contains("polled 4s ago · every 10s"),
        "the whole reason and the polling fit at 80 columns:\n{narrow}"
    );
    assert!(
        narrow.lines().nth(3).unwrap().starts_with(" in "),
        "one status line below the first:\n{narrow}"
    );
}
