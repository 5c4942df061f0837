//! The fault matrix: every misbehaviour of the network and the API, injected into the simulator on
//! loopback, through the real client and poller, checked on what the user sees.
use crate::support::app::live_app;
use crate::support::client::SimClient;
use crate::support::live::{PENALTY_SECS, live_screen, sim_options, start};
use crate::support::wait::{wait_seeing, wait_until};

use std::time::Duration;

use callboard::api::Scope;
use callboard::clock::Clock;
use callboard::feed::{FeedCommand, SourceErrorKind};
use callboard::sim::{Fault, RateGroup, Simulator};

fn token_requests(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.starts_with("/restapi/oauth/token"))
        .count()
}

/// When each active-calls request arrived (a faulted request is logged without its rate group).
fn heavy_times(sim: &Simulator) -> Vec<jiff::Timestamp> {
    sim.requests()
        .iter()
        .filter(|r| r.path.contains("/active-calls"))
        .map(|r| r.at)
        .collect()
}

#[tokio::test]
async fn an_expired_or_revoked_access_token_is_renewed_without_a_visible_error() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    sim.faults().set_access_token_ttl(Some(Duration::from_secs(1)));
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    let mut seen = Vec::new();
    wait_seeing(&mut poller, "a first poll", &mut seen, |s| s.listing.seq >= 1).await;
    sim.faults().fail_next(1, Fault::Unauthorized);
    let last = wait_seeing(&mut poller, "three more polls", &mut seen, |s| s.listing.seq >= 4).await;
    assert!(
        seen.iter().all(|s| s.error.is_none()),
        "no error on the way: {seen:?}"
    );
    assert!(
        token_requests(&sim) >= 3,
        "tokens were renewed: {:?}",
        sim.requests()
    );
    let text = live_screen(&mut live_app(), &last);
    let status: String = text.lines().take(2).collect();
    assert!(!status.contains('✗') && !status.contains("STALE"), "{text}");
}

#[tokio::test]
async fn a_rejected_refresh_token_falls_back_to_a_new_jwt_login() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    sim.faults().set_access_token_ttl(Some(Duration::from_secs(1)));
    sim.faults().set_reject_refresh(true);
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    let mut seen = Vec::new();
    wait_seeing(&mut poller, "four polls", &mut seen, |s| s.listing.seq >= 4).await;
    assert!(
        seen.iter().all(|s| s.error.is_none()),
        "no error on the way: {seen:?}"
    );
    let refused = sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/restapi/oauth/token") && r.status == Some(400))
        .count();
    let granted = sim
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/restapi/oauth/token") && r.status == Some(200))
        .count();
    assert!(
        refused >= 1 && granted >= 2,
        "refresh refused, JWT login again: {:?}",
        sim.requests()
    );
}

#[tokio::test]
async fn rejected_credentials_name_the_setting_to_fix() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    let creds = sim.credentials();
    for (secret, jwt, setting) in [
        (creds.client_secret.as_str(), "not-a-valid-jwt", "RC_USER_JWT"),
        ("wrong-secret", creds.admin_jwt.as_str(), "RC_APP_CLIENT_SECRET"),
    ] {
        let mut poller = start(
            SimClient::new(&sim, true)
                .client_secret(secret)
                .jwt(jwt)
                .short_timeouts()
                .build(),
        );
        let snap = wait_until(&mut poller, "the refusal", |s| s.error.is_some()).await;
        let err = snap.error.as_ref().unwrap();
        assert_eq!(err.kind, SourceErrorKind::Unauthorized);
        assert!(err.message.contains(setting), "names {setting}: {}", err.message);
        let text = live_screen(&mut live_app(), &snap);
        assert!(text.contains(setting), "{text}");
        assert!(
            !text.contains(jwt) && !text.contains(secret),
            "no secret on screen: {text}"
        );
    }
}

#[tokio::test]
async fn credentials_rejected_mid_run_keep_the_last_calls_marked_stale() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    let mut board = live_app();
    let good = wait_until(&mut poller, "a first poll", |s| s.listing.seq >= 1).await;
    live_screen(&mut board, &good);
    sim.faults().fail_next(1000, Fault::Unauthorized);
    let bad = wait_until(&mut poller, "the refusal", |s| {
        s.error
            .as_ref()
            .is_some_and(|e| e.kind == SourceErrorKind::Unauthorized)
    })
    .await;
    assert_eq!(bad.listing.calls, good.listing.calls, "the last data is kept");
    assert_eq!(bad.listing.taken_at, good.listing.taken_at);
    let text = live_screen(&mut board, &bad);
    assert!(text.contains("STALE") && text.contains("updated"), "{text}");
    assert!(
        text.lines().nth(1).unwrap().contains('✗'),
        "the reason is shown: {text}"
    );
    assert!(board.board().counts().live > 0, "the calls stay listed");
}

#[tokio::test]
async fn a_429_shows_a_countdown_sends_nothing_during_the_penalty_and_resumes() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    wait_until(&mut poller, "a first poll", |s| s.listing.seq >= 1).await;
    sim.faults().fail_next(1, Fault::RateLimited);
    let limited = wait_until(&mut poller, "the 429", |s| {
        s.error
            .as_ref()
            .is_some_and(|e| e.kind == SourceErrorKind::RateLimited)
    })
    .await;
    let text = live_screen(&mut live_app(), &limited);
    assert!(text.contains("next request in"), "a countdown: {text}");
    for _ in 0..5 {
        poller.commands.send(FeedCommand::Refresh).await.unwrap();
    }
    let seq = limited.listing.seq;
    let resumed = wait_until(&mut poller, "polling to resume", |s| s.listing.seq > seq).await;
    assert!(resumed.error.is_none(), "{:?}", resumed.error);
    let log = sim.requests();
    let refused = log
        .iter()
        .position(|r| r.status == Some(429))
        .expect("the 429 is logged");
    let next = log[refused + 1..]
        .iter()
        .find(|r| r.group == Some(RateGroup::Heavy))
        .expect("a request after the penalty");
    let gap = next.at.duration_since(log[refused].at);
    assert!(
        gap.as_secs_f64() >= PENALTY_SECS as f64 - 0.05,
        "nothing sent during the {PENALTY_SECS}s penalty, but the next request came after {gap:?}"
    );
}

#[tokio::test]
async fn server_errors_back_off_exponentially_with_jitter_and_honour_retry_after() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    let seq = wait_until(&mut poller, "a first poll", |s| s.listing.seq >= 1)
        .await
        .listing
        .seq;
    let before = heavy_times(&sim).len();
    sim.faults().fail_next(
        2,
        Fault::ServerError {
            status: 500,
            retry_after: None,
        },
    );
    sim.faults().fail_next(
        1,
        Fault::ServerError {
            status: 503,
            retry_after: Some(5),
        },
    );
    let mut seen = Vec::new();
    let back = wait_seeing(&mut poller, "recovery", &mut seen, |s| {
        s.listing.seq > seq && s.error.is_none()
    })
    .await;
    assert!(back.error.is_none());
    let mut waits_by_error: Vec<(jiff::Timestamp, f64)> = seen
        .iter()
        .filter_map(|s| s.error.as_ref())
        .map(|e| (e.at, e.retry_at.unwrap().duration_since(e.at).as_secs_f64()))
        .collect();
    waits_by_error.dedup();
    assert_eq!(waits_by_error.len(), 3, "three failures: {waits_by_error:?}");
    let [first, second, third] = [waits_by_error[0].1, waits_by_error[1].1, waits_by_error[2].1];
    assert!(
        (1.0..=2.01).contains(&first),
        "first retry after 2 s with jitter: {first}"
    );
    assert!((2.0..=4.01).contains(&second), "then 4 s with jitter: {second}");
    assert!(third >= 5.0, "Retry-After is honoured: {third}");
    let times = heavy_times(&sim);
    let gaps: Vec<f64> = times[before..]
        .windows(2)
        .map(|w| w[1].duration_since(w[0]).as_secs_f64())
        .collect();
    assert!(
        gaps[0] >= 0.95 && gaps[1] >= 1.95 && gaps[2] >= 4.95,
        "the server saw the backoff: {gaps:?}"
    );
}

#[tokio::test]
async fn slow_and_hung_responses_time_out_while_the_poller_stays_responsive() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    wait_until(&mut poller, "a first poll", |s| s.listing.seq >= 1).await;
    sim.faults().fail_next(1, Fault::Slow { delay_ms: 300 });
    let slow = wait_until(&mut poller, "a slow poll", |s| s.listing.seq >= 2).await;
    assert!(slow.error.is_none(), "a slow answer within the timeout is fine");

    sim.faults().fail_next(1, Fault::Hang);
    let started = tokio::time::Instant::now();
    // While the request hangs the command channel still takes commands and the runtime keeps ticking.
    for _ in 0..10 {
        poller.commands.try_send(FeedCommand::Refresh).ok();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the runtime was not blocked"
    );
    let hung = wait_until(&mut poller, "the timeout", |s| {
        s.error
            .as_ref()
            .is_some_and(|e| e.kind == SourceErrorKind::Timeout)
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(4), "timed out promptly");
    let text = live_screen(&mut live_app(), &hung);
    assert!(
        text.contains("did not answer in time") && text.contains("STALE"),
        "{text}"
    );
    let seq = hung.listing.seq;
    wait_until(&mut poller, "recovery", |s| {
        s.listing.seq > seq && s.error.is_none()
    })
    .await;
}

#[tokio::test]
async fn a_dead_server_shows_offline_and_the_board_recovers_when_it_is_back() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    let addr: std::net::SocketAddr = sim.base_url().trim_start_matches("http://").parse().unwrap();
    let creds = sim.credentials().clone();
    let clock = sim.clock().clone();
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    let mut board = live_app();
    let good = wait_until(&mut poller, "a first poll", |s| s.listing.seq >= 1).await;
    live_screen(&mut board, &good);
    sim.shutdown().await;

    let offline = wait_until(&mut poller, "the outage", |s| {
        s.error
            .as_ref()
            .is_some_and(|e| e.kind == SourceErrorKind::Network)
    })
    .await;
    let text = live_screen(&mut board, &offline);
    let status = text.lines().nth(1).unwrap();
    assert!(
        status.contains("OFFLINE") && status.contains("retrying in"),
        "{text}"
    );
    assert!(text.contains("STALE"), "{text}");
    assert_eq!(offline.listing.calls, good.listing.calls, "the last data is kept");

    let sim = Simulator::start(sim_options().clock(clock).listen(addr))
        .await
        .unwrap();
    assert_eq!(
        sim.credentials().admin_jwt,
        creds.admin_jwt,
        "same directory, same credentials"
    );
    let seq = offline.listing.seq;
    let back = wait_until(&mut poller, "recovery", |s| s.listing.seq > seq).await;
    assert!(back.error.is_none(), "{:?}", back.error);
    let text = live_screen(&mut board, &back);
    assert!(!text.contains("OFFLINE") && !text.contains("STALE"), "{text}");
}

#[tokio::test]
async fn unreadable_responses_keep_the_last_calls_and_never_panic() {
    let sim = Simulator::start(sim_options()).await.unwrap();
    let mut poller = start(SimClient::new(&sim, true).short_timeouts().build());
    let good = wait_until(&mut poller, "a first poll", |s| s.listing.seq >= 1).await;
    for fault in [Fault::Truncated, Fault::Malformed, Fault::Drop] {
        sim.faults().fail_next(1, fault.clone());
        let bad = wait_until(&mut poller, "the failure", |s| s.error.is_some()).await;
        let err = bad.error.as_ref().unwrap();
        let expected = match fault {
            Fault::Drop => SourceErrorKind::Network,
            _ => SourceErrorKind::Malformed,
        };
        assert_eq!(err.kind, expected, "{fault:?}: {}", err.message);
        assert_eq!(err.scope, Scope::Account, "the error carries its scope");
        assert!(!bad.listing.calls.is_empty(), "{fault:?} kept the calls");
        assert!(bad.listing.seq >= good.listing.seq);
        poller.commands.send(FeedCommand::Refresh).await.unwrap();
        wait_until(&mut poller, "recovery", |s| s.error.is_none()).await;
    }
}

#[tokio::test]
async fn refused_credentials_wait_for_r_instead_of_spending_the_auth_budget() {
    let clock = Clock::manual("2026-01-05T09:00:00Z".parse().unwrap());
    let sim = Simulator::start(sim_options().clock(clock.clone()))
        .await
        .unwrap();
    let mut poller = start(
        SimClient::new(&sim, true)
            .client_secret("wrong-secret")
            .short_timeouts()
            .build(),
    );
    let refused = wait_until(&mut poller, "the refusal", |s| s.error.is_some()).await;
    assert_eq!(refused.next_listing_at, None, "no next poll is planned");
    assert_eq!(refused.error.as_ref().unwrap().retry_at, None);
    let tried = token_requests(&sim);
    clock.advance(Duration::from_secs(600));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(token_requests(&sim), tried, "ten minutes pass without a retry");
    let text = live_screen(&mut live_app(), &refused);
    assert!(
        text.contains("RC_APP_CLIENT_SECRET") && text.contains("press R to try again"),
        "{text}"
    );

    poller.commands.send(FeedCommand::Refresh).await.unwrap();
    let seq = refused.seq;
    wait_until(&mut poller, "the retry R asked for", |s| {
        s.seq > seq + 1 && s.error.is_some() && s.next_listing_at.is_none()
    })
    .await;
    assert!(token_requests(&sim) > tried, "R tries again");
}
