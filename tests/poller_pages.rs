//! Multi-page polls under RingCentral's real Heavy limit (10 requests a minute), polling alone: every
//! poll completes, no page is asked for twice within a poll, page 1 is never asked for again to restart
//! one, and the listing is never older than its pages' budget plus one interval. Below the poller, a
//! paced fetch waits for budget between pages and asks again for a failed page by itself.
use crate::support::client::SimClient;
use crate::support::wait::run_clock;

use std::time::Duration;

use callboard::api::{ApiError, Fetch, Pacing, Scope};
use callboard::clock::Clock;
use callboard::feed::Feed;
use callboard::poller::{self, PollerConfig, schedule};
use callboard::sim::{
    Fault, FaultSettings, LoggedRequest, PeriodicFault, RateGroup, RateLimits, SimOptions, Simulator,
};
use jiff::Timestamp;

/// The page an active-calls request asked for (1 when it names none).
fn page_of(request: &LoggedRequest) -> u32 {
    request
        .path
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("page="))
        .map_or(1, |n| n.parse().expect("a page number"))
}

/// The active-calls requests as (page, status).
fn pages_asked(sim: &Simulator) -> Vec<(u32, Option<u16>)> {
    let requests = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/active-calls"));
    requests.map(|r| (page_of(&r), r.status)).collect()
}

/// The active-calls requests, one list of pages per poll (a poll starts at page 1).
fn polls(sim: &Simulator) -> Vec<Vec<u32>> {
    let mut polls: Vec<Vec<u32>> = Vec::new();
    for (page, status) in pages_asked(sim) {
        assert_eq!(status, Some(200), "page {page}");
        match page {
            1 => polls.push(vec![1]),
            page => polls.last_mut().expect("page 1 first").push(page),
        }
    }
    polls
}

/// A poller on account scope with the default interval, on a simulator with `options` on a manual clock,
/// `per_page` records a page.
async fn start(options: SimOptions, per_page: u32) -> (Simulator, Clock, Feed) {
    let clock = Clock::manual("2026-01-05T09:00:00Z".parse().unwrap());
    assert_eq!(
        options.scenario.rate_limits,
        RateLimits::default(),
        "RingCentral's limits"
    );
    let sim = Simulator::start(options.clock(clock.clone())).await.unwrap();
    let client = SimClient::new(&sim, true).per_page(per_page).build();
    let config = PollerConfig {
        scope: Some(Scope::Account),
        interval: schedule::DEFAULT_INTERVAL,
    };
    (sim, clock, poller::spawn(client, config))
}

/// Runs the clock for `time`, checking between steps that the listing is never older than
/// `max_age`; returns the stamps of the listings seen.
async fn run(clock: &Clock, poller: &Feed, time: Duration, max_age: Duration) -> Vec<Timestamp> {
    let mut stamps: Vec<Timestamp> = Vec::new();
    let until = clock.now() + time;
    run_clock(clock, Duration::from_secs(1), || {
        let taken = poller.state.borrow().listing.taken_at;
        if let Some(taken) = taken {
            if stamps.last() != Some(&taken) {
                stamps.push(taken);
            }
            let age = Duration::try_from(clock.wall().duration_since(taken)).unwrap();
            assert!(age <= max_age, "the listing is {age:?} old at {}", clock.wall());
        }
        clock.now() < until
    })
    .await;
    stamps
}

/// The contact centre's ~2,000 calls take 3 pages of 1,000 a poll. Polls every 18 s reach a window still
/// holding 9 requests every fourth poll: before the plan, page 1 went out, page 2 was held back and the
/// retry started again from page 1.
#[tokio::test]
async fn three_page_polls_complete_without_refetching_page_1() {
    let (sim, clock, poller) = start(SimOptions::contact_centre(), 1000).await;
    let max_age = schedule::listing_age_bound(schedule::DEFAULT_INTERVAL, 3, schedule::Limit::HEAVY_DEFAULT);
    let stamps = run(&clock, &poller, Duration::from_secs(150), max_age).await;

    let polls = polls(&sim);
    let calls = poller.state.borrow().listing.calls.len();
    assert!((2000..3000).contains(&calls), "{calls} calls take 3 pages");
    assert!(polls.len() >= 7, "{} polls in 150 s", polls.len());
    let page_1 = polls.len();
    assert!(
        page_1 <= stamps.len() + 1,
        "page 1 asked for {page_1} times for {} listings: a poll restarted",
        stamps.len()
    );
    for (i, pages) in polls.iter().enumerate().take(page_1 - 1) {
        assert_eq!(pages, &[1, 2, 3], "poll {i}: every page once, in order");
    }
    assert!(sim.requests().iter().all(|r| r.status != Some(429)));
}

/// With ten pages a poll takes the whole Heavy minute: one complete poll a minute, each page once.
#[tokio::test]
async fn ten_page_polls_complete_once_a_minute() {
    // The 10k benchmark's calls, at an arrival rate that keeps about 9,500 listed (live and recently
    // ended): ten pages of 1,000 every poll.
    let mut options = SimOptions::from_scenario_file("assets/scenarios/bench-10k.toml").unwrap();
    options.scenario.rate_limits = RateLimits::default();
    options.scenario.calls.arrivals_per_minute = 1320.0;
    let (sim, clock, poller) = start(options, 1000).await;
    let limit = schedule::Limit::HEAVY_DEFAULT;
    let max_age = schedule::listing_age_bound(schedule::DEFAULT_INTERVAL, 10, limit);
    let stamps = run(&clock, &poller, Duration::from_secs(125), max_age).await;

    let polls = polls(&sim);
    assert_eq!(stamps.len(), 3, "{stamps:?}");
    assert_eq!(polls.len(), 3, "{polls:?}");
    for pages in &polls {
        assert_eq!(pages, &(1..=10).collect::<Vec<_>>(), "every page once, in order");
    }
    for pair in stamps.windows(2) {
        let gap = Duration::try_from(pair[1].duration_since(pair[0])).unwrap();
        assert!(
            (Duration::from_secs(60)..=Duration::from_secs(62)).contains(&gap),
            "a poll a minute: {gap:?}"
        );
    }
    assert!(sim.requests().iter().all(|r| r.status != Some(429)));
}

/// One paced fetch of every page of the demo's account scope, `per_page` records a page, on a manual
/// clock moved only while the fetch waits on it.
async fn paced_fetch(options: SimOptions, per_page: u32) -> (Simulator, Result<u32, ApiError>) {
    let clock = Clock::manual("2026-01-05T09:00:00Z".parse().unwrap());
    let sim = Simulator::start(options.clock(clock.clone())).await.unwrap();
    let client = SimClient::new(&sim, true).per_page(per_page).build();
    let task = tokio::spawn(async move {
        let mut fetch = Fetch {
            pacing: Pacing {
                max_wait: Duration::from_secs(120),
                page_retries: 2,
            },
            ..Fetch::default()
        };
        let calls = client.poll_active_calls(&Scope::Account, &mut fetch).await?;
        Ok(calls.page_count)
    });
    run_clock(&clock, Duration::from_secs(1), || !task.is_finished()).await;
    (sim, task.await.unwrap())
}

#[tokio::test]
async fn a_poll_waits_for_budget_between_pages_instead_of_starting_over() {
    let three_a_minute = RateLimits {
        heavy: 3,
        ..RateLimits::default()
    };
    let (sim, pages) = paced_fetch(SimOptions::demo().rate_limits(three_a_minute), 2).await;
    let pages = pages.expect("the fetch waits rather than fails");
    assert!(pages > 3, "{pages} pages of 2 calls");
    let asked = pages_asked(&sim);
    assert_eq!(
        asked,
        (1..=pages).map(|p| (p, Some(200))).collect::<Vec<_>>(),
        "every page once, no 429"
    );
    let heavy: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.group == Some(RateGroup::Heavy))
        .collect();
    assert_eq!(heavy.len() as u32, pages);
    let held = heavy[3].at.duration_since(heavy[0].at);
    assert!(
        held >= jiff::SignedDuration::from_secs(60),
        "page 4 waited for the window: {held}"
    );
}

#[tokio::test]
async fn a_failed_page_is_asked_for_again_by_itself_a_bounded_number_of_times() {
    // Every second API request fails: each page after the first fails once, then comes.
    let every_second = FaultSettings {
        every: vec![PeriodicFault {
            fault: Fault::ServerError {
                status: 503,
                retry_after: Some(5),
            },
            nth: 2,
        }],
        ..FaultSettings::default()
    };
    let (sim, pages) = paced_fetch(SimOptions::demo().faults(every_second), 4).await;
    let pages = pages.expect("every page comes on its second try");
    let mut expected = vec![(1, Some(200))];
    for page in 2..=pages {
        expected.extend([(page, Some(503)), (page, Some(200))]);
    }
    assert_eq!(pages_asked(&sim), expected);

    // A page that keeps failing fails the poll after its retries: page 2 is the second, third and fourth
    // API request.
    let truncated = |nth| PeriodicFault {
        fault: Fault::Truncated,
        nth,
    };
    let outage = FaultSettings {
        every: vec![truncated(2), truncated(3)],
        ..FaultSettings::default()
    };
    let (sim, result) = paced_fetch(SimOptions::demo().faults(outage), 4).await;
    assert!(matches!(result, Err(ApiError::Malformed(_))), "{result:?}");
    let asked: Vec<u32> = pages_asked(&sim).into_iter().map(|(page, _)| page).collect();
    assert_eq!(asked, [1, 2, 2, 2], "page 2 and its two retries, page 1 once");
}
