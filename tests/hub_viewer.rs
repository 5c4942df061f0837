//! `--hub`'s source on a hub on loopback: it publishes what its policy allows over TLS with a token,
//! resumes after its connection is cut (even right after a fresh listing), sends its token only over
//! TCP, and reports a hub of another protocol version clearly.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use callboard::api::Scope;
use callboard::feed::{Change, Delta, FeedState, Listing, PartyChange, PartyStatus};
use callboard::hub::connect::{Connector, HubAddr};
use callboard::hub::protocol::{self, Numbered, Status, ToBoard, Update, View, Welcome};
use callboard::hub::viewer;
use callboard::secret::Secret;
use jiff::Timestamp;
use tokio::net::{UnixListener, UnixStream};

use crate::support::hub::{TestHub, call};
use crate::support::wait::wait_until;

const TOKEN: &str = "queue-board";

fn policy() -> String {
    let hash = callboard::hub::policy::token_sha256(TOKEN);
    format!("[[viewer]]\ntoken_sha256 = \"{hash}\"\nqueues = [\"200\"]\n")
}

fn ids(state: &FeedState) -> Vec<String> {
    state.listing.calls.iter().map(|c| c.id.to_string()).collect()
}

#[tokio::test]
async fn a_hub_board_over_tls_shows_what_its_token_allows() {
    let hub = TestHub::start(&policy()).await;
    hub.step(|out| {
        out.list(
            Scope::Account,
            Timestamp::now(),
            vec![call("LI-q", "Support"), call("LI-x", "102")],
            0,
        )
    });
    let addr = HubAddr::Tcp {
        host: "localhost".into(),
        port: hub.tcp_port,
    };
    let connector = Connector::new(addr, Some(&hub.ca)).unwrap();
    let mut board = viewer::spawn(connector, Some(Secret::new(TOKEN)), None);
    let state = wait_until(&mut board.feed, "the hub's listing", |s| s.listing.seq > 0).await;
    assert_eq!(ids(&state), ["LI-q"]);
    assert!(state.error.is_none(), "{:?}", state.error);
    let dir = board.directory.borrow().clone().expect("the directory entries");
    assert_eq!(dir.entries().len(), 1, "only the queue's entry");

    let mut wrong = viewer::spawn(
        Connector::new(
            HubAddr::Tcp {
                host: "localhost".into(),
                port: hub.tcp_port,
            },
            Some(&hub.ca),
        )
        .unwrap(),
        Some(Secret::new("nope")),
        None,
    );
    let state = wait_until(&mut wrong.feed, "a refusal", |s| s.error.is_some()).await;
    let message = &state.error.as_ref().unwrap().message;
    assert!(
        message.contains("the hub refused this board: the hub does not know this viewer token"),
        "{message}"
    );
    assert!(!message.contains("nope"), "the token is never shown");
}

/// A Unix-socket relay to the hub whose connections the test can cut.
struct Relay {
    path: PathBuf,
    conns: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    fn start(dir: &Path, hub: PathBuf) -> Relay {
        let path = dir.join("relay.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let conns: Arc<std::sync::Mutex<Vec<_>>> = Arc::default();
        let kept = Arc::clone(&conns);
        let task = tokio::spawn(async move {
            while let Ok((mut board, _)) = listener.accept().await {
                let hub = hub.clone();
                kept.lock().unwrap().push(tokio::spawn(async move {
                    let mut upstream = UnixStream::connect(hub).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut board, &mut upstream).await;
                }));
            }
        });
        Relay { path, conns, task }
    }

    /// Cuts every connection, as a network failure or a killed process would.
    fn cut(&self) {
        for conn in self.conns.lock().unwrap().drain(..) {
            conn.abort();
        }
    }
}

#[tokio::test]
async fn a_hub_board_whose_connection_is_cut_resumes_with_what_it_missed() {
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::current())
        .unwrap()
        .unwrap()
        .name;
    let hub = TestHub::start(&format!("[[viewer]]\nuser = \"{user}\"\naccount = true\n")).await;
    hub.step(|out| out.list(Scope::Account, Timestamp::now(), vec![call("LI-a", "101")], 0));
    hub.wait_numbered(1).await;
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path(), hub.socket.clone());
    let connector = Connector::new(HubAddr::Unix(relay.path.clone()), None).unwrap();
    let mut board = viewer::spawn(connector, None, None);
    let before = wait_until(&mut board.feed, "the listing", |s| s.listing.seq > 0).await;

    relay.cut();
    wait_until(&mut board.feed, "the lost connection", |s| s.error.is_some()).await;
    let held = Change::Party(PartyChange::new("s-LI-a", "p2", PartyStatus::Hold));
    hub.step(move |out| out.change(Timestamp::now(), held));
    hub.wait_numbered(2).await;

    let after = wait_until(&mut board.feed, "the missed delta", |s| !s.deltas.is_empty()).await;
    assert_eq!(after.listing.seq, before.listing.seq, "resumed: no fresh listing");
    assert!(matches!(&after.deltas[0].change, Change::Party(p) if p.session_id == "s-LI-a"));
    let after = wait_until(&mut board.feed, "the error cleared", |s| s.error.is_none()).await;
    assert_eq!(ids(&after), ["LI-a"]);
    relay.task.abort();
}

#[tokio::test]
async fn a_hub_of_another_protocol_version_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future-hub.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let future_hub = tokio::spawn(async move {
        use futures_util::{SinkExt, StreamExt};
        let (stream, _) = listener.accept().await.unwrap();
        let mut framed = tokio_util::codec::Framed::new(stream, callboard::hub::protocol::codec());
        let _hello = framed.next().await;
        let welcome =
            br#"{"type":"welcome","version":2,"hub":"h","session":1,"view":{},"resumed":false,"x":1}"#;
        framed.send(&welcome[..]).await.unwrap();
        let _ = framed.next().await;
    });
    let connector = Connector::new(HubAddr::Unix(path), None).unwrap();
    let mut board = viewer::spawn(connector, None, None);
    let state = wait_until(&mut board.feed, "the version error", |s| s.error.is_some()).await;
    let message = &state.error.as_ref().unwrap().message;
    assert!(
        message.contains("this board speaks hub protocol 1, the hub speaks 2: upgrade the board's side"),
        "{message}"
    );
    future_hub.abort();
}

/// A hub the test scripts frame by frame: it records each hello and sends what `answer` gives for the
/// n-th connection, then hangs up (`cut`) or stays.
async fn scripted_hub(
    listener: UnixListener,
    hellos: tokio::sync::mpsc::UnboundedSender<callboard::hub::protocol::Hello>,
    answer: impl Fn(usize) -> (Vec<ToBoard>, bool),
) {
    use futures_util::{SinkExt, StreamExt};
    let mut open = Vec::new();
    for n in 0.. {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let mut framed = tokio_util::codec::Framed::new(stream, protocol::codec());
        let hello = framed.next().await.unwrap().unwrap();
        hellos.send(protocol::read_hello(&hello).unwrap()).unwrap();
        let (messages, cut) = answer(n);
        for message in &messages {
            framed.send(protocol::encode(message)).await.unwrap();
        }
        if !cut {
            open.push(framed);
        }
    }
}

#[tokio::test]
async fn a_board_cut_right_after_a_fresh_listing_asks_for_a_fresh_one_not_past_its_deltas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scripted-hub.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let (hellos_tx, mut hellos) = tokio::sync::mpsc::unbounded_channel();
    let welcome = ToBoard::Welcome(Welcome {
        version: protocol::VERSION,
        hub: "run-1".into(),
        session: 1,
        view: View::default(),
        user: None,
        resumed: false,
    });
    // A fresh listing and the delta after it: both carry the hub's newest number, 5.
    let listing = ToBoard::Update(Numbered {
        seq: 5,
        update: Update::Listing(Arc::new(Listing {
            seq: 1,
            scope: Some(Scope::Account),
            taken_at: Some(Timestamp::now()),
            calls: vec![call("LI-a", "101")].into(),
            skipped: 0,
        })),
    });
    let delta = ToBoard::Update(Numbered {
        seq: 5,
        update: Update::Delta(Delta {
            seq: 2,
            at: Timestamp::now(),
            change: Change::Call(call("LI-b", "102")),
        }),
    });
    let hub = tokio::spawn(scripted_hub(listener, hellos_tx, move |n| match n {
        0 => (vec![welcome.clone(), listing.clone()], true),
        _ => (
            vec![
                welcome.clone(),
                listing.clone(),
                delta.clone(),
                ToBoard::Status(Status::default()),
            ],
            false,
        ),
    }));
    let connector = Connector::new(HubAddr::Unix(path), None).unwrap();
    let mut board = viewer::spawn(connector, Some(Secret::new("tcp-only-token")), None);

    let first = hellos.recv().await.unwrap();
    assert!(first.token.is_none(), "a token never goes over a Unix socket");
    let again = hellos.recv().await.unwrap();
    assert_eq!(
        again.resume, None,
        "resuming from 5 would skip the listing's delta"
    );
    let state = wait_until(&mut board.feed, "the listing and its delta", |s| {
        s.listing.seq > 0 && s.error.is_none() && !s.deltas.is_empty()
    })
    .await;
    assert_eq!(ids(&state), ["LI-a"]);
    assert!(matches!(&state.deltas[0].change, Change::Call(c) if c.id == "LI-b"));
    hub.abort();
}
