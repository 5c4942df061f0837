//! Property: any records, any terminal size, any key sequence: drawing never panics and no control
//! character reaches the screen.
use crate::support::app::options;
use crate::support::board::{feed_state, now};

use std::sync::Arc;

use callboard::api::model::{CallFields, CallReason, CallRecord, CallResult, Leg, Party};
use callboard::tui::{App, draw};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        any::<String>(),
        "[a-z \u{1b}\u{7}\u{9b}\u{202e}\u{2066}\u{200b}名e\u{301}]{0,40}",
        Just("x".repeat(5000)),
    ])
}

fn party() -> impl Strategy<Value = Option<Party>> {
    proptest::option::of(
        (text(), text(), text()).prop_map(|(name, phone_number, extension_number)| Party {
            name: name.map(Into::into),
            phone_number: phone_number.map(Into::into),
            extension_number: extension_number.map(Into::into),
            ..Party::default()
        }),
    )
}

fn record() -> impl Strategy<Value = CallRecord> {
    (
        any::<String>(),
        0u8..4,
        party(),
        party(),
        -100_000i64..100_000,
        any::<bool>(),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(id, result, from, to, start, accepted, duration)| {
            let result = match result {
                0 => None,
                1 => Some(CallResult::InProgress),
                2 => Some(CallResult::Missed),
                _ => Some(CallResult::Other("\u{1b}[31mWeird".into())),
            };
            let fields = CallFields {
                start_time: Some(now() + SignedDuration::from_secs(start)),
                result,
                duration,
                from: from.map(Arc::new),
                to: to.map(Arc::new),
                ..CallFields::default()
            };
            let leg = Leg {
                fields: CallFields {
                    reason: accepted.then_some(CallReason::Accepted),
                    ..fields.clone()
                },
                ..Leg::default()
            };
            CallRecord {
                id: id.into(),
                fields,
                legs: vec![leg],
                ..CallRecord::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn drawing_is_safe(polls in proptest::collection::vec(proptest::collection::vec(record(), 0..6), 1..4),
                       w in 1u16..160, h in 1u16..50,
                       keys in proptest::collection::vec(prop_oneof![
                           Just('j'), Just('k'), Just('G'), Just('\t'), Just('>'), Just('r'), Just('/'), Just('x'), Just('?')], 0..8)) {
        let mut app = App::new(&options(true));
        for (i, calls) in polls.into_iter().enumerate() {
            app.apply(Arc::new(feed_state(i as u64 + 1, calls, now())), now());
        }
        for k in keys {
            let code = if k == '\t' { KeyCode::Tab } else { KeyCode::Char(k) };
            app.key(KeyEvent::new(code, KeyModifiers::NONE), now());
        }
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| draw(f, &mut app, now())).unwrap();
        for cell in terminal.backend().buffer().content.iter() {
            prop_assert!(!cell.symbol().chars().any(|c| c.is_control()), "control char drawn: {:?}", cell.symbol());
            let bidi = cell.symbol().contains('\u{202e}');
            prop_assert!(!bidi, "bidi override drawn");
        }
    }
}
