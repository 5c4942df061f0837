//! `callboard replay FILE`: a recording on the live board, on recorded time, or its final state printed.
use std::path::Path;

use jiff::tz::TimeZone;

use super::args::BoardArgs;
use super::{Fatal, board_config, ended_window};
use crate::clock::Clock;
use crate::output::{self, Format};
use crate::record::player::Player;
use crate::record::replay::Recording;
use crate::tui::{self, WallClock};

/// Plays `file` at `speed` on the board, or prints its final state in `once` format.
pub async fn run(args: &BoardArgs, file: &Path, speed: f64, once: Option<Format>) -> Result<(), Fatal> {
    let mut recording = Recording::read(file)?;
    report(&recording.problems);
    let empty = || {
        Fatal::Other(format!(
            "{} holds no recorded poll or event; record one with `callboard --record {}`",
            file.display(),
            file.display()
        ))
    };
    if recording.steps().is_empty() {
        return Err(empty());
    }
    // A pipe or a dumb terminal cannot show the board: print the final state instead.
    let fallback = once.is_none() && !super::can_draw_board();
    if let Some(format) = once.or(fallback.then_some(Format::Table)) {
        if let Some((board, at)) = recording.final_board(board_config(args)) {
            print!("{}", output::text(&board, at, &TimeZone::system(), format));
        }
        if fallback {
            super::say_why_no_board();
        }
        return Ok(());
    }
    let problems = std::mem::take(&mut recording.problems);
    let player = Player::new(recording, Clock::system(), speed).ok_or_else(empty)?;
    let clock = player.clock().clone();
    let mut feed = player.wake_feed();
    let opts = tui::UiOptions {
        replay: true,
        player: Some(player),
        no_color: args.no_color,
        osc52: (!args.no_osc52).then(tui::clipboard::Clipboard::detect),
        mouse: args.mouse,
        stock_backend: super::backend_setting()?,
        ended_window: ended_window(args),
        clock: WallClock::from_fn(move || clock.now()),
        ..Default::default()
    };
    let result = tui::run(opts, &mut feed).await;
    feed.task.abort();
    // Said again after the board, which hid the first report.
    report(&problems);
    result.map_err(Fatal::from)
}

/// Says which lines were skipped.
fn report(problems: &[String]) {
    for problem in problems {
        eprintln!("callboard: {problem}");
    }
}
