//! Waiting for a condition in short steps up to a deadline, never for a fixed time: a poller's state,
//! anything a closure can look at, or a manual clock's sleepers before moving it on.
use std::sync::Arc;
use std::time::{Duration, Instant};

use callboard::clock::Clock;
use callboard::feed::Feed;
use callboard::feed::FeedState;

/// How long [`poll`] sleeps between two looks.
pub const STEP: Duration = Duration::from_millis(20);

/// Waits (up to 20 s) for a feed state matching `pred`; `seen` gets every state observed on the way.
pub async fn wait_seeing(
    poller: &mut Feed,
    what: &str,
    seen: &mut Vec<Arc<FeedState>>,
    pred: impl Fn(&FeedState) -> bool,
) -> Arc<FeedState> {
    let wait = async {
        loop {
            let snap = Arc::clone(&poller.state.borrow_and_update());
            seen.push(Arc::clone(&snap));
            if pred(&snap) {
                return snap;
            }
            poller.state.changed().await.expect("poller alive");
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}; last: {:?}", seen.last()))
}

/// [`wait_seeing`] when the way there does not matter.
pub async fn wait_until(poller: &mut Feed, what: &str, pred: impl Fn(&FeedState) -> bool) -> Arc<FeedState> {
    wait_seeing(poller, what, &mut Vec::new(), pred).await
}

/// Calls `look` every [`STEP`] until it returns something, or returns `None` once `timeout` has passed.
pub fn poll<T>(timeout: Duration, mut look: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = look() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(STEP);
    }
}

/// Moves a manual `clock` on `step` at a time while `go_on` says so, each step only once something is
/// asleep on it, so work under way (a poll's pages) takes no time on the clock however long it takes for
/// real. `go_on` is asked between steps and while waiting for a sleeper, and can look at the world.
pub async fn run_clock(clock: &Clock, step: Duration, mut go_on: impl FnMut() -> bool) {
    loop {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if !go_on() {
                return;
            }
            if clock.sleepers() > 0 {
                break;
            }
            assert!(Instant::now() < deadline, "nothing waits on the clock");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        clock.advance(step);
        // Lets whatever the step woke run first, so it is not counted as asleep.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    }
}
