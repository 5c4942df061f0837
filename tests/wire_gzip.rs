//! Compression on the wire: the simulator gzips a response when the request asks for it, as RingCentral
//! does, and callboard's client asks and reads the compressed listing.
use crate::support::client::client;
use crate::support::sim::*;

use std::io::Read;
use std::time::Duration;

use callboard::api::Scope;
use flate2::read::GzDecoder;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use serde_json::Value;

/// A simulator with a few minutes of calls behind it, so a listing has records to compress.
async fn busy() -> Harness {
    let h = Harness::start(manual(demo_with_rate(60.0))).await;
    h.advance(180);
    h
}

/// The account's active calls as sent, with `accept` as `Accept-Encoding`: the `Content-Encoding` and the
/// body undecoded.
async fn raw_listing(h: &Harness, token: &str, accept: &str) -> (Option<String>, Vec<u8>) {
    let http = reqwest::Client::builder()
        .no_gzip()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let resp = http
        .get(format!(
            "{}{ACCOUNT_CALLS}?view=Detailed&perPage=1000",
            h.sim.base_url()
        ))
        .bearer_auth(token)
        .header(ACCEPT_ENCODING, accept)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let encoding = resp
        .headers()
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap().to_owned());
    (encoding, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn sim_gzips_a_listing_only_when_asked() {
    let h = busy().await;
    let token = h.admin().await;
    let (plain_encoding, plain) = raw_listing(&h, &token, "identity").await;
    assert_eq!(plain_encoding, None);
    let (encoding, gzipped) = raw_listing(&h, &token, "gzip").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    let mut decoded = Vec::new();
    GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut decoded)
        .expect("the body is gzip");
    let listing: Value = serde_json::from_slice(&decoded).unwrap();
    assert!(!listing["records"].as_array().unwrap().is_empty());
    assert_eq!(decoded, plain, "the same listing, compressed");
    assert!(
        gzipped.len() * 4 < plain.len(),
        "{} bytes gzipped, {} plain",
        gzipped.len(),
        plain.len()
    );
}

#[tokio::test]
async fn client_asks_for_gzip_and_reads_the_compressed_listing() {
    let h = busy().await;
    let token = h.admin().await;
    let (_, plain) = raw_listing(&h, &token, "identity").await;
    let listed: Value = serde_json::from_slice(&plain).unwrap();
    let before = h.sim.requests().len();
    let rc = client(&h.sim, true);
    let calls = rc.active_calls(&Scope::Account).await.unwrap();
    assert_eq!(calls.records.len(), listed["records"].as_array().unwrap().len());
    assert!(calls.skipped.is_empty());
    let asked: Vec<_> = h
        .sim
        .requests()
        .into_iter()
        .skip(before)
        .filter(|r| r.path.contains("/active-calls"))
        .map(|r| r.accept_encoding)
        .collect();
    assert!(!asked.is_empty());
    for accept in asked {
        assert!(
            accept.as_deref().is_some_and(|a| a.contains("gzip")),
            "the client's Accept-Encoding: {accept:?}"
        );
    }
}
