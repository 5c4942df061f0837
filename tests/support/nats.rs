//! A `nats-server` with JetStream on a free loopback port, configured in a temporary directory with the
//! users the hub tests need, and killed when dropped. [`NatsServer::start`] is `None` (after saying so on
//! stderr) when the program is not installed, so the tests that need it skip.
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::wait;

/// Where Debian's package installs the server; `NATS_SERVER` names another.
const DEFAULT_PROGRAM: &str = "/usr/sbin/nats-server";

/// The account the tests' subjects use.
pub const ACCOUNT: &str = "acme";

/// A running server.
pub struct NatsServer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

/// The users of the test configuration: the hub (everything), a wall board (the whole account), a
/// supervisor of extension `ext` only, and a user allowed nothing of callboard's.
fn config(port: u16, store: &str, ext: &str) -> String {
    let view = |tokens: &str| {
        format!(
            r#"{{
        publish: {{ allow: ["$JS.API.STREAM.INFO.KV_callboard", "$JS.API.DIRECT.GET.KV_callboard.$KV.callboard.{ACCOUNT}.{tokens}.>"] }}
        subscribe: {{ allow: ["callboard.{ACCOUNT}.{tokens}.>", "_INBOX_callboard.{ACCOUNT}.{tokens}.>"] }}
      }}"#
        )
    };
    format!(
        r#"listen: 127.0.0.1:{port}
jetstream {{ store_dir: "{store}" }}
authorization {{
  users = [
    {{ user: hub, password: hub-secret }}
    {{ user: wall, password: wall-secret, permissions: {all} }}
    {{ user: sup, password: sup-secret, permissions: {ext} }}
    {{ user: nobody, password: nobody-secret, permissions: {{ subscribe: {{ allow: ["_INBOX.>"] }} }} }}
  ]
}}
"#,
        all = view("all"),
        ext = view(&format!("ext.{ext}")),
    )
}

impl NatsServer {
    /// Starts a server whose `sup` user may see extension `ext` only; `None` when nats-server is missing.
    pub fn start(ext: &str) -> Option<NatsServer> {
        let program = std::env::var("NATS_SERVER").unwrap_or_else(|_| DEFAULT_PROGRAM.into());
        if !std::path::Path::new(&program).exists() {
            eprintln!("skipped: {program} is not installed (apt-get install nats-server)");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let store = dir.path().join("jetstream");
        let conf = dir.path().join("nats.conf");
        std::fs::write(&conf, config(port, &store.display().to_string(), ext)).expect("write config");
        let child = Command::new(&program)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("nats.log")).expect("log file"),
            ))
            .spawn()
            .expect("start nats-server");
        let server = NatsServer {
            child,
            port,
            _dir: dir,
        };
        let up = wait::poll(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        assert!(up.is_some(), "nats-server did not listen: {}", server.log());
        Some(server)
    }

    /// The address of `account`'s `view` path (e.g. `""`, `"/ext/101"`) as `user`.
    pub fn url(&self, user: &str, view: &str) -> String {
        format!(
            "nats://{user}:{user}-secret@127.0.0.1:{}/{ACCOUNT}{view}",
            self.port
        )
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self._dir.path().join("nats.log")
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The OAuth sessions of the simulator's requests, in the order they arrived, one entry per run of
/// consecutive requests of the same session: two hubs that never overlapped give two entries.
pub fn session_runs(sim: &callboard::sim::Simulator) -> Vec<String> {
    let mut runs: Vec<String> = Vec::new();
    for session in sim.requests().into_iter().filter_map(|r| r.session) {
        if runs.last() != Some(&session) {
            runs.push(session);
        }
    }
    runs
}

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
