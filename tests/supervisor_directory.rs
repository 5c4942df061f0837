//! The account directory against the simulator: every page fetched in the Medium group (never Heavy),
//! cached on disk with a TTL, and searched by name or number for the extension picker.
use crate::support::client::SimClient;

use callboard::api::rate_limit::{HEAVY, MEDIUM};
use callboard::directory::{self, Directory, DirectoryCache, DirectoryEntry, TTL};
use callboard::sim::{RateGroup, SimOptions, Simulator};
use jiff::{SignedDuration, Timestamp};

fn directory_requests(sim: &Simulator) -> Vec<callboard::sim::LoggedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| {
            let path = r.path.split('?').next().unwrap_or_default();
            path.starts_with("/restapi/v1.0/account/") && path.ends_with("/extension")
        })
        .collect()
}

#[tokio::test]
async fn every_page_is_fetched_in_the_medium_group_then_served_from_the_cache() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let rc = SimClient::new(&sim, true).per_page(3).build();
    let tmp = tempfile::tempdir().unwrap();
    let cache = DirectoryCache::at(tmp.path().join("dir/directory.json"));
    let heavy_before = rc.rate_headroom(HEAVY);

    let dir = directory::load(&rc, Some(&cache), Timestamp::now())
        .await
        .unwrap();
    let n = dir.entries().len();
    assert!(n > 3, "the demo account has more extensions than one page: {n}");
    let requests = directory_requests(&sim);
    assert_eq!(requests.len(), n.div_ceil(3), "one request per page");
    assert!(
        requests
            .iter()
            .all(|r| r.group == Some(RateGroup::Medium) && r.status == Some(200))
    );
    assert_eq!(
        rc.rate_headroom(HEAVY),
        heavy_before,
        "the Heavy budget is untouched"
    );
    assert!(rc.rate_headroom(MEDIUM).is_some());
    let mut ids: Vec<&str> = dir.entries().iter().map(|e| e.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), n, "no page twice");
    assert!(
        dir.entries()
            .iter()
            .all(|e| e.number.is_some() && e.name.is_some())
    );

    // Fresh: served from disk, no request.
    let again = directory::load(&rc, Some(&cache), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(again, dir);
    assert_eq!(directory_requests(&sim).len(), n.div_ceil(3));

    // Stale after the TTL: fetched again.
    let later = Timestamp::now() + TTL + SignedDuration::from_secs(1);
    directory::load(&rc, Some(&cache), later).await.unwrap();
    assert_eq!(directory_requests(&sim).len(), 2 * n.div_ceil(3));

    // A corrupt cache is ignored and replaced.
    std::fs::write(cache.path(), b"{not json").unwrap();
    directory::load(&rc, Some(&cache), Timestamp::now())
        .await
        .unwrap();
    assert!(cache.load().is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_background_task_publishes_the_directory() {
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let mut task = directory::spawn(SimClient::new(&sim, true).per_page(100).build(), None);
    let dir = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if let Some(d) = task.directory.borrow_and_update().clone() {
                return d;
            }
            task.directory.changed().await.unwrap();
        }
    })
    .await
    .unwrap();
    assert!(!dir.entries().is_empty());
    assert_eq!(directory_requests(&sim).len(), 1);
    task.task.abort();
    sim.shutdown().await;
}

fn entry(id: &str, number: &str, name: &str) -> DirectoryEntry {
    DirectoryEntry {
        id: id.into(),
        number: Some(number.into()),
        name: Some(name.into()),
        kind: Some("User".into()),
    }
}

#[test]
fn picker_search_matches_names_and_numbers() {
    let dir = Directory::new(
        None,
        vec![
            entry("1", "1101", "Ana Gómez"),
            entry("2", "101", "Kenji Sato"),
            entry("3", "200", "Support Queue"),
        ],
    );
    let ids = |q: &str| dir.search(q).iter().map(|e| e.id.as_str()).collect::<Vec<_>>();
    assert_eq!(ids(""), ["1", "2", "3"]);
    assert_eq!(ids("101"), ["2", "1"], "the exact number first");
    assert_eq!(ids("ana"), ["1"]);
    assert_eq!(ids("GÓMEZ"), ["1"]);
    assert_eq!(ids("sato 101"), ["2"]);
    assert!(ids("nobody").is_empty());
    assert_eq!(dir.by_number("200").map(|e| e.id.as_str()), Some("3"));
    assert_eq!(directory::label(&dir.entries()[1]), "101 Kenji Sato");
}
