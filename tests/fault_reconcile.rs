//! Nothing is lost through an outage: the board keeps its calls while the API fails, and the first good
//! poll afterwards moves every call that ended meanwhile to the recently-ended section, on a simulator
//! whose clock runs past their end during the outage.
use crate::support::app::live_app;
use crate::support::client::SimClient;
use crate::support::live::{live_screen, sim_options, start};
use crate::support::wait::wait_until;

use std::time::Duration;

use callboard::board::List;
use callboard::clock::Clock;
use callboard::feed::{FeedCommand, SourceErrorKind};
use callboard::sim::{Fault, Simulator};

#[tokio::test]
async fn calls_that_end_during_an_outage_show_as_ended_or_vanished_afterwards() {
    let t0 = "2026-01-05T09:00:00Z".parse().unwrap();
    let sim = Simulator::start(sim_options().clock(Clock::manual(t0)))
        .await
        .unwrap();
    // The client keeps real time: the test moves the simulator's clock on its own.
    let mut poller = start(
        SimClient::new(&sim, true)
            .clock(Clock::system())
            .short_timeouts()
            .build(),
    );
    let mut board = live_app();

    let good = wait_until(&mut poller, "a first poll", |s| s.listing.seq >= 1).await;
    live_screen(&mut board, &good);
    let live: Vec<String> = board
        .board()
        .window(List::Live, 0, usize::MAX)
        .map(|c| c.id().to_owned())
        .collect();
    assert!(!live.is_empty(), "the demo has live calls");

    sim.faults().fail_next(
        10_000,
        Fault::ServerError {
            status: 503,
            retry_after: None,
        },
    );
    let down = wait_until(&mut poller, "the outage", |s| {
        s.error
            .as_ref()
            .is_some_and(|e| e.kind == SourceErrorKind::Server)
    })
    .await;
    let text = live_screen(&mut board, &down);
    assert!(text.contains("STALE"), "{text}");
    assert_eq!(
        board.board().counts().live,
        live.len(),
        "live calls stay listed during the outage"
    );
    // Half an hour passes on the server: every call on the board ends, and drops out of the API's cache.
    sim.clock().advance(Duration::from_secs(30 * 60));

    sim.faults().clear();
    poller.commands.send(FeedCommand::Refresh).await.unwrap();
    let seq = down.listing.seq;
    let back = wait_until(&mut poller, "recovery", |s| s.listing.seq > seq).await;
    let text = live_screen(&mut board, &back);
    assert!(!text.contains("STALE"), "{text}");
    for id in &live {
        let call = board
            .board()
            .get(id)
            .unwrap_or_else(|| panic!("{id} was silently dropped"));
        assert!(
            !call.state().is_live(),
            "{id} ended during the outage: {:?}",
            call.state()
        );
    }
    assert!(board.board().counts().ended >= live.len(), "{text}");
}
