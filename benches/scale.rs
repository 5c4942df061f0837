//! Costs at contact-centre scale (100, 1,000 and 10,000 live calls): one poll cycle (parse every page,
//! merge into the board, sort), one frame at 200×50, and a key press through to its frame.
//! Run with `cargo bench --bench scale`; `scripts/bench` measures the whole program.
mod fixture;
/// The program's allocator, so the costs are the program's.
#[cfg(not(target_env = "msvc"))]
#[path = "../src/malloc.rs"]
mod malloc;

use std::sync::Arc;

use callboard::api::RecordCache;
use callboard::api::model::{ActiveCallsPage, CallRecord};
use callboard::board::{Board, BoardConfig, Column, Sort};
use callboard::tui::{App, draw};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::{Bencher, black_box};
use fixture::{SIZES, now};
use jiff::SignedDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    println!("in-process benches: no requests are made, so no rate limits apply");
    divan::main();
}

/// The terminal size of the frame budget.
fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(200, 50)).expect("a test terminal")
}

fn board_with(records: &[Arc<CallRecord>]) -> Board {
    let mut board = Board::new(BoardConfig::default());
    board.merge(records, now());
    board
}

/// Parsing every page of one poll.
#[divan::bench(args = SIZES, sample_count = 30)]
fn parse(bencher: Bencher, n: usize) {
    let pages = fixture::pages(&fixture::records(n));
    bencher.bench(|| {
        pages
            .iter()
            .map(|body| {
                ActiveCallsPage::parse(black_box(body))
                    .expect("a page parses")
                    .records
                    .len()
            })
            .sum::<usize>()
    });
}

/// The first poll on an empty board: every call is new.
#[divan::bench(args = SIZES, sample_count = 20)]
fn merge_first(bencher: Bencher, n: usize) {
    let records = fixture::records(n);
    bencher
        .with_inputs(|| Board::new(BoardConfig::default()))
        .bench_local_refs(|board| board.merge(black_box(&records), now()));
}

/// A later poll ten seconds on: 2% of the calls ended, as many arrived, the rest unchanged.
#[divan::bench(args = SIZES, sample_count = 20)]
fn merge_next(bencher: Bencher, n: usize) {
    let records = fixture::records(n);
    let next = fixture::next_poll(&records);
    let later = now() + SignedDuration::from_secs(10);
    bencher
        .with_inputs(|| board_with(&records))
        .bench_local_refs(|board| board.merge(black_box(&next), later));
}

/// The whole poll cycle on a board that has seen the previous poll: parse every page (reusing the
/// records whose text did not change, as the poller does), then merge.
#[divan::bench(args = SIZES, sample_count = 20)]
fn poll_cycle(bencher: Bencher, n: usize) {
    let records = fixture::records(n);
    let first = fixture::pages(&records);
    let pages = fixture::pages(&fixture::next_poll(&records));
    let later = now() + SignedDuration::from_secs(10);
    bencher
        .with_inputs(|| {
            let mut cache = RecordCache::default();
            let mut calls = Vec::with_capacity(n);
            for body in &first {
                calls.extend(
                    ActiveCallsPage::parse_with(body, &mut cache)
                        .expect("a page parses")
                        .records,
                );
            }
            cache.finish_poll();
            (board_with(&calls), cache)
        })
        .bench_local_refs(|(board, cache)| {
            let mut calls = Vec::with_capacity(n);
            for body in &pages {
                calls.extend(
                    ActiveCallsPage::parse_with(body, cache)
                        .expect("a page parses")
                        .records,
                );
            }
            cache.finish_poll();
            board.merge(&calls, later);
        });
}

/// Re-sorting the live list by another column (the sort key press without the frame).
#[divan::bench(args = SIZES, sample_count = 30)]
fn sort(bencher: Bencher, n: usize) {
    let mut board = board_with(&fixture::records(n));
    let columns = [Column::From, Column::Duration, Column::Via, Column::Start];
    let mut i = 0;
    bencher.bench_local(|| {
        i += 1;
        let column = columns[i % columns.len()];
        board.set_sort(
            Sort {
                column,
                descending: i % 2 == 0,
            },
            now(),
        );
    });
}

/// One frame at 200×50 a second after the last, so every duration on screen changes.
#[divan::bench(args = SIZES, sample_count = 50)]
fn frame(bencher: Bencher, n: usize) {
    let mut app = fixture::app(n);
    let mut terminal = terminal();
    let mut secs = 0;
    bencher.bench_local(|| {
        secs += 1;
        let at = now() + SignedDuration::from_secs(secs);
        terminal.draw(|f| draw(f, &mut app, at)).expect("a frame draws");
    });
}

fn press_and_draw(app: &mut App, terminal: &mut Terminal<TestBackend>, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE), now());
    terminal.draw(|f| draw(f, app, now())).expect("a frame draws");
}

/// Key press to frame: move the selection one row down.
#[divan::bench(args = SIZES, sample_count = 50)]
fn key_move(bencher: Bencher, n: usize) {
    let mut app = fixture::app(n);
    let mut terminal = terminal();
    let mut down = true;
    bencher.bench_local(|| {
        // Down then up, so the selection stays near the top where a supervisor looks.
        let code = if down { KeyCode::Down } else { KeyCode::Up };
        down = !down;
        press_and_draw(&mut app, &mut terminal, code);
    });
}

/// Key press to frame: sort by the next column.
#[divan::bench(args = SIZES, sample_count = 30)]
fn key_sort(bencher: Bencher, n: usize) {
    let mut app = fixture::app(n);
    let mut terminal = terminal();
    bencher.bench_local(|| press_and_draw(&mut app, &mut terminal, KeyCode::Char('>')));
}
