//! A real HTTP proxy for the tests: tinyproxy on a free loopback port, with a generated config in a
//! temporary directory (foreground, logging every connection), killed when the guard drops; a stand-in
//! for the proxies tinyproxy cannot play (silent, hanging up, babbling); and the binary run against a
//! simulator in an environment of its own. Tests skip with a message when tinyproxy
//! is not installed (`.ci/run` installs it).
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use callboard::sim::Simulator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::wait::poll;

const PROGRAM: &str = "tinyproxy";

/// How the proxy behaves.
#[derive(Default)]
pub struct ProxyOptions {
    /// `BasicAuth user password`: every request must carry these.
    pub credentials: Option<(&'static str, &'static str)>,
    /// Refuse every CONNECT (only port 1 is allowed).
    pub refuse_connect: bool,
}

impl ProxyOptions {
    /// A proxy asking for `user` and `password`.
    pub fn basic_auth(user: &'static str, password: &'static str) -> Self {
        ProxyOptions {
            credentials: Some((user, password)),
            ..ProxyOptions::default()
        }
    }
}

/// A running tinyproxy; killed on drop.
pub struct Tinyproxy {
    child: Child,
    log: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Tinyproxy {
    /// Starts tinyproxy, or returns `None` (saying so on stderr) when it is not installed.
    pub fn start(opts: ProxyOptions) -> Option<Tinyproxy> {
        if Command::new(PROGRAM).arg("-v").output().is_err() {
            eprintln!("skipped: {PROGRAM} is not installed (apt-get install tinyproxy; .ci/run installs it)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("tinyproxy.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Connect\nMaxClients 50\n\
             Allow 127.0.0.1\nDisableViaHeader Yes\n",
            log.display()
        );
        if let Some((user, password)) = opts.credentials {
            config.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        if opts.refuse_connect {
            config.push_str("ConnectPort 1\n");
        }
        let file = dir.path().join("tinyproxy.conf");
        std::fs::write(&file, config).unwrap();
        let child = Command::new(PROGRAM)
            .arg("-d")
            .arg("-c")
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let proxy = Tinyproxy {
            child,
            log,
            port,
            _dir: dir,
        };
        let up = poll(Duration::from_secs(5), || {
            TcpStream::connect(("127.0.0.1", port)).ok()
        });
        assert!(up.is_some(), "tinyproxy did not listen on port {port}");
        Some(proxy)
    }

    /// `http://127.0.0.1:PORT`, or with `user:password@` when given.
    pub fn url(&self, credentials: Option<(&str, &str)>) -> String {
        match credentials {
            Some((user, password)) => format!("http://{user}:{password}@127.0.0.1:{}", self.port),
            None => format!("http://127.0.0.1:{}", self.port),
        }
    }

    /// The proxy's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The `host:port` of every CONNECT the proxy received.
    pub fn connects(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter_map(|line| line.split("): CONNECT ").nth(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    }

    /// Waits (without blocking the runtime) until a CONNECT to `authority` is logged.
    pub async fn wait_connect(&self, authority: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.connects().iter().any(|c| c == authority) {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a [`stand_in_proxy`] answers each request.
#[derive(Clone)]
pub enum StandIn {
    /// Accepts the connection and never says a word.
    Silent,
    /// Reads the request and writes these bytes, then closes (empty: closes without answering).
    Answers(Vec<u8>),
}

/// A proxy on loopback that behaves as `how` to every connection until the runtime ends; its
/// `http://127.0.0.1:PORT`.
pub async fn stand_in_proxy(how: StandIn) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let how = how.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                while !request.ends_with(b"\r\n\r\n") {
                    match socket.read_u8().await {
                        Ok(byte) => request.push(byte),
                        Err(_) => return,
                    }
                }
                match how {
                    // Held open until the client gives up.
                    StandIn::Silent => while socket.read_u8().await.is_ok() {},
                    StandIn::Answers(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                    }
                }
            });
        }
    });
    url
}

/// The binary with `args` against `sim` (its admin user, its CA trusted through `SSL_CERT_FILE` when it
/// has one) in an environment of its own under `home`, plus `env`. The log goes to
/// `home/state/callboard/logs`.
pub fn binary(sim: &Simulator, args: &[&str], env: &[(&str, &str)], home: &Path) -> Command {
    let creds = sim.credentials();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_callboard"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("RC_SERVER_URL", sim.base_url())
        .env("RC_APP_CLIENT_ID", &creds.client_id)
        .env("RC_APP_CLIENT_SECRET", &creds.client_secret)
        .env("RC_USER_JWT", &creds.admin_jwt)
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    if let Some(ca) = sim.ca_file() {
        cmd.env("SSL_CERT_FILE", ca);
    }
    cmd
}

/// Runs [`binary`] to its end off the runtime's thread, so the simulator keeps serving.
pub async fn run_binary(
    sim: &Simulator,
    args: &[&str],
    env: &[(&str, &str)],
    home: &Path,
) -> std::process::Output {
    let mut cmd = binary(sim, args, env, home);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

/// A child process killed when the guard drops.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
