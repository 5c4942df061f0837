//! `--hub nats://…`: a board fed by a hub through NATS. It subscribes to its view's subjects first, then
//! reads the view's latest state from the key-value bucket and follows the subjects from there, keeping
//! only updates newer than the last it has from the same hub session. Which view a NATS user may read is
//! the NATS server's decision: a refused subject is said on the board, and nothing of it arrives.
use std::path::PathBuf;

use async_nats::{Client, Message};
use futures_util::StreamExt;
use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio_util::bytes::Bytes;

use super::connect::{Connection, Problem, connect};
use super::fanout::HUB_HEADER;
use super::payload;
use super::snapshot::{self, Keys};
use super::subjects::{NatsAddr, STATE_BUCKET};
use crate::api::Scope;
use crate::feed::{Feed, FeedCommand, FeedState, Publisher, SourceError, SourceErrorKind};
use crate::hub::protocol::{self, Numbered, ToBoard, Update};

/// Starts a board's source on `addr`'s view, authenticating with `creds` (a `.creds` file or nkey seed)
/// or the URL's user and password.
pub fn spawn(addr: NatsAddr, creds: Option<PathBuf>) -> Feed {
    Feed::spawn(FeedState::default(), move |out, commands| async move {
        let mut board = Board {
            out,
            hub: String::new(),
            last: 0,
        };
        let inbox = addr.names.inbox_prefix(&addr.view);
        match connect(&addr, creds.as_deref(), "callboard board", Some(inbox)).await {
            Ok(conn) => board.follow(&addr, conn, commands).await,
            Err(message) => {
                board.problem(Problem {
                    permission: false,
                    message,
                });
                wait_for_end(commands).await;
            }
        }
    })
}

/// The board's side: what it publishes, and where it is in the hub's sequence.
struct Board {
    out: Publisher,
    /// The hub session the updates come from.
    hub: String,
    /// The newest update taken from it.
    last: u64,
}

impl Board {
    async fn follow(
        &mut self,
        addr: &NatsAddr,
        mut conn: Connection,
        mut commands: mpsc::Receiver<FeedCommand>,
    ) {
        let names = &addr.names;
        let mut messages = match conn.client.subscribe(names.view_wildcard(&addr.view)).await {
            Ok(subscriber) => subscriber,
            Err(e) => {
                self.problem(Problem {
                    permission: false,
                    message: format!("cannot subscribe on NATS: {e}"),
                });
                return wait_for_end(commands).await;
            }
        };
        // A refused subscription is said while the bucket is still being read (which then times out).
        let snapshot = latest_state(&conn.client, Keys::new(names, &addr.view));
        tokio::pin!(snapshot);
        let snapshot = loop {
            tokio::select! {
                snapshot = &mut snapshot => break snapshot,
                Some(problem) = conn.errors.recv() => self.problem(problem),
            }
        };
        match snapshot {
            Ok(Some(snapshot)) => {
                for message in snapshot {
                    self.take(None, message);
                }
                self.out.publish();
            }
            Ok(None) => self.problem(Problem {
                permission: false,
                message: format!(
                    "no hub has published {} of account {} on NATS yet; waiting for one",
                    addr.view,
                    names.account()
                ),
            }),
            Err(problem) => self.problem(problem),
        }
        loop {
            tokio::select! {
                message = messages.next() => match message {
                    Some(message) => self.receive(&message),
                    None => return,
                },
                Some(problem) = conn.errors.recv() => self.problem(problem),
                command = commands.recv() => match command {
                    None => return,
                    Some(FeedCommand::SetScope(_)) => self.problem(Problem {
                        permission: false,
                        message: format!("a board on NATS shows {} (its address's view); attach to another view's address for another", addr.view),
                    }),
                    Some(FeedCommand::Refresh) => {}
                },
            }
        }
    }

    /// Takes one message from the view's subjects.
    fn receive(&mut self, message: &Message) {
        let hub = message
            .headers
            .as_ref()
            .and_then(|h| h.get(HUB_HEADER))
            .map(|v| v.as_str().to_owned());
        let gzipped = message
            .headers
            .as_ref()
            .and_then(|h| h.get(payload::ENCODING_HEADER))
            .is_some_and(|v| v.as_str() == payload::GZIP);
        let json = if gzipped {
            payload::gunzip(&message.payload).map(Bytes::from)
        } else {
            Ok(message.payload.clone())
        };
        match json.and_then(|json| protocol::decode::<ToBoard>(&json).map_err(|e| e.to_string())) {
            Ok(decoded) => {
                self.take(hub, decoded);
                self.out.publish();
            }
            Err(e) => self.problem(Problem {
                permission: false,
                message: format!("unreadable message on {}: {e}", message.subject),
            }),
        }
    }

    /// Applies one message of hub session `hub` (`None`: the one already followed, or the snapshot's).
    fn take(&mut self, hub: Option<String>, message: ToBoard) {
        if let Some(hub) = hub
            && hub != self.hub
        {
            self.hub = hub;
            self.last = 0;
        }
        match message {
            ToBoard::Welcome(welcome) if welcome.version != protocol::VERSION => self.problem(Problem {
                permission: false,
                message: protocol::ProtocolError::Version {
                    board: protocol::VERSION,
                    hub: welcome.version,
                }
                .to_string(),
            }),
            ToBoard::Welcome(welcome) => {
                if welcome.hub != self.hub {
                    self.hub = welcome.hub;
                    self.last = 0;
                }
                self.out.state.user = welcome.user;
            }
            ToBoard::Update(Numbered { seq, update }) if seq > self.last => {
                self.last = seq;
                self.apply(update);
            }
            ToBoard::Status(status) => status.apply(&mut self.out.state),
            _ => {}
        }
    }

    fn apply(&mut self, update: Update) {
        let listing = matches!(update, Update::Listing(_));
        update.apply(&mut self.out, Timestamp::now());
        if listing {
            self.out.state.error = None;
        }
    }

    /// Shows `problem` on the board; a refused subject stays on show until a listing arrives.
    fn problem(&mut self, problem: Problem) {
        let refused = |e: &SourceError| matches!(e.kind, SourceErrorKind::Permission { .. });
        if !problem.permission && self.out.state.error.as_ref().is_some_and(refused) {
            return;
        }
        let kind = if problem.permission {
            SourceErrorKind::Permission { permission: None }
        } else {
            SourceErrorKind::Network
        };
        self.out.state.error = Some(SourceError {
            kind,
            scope: self.out.state.scope.clone().unwrap_or(Scope::Account),
            message: problem.message,
            at: Timestamp::now(),
            retry_at: None,
        });
        self.out.publish();
    }
}

/// The view's latest state in the bucket, `None` when no hub has written it.
async fn latest_state(client: &Client, keys: Keys) -> Result<Option<Vec<ToBoard>>, Problem> {
    let problem = |message| Problem {
        permission: false,
        message,
    };
    let js = async_nats::jetstream::new(client.clone());
    let store = js.get_key_value(STATE_BUCKET).await.map_err(|e| {
        problem(format!(
            "cannot open the NATS key-value bucket {STATE_BUCKET}: {e}; check that a hub runs with --nats \
             for this account and that this NATS user may publish to $JS.API.STREAM.INFO.KV_{STATE_BUCKET}"
        ))
    })?;
    snapshot::read(&store, &keys).await.map_err(problem)
}

/// Keeps the source alive (its error on show) until the board goes.
async fn wait_for_end(mut commands: mpsc::Receiver<FeedCommand>) {
    while commands.recv().await.is_some() {}
}
