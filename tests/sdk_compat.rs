//! RingCentral's official Python SDK works against the simulator unchanged (login with a JWT, active
//! calls in both scopes, refresh, logout). `.ci/run` installs the SDK in a virtualenv and points
//! `CALLBOARD_SDK_PYTHON` at its interpreter; without it the test says so and checks nothing.
use callboard::sim::{SimOptions, Simulator};

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
