//! A hub on loopback for the hub tests: a scripted source (the test decides every listing and delta),
//! a known directory, the policy given, a Unix socket and a TCP+TLS listener with a certificate made
//! here, and a raw board that records every frame it receives.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use callboard::api::DirectoryEntry;
use callboard::api::model::{CallFields, CallRecord, ExtensionRef, Party};
use callboard::directory::Directory;
use callboard::feed::{Feed, FeedState, Publisher};
use callboard::hub::Policy;
use callboard::hub::listen::{self, Bound, Listen};
use callboard::hub::protocol::{self, Hello, Numbered, Resume, ToBoard, ToHub, Update};
use callboard::hub::serve::Hub;
use callboard::secret::Secret;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio_util::codec::Framed;

/// A change the test makes to the hub's source, then published.
pub type Step = Box<dyn FnOnce(&mut Publisher) + Send>;

/// A running hub and how to reach it.
pub struct TestHub {
    pub hub: Arc<Hub>,
    pub socket: PathBuf,
    pub tcp_port: u16,
    /// The CA that signed the hub's certificate (PEM file), for `--hub-ca`.
    pub ca: PathBuf,
    steps: mpsc::UnboundedSender<Step>,
    directory: watch::Sender<Option<Arc<Directory>>>,
    _feed: Feed,
    _dir: tempfile::TempDir,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for TestHub {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl TestHub {
    /// Starts a hub with `policy` (hub.toml text) on a scripted source.
    pub async fn start(policy: &str) -> TestHub {
        let policy = Policy::parse(policy).expect("test policy");
        let (steps, mut rx) = mpsc::unbounded_channel::<Step>();
        let feed = Feed::spawn(FeedState::default(), move |mut out, mut commands| async move {
            loop {
                tokio::select! {
                    step = rx.recv() => match step {
                        Some(step) => {
                            step(&mut out);
                            out.publish();
                        }
                        None => return,
                    },
                    command = commands.recv() => if command.is_none() { return },
                }
            }
        });
        let (directory_tx, directory) = watch::channel(Some(Arc::new(directory())));
        let (hub, pump) = Hub::start(&feed, directory, policy);
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("hub.sock");
        let (cert, key, ca) = certificates(dir.path());
        let tls = listen::tls_acceptor(&cert, &key).unwrap();
        let unix = listen::bind(&Listen::Unix(socket.clone()), None).await.unwrap();
        let tcp = listen::bind(&Listen::Tcp("127.0.0.1:0".into()), Some(&tls))
            .await
            .unwrap();
        let Bound::Tcp(listener, _) = &tcp else {
            unreachable!()
        };
        let tcp_port = listener.local_addr().unwrap().port();
        let tasks = vec![
            pump,
            tokio::spawn(listen::accept(Arc::clone(&hub), unix)),
            tokio::spawn(listen::accept(Arc::clone(&hub), tcp)),
        ];
        TestHub {
            hub,
            socket,
            tcp_port,
            ca,
            steps,
            directory: directory_tx,
            _feed: feed,
            _dir: dir,
            tasks,
        }
    }

    /// Makes a change to the source and publishes it.
    pub fn step(&self, step: impl FnOnce(&mut Publisher) + Send + 'static) {
        self.steps.send(Box::new(step)).unwrap();
    }

    /// Gives the hub a new directory, as its directory task does when the account's changes.
    pub fn set_directory(&self, directory: Directory) {
        self.directory.send_replace(Some(Arc::new(directory)));
    }

    /// Lists calls (taken at second 1,767,600,000) to Ana (101), Ben (102) and the Support queue.
    pub fn list_three(&self) {
        self.step(|out| {
            let calls = vec![
                call("LI-ana", "101"),
                call("LI-ben", "102"),
                call("LI-queue", "Support"),
            ];
            let taken = jiff::Timestamp::from_second(1_767_600_000).unwrap();
            out.list(callboard::api::Scope::Account, taken, calls, 0);
        });
    }

    /// Waits until the hub has numbered `seq` updates.
    pub async fn wait_numbered(&self, seq: u64) {
        for _ in 0..500 {
            if self.hub.history().last_seq() >= seq {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the hub never numbered update {seq}");
    }
}

/// The test account: Ana (101), Ben (102), and the Support queue (200).
pub fn directory() -> Directory {
    let entry = |id: &str, number: &str, name: &str, kind: &str| DirectoryEntry {
        id: id.into(),
        number: Some(number.into()),
        name: Some(name.into()),
        kind: Some(kind.into()),
    };
    Directory::new(
        None,
        vec![
            entry("9101", "101", "Ana Gómez", "User"),
            entry("9102", "102", "Ben Ito", "User"),
            entry("9200", "200", "Support", "Department"),
        ],
    )
}

/// A call from an outside number to `to` (an extension number, or a queue call's queue name: the
/// queue's leg of the record, as its call-log record, names the queue's extension).
pub fn call(id: &str, to: &str) -> Arc<CallRecord> {
    let party = |name: &str, number: Option<&str>| {
        Some(Arc::new(Party {
            name: Some(name.into()),
            extension_number: number.map(Into::into),
            ..Party::default()
        }))
    };
    let (from, to, extension) = match to.parse::<u32>() {
        Ok(_) => (party("OUTSIDE CALLER", None), party("agent", Some(to)), None),
        Err(_) => {
            let dir = directory();
            let queue = dir.entries().iter().find(|e| e.name.as_deref() == Some(to));
            let id = queue
                .and_then(|q| q.id.parse().ok())
                .expect("a queue of the test account");
            (
                party(&format!("{to} - OUTSIDE CALLER"), None),
                party("agent", Some("105")),
                Some(ExtensionRef { id, uri: None }),
            )
        }
    };
    Arc::new(CallRecord {
        id: id.into(),
        fields: CallFields {
            telephony_session_id: Some(format!("s-{id}").into()),
            from,
            to,
            extension,
            ..CallFields::default()
        },
        ..CallRecord::default()
    })
}

/// A CA and a certificate for `localhost` signed by it: (cert, key, ca) PEM files in `dir`.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let write = |name: &str, pem: String| {
        let path = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    (
        write("cert.pem", cert.pem()),
        write("key.pem", key.serialize_pem()),
        write("ca.pem", ca_cert.pem()),
    )
}

/// A board speaking the protocol by hand, keeping every frame it receives.
pub struct RawBoard {
    framed: Framed<Box<dyn Stream>, tokio_util::codec::LengthDelimitedCodec>,
    /// Every frame received, as bytes.
    pub frames: Vec<Vec<u8>>,
}

pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

impl RawBoard {
    /// Connects to the hub's Unix socket.
    pub async fn unix(path: &Path) -> RawBoard {
        let stream = tokio::net::UnixStream::connect(path).await.unwrap();
        RawBoard::on(Box::new(stream))
    }

    /// Connects to the hub's TLS port, trusting `ca`.
    pub async fn tls(hub: &TestHub) -> RawBoard {
        use callboard::hub::connect::{Connector, HubAddr};
        let addr = HubAddr::Tcp {
            host: "localhost".into(),
            port: hub.tcp_port,
        };
        let stream = Connector::new(addr, Some(&hub.ca))
            .unwrap()
            .connect()
            .await
            .unwrap();
        RawBoard::on(Box::new(stream))
    }

    fn on(stream: Box<dyn Stream>) -> RawBoard {
        RawBoard {
            framed: Framed::new(stream, protocol::codec()),
            frames: Vec::new(),
        }
    }

    /// Sends a hello of this version.
    pub async fn hello(&mut self, token: Option<&str>, resume: Option<Resume>) {
        let hello = Hello {
            version: protocol::VERSION,
            client: "test board".into(),
            token: token.map(Secret::new),
            resume,
        };
        self.send(&ToHub::Hello(hello)).await;
    }

    /// Sends a message.
    pub async fn send(&mut self, message: &ToHub) {
        self.send_raw(protocol::encode(message).to_vec()).await;
    }

    /// Sends bytes as one frame.
    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        self.framed.send(bytes.as_slice()).await.unwrap();
    }

    /// The next message (the first is read as a welcome would be: it must decode whatever it is).
    pub async fn next(&mut self) -> Option<ToBoard> {
        let frame = tokio::time::timeout(Duration::from_secs(5), self.framed.next())
            .await
            .expect("a message from the hub within 5 s")?
            .unwrap();
        self.frames.push(frame.to_vec());
        Some(protocol::decode(&frame).unwrap())
    }

    /// Messages until `done` says so (it sees each), failing after 5 s.
    pub async fn until(&mut self, mut done: impl FnMut(&ToBoard) -> bool) -> Vec<ToBoard> {
        let mut seen = Vec::new();
        loop {
            let message = self.next().await.expect("the hub closed the connection");
            let stop = done(&message);
            seen.push(message);
            if stop {
                return seen;
            }
        }
    }

    /// Every byte received so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.frames.concat()
    }
}

/// The ids of the calls in `message`, when it is a listing.
pub fn listed_ids(message: &ToBoard) -> Option<Vec<String>> {
    match message {
        ToBoard::Update(Numbered {
            update: Update::Listing(l),
            ..
        }) => Some(l.calls.iter().map(|c| c.id.to_string()).collect()),
        _ => None,
    }
}
