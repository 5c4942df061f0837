//! A realistic board for UI tests: the seed captures plus synthetic calls, on a fixed clock.
use std::sync::Arc;

use callboard::api::Scope;
use callboard::api::model::{
    CallAction, CallFields, CallRecord, CallResult, Device, Direction, Leg, LegType, Party,
};
use callboard::feed::{FeedState, Listing, RateHeadroom, UserInfo};
use jiff::{SignedDuration, Timestamp};

use super::captures::capture;

/// The fixed "now" of every screen: 2021-01-20 00:15:30 UTC.
pub fn now() -> Timestamp {
    "2021-01-20T00:15:30Z".parse().unwrap()
}

/// `secs` seconds before [`now`].
pub fn ago(secs: i64) -> Timestamp {
    now() - SignedDuration::from_secs(secs)
}

/// A party with these optional fields.
pub fn party(name: Option<&str>, number: Option<&str>, ext: Option<&str>) -> Arc<Party> {
    Arc::new(Party {
        name: name.map(Into::into),
        phone_number: number.map(Into::into),
        extension_number: ext.map(Into::into),
        ..Party::default()
    })
}

fn call(
    id: &str,
    start: i64,
    dir: Direction,
    from: Arc<Party>,
    to: Arc<Party>,
    result: CallResult,
) -> CallRecord {
    CallRecord {
        id: id.into(),
        session_id: Some(format!("5383{}", id.len() * 1111).into()),
        fields: CallFields {
            start_time: Some(ago(start)),
            direction: Some(dir),
            action: Some(CallAction::PhoneCall),
            result: Some(result),
            from: Some(from),
            to: Some(to),
            telephony_session_id: Some(format!("s-{}", id.to_lowercase()).into()),
            ..CallFields::default()
        },
        ..CallRecord::default()
    }
}

fn answered(mut r: CallRecord) -> CallRecord {
    let mut leg = Leg {
        fields: r.fields.clone(),
        leg_type: Some(LegType::PstnToSip),
        master: Some(false),
    };
    leg.fields.reason = Some(callboard::api::model::CallReason::Accepted);
    leg.fields.reason_description = Some("The call connected to and was accepted by this number.".into());
    leg.fields.start_time = r.fields.start_time.map(|t| t + SignedDuration::from_secs(6));
    Arc::make_mut(leg.fields.from.get_or_insert_default()).device = Some(Device {
        id: "803750084020".into(),
        uri: None,
    });
    let master = Leg {
        fields: r.fields.clone(),
        leg_type: Some(LegType::Accept),
        master: Some(true),
    };
    r.legs = vec![master, leg];
    r
}

fn ended(mut r: CallRecord, result: CallResult, secs: u64) -> CallRecord {
    r.fields.result = Some(result);
    r.fields.duration = Some(secs);
    r
}

/// Live calls at `now`: the two seed calls (answered direct, ringing queue) and five synthetic ones.
pub fn live_records() -> Vec<CallRecord> {
    let mut transfer = answered(call(
        "LIsynthXfer03",
        301,
        Direction::Inbound,
        party(Some("Acme Logistics"), Some("+13125550188"), None),
        party(Some("Priya Natarajan"), Some("+16502886390"), Some("104")),
        CallResult::InProgress,
    ));
    transfer.legs[1].fields.action = Some(CallAction::Transfer);
    transfer.legs[1].leg_type = Some(LegType::TransferCall);
    let mut hostile = call(
        "LIsynthHostile",
        12,
        Direction::Inbound,
        party(
            Some("Evil\u{1b}[2J\u{202E}Corp\u{200B} a very long caller name that keeps going"),
            Some("+15555550100\u{7}"),
            None,
        ),
        party(Some("Front desk"), None, Some("100")),
        CallResult::InProgress,
    );
    hostile.fields.action = Some(CallAction::Other("Bell\u{1b}]0;pwn\u{7}".into()));
    vec![
        capture("direct_2_answered"),
        capture("queue_1_ringing"),
        answered(call(
            "LIsynthOut01",
            622,
            Direction::Outbound,
            party(Some("Ana Gómez"), Some("+16502886301"), Some("101")),
            party(None, Some("+442071234567"), None),
            CallResult::InProgress,
        )),
        call(
            "LIsynthQueue02",
            9,
            Direction::Inbound,
            party(
                Some("Support Queue - SAN FRANCSCO CA"),
                Some("+14155550123"),
                None,
            ),
            party(Some("Support"), Some("+16502886300"), Some("200")),
            CallResult::InProgress,
        ),
        transfer,
        hostile,
        answered(call(
            "LIsynthLong05",
            4_000,
            Direction::Inbound,
            party(Some("王小明"), Some("+862155550199"), None),
            party(Some("Kenji Sato"), Some("+16502886377"), Some("117")),
            CallResult::InProgress,
        )),
    ]
}

/// Polls so the board has live calls, ended calls (accepted, missed) and one vanished call.
pub fn polls() -> Vec<(Timestamp, Vec<CallRecord>)> {
    let live = live_records();
    let mut queue_done = capture("queue_3_ended");
    queue_done.id = "LIqueueEarlier".into();
    let missed = call(
        "LIsynthMissed",
        95,
        Direction::Inbound,
        party(Some("DALY CITY CA"), Some("+16505550142"), None),
        party(Some("Tyler Liu"), Some("+16502886382"), Some("11115")),
        CallResult::InProgress,
    );
    let vanishing = call(
        "LIsynthGone",
        150,
        Direction::Outbound,
        party(Some("Ana Gómez"), None, Some("101")),
        party(None, Some("+18005550000"), None),
        CallResult::InProgress,
    );
    let mut early: Vec<CallRecord> = live.clone();
    early.push(missed.clone());
    early.push(vanishing);
    let mut mid = live.clone();
    mid.push(missed.clone());
    let mut late = live.clone();
    late.push(ended(missed, CallResult::Missed, 31));
    late.push(queue_done);
    vec![
        (ago(80), early),
        (ago(62), mid),
        (ago(24), late.clone()),
        (ago(4), late),
    ]
}

/// The logged-in admin of every feed state.
pub fn user() -> UserInfo {
    UserInfo {
        extension_id: "62264425016".into(),
        extension_number: Some("11115".into()),
        name: Some("Tyler Liu".into()),
        admin: true,
        account_id: Some("37439510".into()),
    }
}

/// A healthy feed state of the extension scope carrying `calls`, fetched at `at`.
pub fn feed_state(seq: u64, calls: Vec<CallRecord>, at: Timestamp) -> FeedState {
    FeedState {
        seq,
        scope: Some(Scope::own_extension()),
        listing: Listing {
            seq,
            scope: Some(Scope::own_extension()),
            taken_at: Some(at),
            calls: calls.into_iter().map(Arc::new).collect(),
            skipped: 0,
        },
        deltas: Arc::default(),
        next_listing_at: Some(at + SignedDuration::from_secs(10)),
        interval: SignedDuration::from_secs(10),
        rate: Some(RateHeadroom {
            remaining: 7,
            limit: 10,
            window_secs: 60,
            penalty_until: None,
        }),
        error: None,
        switching: false,
        user: Some(user()),
        push: Default::default(),
    }
}
