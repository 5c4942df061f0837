//! DNS failures, injected through the client's resolver hook so no query leaves the machine: REST, the
//! WebSocket's connection and a proxy's name all fail with the network error a refused connection gives,
//! naming the host; `doctor`'s DNS line says so in words, or how long a lookup took.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use callboard::api::ClientConfig;
use callboard::api::dns::Resolver;
use callboard::api::error::ApiError;
use callboard::api::tunnel;
use callboard::doctor;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use crate::support::client::SimClient;

/// A resolver that answers every name with `answer` (none: a failure) and remembers what it was asked.
#[derive(Default)]
struct Fake {
    answer: Option<SocketAddr>,
    asked: Mutex<Vec<String>>,
}

impl Resolve for Fake {
    fn resolve(&self, name: Name) -> Resolving {
        self.asked.lock().unwrap().push(name.as_str().to_owned());
        let answer = self.answer;
        Box::pin(async move {
            match answer {
                Some(addr) => Ok(Box::new(std::iter::once(addr)) as Addrs),
                None => Err("no such host (injected)".into()),
            }
        })
    }
}

fn failing() -> (Arc<Fake>, Resolver) {
    let fake = Arc::new(Fake::default());
    (fake.clone(), Resolver::hook(fake))
}

fn client(base: &str, resolver: Resolver) -> SimClient {
    SimClient::at(base, "id", "secret", "eyJ.jwt.sig")
        .short_timeouts()
        .resolver(resolver)
}

#[tokio::test]
async fn a_dns_failure_is_the_refused_connection_error_naming_the_host() {
    let (fake, resolver) = failing();
    let e = client("https://platform.ringcentral.example", resolver)
        .build()
        .server_time()
        .await
        .unwrap_err();
    assert!(matches!(&e, ApiError::Network(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with("could not reach RingCentral (")
            && text.contains("cannot resolve platform.ringcentral.example: no such host (injected)")
            && text.ends_with("check the network connection and RC_SERVER_URL"),
        "{text}"
    );
    assert_eq!(*fake.asked.lock().unwrap(), ["platform.ringcentral.example"]);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let refused = client(&format!("http://127.0.0.1:{port}"), Resolver::system())
        .build()
        .server_time()
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ApiError::Network(_)),
        "the same kind as a refused connection: {refused:?}"
    );
}

#[tokio::test]
async fn the_websocket_and_a_proxy_resolve_through_the_same_hook() {
    let (fake, resolver) = failing();
    let config = client("https://platform.ringcentral.example", resolver.clone());
    let gateway: Url = "wss://ws-api.ringcentral.example/ws".parse().unwrap();
    let e = tunnel::connect(&config.config().network(), &gateway)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::Network(m) if m.contains("cannot resolve ws-api.ringcentral.example")),
        "{e:?}"
    );

    let proxied = client("https://platform.ringcentral.example", resolver)
        .proxy(&[("HTTPS_PROXY", "http://bob:hunter2@proxy.corp.example:3128")]);
    let e = proxied.build().server_time().await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(&e, ApiError::Proxy(_)), "{e:?}");
    assert!(
        text.contains("cannot reach the proxy http://bob:***@proxy.corp.example:3128")
            && text.contains("cannot resolve proxy.corp.example"),
        "{text}"
    );
    let e = tunnel::connect(&proxied.config().network(), &gateway)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot resolve proxy.corp.example"), "{e}");
    assert!(!format!("{e} {text}").contains("hunter2"));
    let asked = fake.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        [
            "ws-api.ringcentral.example",
            "proxy.corp.example",
            "proxy.corp.example"
        ],
        "every lookup went to the hook, and only the proxy's name is looked up when there is one"
    );
}

#[tokio::test]
async fn doctor_says_how_long_a_lookup_took_or_why_it_failed() {
    let config = |resolver| {
        client("https://platform.ringcentral.example", resolver)
            .config()
            .clone()
    };
    let (_, resolver) = failing();
    let failed: ClientConfig = config(resolver);
    let check = doctor::dns(&failed).await;
    let failure = check.outcome.unwrap_err();
    assert!(
        failure
            .message
            .contains("cannot resolve platform.ringcentral.example")
            && failure.message.contains("RC_SERVER_URL"),
        "{}",
        failure.message
    );
    assert!(matches!(failure.error, Some(ApiError::Network(_))));

    let answering = Resolver::hook(Arc::new(Fake {
        answer: Some(SocketAddr::from(([192, 0, 2, 7], 0))),
        ..Fake::default()
    }));
    let line = doctor::dns(&config(answering)).await.line();
    assert!(
        line.starts_with("ok      dns")
            && line.contains("platform.ringcentral.example resolved in")
            && line.contains("first 192.0.2.7"),
        "{line}"
    );
}
