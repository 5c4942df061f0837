//! `sim --tls`: HTTPS with HTTP/2 or HTTP/1.1 as the client's ALPN offers, `wss://` push, and the real
//! binary (board, `once`, `doctor`) trusting the simulator's CA through `SSL_CERT_FILE` — or saying in
//! words why it does not without it.
use std::time::Duration;

use callboard::sim::{SimOptions, Simulator};

async fn tls_sim() -> Simulator {
    Simulator::start(SimOptions::demo().tls()).await.unwrap()
}

/// A client trusting only the simulator's CA, offering h2 and http/1.1 unless `http1_only`.
fn trusting_client(sim: &Simulator, http1_only: bool) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pem = std::fs::read(sim.ca_file().expect("a TLS simulator has a CA file")).unwrap();
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .timeout(Duration::from_secs(5));
    if http1_only {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn rest_speaks_h2_by_alpn_and_http1_to_a_client_offering_only_that() {
    let sim = tls_sim().await;
    assert!(
        sim.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        sim.base_url()
    );
    assert!(
        sim.gateway_url().starts_with("wss://127.0.0.1:"),
        "{}",
        sim.gateway_url()
    );
    let url = format!("{}/restapi/oauth/token", sim.base_url());
    for (http1_only, version) in [
        (false, reqwest::Version::HTTP_2),
        (true, reqwest::Version::HTTP_11),
    ] {
        let response = trusting_client(&sim, http1_only).post(&url).send().await.unwrap();
        assert_eq!(response.version(), version);
        assert_eq!(
            response.status(),
            400,
            "an empty grant is refused, over TLS as over plain HTTP"
        );
    }
    let localhost = sim.base_url().replace("127.0.0.1", "localhost");
    let response = trusting_client(&sim, false)
        .post(format!("{localhost}/restapi/oauth/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "the certificate names localhost too");
    let banner = sim.banner();
    let ca = sim.ca_file().unwrap().to_owned();
    assert!(
        banner.contains(&format!("export SSL_CERT_FILE={}", ca.display())),
        "{banner}"
    );
    sim.shutdown().await;
    assert!(!ca.exists(), "the CA file's directory goes with the simulator");
}
