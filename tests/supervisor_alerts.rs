//! Alert thresholds on a fixed clock, and the bell on each new critical call.
use crate::support::app::options;
use crate::support::board::{ago, feed_state, live_records, now};

use std::sync::Arc;

use callboard::board::{AlertConfig, AlertCounts, AlertLevel, Board, BoardConfig, List, Threshold};
use callboard::prefs::Prefs;
use callboard::tui::{App, Effect, UiOptions};
use jiff::SignedDuration;

fn board_at(records: Vec<callboard::api::model::CallRecord>, at: jiff::Timestamp) -> Board {
    let mut board = Board::new(BoardConfig::default());
    let records: Vec<_> = records.into_iter().map(Arc::new).collect();
    board.merge(&records, at);
    board
}

#[test]
fn ringing_and_talking_cross_their_thresholds_with_time() {
    let config = AlertConfig::default();
    // queue_1_ringing is ringing; LIsynthOut01 was answered 6 s after its start.
    let records = live_records();
    let board = board_at(records, ago(600));
    let level = |id: &str, secs_later: i64| {
        let t = ago(600) + SignedDuration::from_secs(secs_later);
        config.level(board.get(id).unwrap(), t)
    };
    let ring_start = board.get("LIsynthQueue02").unwrap().start();
    let ring_level = |secs: i64| {
        config.level(
            board.get("LIsynthQueue02").unwrap(),
            ring_start + SignedDuration::from_secs(secs),
        )
    };
    assert_eq!(ring_level(20), None);
    assert_eq!(ring_level(21), Some(AlertLevel::Warn));
    assert_eq!(ring_level(45), Some(AlertLevel::Warn));
    assert_eq!(ring_level(46), Some(AlertLevel::Critical));
    let talk_start = board.get("LIsynthOut01").unwrap().answer_time().unwrap();
    let talk_level = |secs: i64| {
        config.level(
            board.get("LIsynthOut01").unwrap(),
            talk_start + SignedDuration::from_secs(secs),
        )
    };
    assert_eq!(talk_level(15 * 60), None);
    assert_eq!(talk_level(15 * 60 + 1), Some(AlertLevel::Warn));
    assert_eq!(talk_level(30 * 60 + 1), Some(AlertLevel::Critical));
    assert!(level("LIsynthLong05", 0).is_some());
}

#[test]
fn custom_thresholds_and_counts() {
    let config = AlertConfig {
        ringing: Threshold {
            warn_secs: 5,
            critical_secs: 10,
        },
        talking: Threshold {
            warn_secs: 60,
            critical_secs: 3600,
        },
        ..AlertConfig::default()
    };
    let board = board_at(live_records(), now());
    let counts = board.alert_counts(&config, now());
    // Ringing 28 s, 12 s, 9 s; talking 1h06m, ~16m, ~10m, ~5m (answer times from the legs).
    assert_eq!(counts, AlertCounts { warn: 4, critical: 3 });
    assert_eq!(
        AlertCounts::of(&config, board.window(List::Live, 0, 100), now()),
        counts
    );
}

#[test]
fn bell_rings_once_per_new_critical_call_only_when_on() {
    for bell in [false, true] {
        let mut opts: UiOptions = options(false);
        opts.prefs = Prefs {
            bell,
            ..Prefs::default()
        };
        let mut app = App::new(&opts);
        let mut records = live_records();
        records.retain(|r| r.id == "LIsynthQueue02");
        let start = records[0].fields.start_time.unwrap();
        let rings = |effects: Vec<Effect>| effects.contains(&Effect::Bell);
        assert!(!rings(app.apply(Arc::new(feed_state(1, records, start)), start)));
        let at = |secs| start + SignedDuration::from_secs(secs);
        assert!(!rings(app.tick(at(30))), "warn does not ring");
        assert_eq!(rings(app.tick(at(46))), bell);
        assert!(!rings(app.tick(at(50))), "the same call rings once");
    }
}
