//! The team hub on loopback, asserted on the messages and bytes boards receive: restricted viewers over
//! the Unix socket and over TCP+TLS get exactly the calls their policy allows; refusals say why; a board
//! that reconnects resumes; refreshes are rate-limited hub-wide; protocol versions that differ give a
//! clear error both ways.
use std::sync::Arc;

use callboard::api::Scope;
use callboard::feed::{Change, Delta, PartyChange, PartyStatus, SourceErrorKind};
use callboard::hub::protocol::{Numbered, Resume, ToBoard, ToHub, Update};
use callboard::hub::serve::REFRESH_EVERY;
use jiff::Timestamp;

use crate::support::hub::{RawBoard, TestHub, call, listed_ids};

/// The user the test runs as, whom the policy restricts to Ana (by name).
fn user() -> String {
    nix::unistd::User::from_uid(nix::unistd::Uid::current())
        .unwrap()
        .unwrap()
        .name
}

/// The wallboard's token (the policy holds its hash).
const TOKEN: &str = "wallboard-token-1";

fn policy() -> String {
    format!(
        r#"
[[viewer]]
user = "{}"
extensions = ["Ana Gómez"]
own_extension = "101"

[[viewer]]
name = "support wallboard"
token_sha256 = "{}"
queues = ["Support"]
"#,
        user(),
        callboard::hub::policy::token_sha256(TOKEN)
    )
}

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_767_600_000 + secs).unwrap()
}

/// A party of `session` put on hold.
fn hold(hub: &TestHub, session: &'static str, at: i64) {
    hub.step(move |out| {
        out.change(
            t(at),
            Change::Party(PartyChange::new(session, "p2", PartyStatus::Hold)),
        )
    });
}

fn delta_session(message: &ToBoard) -> Option<String> {
    match message {
        ToBoard::Update(Numbered {
            update:
                Update::Delta(Delta {
                    change: Change::Party(p),
                    ..
                }),
            ..
        }) => Some(p.session_id.to_string()),
        _ => None,
    }
}

fn is_listing(m: &ToBoard) -> bool {
    listed_ids(m).is_some()
}

/// A hub of `policy` whose source has listed [`TestHub::list_three`].
async fn hub_with_three(policy: &str) -> TestHub {
    let hub = TestHub::start(policy).await;
    hub.list_three();
    hub.wait_numbered(1).await;
    hub
}

/// A board on the hub's Unix socket, resuming from `resume`, and what it got up to its first listing.
async fn unix_board(hub: &TestHub, resume: Option<Resume>) -> (RawBoard, Vec<ToBoard>) {
    let mut board = RawBoard::unix(&hub.socket).await;
    board.hello(None, resume).await;
    let seen = board.until(is_listing).await;
    (board, seen)
}

#[tokio::test]
async fn restricted_viewers_over_unix_and_tls_receive_only_the_calls_their_policy_allows() {
    let hub = hub_with_three(&policy()).await;

    let mut ana = RawBoard::unix(&hub.socket).await;
    ana.hello(None, None).await;
    let mut wall = RawBoard::tls(&hub).await;
    wall.hello(Some(TOKEN), None).await;

    let seen = ana.until(is_listing).await;
    let ToBoard::Welcome(welcome) = &seen[0] else {
        panic!("{seen:?}")
    };
    assert_eq!(welcome.view.extensions, ["Ana Gómez"]);
    assert!(!welcome.view.account);
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap(), ["LI-ana"]);
    let directory: Vec<_> = seen
        .iter()
        .find_map(|m| match m {
            ToBoard::Directory { entries } => Some(entries.iter().map(|e| e.id.clone()).collect()),
            _ => None,
        })
        .unwrap();
    assert_eq!(directory, ["9101"], "only Ana's own directory entry");

    let seen = wall.until(is_listing).await;
    let ToBoard::Welcome(welcome) = &seen[0] else {
        panic!("{seen:?}")
    };
    assert_eq!(welcome.view.viewer, "support wallboard");
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap(), ["LI-queue"]);

    // Deltas: each board gets its own call's, and a new call only where it is allowed.
    hold(&hub, "s-LI-ben", 1);
    hold(&hub, "s-LI-ana", 2);
    hold(&hub, "s-LI-queue", 3);
    hub.step(|out| out.change(t(4), Change::Call(call("LI-ana-2", "101"))));
    hub.step(|out| out.change(t(5), Change::Call(call("LI-ben-2", "102"))));
    hub.step(|out| {
        out.change(
            t(6),
            Change::Party(PartyChange::new("s-LI-queue", "p3", PartyStatus::Answered)),
        )
    });
    hub.wait_numbered(7).await;

    let last_seq = |m: &ToBoard| matches!(m, ToBoard::Update(n) if n.seq == 7);
    let ana_seen = ana.until(|m| matches!(m, ToBoard::Update(n) if n.seq >= 5)).await;
    let sessions: Vec<_> = ana_seen.iter().filter_map(delta_session).collect();
    assert_eq!(sessions, ["s-LI-ana"]);
    assert!(ana_seen.iter().any(|m| matches!(m, ToBoard::Update(Numbered { update: Update::Delta(Delta { change: Change::Call(r), .. }), .. }) if r.id == "LI-ana-2")));
    let wall_seen = wall.until(last_seq).await;
    let sessions: Vec<_> = wall_seen.iter().filter_map(delta_session).collect();
    assert_eq!(sessions, ["s-LI-queue", "s-LI-queue"]);

    // Not one byte of another call reached either board.
    let (ana_bytes, wall_bytes) = (
        String::from_utf8(ana.bytes()).unwrap(),
        String::from_utf8(wall.bytes()).unwrap(),
    );
    for other in ["LI-ben", "LI-queue"] {
        assert!(!ana_bytes.contains(other), "{other} reached Ana's board");
    }
    for other in ["LI-ben", "LI-ana"] {
        assert!(!wall_bytes.contains(other), "{other} reached the wallboard");
    }
}

#[tokio::test]
async fn scope_requests_get_what_the_policy_allows_or_a_notice() {
    let hub = hub_with_three(&policy()).await;
    let (mut ana, _) = unix_board(&hub, None).await;

    ana.send(&ToHub::SetScope {
        scope: Scope::Extension("9102".into()),
    })
    .await;
    let seen = ana.until(|m| matches!(m, ToBoard::Notice { .. })).await;
    let ToBoard::Notice { message } = seen.last().unwrap() else {
        unreachable!()
    };
    assert!(message.contains("does not let"), "{message}");

    ana.send(&ToHub::SetScope {
        scope: Scope::own_extension(),
    })
    .await;
    let seen = ana.until(is_listing).await;
    let ToBoard::Update(Numbered {
        update: Update::Listing(l),
        ..
    }) = seen.last().unwrap()
    else {
        unreachable!()
    };
    assert_eq!(l.scope, Some(Scope::own_extension()));
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap(), ["LI-ana"]);

    let mut wall = RawBoard::tls(&hub).await;
    wall.hello(Some(TOKEN), None).await;
    wall.until(is_listing).await;
    wall.send(&ToHub::SetScope {
        scope: Scope::own_extension(),
    })
    .await;
    let seen = wall.until(|m| matches!(m, ToBoard::Notice { .. })).await;
    let ToBoard::Notice { message } = seen.last().unwrap() else {
        unreachable!()
    };
    assert!(
        message.contains("names no own extension for support wallboard"),
        "{message}"
    );
}

#[tokio::test]
async fn a_wrong_token_or_a_user_outside_the_policy_is_refused_with_a_reason() {
    let hub = TestHub::start(&policy()).await;
    let mut guess = RawBoard::tls(&hub).await;
    guess.hello(Some("guess"), None).await;
    let Some(ToBoard::Refused { reason }) = guess.next().await else {
        panic!()
    };
    assert!(reason.contains("does not know this viewer token"), "{reason}");
    assert!(guess.next().await.is_none(), "then the hub hangs up");

    let mut none = RawBoard::tls(&hub).await;
    none.hello(None, None).await;
    let Some(ToBoard::Refused { reason }) = none.next().await else {
        panic!()
    };
    assert!(reason.contains("CALLBOARD_HUB_TOKEN"), "{reason}");

    let groups_only =
        TestHub::start("[[viewer]]\ngroup = \"callboard-test-no-such-group\"\naccount = true\n").await;
    let mut me = RawBoard::unix(&groups_only.socket).await;
    me.hello(None, None).await;
    let Some(ToBoard::Refused { reason }) = me.next().await else {
        panic!()
    };
    assert!(
        reason.contains(&format!("user {} is not in the hub's policy", user())),
        "{reason}"
    );
}

#[tokio::test]
async fn refreshes_reach_the_source_at_most_every_15_s_hub_wide_and_a_board_is_told_why() {
    let hub = hub_with_three(&policy()).await;
    let now = Timestamp::now();
    assert_eq!(hub.hub.refresh(now), Ok(()), "the listing is old: passed on");
    let later = now + jiff::SignedDuration::from_secs(1);
    assert_eq!(
        hub.hub.refresh(later),
        Err(now + REFRESH_EVERY),
        "one was just asked"
    );

    let (mut board, _) = unix_board(&hub, None).await;
    board.send(&ToHub::Refresh).await;
    let seen = board
        .until(|m| matches!(m, ToBoard::Status(s) if s.error.is_some()))
        .await;
    let Some(ToBoard::Status(status)) = seen.last() else {
        unreachable!()
    };
    let error = status.error.as_ref().unwrap();
    assert_eq!(error.kind, SourceErrorKind::RateLimited);
    assert!(error.message.contains("at most every 15 s"), "{}", error.message);
    assert_eq!(error.retry_at, Some(now + REFRESH_EVERY));
}

#[tokio::test]
async fn a_board_that_reconnects_gets_what_it_missed_or_a_fresh_listing() {
    let hub = hub_with_three(&policy()).await;
    let (first, seen) = unix_board(&hub, None).await;
    let ToBoard::Welcome(welcome) = &seen[0] else {
        panic!()
    };
    let hub_id = welcome.hub.clone();
    drop(first); // killed

    hold(&hub, "s-LI-ana", 1);
    hold(&hub, "s-LI-ben", 2);
    hub.step(|out| {
        out.change(
            t(3),
            Change::Party(PartyChange::new("s-LI-ana", "p2", PartyStatus::Answered)),
        )
    });
    hub.wait_numbered(4).await;

    let mut again = RawBoard::unix(&hub.socket).await;
    again
        .hello(
            None,
            Some(Resume {
                hub: hub_id.clone(),
                seq: 1,
            }),
        )
        .await;
    let seen = again
        .until(|m| matches!(m, ToBoard::Update(n) if n.seq == 4))
        .await;
    let ToBoard::Welcome(welcome) = &seen[0] else {
        panic!()
    };
    assert!(welcome.resumed);
    assert!(
        !seen.iter().any(is_listing),
        "no fresh listing on resume: {seen:?}"
    );
    let missed: Vec<_> = seen
        .iter()
        .filter_map(|m| match m {
            ToBoard::Update(n) => Some((n.seq, delta_session(m).unwrap())),
            _ => None,
        })
        .collect();
    assert_eq!(missed, [(2, "s-LI-ana".to_owned()), (4, "s-LI-ana".to_owned())]);

    // A resume of another hub run (or too old) starts over with a listing.
    let old = Resume {
        hub: "an-old-hub".into(),
        seq: 1,
    };
    let (_, seen) = unix_board(&hub, Some(old)).await;
    let ToBoard::Welcome(welcome) = &seen[0] else {
        panic!()
    };
    assert!(!welcome.resumed);
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap(), ["LI-ana"]);
}

#[tokio::test]
async fn a_board_of_another_protocol_version_is_told_which_side_to_upgrade() {
    let hub = TestHub::start(&policy()).await;
    let mut newer = RawBoard::unix(&hub.socket).await;
    newer
        .send_raw(br#"{"type":"hello","version":2,"client":"callboard 9.0","capabilities":["x"]}"#.to_vec())
        .await;
    let Some(ToBoard::Refused { reason }) = newer.next().await else {
        panic!()
    };
    assert_eq!(
        reason,
        "this board speaks hub protocol 2, the hub speaks 1: upgrade the hub's side"
    );

    let mut garbage = RawBoard::unix(&hub.socket).await;
    garbage.send_raw(b"GET / HTTP/1.1".to_vec()).await;
    let Some(ToBoard::Refused { reason }) = garbage.next().await else {
        panic!()
    };
    assert!(reason.contains("not a callboard hub message"), "{reason}");
}

#[tokio::test]
async fn a_board_that_stops_reading_gets_a_fresh_listing_and_slows_no_one() {
    let user = user();
    let hub = hub_with_three(&format!("[[viewer]]\nuser = \"{user}\"\naccount = true\n")).await;
    let (mut slow, _) = unix_board(&hub, None).await;
    let (mut fast, _) = unix_board(&hub, None).await;

    // Far more than the slow board's socket buffer and its queue hold (big records fill the socket),
    // in batches the reading board takes as they come.
    let updates = 3 * callboard::hub::serve::QUEUE as u64;
    let filler = "x".repeat(2000);
    let mut received = 0;
    for batch in 0..updates / 128 {
        for i in batch * 128..(batch + 1) * 128 {
            let mut record = callboard::api::model::CallRecord::clone(&call(&format!("LI-n{i}"), "101"));
            record.uri = Some(filler.clone().into());
            hub.step(move |out| out.change(t(10), Change::Call(Arc::new(record))));
        }
        let through = (batch + 1) * 128 + 1;
        let seen = fast
            .until(|m| matches!(m, ToBoard::Update(n) if n.seq == through))
            .await;
        received += seen.iter().filter(|m| matches!(m, ToBoard::Update(_))).count() as u64;
    }
    assert_eq!(
        received, updates,
        "the reading board got every update while the other stalled"
    );
    let last = updates + 1;

    let seen = slow
        .until(|m| matches!(m, ToBoard::Update(n) if n.seq == last))
        .await;
    let fresh = seen.iter().rev().find_map(|m| match m {
        ToBoard::Update(Numbered {
            seq,
            update: Update::Listing(_),
        }) => Some(*seq),
        _ => None,
    });
    assert!(
        fresh.is_some_and(|seq| seq > 1),
        "the stalled board got a fresh listing, not the backlog"
    );
    assert!(
        (seen.len() as u64) < updates,
        "and fewer messages: {}",
        seen.len()
    );
}

#[tokio::test]
async fn a_listing_of_two_thousand_calls_reaches_a_board_in_one_frame() {
    let user = user();
    let hub = TestHub::start(&format!("[[viewer]]\nuser = \"{user}\"\naccount = true\n")).await;
    hub.step(|out| {
        let calls: Vec<_> = (0..2000).map(|i| call(&format!("LI-{i}"), "101")).collect();
        out.list(Scope::Account, t(0), calls, 0);
    });
    hub.wait_numbered(1).await;
    let (board, seen) = unix_board(&hub, None).await;
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap().len(), 2000);
    let biggest = board.frames.iter().map(Vec::len).max().unwrap();
    assert!(
        biggest > callboard::hub::protocol::MAX_FRAME_TO_HUB,
        "{biggest} bytes"
    );
}
