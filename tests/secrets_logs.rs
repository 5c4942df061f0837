//! Secrets never leak: a demo run at `CALLBOARD_LOG=trace` writes a log with no JWT, client secret or
//! token in it, writes nothing to the terminal while the board owns it, and `--help` shows where the log is
//! but none of the credentials in the environment.
use crate::support::pty::Pty;
use crate::support::wait::poll;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
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
