//! Calls live and die like the real ones on a manual clock; the same seed and clock give the same bytes.
use crate::support::sim::*;

use callboard::sim::Scenario;
use serde_json::Value;

fn records(body: &Value) -> Vec<Value> {
    body["records"].as_array().unwrap().clone()
}

fn find<'a>(body: &'a Value, id: &str) -> Option<&'a Value> {
    body["records"].as_array().unwrap().iter().find(|r| r["id"] == id)
}

fn leg_types(r: &Value) -> Vec<(String, bool)> {
    r["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["legType"].as_str().unwrap().to_owned(),
                l["master"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn start_secs(r: &Value) -> i64 {
    r["startTime"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
}

/// Advances until some call is ringing and has just started; returns its record and how long ago it started.
async fn fresh_ringing_call(h: &Harness, token: &str, path: &str) -> (Value, i64) {
    for _ in 0..200 {
        let body = h.get_ok(token, &format!("{path}?view=Detailed")).await;
        let now = h.sim.clock().wall().as_second();
        let ringing = records(&body)
            .into_iter()
            .find(|r| r["result"] == "In Progress" && r.get("reason").is_none() && now - start_secs(r) < 5);
        if let Some(r) = ringing {
            let age = now - start_secs(&r);
            return (r, age);
        }
        h.advance(3);
    }
    panic!("no call started ringing");
}

#[tokio::test]
async fn direct_call_rings_connects_ends_and_leaves_the_cache() {
    let h = Harness::start(manual(only("direct"))).await;
    let token = h.admin().await;
    let (ringing, age) = fresh_ringing_call(&h, &token, ACCOUNT_CALLS).await;
    let id = ringing["id"].as_str().unwrap().to_owned();
    assert_eq!(ringing["direction"], "Inbound");
    assert_eq!(ringing["action"], "Phone Call");
    assert!(ringing.get("duration").is_none());
    assert_eq!(leg_types(&ringing), [("Accept".to_owned(), true)]);
    assert!(ringing["id"].as_str().unwrap().starts_with("LI"));
    assert!(ringing["telephonySessionId"].as_str().unwrap().starts_with("s-"));

    // Ring is 10 s, talk 60 s.
    h.advance((12 - age) as u64);
    let body = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?view=Detailed")).await;
    let connected = find(&body, &id).expect("still listed when connected");
    assert_eq!(connected["result"], "In Progress");
    assert!(connected.get("duration").is_none());
    assert_eq!(
        leg_types(connected),
        [("Accept".into(), true), ("PstnToSip".into(), false)]
    );
    let sip = &connected["legs"][1];
    assert_eq!(
        (&sip["reason"], &sip["action"], &sip["direction"]),
        (&"Accepted".into(), &"VoIP Call".into(), &"Outbound".into())
    );
    assert_eq!(
        sip["reasonDescription"],
        "The call connected to and was accepted by this number."
    );
    assert!(sip["from"]["device"]["id"].is_string());

    h.advance(60);
    let body = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?view=Detailed")).await;
    let ended = find(&body, &id).expect("listed during the cache window");
    assert_eq!(ended["result"], "Accepted");
    assert_eq!(ended["reason"], "Accepted");
    assert_eq!(ended["duration"], 70);
    assert_eq!(ended["legs"][0]["duration"], 70);
    assert_eq!(ended["legs"][1]["duration"], 60);

    h.advance(115);
    let body = h.get_ok(&token, ACCOUNT_CALLS).await;
    assert!(
        find(&body, &id).is_some(),
        "still cached just before the window ends"
    );
    h.advance(10);
    let body = h.get_ok(&token, ACCOUNT_CALLS).await;
    assert!(find(&body, &id).is_none(), "gone after the cache window");
}

#[tokio::test]
async fn queue_call_flips_direction_and_caller_name_at_hang_up() {
    let h = Harness::start(manual(only("queue"))).await;
    let token = h.admin().await;
    let (ringing, age) = fresh_ringing_call(&h, &token, ACCOUNT_CALLS).await;
    let id = ringing["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (&ringing["direction"], &ringing["action"]),
        (&"Outbound".into(), &"VoIP Call".into())
    );
    assert_eq!(leg_types(&ringing), [("PstnToSip".into(), true)]);

    h.advance((12 - age) as u64);
    let body = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?view=Detailed")).await;
    let connected = find(&body, &id).unwrap();
    assert_eq!(connected["direction"], "Outbound");
    assert_eq!(connected["reason"], "Accepted");

    h.advance(60);
    let body = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?view=Detailed")).await;
    let ended = find(&body, &id).unwrap();
    assert_eq!(
        (&ended["direction"], &ended["action"]),
        (&"Inbound".into(), &"Phone Call".into())
    );
    assert_eq!(ended["result"], "Accepted");
    let from = ended["from"]["name"].as_str().unwrap();
    let queues = ["Support Queue - ", "Sales Queue - ", "Billing Queue - "];
    assert!(queues.iter().any(|q| from.starts_with(q)), "{from}");
    assert_eq!(
        leg_types(ended),
        [("Accept".into(), true), ("PstnToSip".into(), false)]
    );
    assert_eq!(ended["telephonySessionId"], ringing["telephonySessionId"]);
}

#[tokio::test]
async fn internal_call_is_two_records_sharing_a_telephony_session() {
    let h = Harness::start(manual(only("internal"))).await;
    let token = h.admin().await;
    h.advance(300);
    let body = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?view=Detailed")).await;
    let all = records(&body);
    assert!(!all.is_empty());
    let mut sessions = std::collections::BTreeMap::<String, Vec<&Value>>::new();
    for r in &all {
        sessions
            .entry(r["telephonySessionId"].as_str().unwrap().to_owned())
            .or_default()
            .push(r);
    }
    for pair in sessions.values() {
        assert_eq!(pair.len(), 2, "{pair:#?}");
        let mut dirs: Vec<_> = pair.iter().map(|r| r["direction"].as_str().unwrap()).collect();
        dirs.sort();
        assert_eq!(dirs, ["Inbound", "Outbound"]);
        assert_ne!(pair[0]["id"], pair[1]["id"]);
        assert_eq!(pair[0]["sessionId"], pair[1]["sessionId"]);
        assert_ne!(pair[0]["extension"]["id"], pair[1]["extension"]["id"]);
    }
    // Extension scope shows one side only.
    let caller_ext = all[0]["extension"]["id"].as_u64().unwrap();
    let mine = h
        .get_ok(
            &token,
            &format!("/restapi/v1.0/account/~/extension/{caller_ext}/active-calls"),
        )
        .await;
    let mine = records(&mine);
    assert!(!mine.is_empty() && mine.iter().all(|r| r["extension"]["id"] == caller_ext));
    let transports: Vec<_> = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?transport=PSTN")).await["records"]
        .as_array()
        .unwrap()
        .clone();
    assert!(transports.is_empty(), "internal calls are VoIP");
}

#[tokio::test]
async fn transfer_adds_a_transfer_leg_and_the_target_record() {
    let mut scenario = only("transfer");
    scenario.calls.arrivals_per_minute = 6.0;
    let h = Harness::start(manual(scenario)).await;
    let token = h.admin().await;
    let mut seen = false;
    for _ in 0..40 {
        let body = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?view=Detailed")).await;
        for r in records(&body) {
            let legs = leg_types(&r);
            if legs.iter().any(|(t, _)| t == "TransferCall") {
                seen = true;
                let tsid = &r["telephonySessionId"];
                let same: Vec<_> = records(&body)
                    .into_iter()
                    .filter(|o| &o["telephonySessionId"] == tsid)
                    .collect();
                assert_eq!(same.len(), 2, "target gets its own record");
            }
        }
        h.advance(10);
    }
    assert!(seen, "no transfer leg seen");
}

#[tokio::test]
async fn records_are_newest_first_and_scoped() {
    let h = Harness::start(manual(demo_with_rate(4.0))).await;
    let (admin, user) = (h.admin().await, h.non_admin().await);
    let uid = h.sim.credentials().non_admin_extension_id;
    let mut own_total = 0;
    for _ in 0..10 {
        let all = records(&h.get_ok(&admin, ACCOUNT_CALLS).await);
        let starts: Vec<i64> = all.iter().map(start_secs).collect();
        assert!(
            starts.windows(2).all(|w| w[0] >= w[1]),
            "not newest first: {starts:?}"
        );
        let mine = records(&h.get_ok(&user, MY_CALLS).await);
        own_total += mine.len();
        let expected: Vec<_> = all
            .iter()
            .filter(|r| r["extension"]["id"] == uid)
            .map(|r| r["id"].clone())
            .collect();
        let got: Vec<_> = mine.iter().map(|r| r["id"].clone()).collect();
        assert_eq!(got, expected);
        h.advance(90);
    }
    assert!(own_total > 0, "the non-admin demo user never had a call");
}

#[tokio::test]
async fn same_seed_and_clock_give_identical_bytes() {
    let a = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let b = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let c = Harness::start(manual(Scenario::demo()).rate_limits(relaxed()).seed(99)).await;
    let (ta, tb, tc) = (a.admin().await, b.admin().await, c.admin().await);
    for step in 0..5 {
        for path in [
            format!("{ACCOUNT_CALLS}?view=Detailed&perPage=7"),
            format!("{MY_CALLS}?view=Simple"),
        ] {
            let body_a = a.get(&ta, &path).await.text.replace(&a.sim.base_url(), "BASE");
            let body_b = b.get(&tb, &path).await.text.replace(&b.sim.base_url(), "BASE");
            let body_c = c.get(&tc, &path).await.text.replace(&c.sim.base_url(), "BASE");
            assert_eq!(body_a, body_b, "step {step} {path}");
            assert_ne!(body_a, body_c, "another seed gives other calls");
        }
        for h in [&a, &b, &c] {
            h.advance(37);
        }
    }
}

#[tokio::test]
async fn long_runs_stay_bounded() {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let mut max = 0;
    for _ in 0..50 {
        h.advance(3_600);
        let token = h.admin().await;
        max = max.max(records(&h.get_ok(&token, ACCOUNT_CALLS).await).len());
    }
    assert!(max < 60, "the list grew to {max} calls");
}
