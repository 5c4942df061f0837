//! The six real captured responses (seed 002) parse, with the fields that matter.
use crate::support::captures::capture_bytes;

use callboard::api::model::{ActiveCallsPage, CallReason, CallRecord, CallResult, Direction, LegType};

fn load(name: &str) -> CallRecord {
    let page = ActiveCallsPage::parse(&capture_bytes(name)).unwrap();
    assert!(page.skipped.is_empty(), "{name}: {:?}", page.skipped);
    assert_eq!(page.records.len(), 1, "{name}");
    assert_eq!(page.paging.per_page, Some(100));
    assert!(page.next_page_uri().is_none());
    std::sync::Arc::unwrap_or_clone(page.records.into_iter().next().unwrap())
}

/// (legType, master, result, reason, duration) of each leg.
type LegSummary = (LegType, bool, Option<CallResult>, Option<CallReason>, Option<u64>);

fn leg_summary(r: &CallRecord) -> Vec<LegSummary> {
    r.legs
        .iter()
        .map(|l| {
            (
                l.leg_type.clone().unwrap(),
                l.master.unwrap(),
                l.fields.result.clone(),
                l.fields.reason.clone(),
                l.fields.duration,
            )
        })
        .collect()
}

#[test]
fn direct_call_ringing() {
    let r = load("direct_1_ringing");
    assert_eq!(r.id, "LIef14l8Nt_1zUA");
    assert_eq!(r.session_id.as_deref(), Some("538332041016"));
    assert_eq!(
        r.fields.telephony_session_id.as_deref(),
        Some("s-8f8125f1aeb944f486531c351a2f520e")
    );
    assert_eq!(r.fields.result, Some(CallResult::InProgress));
    assert_eq!(r.fields.reason, None);
    assert_eq!(r.fields.duration, None);
    assert_eq!(r.fields.direction, Some(Direction::Inbound));
    assert_eq!(r.fields.extension.as_ref().unwrap().id, 62264425016);
    assert_eq!(
        r.fields.from.as_ref().unwrap().name.as_deref(),
        Some("WIRELESS CALLER")
    );
    assert_eq!(
        leg_summary(&r),
        [(LegType::Accept, true, Some(CallResult::InProgress), None, None)]
    );
}

#[test]
fn direct_call_answered() {
    let r = load("direct_2_answered");
    assert_eq!(r.id, "LIef14l8Nt_1zUA");
    assert_eq!(r.fields.result, Some(CallResult::InProgress));
    // The real capture carries `reason: Accepted` only on the new leg, not on the record.
    assert_eq!(r.fields.reason, None);
    assert_eq!(r.fields.duration, None);
    let legs = leg_summary(&r);
    assert_eq!(legs.len(), 2);
    assert_eq!(legs[1].0, LegType::PstnToSip);
    assert!(!legs[1].1);
    assert_eq!(legs[1].3, Some(CallReason::Accepted));
    let device = r.legs[1].fields.from.as_ref().unwrap().device.as_ref().unwrap();
    assert!(!device.id.is_empty());
}

#[test]
fn direct_call_ended() {
    let r = load("direct_3_ended");
    assert_eq!(r.fields.result, Some(CallResult::Accepted));
    assert_eq!(r.fields.reason, Some(CallReason::Accepted));
    assert_eq!(r.fields.duration, Some(10));
    assert_eq!(
        leg_summary(&r),
        [
            (
                LegType::Accept,
                true,
                Some(CallResult::Accepted),
                Some(CallReason::Accepted),
                Some(10)
            ),
            (
                LegType::PstnToSip,
                false,
                Some(CallResult::Accepted),
                Some(CallReason::Accepted),
                Some(6)
            ),
        ]
    );
}

#[test]
fn queue_call_flips_direction_at_hang_up_but_keeps_its_id() {
    let ringing = load("queue_1_ringing");
    let answered = load("queue_2_answered");
    let ended = load("queue_3_ended");
    assert_eq!(ringing.id, "LIfMpYdXOsxPzUA");
    assert_eq!(answered.id, ringing.id);
    assert_eq!(ended.id, ringing.id);
    assert_eq!(ringing.fields.direction, Some(Direction::Outbound));
    assert_eq!(ringing.fields.reason, None);
    assert_eq!(answered.fields.reason, Some(CallReason::Accepted));
    assert_eq!(
        leg_summary(&answered),
        [(
            LegType::PstnToSip,
            true,
            Some(CallResult::InProgress),
            Some(CallReason::Accepted),
            None
        )]
    );
    assert_eq!(ended.fields.direction, Some(Direction::Inbound));
    assert_eq!(ended.fields.result, Some(CallResult::Accepted));
    assert_eq!(ended.fields.duration, Some(18));
    assert_eq!(
        ended.fields.from.as_ref().unwrap().name.as_deref(),
        Some("Tyler's call queue - WIRELESS CALLER")
    );
    assert_eq!(ended.legs.len(), 2);
    assert_eq!(ended.master_leg().unwrap().leg_type, Some(LegType::Accept));
}
