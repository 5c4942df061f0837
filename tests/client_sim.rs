//! The RingCentral client against the in-process simulator on loopback: auth and the token cache,
//! both scopes and pagination, rate limits, server errors, timeouts and malformed bodies.
use crate::support::client::{SimClient, client};

use std::sync::Arc;
use std::time::Duration;

use callboard::api::client::Logout;
use callboard::api::rate_limit::{AUTH, HEAVY, LIGHT};
use callboard::api::{ApiError, Fetch, Scope};
use callboard::clock::Clock;
use callboard::sim::{Fault, LoggedRequest, RateLimits, SimOptions, Simulator};

const TOKEN_PATH: &str = "/restapi/oauth/token";

async fn start(opts: SimOptions) -> Simulator {
    Simulator::start(opts).await.expect("simulator starts")
}

/// A clock that moves only when the test advances it, for the simulator and the client alike.
fn manual_clock() -> Clock {
    Clock::manual("2026-01-05T10:00:00Z".parse().unwrap())
}

/// A simulator whose access tokens live 2 s, on a manual clock shared with its clients.
async fn short_lived_tokens() -> (Clock, Simulator) {
    let clock = manual_clock();
    let sim = start(
        SimOptions::demo()
            .access_token_ttl(Duration::from_secs(2))
            .clock(clock.clone()),
    )
    .await;
    (clock, sim)
}

/// Requests whose path starts with `prefix`.
fn requests_to(sim: &Simulator, prefix: &str) -> Vec<LoggedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.path.starts_with(prefix))
        .collect()
}

fn statuses(requests: &[LoggedRequest]) -> Vec<Option<u16>> {
    requests.iter().map(|r| r.status).collect()
}

fn active_calls_requests(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.contains("/active-calls"))
        .count()
}

#[tokio::test]
async fn jwt_login_then_who_am_i() {
    let sim = start(SimOptions::demo()).await;
    let rc = client(&sim, true);
    let me = rc.current_extension().await.unwrap();
    assert_eq!(me.id, sim.credentials().admin_extension_id);
    assert_eq!(
        me.extension_number.as_deref(),
        Some(sim.credentials().admin_extension_number.as_str())
    );
    assert!(me.admin);
    // The account the header shows, from the extension record's `account.id`.
    assert_eq!(me.account_id.as_deref(), Some("400131016"));
    assert!(!client(&sim, false).current_extension().await.unwrap().admin);
    assert_eq!(statuses(&requests_to(&sim, TOKEN_PATH)), [Some(200), Some(200)]);
    let light = rc.latest_rate_headers(LIGHT).expect("rate headers seen");
    assert!(light.limit.is_some() && light.remaining.is_some());
}

#[tokio::test]
async fn a_cached_token_is_reused_by_the_next_instance() {
    let sim = start(SimOptions::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    SimClient::new(&sim, true)
        .token_cache(Some(dir.path()))
        .build()
        .active_calls(&Scope::Account)
        .await
        .unwrap();
    let second = SimClient::new(&sim, true).token_cache(Some(dir.path())).build();
    second.active_calls(&Scope::Account).await.unwrap();
    second.current_extension().await.unwrap();
    assert_eq!(
        requests_to(&sim, TOKEN_PATH).len(),
        1,
        "one login for both instances"
    );

    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!files[0].to_string_lossy().contains(&sim.credentials().admin_jwt));
    assert!(!text.contains(&sim.credentials().admin_jwt) && !text.contains(&sim.credentials().client_secret));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn the_token_is_refreshed_before_it_expires() {
    let (clock, sim) = short_lived_tokens().await;
    let rc = client(&sim, true);
    rc.active_calls(&Scope::own_extension()).await.unwrap();
    clock.advance(Duration::from_millis(1200));
    rc.active_calls(&Scope::own_extension()).await.unwrap();
    assert_eq!(
        statuses(&requests_to(&sim, TOKEN_PATH)),
        [Some(200), Some(200)],
        "login, then refresh"
    );
    assert!(
        sim.requests().iter().all(|r| r.status != Some(401)),
        "never used an expired token"
    );
}

#[tokio::test]
async fn a_rejected_refresh_token_falls_back_to_the_jwt() {
    let (clock, sim) = short_lived_tokens().await;
    sim.faults().set_reject_refresh(true);
    let rc = client(&sim, true);
    rc.active_calls(&Scope::Account).await.unwrap();
    clock.advance(Duration::from_millis(1200));
    rc.active_calls(&Scope::Account).await.unwrap();
    assert_eq!(
        statuses(&requests_to(&sim, TOKEN_PATH)),
        [Some(200), Some(400), Some(200)],
        "login, rejected refresh, login with the JWT"
    );
}

#[tokio::test]
async fn a_401_renews_the_token_and_retries_once() {
    let sim = start(SimOptions::demo()).await;
    let rc = client(&sim, true);
    rc.current_extension().await.unwrap();
    sim.faults().fail_next(1, Fault::Unauthorized);
    rc.active_calls(&Scope::Account).await.unwrap();
    let calls = requests_to(&sim, "/restapi/v1.0/account/~/active-calls");
    assert_eq!(statuses(&calls), [Some(401), Some(200)]);
    assert_eq!(requests_to(&sim, TOKEN_PATH).len(), 2);

    sim.faults().fail_next(2, Fault::Unauthorized);
    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert!(
        matches!(&e, ApiError::Unauthorized { code, .. } if code == "OAU-213"),
        "{e:?}"
    );
}

#[tokio::test]
async fn both_scopes_for_an_admin_and_extension_scope_for_a_user() {
    let sim = start(SimOptions::contact_centre().clock(manual_clock())).await;
    let admin = client(&sim, true);
    let account = admin.active_calls(&Scope::Account).await.unwrap();
    let own = admin.active_calls(&Scope::own_extension()).await.unwrap();
    assert!(!account.records.is_empty());
    assert!(account.records.len() >= own.records.len());
    assert!(
        account
            .rate
            .as_ref()
            .is_some_and(|r| r.group.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(HEAVY)))
    );
    assert!(account.pages.is_empty(), "a one-off fetch keeps no page bodies");
    let mut recording = Fetch {
        keep_pages: true,
        ..Fetch::default()
    };
    let kept = admin
        .poll_active_calls(&Scope::Account, &mut recording)
        .await
        .unwrap();
    assert_eq!(kept.pages.len() as u32, kept.page_count);
    let page = &kept.pages[0];
    assert!(
        page.url.contains("view=Detailed") && page.url.contains("perPage=1000"),
        "{}",
        page.url
    );
    assert!(!page.body.is_empty());

    let user = client(&sim, false);
    user.active_calls(&Scope::own_extension()).await.unwrap();
    let e = user.active_calls(&Scope::Account).await.unwrap_err();
    match &e {
        ApiError::Permission { permission, .. } => {
            assert_eq!(permission.as_deref(), Some("ReadCompanyCallLog"))
        }
        other => panic!("expected a permission error, got {other:?}"),
    }
    assert!(e.to_string().contains("ReadCompanyCallLog"), "{e}");
}

#[tokio::test]
async fn pagination_follows_next_page_links_to_the_end() {
    let sim = start(SimOptions::contact_centre().clock(manual_clock())).await;
    let all = client(&sim, true).active_calls(&Scope::Account).await.unwrap();
    let total = all.records.len();
    assert!(total >= 3, "the scenario has calls ({total})");
    let paged = SimClient::new(&sim, true)
        .per_page(u32::try_from(total.div_ceil(3)).unwrap())
        .build()
        .active_calls(&Scope::Account)
        .await
        .unwrap();
    assert_eq!(paged.page_count, 3);
    let ids =
        |calls: &callboard::api::ActiveCalls| calls.records.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&paged), ids(&all));
}

#[tokio::test]
async fn a_poller_fetch_reuses_unchanged_records_and_keeps_pages_only_when_asked() {
    let clock = manual_clock();
    let limits = RateLimits {
        heavy: 1000,
        ..RateLimits::default()
    };
    let sim = start(SimOptions::demo().clock(clock.clone()).rate_limits(limits)).await;
    let rc = SimClient::new(&sim, true).per_page(5).build();
    let mut fetch = Fetch::default();
    let first = rc.poll_active_calls(&Scope::Account, &mut fetch).await.unwrap();
    assert!(first.page_count > 1 && first.pages.is_empty());
    assert_eq!(fetch.cache.len(), first.records.len());

    // Nothing changed on the server: every record is the very allocation parsed the first time.
    let again = rc.poll_active_calls(&Scope::Account, &mut fetch).await.unwrap();
    assert_eq!(again.records.len(), first.records.len());
    assert!(
        again
            .records
            .iter()
            .zip(&first.records)
            .all(|(a, b)| Arc::ptr_eq(a, b))
    );

    // Later, calls have moved on: the changed ones are new records, equal to a fresh parse.
    clock.advance(std::time::Duration::from_secs(30));
    fetch.keep_pages = true;
    let later = rc.poll_active_calls(&Scope::Account, &mut fetch).await.unwrap();
    let fresh = rc.active_calls(&Scope::Account).await.unwrap();
    assert_eq!(later.records, fresh.records);
    assert!(
        later
            .records
            .iter()
            .any(|r| !first.records.iter().any(|f| Arc::ptr_eq(r, f)))
    );
    assert_eq!(later.pages.len() as u32, later.page_count);
    assert!(later.pages.iter().all(|p| !p.url.contains("access_token")));
}

#[tokio::test]
async fn a_429_stops_all_heavy_requests_until_retry_after() {
    let limits = RateLimits {
        penalty_secs: 2,
        ..RateLimits::default()
    };
    let clock = manual_clock();
    let sim = start(SimOptions::demo().clock(clock.clone()).rate_limits(limits)).await;
    let rc = client(&sim, true);
    sim.faults().fail_next(1, Fault::RateLimited);
    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert_eq!(
        e,
        ApiError::RateLimited {
            group: HEAVY.into(),
            retry_after: Duration::from_secs(2),
            sent: true
        }
    );
    let sent = active_calls_requests(&sim);

    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert!(matches!(e, ApiError::RateLimited { sent: false, .. }), "{e:?}");
    assert!(rc.wait_before(HEAVY) > Duration::ZERO);
    assert!(rc.rate_headroom(HEAVY).unwrap().penalty_remaining.is_some());
    assert!(rc.wait_before(LIGHT).is_zero(), "other groups go on");
    rc.current_extension().await.unwrap();
    assert_eq!(
        active_calls_requests(&sim),
        sent,
        "nothing sent during the penalty"
    );

    // The penalty lasts exactly Retry-After on the shared clock: a moment before its end heavy requests
    // are still refused without being sent, at its end they go out again.
    assert_eq!(rc.wait_before(HEAVY), Duration::from_secs(2));
    clock.advance(rc.wait_before(HEAVY) - Duration::from_millis(1));
    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert!(matches!(e, ApiError::RateLimited { sent: false, .. }), "{e:?}");
    assert_eq!(active_calls_requests(&sim), sent);
    clock.advance(rc.wait_before(HEAVY));
    rc.active_calls(&Scope::Account).await.unwrap();
    assert_eq!(active_calls_requests(&sim), sent + 1);
}

#[tokio::test]
async fn the_advertised_budget_is_never_exceeded() {
    let limits = RateLimits {
        heavy: 3,
        ..RateLimits::default()
    };
    let sim = start(SimOptions::demo().rate_limits(limits)).await;
    let rc = client(&sim, true);
    for _ in 0..3 {
        rc.active_calls(&Scope::Account).await.unwrap();
    }
    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert!(matches!(e, ApiError::RateLimited { sent: false, .. }), "{e:?}");
    assert_eq!(rc.rate_headroom(HEAVY).unwrap().limit, 3);
    assert_eq!(active_calls_requests(&sim), 3);
    assert!(sim.requests().iter().all(|r| r.status != Some(429)));
    assert!(rc.rate_headroom(AUTH).is_some());
}

#[tokio::test]
async fn server_errors_carry_retry_after_when_given() {
    let sim = start(SimOptions::demo()).await;
    let rc = client(&sim, true);
    sim.faults().fail_next(
        1,
        Fault::ServerError {
            status: 503,
            retry_after: Some(7),
        },
    );
    sim.faults().fail_next(
        1,
        Fault::ServerError {
            status: 500,
            retry_after: None,
        },
    );
    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert!(
        matches!(e, ApiError::Server { status: 503, retry_after: Some(d), .. } if d == Duration::from_secs(7)),
        "{e:?}"
    );
    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Server {
                status: 500,
                retry_after: None,
                ..
            }
        ),
        "{e:?}"
    );
    rc.active_calls(&Scope::Account).await.unwrap();
}

#[tokio::test]
async fn hung_and_slow_responses_time_out() {
    let sim = start(SimOptions::demo()).await;
    let rc = SimClient::new(&sim, true)
        .total_timeout(Duration::from_millis(400))
        .build();
    rc.current_extension().await.unwrap();
    sim.faults().fail_next(1, Fault::Hang);
    sim.faults().fail_next(1, Fault::Slow { delay_ms: 2000 });
    let started = std::time::Instant::now();
    assert_eq!(
        rc.active_calls(&Scope::Account).await.unwrap_err(),
        ApiError::Timeout
    );
    assert_eq!(
        rc.active_calls(&Scope::Account).await.unwrap_err(),
        ApiError::Timeout
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    rc.active_calls(&Scope::Account).await.unwrap();
}

#[tokio::test]
async fn broken_bodies_and_connections_are_errors_not_panics() {
    let sim = start(SimOptions::demo()).await;
    let rc = client(&sim, true);
    for fault in [Fault::Malformed, Fault::Truncated] {
        sim.faults().fail_next(1, fault.clone());
        let e = rc.active_calls(&Scope::Account).await.unwrap_err();
        assert!(matches!(e, ApiError::Malformed(_)), "{fault:?}: {e:?}");
        sim.faults().fail_next(1, fault.clone());
        let e = rc.current_extension().await.unwrap_err();
        assert!(matches!(e, ApiError::Malformed(_)), "{fault:?}: {e:?}");
    }
    sim.faults().fail_next(1, Fault::Drop);
    let e = rc.active_calls(&Scope::Account).await.unwrap_err();
    assert!(matches!(e, ApiError::Network(_)), "{e:?}");
    rc.active_calls(&Scope::Account).await.unwrap();
}

#[tokio::test]
async fn a_revoke_the_server_does_not_confirm_still_forgets_the_token_and_says_so() {
    let sim = start(SimOptions::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let rc = SimClient::new(&sim, true).token_cache(Some(dir.path())).build();
    rc.current_extension().await.unwrap();
    // The server is gone: the revoke cannot be confirmed.
    sim.shutdown().await;
    assert_eq!(rc.logout().await.unwrap(), Logout::Forgotten);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn logout_revokes_the_session_and_deletes_the_cache() {
    let sim = start(SimOptions::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let rc = SimClient::new(&sim, true).token_cache(Some(dir.path())).build();
    rc.current_extension().await.unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(rc.logout().await.unwrap(), Logout::Revoked);
    assert_eq!(statuses(&requests_to(&sim, "/restapi/oauth/revoke")), [Some(200)]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Logging out again (nothing cached) is fine and says there was nothing to do; the next call logs in
    // afresh.
    assert_eq!(rc.logout().await.unwrap(), Logout::NoSession);
    assert_eq!(
        requests_to(&sim, "/restapi/oauth/revoke").len(),
        1,
        "no revoke without a session"
    );
    SimClient::new(&sim, true)
        .token_cache(Some(dir.path()))
        .build()
        .current_extension()
        .await
        .unwrap();
    assert_eq!(requests_to(&sim, TOKEN_PATH).len(), 2);
}

#[tokio::test]
async fn bad_credentials_name_the_setting_to_fix() {
    let sim = start(SimOptions::demo()).await;
    let e = SimClient::new(&sim, true)
        .jwt("eyJub3QiOiJ2YWxpZCJ9.bm90LXZhbGlk.c2lnbmF0dXJl")
        .build()
        .current_extension()
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::Unauthorized { .. }) && e.to_string().contains("RC_USER_JWT"),
        "{e}"
    );
    assert!(!e.to_string().contains("bm90LXZhbGlk"));

    let e = SimClient::new(&sim, true)
        .client_secret("wrong-secret-value")
        .build()
        .current_extension()
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("RC_APP_CLIENT_SECRET") && !e.to_string().contains("wrong-secret-value"),
        "{e}"
    );
}

#[tokio::test]
async fn odd_extension_ids_are_refused_before_sending() {
    let sim = start(SimOptions::demo()).await;
    let rc = client(&sim, true);
    for id in ["", "../oauth/token", "101?x=1"] {
        let e = rc.active_calls(&Scope::Extension(id.into())).await.unwrap_err();
        assert!(matches!(e, ApiError::Config(_)), "{id}: {e:?}");
    }
    assert!(sim.requests().is_empty());
    let e = rc
        .active_calls(&Scope::Extension("999999999".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::NotFound | ApiError::Permission { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn concurrent_requests_share_one_login_and_one_refresh() {
    let (clock, sim) = short_lived_tokens().await;
    let rc = client(&sim, true);
    for expected_token_requests in [1, 2] {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let rc = rc.clone();
                tokio::spawn(async move { rc.current_extension().await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(requests_to(&sim, TOKEN_PATH).len(), expected_token_requests);
        clock.advance(Duration::from_millis(1200));
    }
}

#[test]
fn logs_never_contain_credentials_or_tokens() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let dir = tempfile::tempdir().unwrap();
    // While a single dispatcher is registered, tracing caches each log site's interest from whichever
    // thread first reaches it: another test reaching the client's logging first (with no subscriber)
    // would silence it here. A second registered dispatcher makes tracing ask every dispatcher instead.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let (creds, cached) = tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (clock, sim) = short_lived_tokens().await;
            let rc = SimClient::new(&sim, true).token_cache(Some(dir.path())).build();
            rc.active_calls(&Scope::Account).await.unwrap();
            let cached: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect();
            clock.advance(Duration::from_millis(1200));
            sim.faults().fail_next(1, Fault::Unauthorized);
            rc.active_calls(&Scope::Account).await.unwrap();
            let _ = client(&sim, false).active_calls(&Scope::Account).await;
            rc.logout().await.unwrap();
            (sim.credentials().clone(), cached)
        })
    });
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("RingCentral response"), "debug logs were captured");
    let token: serde_json::Value = serde_json::from_str(&cached[0]).unwrap();
    for secret in [
        creds.admin_jwt.as_str(),
        creds.non_admin_jwt.as_str(),
        creds.client_secret.as_str(),
        token["access_token"].as_str().unwrap(),
        token["refresh_token"].as_str().unwrap(),
    ] {
        assert!(!logs.contains(secret), "a secret leaked into the logs");
    }
}
