//! Fuzzing the response parser, bounded so it runs inside `cargo test`: arbitrary bytes and mutated real
//! captures never panic, and one record of any wrong shape never costs the rest of the page.
use crate::support::captures::capture_bytes;

use callboard::api::model::ActiveCallsPage;
use proptest::prelude::*;
use serde_json::{Value, json};

const CAPTURES: [&str; 6] = [
    "direct_1_ringing",
    "direct_2_answered",
    "direct_3_ended",
    "queue_1_ringing",
    "queue_2_answered",
    "queue_3_ended",
];

/// One page holding the first record of every capture, each with a distinct id.
fn page() -> Value {
    let records: Vec<Value> = CAPTURES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut v: Value = serde_json::from_slice(&capture_bytes(name)).unwrap();
            let mut r = v["records"][0].take();
            r["id"] = json!(format!("rec{i}"));
            r
        })
        .collect();
    json!({ "records": records, "paging": { "page": 1, "perPage": 100 }, "navigation": {} })
}

/// A value of a type (or an enum value) the wire model does not expect.
fn wrong_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::from),
        Just(json!([1, "two", null])),
        Just(json!({ "unexpected": { "nested": [] } })),
    ]
}

/// Fields of a record (and of its legs) worth breaking.
const FIELDS: [&str; 12] = [
    "id",
    "startTime",
    "direction",
    "action",
    "result",
    "reason",
    "duration",
    "from",
    "to",
    "legs",
    "sessionId",
    "telephonySessionId",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = ActiveCallsPage::parse(&body);
    }

    #[test]
    fn mutated_and_truncated_captures_never_panic(
        which in 0..CAPTURES.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut body = capture_bytes(CAPTURES[which]);
        for (at, byte) in flips {
            let i = at.index(body.len());
            body[i] = byte;
        }
        let _ = ActiveCallsPage::parse(&body);
        let _ = ActiveCallsPage::parse(&body[..cut.index(body.len())]);
    }

    #[test]
    fn one_bad_record_never_loses_the_rest(
        bad in 0..CAPTURES.len(),
        field in proptest::option::of(0..FIELDS.len()),
        in_leg in any::<bool>(),
        value in wrong_value(),
    ) {
        let mut page = page();
        let record = &mut page["records"][bad];
        match field {
            None => *record = value,
            Some(f) if in_leg && record["legs"].is_array() && !record["legs"].as_array().unwrap().is_empty() => {
                record["legs"][0][FIELDS[f]] = value;
            }
            Some(f) => record[FIELDS[f]] = value,
        }
        let parsed = ActiveCallsPage::parse(&serde_json::to_vec(&page).unwrap()).expect("the envelope is fine");
        prop_assert_eq!(parsed.records.len() + parsed.skipped.len(), CAPTURES.len());
        prop_assert!(parsed.skipped.iter().all(|s| s.index == bad), "only the bad record is skipped");
        for i in (0..CAPTURES.len()).filter(|i| *i != bad) {
            let id = format!("rec{i}");
            prop_assert!(parsed.records.iter().any(|r| r.id == id), "{} kept", id);
        }
    }
}
