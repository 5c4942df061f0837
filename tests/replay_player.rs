//! Replay on the board: recorded time stops at the recording's end, which the status says (END OF
//! RECORDING, frame n of N at the recording's time) with none of a live board's timing (next poll, rate
//! budget, STALE); `←`/`→` step a frame, back as well as forward, and Space pauses and resumes.
use std::sync::Arc;
use std::time::Duration;

use callboard::board::{AlertConfig, CallState};
use callboard::clock::Clock;
use callboard::feed::FeedState;
use callboard::record::player::Player;
use callboard::record::replay::Recording;
use callboard::tui::{App, UiOptions, WallClock};
use crossterm::event::{KeyCode, KeyEvent};
use jiff::tz::TimeZone;

use crate::replay_push::{recording, t};
use crate::support::pty::Pty;
use crate::support::screen::{drawn, text};

/// The recording of [`recording`] (two polls, two events) on a board at its first frame, on `clock`.
fn replay(clock: &Clock) -> App {
    let player = Player::new(Recording::parse(&recording()), clock.clone(), 1.0).unwrap();
    let recorded = player.clock().clone();
    let mut app = App::new(&UiOptions {
        replay: true,
        player: Some(player),
        no_color: true,
        tz: TimeZone::UTC,
        clock: WallClock::from_fn(move || recorded.now()),
        ..UiOptions::default()
    });
    app.apply(Arc::new(FeedState::default()), t(0));
    app
}

/// Recorded time now.
fn now(app: &App) -> jiff::Timestamp {
    app.player().unwrap().clock().now()
}

fn status(app: &mut App) -> String {
    let at = now(app);
    let screen = text(&drawn(app, 120, 20, at));
    screen.lines().take(2).collect::<Vec<_>>().join("\n")
}

/// Asserts the status shows the recording's time `time` and `what` (e.g. `PAUSED  frame 2 of 4`).
fn assert_shows(app: &mut App, time: &str, what: &str) {
    let shown = status(app);
    assert!(
        shown.contains(&format!("REPLAY  {time}")) && shown.contains(what),
        "{time}, {what}: {shown}"
    );
}

fn press(app: &mut App, code: KeyCode) {
    let at = now(app);
    app.key(KeyEvent::from(code), at);
}

#[test]
fn the_end_of_a_recording_stops_its_time_and_says_so_without_live_timing() {
    let clock = Clock::manual(t(0));
    let mut app = replay(&clock);
    assert_shows(&mut app, "09:00:00", "frame 1 of 4");
    // An hour after the recording's last frame (at 30 s).
    clock.advance(Duration::from_secs(3600));
    app.tick(now(&app));
    assert_shows(&mut app, "09:00:30", "END OF RECORDING  frame 4 of 4");
    let shown = status(&mut app);
    for live in ["STALE", "next poll", "Heavy", "polling"] {
        assert!(!shown.contains(live), "{live} on a finished replay: {shown}");
    }
    assert_eq!(now(&app), t(30), "the board's clock stays at the last frame");
    let board = app.board();
    assert_eq!(board.counts().ended, 1, "the call that ended stays listed");
    assert!(
        board.critical_ids(&AlertConfig::default(), now(&app)).is_empty(),
        "a call ringing 30 s at the end does not go critical after it"
    );
}

#[test]
fn arrows_step_a_frame_either_way_and_space_pauses() {
    let clock = Clock::manual(t(0));
    let mut app = replay(&clock);
    let state = |app: &App, id: &str| {
        app.board().get(id).map(|c| {
            match c.state() {
                CallState::Ringing => "ringing",
                CallState::Connected => "connected",
                CallState::Ended(_) => "ended",
                other => panic!("{other:?}"),
            }
            .to_owned()
        })
    };
    assert_eq!(state(&app, "r1").as_deref(), Some("ringing"));

    press(&mut app, KeyCode::Right);
    assert_eq!(now(&app), t(5), "at the answer's time");
    assert_eq!(state(&app, "r1").as_deref(), Some("connected"));
    assert_shows(&mut app, "09:00:05", "PAUSED  frame 2 of 4");
    clock.advance(Duration::from_secs(100));
    app.tick(now(&app));
    assert!(status(&mut app).contains("frame 2 of 4"), "a step pauses there");

    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert!(status(&mut app).contains("frame 4 of 4"), "not past the last");
    assert_eq!(state(&app, "r2").as_deref(), Some("ringing"));

    press(&mut app, KeyCode::Left);
    assert_eq!(now(&app), t(20));
    assert_eq!(state(&app, "r1").as_deref(), Some("ended"));
    assert_eq!(state(&app, "r2"), None, "r2 was listed only in the last frame");
    for _ in 0..5 {
        press(&mut app, KeyCode::Left);
    }
    assert_shows(&mut app, "09:00:00", "frame 1 of 4");
    assert_eq!(
        state(&app, "r1").as_deref(),
        Some("ringing"),
        "the board is as it was then"
    );

    press(&mut app, KeyCode::Char(' '));
    clock.advance(Duration::from_secs(6));
    app.tick(now(&app));
    assert_shows(&mut app, "09:00:06", "▶ playing  frame 2 of 4");
    press(&mut app, KeyCode::Char(' '));
    clock.advance(Duration::from_secs(60));
    app.tick(now(&app));
    assert_eq!(now(&app), t(6), "Space paused it again");
    assert!(status(&mut app).contains("PAUSED"));
}

#[test]
fn the_replay_command_ends_honestly_and_steps_with_the_arrow_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.ndjson");
    std::fs::write(&path, recording()).unwrap();
    // 30 s of recording at 1000 times: over in 30 ms.
    let args = ["replay", path.to_str().unwrap(), "--speed", "1000"];
    let mut pty = Pty::spawn_with_env(&args, &[("TZ", "UTC")]);
    let wait = Duration::from_secs(10);
    let ended = pty.wait_for("the end of the recording", wait, |s| {
        s.contains("END OF RECORDING  frame 4 of 4")
    });
    assert!(ended.contains("REPLAY  09:00:30"), "{ended}");
    for live in ["STALE", "next poll", "Heavy"] {
        assert!(!ended.contains(live), "{live} on a finished replay: {ended}");
    }
    pty.send("\x1b[D");
    pty.wait_for("a step back", wait, |s| {
        s.contains("PAUSED  frame 3 of 4") && s.contains("REPLAY  09:00:20")
    });
    pty.send(" ");
    pty.wait_for("the end again once playing", wait, |s| {
        s.contains("END OF RECORDING  frame 4 of 4")
    });
    pty.quit("replay");
}
