//! Paging and query parameters of the list endpoints.
use crate::support::sim::*;

use std::collections::BTreeSet;

use callboard::sim::Scenario;
use serde_json::Value;

#[tokio::test]
async fn following_next_page_yields_every_call_exactly_once() {
    let h = Harness::start(manual(demo_with_rate(8.0))).await;
    let token = h.admin().await;
    let everything = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?view=Detailed")).await;
    let all: Vec<Value> = everything["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert!(all.len() >= 6, "scenario too quiet: {}", all.len());

    let mut url = format!("{ACCOUNT_CALLS}?view=Detailed&direction=Inbound&direction=Outbound&perPage=2");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let body = h.get_ok(&token, &url).await;
        pages += 1;
        let paging = &body["paging"];
        assert_eq!(paging["page"], pages);
        assert_eq!(paging["perPage"], 2);
        assert_eq!(paging["pageStart"], (pages - 1) * 2);
        let n = body["records"].as_array().unwrap().len();
        assert_eq!(paging["pageEnd"], (pages - 1) * 2 + n - 1);
        assert!(body["uri"].as_str().unwrap().contains(&format!("page={pages}&")));
        let nav = &body["navigation"];
        assert!(
            nav["firstPage"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("page=1&perPage=2")
        );
        assert_eq!(nav.get("previousPage").is_some(), pages > 1);
        seen.extend(body["records"].as_array().unwrap().iter().map(|r| {
            assert!(r.get("legs").is_some(), "view kept across pages");
            r["id"].clone()
        }));
        match nav.get("nextPage") {
            Some(next) => {
                let next = next["uri"].as_str().unwrap();
                assert!(next.starts_with(&h.sim.base_url()), "absolute: {next}");
                assert!(next.contains("direction=Inbound&direction=Outbound"), "{next}");
                url = next.to_owned();
            }
            None => {
                assert!(
                    nav["lastPage"]["uri"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("page={pages}&"))
                );
                break;
            }
        }
    }
    assert!(pages >= 3);
    assert_eq!(seen, all, "every call once, in order");
    assert_eq!(
        seen.iter().map(|v| v.to_string()).collect::<BTreeSet<_>>().len(),
        seen.len()
    );
}

#[tokio::test]
async fn empty_pages_and_per_page_limits() {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let token = h.admin().await;
    let beyond = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?page=999")).await;
    assert_eq!(beyond["records"].as_array().unwrap().len(), 0);
    assert!(beyond["paging"].get("pageStart").is_none() && beyond["paging"].get("pageEnd").is_none());
    assert!(beyond["navigation"].get("nextPage").is_none());
    assert!(beyond["navigation"]["previousPage"].is_object());
    let capped = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?perPage=5000")).await;
    assert_eq!(capped["paging"]["perPage"], 1000);
    let max = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?perPage=max")).await;
    assert_eq!(max["paging"]["perPage"], 1000);
    let default = h.get_ok(&token, ACCOUNT_CALLS).await;
    assert_eq!(default["paging"]["perPage"], 100);
    assert!(
        default["uri"]
            .as_str()
            .unwrap()
            .ends_with("active-calls?view=Simple&page=1&perPage=100")
    );
}

#[tokio::test]
async fn filters_apply() {
    let h = Harness::start(manual(demo_with_rate(10.0))).await;
    let token = h.admin().await;
    let count = |body: &Value| body["records"].as_array().unwrap().len();
    let all = h.get_ok(&token, ACCOUNT_CALLS).await;
    let inbound = h
        .get_ok(&token, &format!("{ACCOUNT_CALLS}?direction=Inbound"))
        .await;
    let outbound = h
        .get_ok(&token, &format!("{ACCOUNT_CALLS}?direction=Outbound"))
        .await;
    assert!(count(&inbound) > 0 && count(&outbound) > 0);
    assert_eq!(count(&inbound) + count(&outbound), count(&all));
    assert!(
        inbound["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["direction"] == "Inbound")
    );
    let fax = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?type=Fax")).await;
    assert_eq!(count(&fax), 0);
    let voice = h
        .get_ok(&token, &format!("{ACCOUNT_CALLS}?type=Voice&type=Fax"))
        .await;
    assert_eq!(count(&voice), count(&all));
    let pstn = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?transport=PSTN")).await;
    let voip = h.get_ok(&token, &format!("{ACCOUNT_CALLS}?transport=VoIP")).await;
    assert_eq!(count(&pstn) + count(&voip), count(&all));
}

#[tokio::test]
async fn bad_parameters_get_cmn_101() {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let token = h.admin().await;
    for (query, name) in [
        ("perPage=0", "perPage"),
        ("perPage=abc", "perPage"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("view=Fancy", "view"),
        ("direction=Sideways", "direction"),
        ("transport=Pigeon", "transport"),
        ("page=%FF%FE", "page"),
    ] {
        let got = h.get(&token, &format!("{ACCOUNT_CALLS}?{query}")).await;
        assert_eq!(got.status, 400, "{query}");
        let body = got.json();
        assert_eq!(body["errorCode"], "CMN-101");
        assert_eq!(
            body["errors"][0]["message"],
            format!("Parameter [{name}] value is invalid.")
        );
        assert_eq!(body["errors"][0]["parameterName"], name);
        assert!(got.header("X-Rate-Limit-Group").is_some());
    }
    let dir = h
        .get(&token, "/restapi/v1.0/account/~/extension?perPage=-5")
        .await;
    assert_eq!(dir.status, 400);
}

#[tokio::test]
async fn directory_pages_cover_every_extension() {
    let h = Harness::start(manual(Scenario::demo()).rate_limits(relaxed())).await;
    let token = h.non_admin().await;
    let mut url = "/restapi/v1.0/account/~/extension?perPage=10".to_owned();
    let mut ids = Vec::new();
    loop {
        let got = h.get(&token, &url).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("X-Rate-Limit-Group"), Some("Medium"));
        let body = got.json();
        ids.extend(
            body["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_u64().unwrap()),
        );
        match body["navigation"].get("nextPage") {
            Some(next) => url = next["uri"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(ids.len(), 39);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 39);
}
