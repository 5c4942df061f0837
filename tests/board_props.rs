//! Properties: merging arbitrary polls never panics and never loses a listed call silently, and the
//! board's indexed summary and alert counts agree with a pass over every live call.
use std::collections::HashSet;

use callboard::api::model::{CallFields, CallReason, CallRecord, CallResult, Leg};
use callboard::board::{
    AlertConfig, AlertCounts, AlertLevel, Board, BoardConfig, CallState, List, Threshold,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

fn record() -> impl Strategy<Value = CallRecord> {
    (0u8..12, 0u8..4, any::<bool>(), proptest::option::of(-100i64..100)).prop_map(
        |(id, result, leg, start)| {
            let result = match result {
                0 => None,
                1 => Some(CallResult::InProgress),
                2 => Some(CallResult::Missed),
                _ => Some(CallResult::Other("Weird".into())),
            };
            let legs = if leg {
                vec![Leg {
                    fields: CallFields {
                        reason: Some(CallReason::Accepted),
                        ..CallFields::default()
                    },
                    ..Leg::default()
                }]
            } else {
                vec![]
            };
            CallRecord {
                id: format!("id{id}").into(),
                fields: CallFields {
                    result,
                    start_time: start.map(|s| Timestamp::from_second(1_600_000_000 + s).unwrap()),
                    duration: Some(7),
                    ..CallFields::default()
                },
                legs,
                ..CallRecord::default()
            }
        },
    )
}

proptest! {
    #[test]
    fn merge_keeps_every_listed_call(polls in proptest::collection::vec(proptest::collection::vec(record(), 0..8), 1..12),
                                     moves in proptest::collection::vec(-3isize..3, 0..12)) {
        let mut board = Board::new(BoardConfig { ended_window: SignedDuration::from_secs(1000), ended_cap: 500 });
        for (i, poll) in polls.iter().enumerate() {
            let now = Timestamp::from_second(1_600_000_000 + i as i64 * 5).unwrap();
            let shared: Vec<_> = poll.iter().cloned().map(std::sync::Arc::new).collect();
            board.merge(&shared, now);
            for m in &moves {
                board.move_selection(List::Live, *m);
            }
            let shown: Vec<&str> = board.window(List::Live, 0, usize::MAX)
                .chain(board.window(List::Ended, 0, usize::MAX)).map(|c| c.id()).collect();
            let unique: HashSet<&str> = shown.iter().copied().collect();
            prop_assert_eq!(unique.len(), shown.len(), "a call is listed twice");
            for r in poll {
                prop_assert!(unique.contains(r.id.as_str()), "{} lost", r.id);
            }
            prop_assert_eq!(board.selected(List::Live).is_some(), board.len(List::Live) > 0);
        }
    }

    #[test]
    fn indexed_summary_and_alerts_match_a_pass_over_every_call(
        polls in proptest::collection::vec(proptest::collection::vec(record(), 0..8), 1..6),
        later in 0i64..200,
    ) {
        let mut board = Board::new(BoardConfig::default());
        let mut at = Timestamp::from_second(1_600_000_000).unwrap();
        for poll in &polls {
            let shared: Vec<_> = poll.iter().cloned().map(std::sync::Arc::new).collect();
            board.merge(&shared, at);
            at += SignedDuration::from_secs(5);
        }
        let now = at + SignedDuration::from_secs(later);
        let config = AlertConfig {
            ringing: Threshold { warn_secs: 5, critical_secs: 30 },
            talking: Threshold { warn_secs: 10, critical_secs: 60 },
            ..AlertConfig::default()
        };
        let live: Vec<_> = board.window(List::Live, 0, usize::MAX).collect();
        let summary = board.summary(now);
        prop_assert_eq!(summary.longest, live.iter().map(|c| c.duration(now)).max());
        prop_assert_eq!(
            summary.longest_ringing,
            live.iter().filter(|c| *c.state() == CallState::Ringing).filter_map(|c| c.ring_time(now)).max()
        );
        prop_assert_eq!(summary.ringing + summary.talking, live.len());
        prop_assert_eq!(board.alert_counts(&config, now), AlertCounts::of(&config, live.iter().copied(), now));
        let mut critical = board.critical_ids(&config, now);
        critical.sort_unstable();
        let mut expected: Vec<&str> = live.iter()
            .filter(|c| config.level(c, now) == Some(AlertLevel::Critical))
            .map(|c| c.id())
            .collect();
        expected.sort_unstable();
        prop_assert_eq!(critical, expected);
    }
}
