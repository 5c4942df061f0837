//! Secrets never leak: a demo run at `CALLBOARD_LOG=trace` writes a log with no JWT, client secret or
//! token in it, writes nothing to the terminal while the board owns it, and `--help` shows where the log is
//! but none of the credentials in the environment; a push session that drops and recovers logs no access
//! token, wstoken or wsc token at trace level.
use crate::support::proxy::{ProxyOptions, Tinyproxy, run_binary};
use crate::support::pty::Pty;
use crate::support::push::Rig;
use crate::support::sim::demo_with_rate;
use crate::support::wait::poll;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use callboard::feed::PushHealth;
use callboard::sim::{SimOptions, Simulator};

/// Every file under `dir`, read as text.
fn read_all(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.push_str(&read_all(&path));
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[tokio::test]
async fn a_trace_level_demo_run_logs_no_secret_and_nothing_reaches_the_terminal() {
    // The demo's simulator has the same directory, hence the same credentials, as this one.
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let creds = sim.credentials().clone();
    // Every access and refresh token the simulator issues starts with this (base64 of a fixed prefix).
    let token_prefix = STANDARD.encode("SIM01P01PAS00|")[..16].to_owned();

    let mut pty = Pty::spawn_with_env(&["--demo"], &[("CALLBOARD_LOG", "trace")]);
    let long = Duration::from_secs(30);
    pty.wait_for("the demo board", long, |s| {
        s.contains("DEMO") && s.contains("live")
    });
    // The refresh's responses are logged at debug level: once one more is in the log, the refresh ran
    // while the board owned the terminal.
    let log_dir = pty.home().join("state/callboard/logs");
    let responses = || read_all(&log_dir).matches("RingCentral response").count();
    let before = responses();
    pty.send("R");
    let refreshed = poll(long, || (responses() > before).then_some(()));
    assert!(refreshed.is_some(), "the refresh was never logged");
    let screen = pty.screen();
    for level in ["TRACE", "DEBUG", " INFO ", " WARN "] {
        assert!(
            !screen.contains(level),
            "a log line reached the terminal ({level}):\n{screen}"
        );
    }
    pty.send("q");
    assert!(pty.wait_exit("q", Duration::from_secs(10)).success());

    let log = read_all(&log_dir);
    assert!(
        log.contains("TRACE") && log.len() > 2_000,
        "a trace log was written: {} bytes",
        log.len()
    );
    for (what, secret) in [
        ("admin JWT", creds.admin_jwt.as_str()),
        ("non-admin JWT", creds.non_admin_jwt.as_str()),
        ("client secret", creds.client_secret.as_str()),
        ("a token", token_prefix.as_str()),
    ] {
        assert!(!log.contains(secret), "the log holds the {what}");
    }
}

#[test]
fn help_names_the_log_directory_and_no_credential() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
        .arg("--help")
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("RC_APP_CLIENT_SECRET", "help-must-not-show-this-secret")
        .env("RC_USER_JWT", "eyJhelp.must-not.show-this-jwt")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let dir = home.path().join("state/callboard/logs");
    assert!(
        text.contains(&format!("Logs: daily files in {}", dir.display())),
        "{text}"
    );
    assert!(!text.contains("must-not-show"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_config_file_readable_by_others_is_reported_on_stderr() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/callboard");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    // A closed loopback port: the run fails fast, after reading the config.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    std::fs::write(
        &file,
        format!(
            "server_url = \"http://{closed}\"\nclient_id = \"id\"\n\
             client_secret = \"file-secret-value\"\njwt = \"file-jwt-value\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_callboard"))
        .current_dir(home.path())
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("readable by other users") && stderr.contains("chmod 600"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("file-secret-value") && !stderr.contains("file-jwt-value"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_password_reaches_no_output_error_or_trace_log() {
    const PASSWORD: &str = "pr0xy-pa55-secret";
    let Some(proxy) = Tinyproxy::start(ProxyOptions::basic_auth("alice", PASSWORD)) else {
        return;
    };
    let sim = Simulator::start(SimOptions::demo().tls()).await.unwrap();
    for (password, ok) in [(PASSWORD, true), ("wr0ng-pa55-secret", false)] {
        let home = tempfile::tempdir().unwrap();
        let env = [
            ("HTTPS_PROXY", proxy.url(Some(("alice", password)))),
            ("CALLBOARD_LOG", "trace".to_owned()),
        ];
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let basic = STANDARD.encode(format!("alice:{password}"));
        for args in [&["doctor"][..], &["once"]] {
            let out = run_binary(&sim, args, &env, home.path()).await;
            let shown = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.success(), ok, "{args:?}: {shown}");
            assert!(shown.contains("alice:***@") || ok, "{args:?}: {shown}");
            assert!(
                !shown.contains(password) && !shown.contains(&basic),
                "{args:?}: {shown}"
            );
        }
        let log = read_all(&home.path().join("state/callboard/logs"));
        assert!(log.contains("TRACE"), "a trace log was written");
        assert!(
            !log.contains(password) && !log.contains(&basic),
            "the log holds the proxy password"
        );
    }
}

#[tokio::test]
async fn a_trace_log_of_a_push_session_with_a_drop_and_a_recovery_holds_no_token() {
    use callboard::logging;
    use std::sync::{Arc, Mutex};

    // The app's own filter at trace level, written to memory; the test's runtime runs every task on
    // this thread, so the thread's subscriber sees the client, the poller and the simulator alike. The
    // `log` records of dependencies reach it as they reach the app's log (another test may have set this).
    let _ = tracing_log::LogTracer::init();
    let captured = Arc::new(Mutex::new(Vec::new()));
    let writer = Captured(Arc::clone(&captured));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(logging::filter(Some("trace")))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _log = tracing::subscriber::set_default(subscriber);

    let mut scenario = demo_with_rate(8.0);
    // Short-lived access tokens: the session refreshes one as well.
    scenario.auth.access_token_ttl_secs = 60;
    let mut rig = Rig::start(scenario, 10).await;
    let creds = rig.h.sim.credentials().clone();
    rig.live().await;
    rig.run_for(30, 10, |_| {}).await;
    rig.h.sim.push_faults().drop_sockets();
    rig.wait("the drop noticed", |s| {
        matches!(s.push, PushHealth::Reconnecting { .. })
    })
    .await;
    rig.run_for(60, 10, |_| {}).await;
    assert!(
        rig.requests("/ws?").iter().any(|r| r.path.contains("wsc=")),
        "the session was recovered"
    );
    assert!(
        rig.requests("/restapi/oauth/token").len() >= 2,
        "an access token was refreshed"
    );
    assert!(matches!(rig.look().push, PushHealth::Live { .. }), "live again");

    let log = String::from_utf8_lossy(&captured.lock().unwrap()).into_owned();
    for line in ["TRACE", "push subscribed", "push connection lost"] {
        assert!(log.contains(line), "the log has {line:?}: {} bytes", log.len());
    }
    let prefix = |p: &str| STANDARD.encode(p)[..16].to_owned();
    for (what, secret) in [
        ("admin JWT", creds.admin_jwt.clone()),
        ("client secret", creds.client_secret.clone()),
        ("an access or refresh token", prefix("SIM01P01PAS00|")),
        ("a wstoken", prefix("SIM01P01WST|")),
        ("a wsc token", prefix("SIM01P01WSC|")),
    ] {
        assert!(!log.contains(&secret), "the log holds {what}");
    }
}

/// A log writer into shared memory.
#[derive(Clone)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
