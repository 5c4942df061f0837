//! What a restricted hub viewer receives beyond its calls, asserted on the bytes: no outside caller
//! named like an allowed extension or queue, no word of the hub's own login, no sign of when other calls
//! change; an extension scope of that extension only; a scope a new directory no longer allows falls
//! back to the whole view.
use std::sync::Arc;

use callboard::api::Scope;
use callboard::api::model::{CallRecord, Party};
use callboard::feed::{Change, PartyChange, PartyStatus, PushHealth, UserInfo};
use callboard::hub::protocol::{Numbered, ToBoard, ToHub, Update};
use jiff::Timestamp;

use crate::support::hub::{RawBoard, TestHub, call, directory, listed_ids};

const TOKEN: &str = "support-wall";

/// Ana's and Ben's user (the test's) by name, and a Support wallboard by token.
fn policy() -> String {
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::current())
        .unwrap()
        .unwrap()
        .name;
    format!(
        "[[viewer]]\nuser = \"{user}\"\nextensions = [\"Ana Gómez\", \"Ben Ito\"]\n\n\
         [[viewer]]\nname = \"support wall\"\ntoken_sha256 = \"{}\"\nqueues = [\"Support\"]\n",
        callboard::hub::policy::token_sha256(TOKEN)
    )
}

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_767_600_000 + secs).unwrap()
}

/// A call from an outside caller who calls itself `name`, to extension 105 (nobody's in the policy).
fn named_caller(id: &str, name: &str) -> Arc<CallRecord> {
    let mut record = Arc::unwrap_or_clone(call(id, "105"));
    record.fields.from = Some(Arc::new(Party {
        name: Some(name.into()),
        phone_number: Some("+15550100".into()),
        ..Party::default()
    }));
    Arc::new(record)
}

fn text(board: &RawBoard) -> String {
    String::from_utf8(board.bytes()).unwrap()
}

/// A hub of [`policy`] that has listed calls to Ana (101), Ben (102) and the Support queue.
async fn hub() -> TestHub {
    let hub = TestHub::start(&policy()).await;
    hub.list_three();
    hub.wait_numbered(1).await;
    hub
}

#[tokio::test]
async fn an_outside_caller_named_like_an_allowed_extension_or_queue_is_not_shown() {
    let hub = hub().await;
    hub.step(|out| out.change(t(1), Change::Call(named_caller("LI-fake-ana", "Ana Gómez"))));
    hub.step(|out| out.change(t(2), Change::Call(named_caller("LI-fake-queue", "SUPPORT - x"))));
    hub.step(|out| out.change(t(3), Change::Call(named_caller("LI-fake-ben", "ben ito"))));
    hub.step(|out| out.change(t(4), Change::Call(call("LI-end", "101"))));
    hub.wait_numbered(5).await;

    let mut me = RawBoard::unix(&hub.socket).await;
    me.hello(None, None).await;
    let mut wall = RawBoard::tls(&hub).await;
    wall.hello(Some(TOKEN), None).await;
    let seen = me.until(|m| matches!(m, ToBoard::Status(_))).await;
    assert_eq!(seen.iter().find_map(listed_ids).unwrap(), ["LI-ana", "LI-ben"]);
    wall.until(|m| matches!(m, ToBoard::Status(_))).await;
    let (mine, walls) = (text(&me), text(&wall));
    assert!(mine.contains("LI-end"), "the board got its deltas: {mine}");
    for fake in ["LI-fake-ana", "LI-fake-queue", "LI-fake-ben", "+15550100"] {
        assert!(!mine.contains(fake), "{fake} reached the extensions' board");
        assert!(!walls.contains(fake), "{fake} reached the queue's wallboard");
    }
    assert!(walls.contains("LI-queue") && !walls.contains("LI-ana"), "{walls}");
}

#[tokio::test]
async fn a_restricted_board_learns_neither_the_hubs_login_nor_when_other_calls_change() {
    let hub = hub().await;
    hub.step(|out| {
        out.state.user = Some(UserInfo {
            extension_id: "7777001".into(),
            extension_number: Some("999".into()),
            name: Some("Hub Service".into()),
            admin: true,
            account_id: Some("8888001".into()),
        });
        out.state.push = PushHealth::Live {
            since: t(0),
            last_event: None,
        };
    });
    hub.wait_numbered(1).await;
    let mut wall = RawBoard::tls(&hub).await;
    wall.hello(Some(TOKEN), None).await;
    let seen = wall.until(|m| matches!(m, ToBoard::Status(_))).await;
    let ToBoard::Welcome(welcome) = &seen[0] else {
        panic!("{seen:?}")
    };
    let account_only = UserInfo::account_only(welcome.user.as_ref().unwrap());
    assert_eq!(welcome.user.as_ref(), Some(&account_only));

    // Other calls' events move the hub's push clock; the wallboard hears nothing of them.
    for (i, session) in ["s-LI-ana", "s-LI-ben", "s-LI-queue"].into_iter().enumerate() {
        let at = t(10 + i as i64);
        hub.step(move |out| {
            out.change(
                at,
                Change::Party(PartyChange::new(session, "p2", PartyStatus::Hold)),
            );
            out.state.push = PushHealth::Live {
                since: t(0),
                last_event: Some(at),
            };
        });
    }
    hub.wait_numbered(4).await;
    hub.step(|out| out.state.interval = jiff::SignedDuration::from_secs(99));
    let interval = jiff::SignedDuration::from_secs(99);
    let seen = wall
        .until(|m| matches!(m, ToBoard::Status(s) if s.interval == interval))
        .await;
    let Some(ToBoard::Status(status)) = seen.last() else {
        unreachable!()
    };
    let queue_event = PushHealth::Live {
        since: t(0),
        last_event: Some(t(12)),
    };
    assert_eq!(
        status.push, queue_event,
        "the time of the queue call's event only"
    );
    let bytes = text(&wall);
    let others = [t(10).to_string(), t(11).to_string()];
    for secret in [
        "7777001",
        "\"999\"",
        "Hub Service",
        "\"admin\":true",
        &others[0],
        &others[1],
    ] {
        assert!(!bytes.contains(secret), "{secret} reached the wallboard: {bytes}");
    }
    assert!(bytes.contains("8888001"), "the account id is the board's header");
}

/// The test user's board on `hub`, past its first listing, asking for extension `id`'s scope; what it
/// got up to that scope's listing or a notice.
async fn scoped_board(hub: &TestHub, id: &str) -> (RawBoard, Vec<ToBoard>) {
    let mut me = RawBoard::unix(&hub.socket).await;
    me.hello(None, None).await;
    me.until(|m| listed_ids(m).is_some()).await;
    me.send(&ToHub::SetScope {
        scope: Scope::Extension(id.into()),
    })
    .await;
    let seen = me
        .until(|m| listed_ids(m).is_some() || matches!(m, ToBoard::Notice { .. }))
        .await;
    (me, seen)
}

#[tokio::test]
async fn an_extension_scope_shows_that_extension_only() {
    let hub = hub().await;
    let (mut me, seen) = scoped_board(&hub, "9101").await;
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap(), ["LI-ana"]);
    me.send(&ToHub::SetScope {
        scope: Scope::Extension("9200".into()),
    })
    .await;
    let seen = me.until(|m| matches!(m, ToBoard::Notice { .. })).await;
    assert!(seen.iter().all(|m| listed_ids(m).is_none()), "{seen:?}");
}

#[tokio::test]
async fn a_scope_a_new_directory_no_longer_allows_falls_back_to_the_whole_view() {
    let hub = hub().await;
    let (mut me, seen) = scoped_board(&hub, "9102").await;
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap(), ["LI-ben"]);

    // Ben is renamed: the policy's "Ben Ito" names no one now.
    let mut entries = directory().entries().to_vec();
    entries[1].name = Some("Benjamin Ito".into());
    hub.set_directory(callboard::directory::Directory::new(None, entries));
    let seen = me.until(|m| listed_ids(m).is_some()).await;
    let notice = seen.iter().find_map(|m| match m {
        ToBoard::Notice { message } => Some(message.as_str()),
        _ => None,
    });
    assert!(
        notice.is_some_and(|n| n.contains("directory changed") && n.contains("9102")),
        "{seen:?}"
    );
    let Some(ToBoard::Update(Numbered {
        update: Update::Listing(fresh),
        ..
    })) = seen.last()
    else {
        unreachable!()
    };
    assert_eq!(fresh.scope, Some(Scope::Account));
    assert_eq!(listed_ids(seen.last().unwrap()).unwrap(), ["LI-ana"]);

    // Ben's calls stay out.
    hub.step(|out| {
        out.change(
            t(5),
            Change::Party(PartyChange::new("s-LI-ben", "p2", PartyStatus::Hold)),
        )
    });
    hub.step(|out| {
        out.change(
            t(6),
            Change::Party(PartyChange::new("s-LI-ana", "p2", PartyStatus::Hold)),
        )
    });
    let seen = me.until(|m| matches!(m, ToBoard::Update(n) if n.seq == 3)).await;
    assert!(!format!("{seen:?}").contains("s-LI-ben"), "{seen:?}");
}
