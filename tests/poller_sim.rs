//! The poller against the in-process simulator on loopback: scope choice, the permission fallback, and
//! staying inside the Heavy rate limit however often the UI asks for a refresh.
use crate::support::client::client;
use crate::support::wait::wait_until;

use std::time::Duration;

use callboard::api::Scope;
use callboard::clock::Clock;
use callboard::feed::{FeedCommand, SourceErrorKind};
use callboard::poller::{self, PollerConfig, schedule};
use callboard::sim::{RateGroup, SimOptions, Simulator};

fn heavy_requests(sim: &Simulator) -> Vec<callboard::sim::LoggedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.group == Some(RateGroup::Heavy))
        .collect()
}

#[tokio::test]
async fn an_admin_starts_on_account_scope_and_sees_calls() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let mut poller = poller::spawn(
        client(&sim, true),
        PollerConfig {
            scope: None,
            interval: schedule::DEFAULT_INTERVAL,
        },
    );
    let snap = wait_until(&mut poller, "first poll", |s| s.listing.seq > 0).await;
    assert_eq!(snap.scope, Some(Scope::Account));
    assert_eq!(snap.listing.scope, Some(Scope::Account));
    assert!(!snap.listing.calls.is_empty(), "the demo always has calls");
    assert!(snap.user.as_ref().unwrap().admin);
    let rate = snap.rate.unwrap();
    assert_eq!((rate.limit, rate.window_secs), (10, 60));
    assert!(!snap.switching);
    assert!(snap.error.is_none());

    poller
        .commands
        .send(FeedCommand::SetScope(Scope::own_extension()))
        .await
        .unwrap();
    let snap = wait_until(&mut poller, "extension poll", |s| {
        s.listing.scope == Some(Scope::own_extension())
    })
    .await;
    assert!(!snap.switching);
    assert!(
        heavy_requests(&sim)
            .iter()
            .any(|r| r.path.contains("/extension/~/active-calls"))
    );
}

#[tokio::test]
async fn a_non_admin_refused_account_scope_falls_back_once_and_says_why() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let config = PollerConfig {
        scope: Some(Scope::Account),
        interval: schedule::DEFAULT_INTERVAL,
    };
    let mut poller = poller::spawn(client(&sim, false), config);
    let snap = wait_until(&mut poller, "fallback poll", |s| s.listing.seq > 0).await;
    assert_eq!(snap.scope, Some(Scope::own_extension()));
    let err = snap.error.clone().expect("the refusal stays visible");
    assert_eq!(
        err.kind,
        SourceErrorKind::Permission {
            permission: Some("ReadCompanyCallLog".into())
        }
    );
    assert!(
        err.message.contains("admin") && err.message.contains("extension scope"),
        "{}",
        err.message
    );
    poller.commands.send(FeedCommand::Refresh).await.unwrap();
    wait_until(&mut poller, "second poll", |s| s.listing.seq > 1).await;
    let account_requests = heavy_requests(&sim)
        .iter()
        .filter(|r| r.path.starts_with("/restapi/v1.0/account/~/active-calls"))
        .count();
    assert_eq!(
        account_requests, 1,
        "account scope is not retried after a refusal"
    );
}

/// Over 60 s of the demo, with the UI asking for a refresh every 200 ms, the simulator sees no 429 and no
/// more Heavy requests than the limit allows in any 60 s window. The minute passes on a clock 30 times
/// faster than real time, shared by the simulator (its limits and request log) and the client.
#[tokio::test]
async fn a_minute_of_refresh_spam_stays_within_the_heavy_limit() {
    let clock = Clock::scaled(30);
    let sim = Simulator::start(SimOptions::demo().clock(clock.clone()))
        .await
        .unwrap();
    let poller = poller::spawn(
        client(&sim, true),
        PollerConfig {
            scope: None,
            interval: schedule::DEFAULT_INTERVAL,
        },
    );
    let end = clock.now() + Duration::from_secs(61);
    while clock.now() < end {
        let _ = poller.commands.try_send(FeedCommand::Refresh);
        // 200 ms of the scaled clock: under 7 ms of real time.
        clock.sleep(Duration::from_millis(200)).await;
    }
    let log = sim.requests();
    assert!(log.iter().all(|r| r.status != Some(429)), "no 429: {log:?}");
    let heavy = heavy_requests(&sim);
    assert!(heavy.len() >= 6, "it kept polling: {}", heavy.len());
    for (i, first) in heavy.iter().enumerate() {
        let in_window = heavy[i..]
            .iter()
            .take_while(|r| r.at.duration_since(first.at).as_secs() < 60)
            .count();
        assert!(
            in_window <= 10,
            "{in_window} Heavy requests within 60 s of {}",
            first.at
        );
    }
}

/// The poller waits on and stamps with its clock: on a manual clock it lists again only once the clock has
/// moved a whole interval, however much real time passes, and its times are the clock's.
#[tokio::test]
async fn the_poller_schedules_on_its_clock() {
    let clock = Clock::manual("2026-01-05T09:00:00Z".parse().unwrap());
    let sim = Simulator::start(SimOptions::demo().clock(clock.clone()))
        .await
        .unwrap();
    let config = PollerConfig {
        scope: Some(Scope::Account),
        interval: schedule::DEFAULT_INTERVAL,
    };
    let mut poller = poller::spawn(client(&sim, true), config);
    let first = wait_until(&mut poller, "the first listing", |s| s.listing.seq == 1).await;
    let interval = jiff::SignedDuration::try_from(schedule::DEFAULT_INTERVAL).unwrap();
    assert_eq!(first.listing.taken_at, Some(clock.wall()));
    assert_eq!(first.next_listing_at, Some(clock.wall() + interval));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        poller.state.borrow().listing.seq,
        1,
        "real time passing does not poll"
    );
    clock.advance(schedule::DEFAULT_INTERVAL);
    let second = tokio::time::timeout(
        Duration::from_secs(2),
        wait_until(&mut poller, "the second listing", |s| s.listing.seq == 2),
    )
    .await
    .expect("the clock's interval passing polls at once");
    assert_eq!(second.listing.taken_at, Some(clock.wall()));
}
