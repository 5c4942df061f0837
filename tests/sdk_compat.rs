//! RingCentral's official SDKs work against the simulator unchanged: the Python SDK's REST calls (login
//! with a JWT, active calls in both scopes, refresh, logout) and WebSocket client, and the JavaScript
//! `@rc-ex/ws` extension (subscribe, receive, auto-recover). `.ci/run` installs them and points
//! `CALLBOARD_SDK_PYTHON` at the virtualenv's interpreter and `CALLBOARD_SDK_NODE_MODULES` at the npm
//! packages; without them the tests say so and check nothing.
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use callboard::sim::{Scenario, SimOptions, Simulator};

#[tokio::test(flavor = "multi_thread")]
async fn the_official_python_sdk_works_against_the_simulator() {
    let Some(python) = std::env::var_os("CALLBOARD_SDK_PYTHON") else {
        eprintln!("CALLBOARD_SDK_PYTHON is not set: skipping the official SDK check (.ci/run sets it)");
        return;
    };
    let sim = Simulator::start(SimOptions::demo()).await.unwrap();
    let c = sim.credentials();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/official_sdk.py");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(script)
        .env("RC_SERVER_URL", sim.base_url())
        .env("RC_APP_CLIENT_ID", &c.client_id)
        .env("RC_APP_CLIENT_SECRET", &c.client_secret)
        .env("RC_USER_JWT", &c.admin_jwt);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("run the SDK script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "SDK script failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("me {} {} True", c.admin_extension_id, c.admin_extension_number)
    );
    assert!(
        lines[1].starts_with("calls ") && lines[1].ends_with(" True"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("mine "));
    assert_eq!(&lines[3..], ["refreshed True", "logged out True"]);
    let log = sim.requests();
    assert!(
        log.iter()
            .any(|r| r.path.starts_with("/restapi/oauth/revoke") && r.status == Some(200))
    );
}

/// A simulator on the real clock with calls arriving twice a second, so an SDK sees events at once.
async fn busy_sim() -> Simulator {
    let mut scenario = Scenario::demo();
    scenario.calls.arrivals_per_minute = 120.0;
    Simulator::start(SimOptions::with_scenario(scenario))
        .await
        .unwrap()
}

/// Runs `program script` against `sim` as the admin, with its stdout lines sent to the returned channel.
fn spawn_sdk(
    program: &OsStr,
    script: &str,
    sim: &Simulator,
    env: &[(&str, &OsStr)],
) -> (Child, Receiver<String>) {
    let c = sim.credentials();
    let mut cmd = Command::new(program);
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/").to_owned() + script)
        .env("RC_SERVER_URL", sim.base_url())
        .env("RC_APP_CLIENT_ID", &c.client_id)
        .env("RC_APP_CLIENT_SECRET", &c.client_secret)
        .env("RC_USER_JWT", &c.admin_jwt)
        .stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run the SDK script");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// The next line the script prints (within 10 s).
async fn line(rx: &mut Receiver<String>) -> String {
    tokio::task::block_in_place(|| rx.recv_timeout(Duration::from_secs(10)))
        .expect("the SDK script prints a line in time")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_js_websocket_extension_subscribes_receives_and_recovers() {
    let Some(modules) = std::env::var_os("CALLBOARD_SDK_NODE_MODULES") else {
        eprintln!("CALLBOARD_SDK_NODE_MODULES is not set: skipping the @rc-ex/ws check (.ci/run sets it)");
        return;
    };
    let sim = busy_sim().await;
    let (mut child, mut rx) = spawn_sdk(
        OsStr::new("node"),
        "rc_ex_ws.js",
        &sim,
        &[("NODE_PATH", &modules)],
    );
    assert_eq!(line(&mut rx).await, "subscribed");
    assert!(line(&mut rx).await.starts_with("event "));
    sim.push_faults().drop_sockets();
    assert_eq!(line(&mut rx).await, "recovered Successful");
    assert!(line(&mut rx).await.starts_with("event after recovery "));
    assert_eq!(line(&mut rx).await, "revoked");
    assert!(tokio::task::block_in_place(|| child.wait()).unwrap().success());
    let log = sim.requests();
    let connects = log.iter().filter(|r| r.path.starts_with("/ws?")).count();
    assert!(connects >= 2, "connected, then recovered");
    assert!(
        log.iter().any(|r| r.path.contains("wsc=REDACTED")),
        "recovered with the wsc"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_python_websocket_client_subscribes_and_receives() {
    let Some(python) = std::env::var_os("CALLBOARD_SDK_PYTHON") else {
        eprintln!("CALLBOARD_SDK_PYTHON is not set: skipping the Python WebSocket check (.ci/run sets it)");
        return;
    };
    let sim = busy_sim().await;
    let (mut child, mut rx) = spawn_sdk(&python, "official_ws.py", &sim, &[]);
    assert_eq!(line(&mut rx).await, "connected ConnectionDetails 100");
    assert!(line(&mut rx).await.starts_with("event ServerNotification "));
    assert_eq!(line(&mut rx).await, "received 1");
    assert!(tokio::task::block_in_place(|| child.wait()).unwrap().success());
}
