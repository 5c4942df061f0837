//! The hub's side of NATS: each published state of the RingCentral feed becomes, for every view, the
//! view's new listing, deltas and status (filtered by the viewer policy's own filter, so a restricted
//! subject carries exactly what that view allows), published on the view's subjects. Before they go out,
//! what they change of the view's state is written to the state bucket ([`super::snapshot`]): a board
//! that joins late reads it and follows the subjects from there, and since the bucket is written first,
//! whatever it misses in the bucket it still receives on the subjects. A message larger than
//! [`payload::COMPRESS_ABOVE`] goes gzipped.
use std::sync::Arc;

use async_nats::jetstream::kv;
use async_nats::{Client, HeaderMap};

use super::payload;
use super::snapshot::{Keys, Stored};
use super::subjects::{Kind, Names, View};
use crate::feed::{FeedState, UserInfo};
use crate::hub::ViewFilter;
use crate::hub::protocol::{self, Numbered, Status, ToBoard, Update, Welcome};

/// The NATS header naming the hub session that published a message: sequence numbers count per
/// RingCentral session, so a board that sees another one (after a failover) starts over with it.
pub const HUB_HEADER: &str = "Callboard-Hub";

/// One view's subjects and what was last published on them.
struct ViewOut {
    view: View,
    filter: ViewFilter,
    /// What the state bucket holds of the view.
    stored: Stored,
    status: Option<Status>,
    /// Who the hub's source is logged in as, last published.
    user: Option<UserInfo>,
}

/// What one [`Fanout::publish`] wrote, in bytes as they went (gzipped where they were).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// To the state bucket.
    pub bucket: usize,
    /// On the views' subjects.
    pub subjects: usize,
}

/// Publishes a feed's states on every view's subjects.
pub struct Fanout {
    client: Client,
    store: kv::Store,
    names: Names,
    hub: String,
    views: Vec<ViewOut>,
    /// The newest update already published.
    sent: u64,
}

impl Fanout {
    /// A fanout for hub run `hub` of `views` (the whole account is always one of them).
    pub fn new(client: Client, store: kv::Store, names: Names, hub: String, views: &[View]) -> Fanout {
        let mut all = vec![View::All];
        all.extend(views.iter().filter(|v| **v != View::All).cloned());
        let views = all
            .into_iter()
            .map(|view| ViewOut {
                filter: ViewFilter::new(&policy_view(&view), None),
                stored: Stored::new(Keys::new(&names, &view)),
                view,
                status: None,
                user: None,
            })
            .collect();
        Fanout {
            client,
            store,
            names,
            hub,
            views,
            sent: 0,
        }
    }

    /// Starts over for a new RingCentral session, whose sequence starts again: `hub` names it.
    pub fn restart(&mut self, hub: String) {
        self.hub = hub;
        self.sent = 0;
        for out in &mut self.views {
            out.stored.clear();
            out.status = None;
            out.user = None;
        }
    }

    /// Publishes what `state` adds to what was published before; says how many bytes that took. An
    /// error says what failed; what it did not get out, the next listing brings.
    pub async fn publish(&mut self, state: &FeedState) -> Result<Written, String> {
        let sent = self.sent;
        self.sent = state.last_update();
        let mut written = Written::default();
        let kept = |seq: u64| state.deltas.binary_search_by_key(&seq, |d| d.seq).is_ok();
        let status = Status::of(state, state.scope.clone());
        for out in &mut self.views {
            let messages = out.advance(&self.hub, state, sent, &status);
            if messages.is_empty() {
                continue;
            }
            let welcome = out.welcome(&self.hub);
            let all: Vec<&ToBoard> = messages.iter().map(|(_, message)| message).collect();
            written.bucket += (out.stored)
                .write(&self.store, welcome, out.status.clone(), &all, kept)
                .await?;
            for (kind, message) in messages {
                let subject = self.names.subject(&out.view, kind);
                let (headers, bytes) = payload_of(&self.hub, &message);
                written.subjects += bytes.len();
                self.client
                    .publish_with_headers(subject, headers, bytes)
                    .await
                    .map_err(|e| format!("cannot publish {} on NATS: {e}", out.view))?;
            }
        }
        self.client
            .flush()
            .await
            .map_err(|e| format!("cannot flush to NATS: {e}"))?;
        Ok(written)
    }
}

/// Hub run `hub`'s `message` as headers and bytes, gzipped when that pays.
fn payload_of(hub: &str, message: &ToBoard) -> (HeaderMap, tokio_util::bytes::Bytes) {
    let mut headers = HeaderMap::new();
    headers.insert(HUB_HEADER, hub);
    let bytes = protocol::encode(message);
    if bytes.len() <= payload::COMPRESS_ABOVE {
        return (headers, bytes);
    }
    headers.insert(payload::ENCODING_HEADER, payload::GZIP);
    (headers, payload::gzip(&bytes))
}

impl ViewOut {
    /// Takes in what `state` has beyond update `sent`, filtered, and `state`'s `status`; returns the
    /// messages to publish. The updates go out in the order of their numbers, so a board keeps what is
    /// newer than the last one it has.
    fn advance(&mut self, hub: &str, state: &FeedState, sent: u64, status: &Status) -> Vec<(Kind, ToBoard)> {
        let mut messages = Vec::new();
        if self.user != state.user {
            self.user = state.user.clone();
            messages.push((Kind::Status, ToBoard::Welcome(self.welcome(hub))));
        }
        if state.listing.seq > sent {
            let listing = Numbered {
                seq: state.listing.seq,
                update: Update::Listing(Arc::new(
                    self.filter.listing(&state.listing, state.listing.scope.clone()),
                )),
            };
            messages.push((Kind::Listing, ToBoard::Update(listing)));
        }
        for delta in state.deltas.iter().filter(|d| d.seq > sent) {
            if self.filter.allows_delta(delta) {
                let numbered = Numbered {
                    seq: delta.seq,
                    update: Update::Delta(delta.clone()),
                };
                messages.push((Kind::Delta, ToBoard::Update(numbered)));
            }
        }
        messages.sort_by_key(|(_, message)| match message {
            ToBoard::Welcome(_) => 0,
            ToBoard::Update(numbered) => numbered.seq,
            _ => u64::MAX,
        });
        if self.status.as_ref() != Some(status) {
            self.status = Some(status.clone());
            messages.push((Kind::Status, ToBoard::Status(status.clone())));
        }
        messages
    }

    /// What a board of this view is told first: the protocol, the hub session, the view, the user.
    fn welcome(&self, hub: &str) -> Welcome {
        Welcome {
            version: protocol::VERSION,
            hub: hub.to_owned(),
            session: 0,
            view: policy_view(&self.view),
            user: self.user.clone(),
            resumed: false,
        }
    }
}

/// The viewer policy's description of a NATS view, for its filter and the boards' headers.
pub fn policy_view(view: &View) -> protocol::View {
    let mut out = protocol::View {
        viewer: format!("NATS subjects of {view}"),
        ..protocol::View::default()
    };
    match view {
        View::All => out.account = true,
        View::Extension(id) => {
            out.extensions = vec![id.clone()];
            out.own_extension = Some(id.clone());
        }
        View::Queue(id) => out.queues = vec![id.clone()],
    }
    out
}
