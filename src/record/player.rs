//! Playing a recording on the board, frame by frame (a frame is one recorded poll or event): recorded
//! time on a [`ReplayClock`] that can pause, step and stops at the recording's last time, a [`Player`]
//! that merges the frames due into a board (rebuilding it to step back), and a [`Feed`] that wakes the
//! UI when a frame comes due.
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

use super::replay::{Recording, Step};
use crate::api::Scope;
use crate::board::Board;
use crate::clock::Clock;
use crate::feed::{Feed, FeedState, Listing};

/// How long the wake-up feed sleeps at most before it looks at the clock again (it may have been
/// paused, resumed or moved).
const LOOK_AGAIN: Duration = Duration::from_millis(100);

/// Recorded time: from the first frame's time, at `speed` times the time of `clock`, never past the
/// recording's last time; it can be paused and moved. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ReplayClock {
    clock: Clock,
    anchor: Arc<Mutex<Anchor>>,
}

/// Recorded time `at` when `clock` read `wall`.
#[derive(Debug)]
struct Anchor {
    wall: Instant,
    at: Timestamp,
    speed: f64,
    paused: bool,
    end: Timestamp,
}

impl ReplayClock {
    /// Recorded time from `start` now to `end`, running `speed` times as fast as `clock` (non-positive or
    /// non-finite speeds run at 1).
    pub fn new(clock: Clock, start: Timestamp, end: Timestamp, speed: f64) -> Self {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        let anchor = Anchor {
            wall: clock.now(),
            at: start,
            speed,
            paused: false,
            end: end.max(start),
        };
        ReplayClock {
            clock,
            anchor: Arc::new(Mutex::new(anchor)),
        }
    }

    fn anchor(&self) -> std::sync::MutexGuard<'_, Anchor> {
        self.anchor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Recorded time now.
    pub fn now(&self) -> Timestamp {
        self.time(&self.anchor())
    }

    fn time(&self, a: &Anchor) -> Timestamp {
        if a.paused {
            return a.at;
        }
        let ran = self.clock.now().saturating_duration_since(a.wall).as_secs_f64() * a.speed;
        let ran = SignedDuration::try_from_secs_f64(ran).unwrap_or(SignedDuration::MAX);
        a.at.checked_add(ran).unwrap_or(Timestamp::MAX).min(a.end)
    }

    /// True while paused.
    pub fn paused(&self) -> bool {
        self.anchor().paused
    }

    /// Pauses or resumes, from the time it shows.
    pub fn set_paused(&self, paused: bool) {
        let mut a = self.anchor();
        a.at = self.time(&a);
        a.wall = self.clock.now();
        a.paused = paused;
    }

    /// Moves recorded time to `at` (within the recording).
    fn seek(&self, at: Timestamp) {
        let mut a = self.anchor();
        a.at = at.min(a.end);
        a.wall = self.clock.now();
    }

    /// Time of `clock` until recorded time reaches `at`; `None` while paused.
    fn wall_until(&self, at: Timestamp) -> Option<Duration> {
        let a = self.anchor();
        if a.paused {
            return None;
        }
        let ahead = at.duration_since(self.time(&a)).as_secs_f64() / a.speed;
        Some(Duration::try_from_secs_f64(ahead).unwrap_or(Duration::ZERO))
    }
}

/// A recording played onto a board: how many frames are merged, and the clock they come due on.
#[derive(Debug, Clone)]
pub struct Player {
    recording: Arc<Recording>,
    /// The time of each frame, in play order.
    times: Arc<[Timestamp]>,
    /// Frames merged into the board.
    position: usize,
    /// Scope of the last listing merged.
    scope: Option<Scope>,
    clock: ReplayClock,
}

impl Player {
    /// A player at the start of `recording`, on recorded time running `speed` times as fast as `clock`;
    /// `None` when it holds no frame.
    pub fn new(recording: Recording, clock: Clock, speed: f64) -> Option<Player> {
        let times: Arc<[Timestamp]> = recording.steps().iter().map(Step::at).collect();
        let clock = ReplayClock::new(clock, *times.first()?, *times.last()?, speed);
        Some(Player {
            recording: Arc::new(recording),
            times,
            position: 0,
            scope: None,
            clock,
        })
    }

    /// The recorded time it plays on.
    pub fn clock(&self) -> &ReplayClock {
        &self.clock
    }

    /// How many frames the recording holds.
    pub fn frames(&self) -> usize {
        self.times.len()
    }

    /// How many frames are on the board (the last merged is frame `position` of [`Player::frames`]).
    pub fn position(&self) -> usize {
        self.position
    }

    /// True once the last frame is on the board: nothing more comes.
    pub fn at_end(&self) -> bool {
        self.position == self.frames()
    }

    /// Merges into `board` every frame due by recorded time `now`; true when one was.
    pub fn play(&mut self, board: &mut Board, now: Timestamp) -> bool {
        let due = self.position + self.times[self.position..].partition_point(|t| *t <= now);
        self.advance(board, due)
    }

    /// Moves `by` frames (within the first and the last) and pauses there, recorded time at that
    /// frame's; stepping back builds the board again from the start. True when the board changed.
    pub fn step(&mut self, board: &mut Board, by: isize) -> bool {
        self.clock.set_paused(true);
        let to = self.position.saturating_add_signed(by).clamp(1, self.frames());
        let changed = if to < self.position {
            board.reset_for_scope();
            self.position = 0;
            self.scope = None;
            self.advance(board, to)
        } else {
            self.advance(board, to)
        };
        self.clock.seek(self.times[to - 1]);
        changed
    }

    /// Merges frames up to `to` (exclusive) into `board`.
    fn advance(&mut self, board: &mut Board, to: usize) -> bool {
        if to <= self.position {
            return false;
        }
        let steps = self.recording.steps();
        for (i, step) in steps.iter().enumerate().take(to).skip(self.position) {
            super::replay::merge_step(board, step, i as u64 + 1, &mut self.scope);
        }
        self.position = to;
        true
    }

    /// What the status shows of the source: the scope and age of the last listing merged.
    pub fn state(&self) -> FeedState {
        let steps = self.recording.steps();
        let last = steps[..self.position].iter().rev().find_map(|s| match s {
            Step::Listing(l) => Some(*l),
            Step::Event(_) => None,
        });
        let listing = last.map_or_else(Listing::default, |l| Listing {
            seq: 0,
            scope: Some(l.scope.clone()),
            taken_at: Some(l.taken_at),
            calls: Arc::default(),
            skipped: l.skipped,
        });
        FeedState {
            scope: listing.scope.clone(),
            listing,
            ..FeedState::default()
        }
    }

    /// A feed that publishes (an empty state) whenever recorded time reaches a frame's time, so the UI
    /// plays it then. Runs until every command sender is dropped; commands are ignored (a recording
    /// cannot switch scope or list again).
    pub fn wake_feed(&self) -> Feed {
        let clock = self.clock.clone();
        let times = Arc::clone(&self.times);
        Feed::spawn(FeedState::default(), move |mut out, mut commands| async move {
            loop {
                let now = clock.now();
                let next = times.iter().find(|t| **t > now).copied();
                let wait = next
                    .and_then(|t| clock.wall_until(t))
                    .map_or(LOOK_AGAIN, |w| w.min(LOOK_AGAIN));
                tokio::select! {
                    cmd = commands.recv() => if cmd.is_none() { return },
                    () = tokio::time::sleep(wait) => {
                        if next.is_some_and(|t| clock.now() >= t) {
                            out.publish();
                        }
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_767_603_600 + secs).unwrap()
    }

    #[test]
    fn recorded_time_runs_pauses_moves_and_stops_at_the_end() {
        let clock = Clock::manual(t(0));
        let replay = ReplayClock::new(clock.clone(), t(0), t(60), 2.0);
        clock.advance(Duration::from_secs(10));
        assert_eq!(replay.now(), t(20), "twice as fast");
        replay.set_paused(true);
        clock.advance(Duration::from_secs(10));
        assert_eq!(replay.now(), t(20), "paused");
        assert_eq!(replay.wall_until(t(30)), None);
        replay.set_paused(false);
        assert_eq!(replay.wall_until(t(30)), Some(Duration::from_secs(5)));
        clock.advance(Duration::from_secs(100));
        assert_eq!(replay.now(), t(60), "never past the last frame");
        replay.seek(t(5));
        assert_eq!(replay.now(), t(5));
        assert_eq!(ReplayClock::new(clock, t(0), t(1), f64::NAN).anchor().speed, 1.0);
    }

    /// True when `feed` publishes within `ms` milliseconds (a look at the clock comes every 100).
    async fn woken(feed: &mut Feed, ms: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(ms), feed.state.changed())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn the_feed_wakes_the_board_when_a_frame_comes_due_and_not_while_paused() {
        let text = [0, 10]
            .map(|s| {
                format!(
                    r#"{{"at":"{}","scope":"account","pages":[{{"url":"u","receivedAt":"{}","body":{{"records":[]}}}}]}}"#,
                    t(s),
                    t(s)
                )
            })
            .join("\n");
        let clock = Clock::manual(t(0));
        let player = Player::new(Recording::parse(&text), clock.clone(), 1.0).unwrap();
        let mut feed = player.wake_feed();
        player.clock().set_paused(true);
        clock.advance(Duration::from_secs(20));
        assert!(!woken(&mut feed, 120).await, "paused: nothing comes due");
        player.clock().set_paused(false);
        clock.advance(Duration::from_secs(10));
        assert!(woken(&mut feed, 2000).await, "the second frame came due");
        assert!(!woken(&mut feed, 120).await, "nothing after the last frame");
        feed.task.abort();
    }
}
