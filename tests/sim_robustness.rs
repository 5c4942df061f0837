//! Garbage in never panics the simulator or gets a non-JSON answer.
use crate::support::sim::*;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const PIECES: &[&str] = &[
    "page",
    "perPage",
    "view",
    "direction",
    "type",
    "transport",
    "=",
    "&",
    "max",
    "Detailed",
    "Simple",
    "0",
    "-1",
    "99999999999999999999",
    "%FF",
    "%00",
    "%",
    "Inbound",
    "VoIP",
    "Fax",
    "\u{e9}",
    "+",
    "?",
    "#",
    "~",
    "grant_type",
    "refresh_token",
    "assertion",
    "token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

fn garbage(rng: &mut SmallRng) -> String {
    (0..rng.random_range(0..12))
        .map(|_| PIECES[rng.random_range(0..PIECES.len())])
        .collect()
}

#[tokio::test]
async fn random_queries_paths_and_forms_get_json_answers() {
    let h = Harness::start(manual(demo_with_rate(6.0))).await;
    let token = h.admin().await;
    let mut rng = SmallRng::seed_from_u64(7);
    let base = h.sim.base_url();
    for _ in 0..300 {
        let path = match rng.random_range(0..4) {
            0 => format!("{ACCOUNT_CALLS}?{}", garbage(&mut rng)),
            1 => format!("{MY_CALLS}?{}", garbage(&mut rng)),
            2 => format!("/restapi/v1.0/account/~/extension?{}", garbage(&mut rng)),
            _ => format!(
                "/restapi/v1.0/account/{}/extension/{}",
                garbage(&mut rng),
                garbage(&mut rng)
            ),
        };
        let Ok(url) = reqwest::Url::parse(&format!("{base}{path}")) else {
            continue;
        };
        let answer = got(h.http.get(url).bearer_auth(&token).send().await.unwrap()).await;
        assert!(
            [200, 400, 404].contains(&answer.status.as_u16()),
            "{path}: {}",
            answer.status
        );
        let body = answer.json();
        assert!(
            answer.status == 200 || body["errors"][0]["errorCode"].is_string(),
            "{path}: {body}"
        );

        let (id, secret) = h.basic();
        let form = garbage(&mut rng);
        let resp = h
            .http
            .post(format!("{base}/restapi/oauth/token"))
            .basic_auth(id, Some(secret))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.clone())
            .send()
            .await
            .unwrap();
        let answer = got(resp).await;
        assert!(
            [200, 400].contains(&answer.status.as_u16()),
            "{form}: {}",
            answer.status
        );
        assert!(answer.json().is_object(), "{form}");
    }
}
