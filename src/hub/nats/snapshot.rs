//! A view's latest state in the key-value bucket, for boards that join late, laid out so that a push
//! event costs a write about its own size, not the whole listing's:
//! - `<account>.<view>.listing`: the listing, written when a new one is published;
//! - `<account>.<view>.d.<n>`: the deltas since, [`CHUNK`] to a key; an event rewrites the open chunk;
//! - `<account>.<view>.head`: the welcome, the status, and which listing and chunks are live.
//!
//! Every part names the hub run and the listing it belongs to, and a new listing rewrites every live
//! chunk. The hub writes the parts before the head naming them, and all of it before the messages go
//! out on the subjects. A board reads the head, then the parts it names, and reads again when a part
//! belongs to another listing (the hub wrote in between). Values are gzipped hub-protocol JSON.
use std::collections::VecDeque;

use async_nats::jetstream::kv;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::payload;
use super::subjects::{Names, STATE_BUCKET, View};
use crate::hub::protocol::{self, Numbered, Status, ToBoard, Update, Welcome};

/// Deltas a chunk holds: an event rewrites at most this many.
pub const CHUNK: usize = 32;
/// Chunk keys are reused modulo this: a view keeps at most this many chunks (32,768 deltas) since its
/// listing, and tombstones of old chunks do not pile up in the bucket.
const RING: u64 = 1024;
/// How often a board reads the parts again before giving up on a hub that keeps rewriting them.
const READ_ATTEMPTS: usize = 5;

/// The small key: what a board is told first, and which parts make up the state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Head {
    welcome: Welcome,
    status: Option<Status>,
    /// The number of the listing under the listing key.
    listing: Option<u64>,
    /// The live chunks, oldest first.
    chunks: Vec<u64>,
}

/// The listing, or one chunk of deltas, as a board reads it.
#[derive(Debug, Deserialize)]
struct Part {
    /// The hub run that wrote it.
    hub: String,
    /// The listing it follows (or is).
    listing: Option<u64>,
    /// The chunk's number (the listing's for the listing).
    index: u64,
    updates: Vec<Numbered>,
}

/// A [`Part`] as the hub writes it, borrowing what it holds (same encoding).
#[derive(Serialize)]
struct PartRef<'a> {
    hub: &'a str,
    listing: Option<u64>,
    index: u64,
    updates: &'a [Numbered],
}

/// One chunk as the hub keeps it.
#[derive(Debug)]
struct Chunk {
    index: u64,
    deltas: Vec<Numbered>,
    dirty: bool,
}

/// The keys of a view's state.
#[derive(Debug, Clone)]
pub struct Keys {
    head: String,
    listing: String,
    chunks: String,
}

impl Keys {
    /// `view`'s keys in `names`' account.
    pub fn new(names: &Names, view: &View) -> Keys {
        Keys {
            head: names.state_key(view, "head"),
            listing: names.state_key(view, "listing"),
            chunks: names.state_key(view, "d"),
        }
    }

    fn chunk(&self, index: u64) -> String {
        format!("{}.{}", self.chunks, index % RING)
    }
}

/// The hub's side: what it wrote of one view, so it rewrites only what changed.
#[derive(Debug)]
pub struct Stored {
    keys: Keys,
    listing: Option<u64>,
    chunks: VecDeque<Chunk>,
    next: u64,
    head: Option<Head>,
}

impl Stored {
    /// Nothing written yet under `keys`.
    pub fn new(keys: Keys) -> Stored {
        Stored {
            keys,
            listing: None,
            chunks: VecDeque::new(),
            next: 0,
            head: None,
        }
    }

    /// Forgets what was written (a new hub run writes everything anew).
    pub fn clear(&mut self) {
        *self = Stored::new(self.keys.clone());
    }

    /// Writes what `messages` (about to go out on the subjects) change, given that the deltas
    /// `keep` refuses are covered by the listing now; the head says `welcome` and `status`. Returns the
    /// bytes written.
    pub async fn write(
        &mut self,
        store: &kv::Store,
        welcome: Welcome,
        status: Option<Status>,
        messages: &[&ToBoard],
        keep: impl Fn(u64) -> bool,
    ) -> Result<usize, String> {
        let hub = welcome.hub.clone();
        let mut written = 0;
        let mut new = Vec::new();
        for message in messages {
            match message {
                ToBoard::Update(
                    numbered @ Numbered {
                        update: Update::Listing(_),
                        ..
                    },
                ) => {
                    self.listing = Some(numbered.seq);
                    let part = PartRef {
                        hub: &hub,
                        listing: self.listing,
                        index: numbered.seq,
                        updates: std::slice::from_ref(numbered),
                    };
                    written += put(store, &self.keys.listing, &part).await?;
                    self.chunks.iter_mut().for_each(|chunk| chunk.dirty = true);
                }
                ToBoard::Update(delta) => new.push(delta.clone()),
                _ => {}
            }
        }
        for chunk in &mut self.chunks {
            let before = chunk.deltas.len();
            chunk.deltas.retain(|delta| keep(delta.seq));
            chunk.dirty |= chunk.deltas.len() != before;
        }
        self.chunks.retain(|chunk| !chunk.deltas.is_empty());
        for delta in new {
            match self.chunks.back_mut() {
                Some(open) if open.deltas.len() < CHUNK => {
                    open.deltas.push(delta);
                    open.dirty = true;
                }
                _ => {
                    self.chunks.push_back(Chunk {
                        index: self.next,
                        deltas: vec![delta],
                        dirty: true,
                    });
                    self.next += 1;
                }
            }
        }
        while self.chunks.len() as u64 > RING {
            self.chunks.pop_front();
            tracing::warn!(
                "{}: more than {} deltas since the listing; boards joining late miss the oldest",
                self.keys.head,
                RING as usize * CHUNK
            );
        }
        let dirty: Vec<usize> = (self.chunks.iter_mut().enumerate())
            .filter_map(|(at, chunk)| std::mem::take(&mut chunk.dirty).then_some(at))
            .collect();
        for at in dirty {
            let chunk = &self.chunks[at];
            let part = PartRef {
                hub: &hub,
                listing: self.listing,
                index: chunk.index,
                updates: &chunk.deltas,
            };
            written += put(store, &self.keys.chunk(chunk.index), &part).await?;
        }
        let head = Head {
            welcome,
            status,
            listing: self.listing,
            chunks: self.chunks.iter().map(|chunk| chunk.index).collect(),
        };
        if self.head.as_ref() != Some(&head) {
            written += put(store, &self.keys.head, &head).await?;
            self.head = Some(head);
        }
        Ok(written)
    }
}

/// Writes `value` gzipped under `key`; the bytes written.
async fn put<T: Serialize>(store: &kv::Store, key: &str, value: &T) -> Result<usize, String> {
    let bytes = payload::gzip(&protocol::encode(value));
    let len = bytes.len();
    store.put(key, bytes).await.map_err(|e| {
        format!(
            "cannot write {key} ({len} bytes gzipped) to the state bucket: {e}; if that is above the NATS \
             server's max_payload, raise it in the server's config"
        )
    })?;
    Ok(len)
}

/// A board's side: `keys`' state as messages in order (welcome, updates, status), `None` when no hub
/// wrote it. The error says what failed and what to check.
pub async fn read(store: &kv::Store, keys: &Keys) -> Result<Option<Vec<ToBoard>>, String> {
    for _ in 0..READ_ATTEMPTS {
        let Some(head) = get::<Head>(store, &keys.head).await? else {
            return Ok(None);
        };
        let belongs = |part: &Option<Part>, index: u64| {
            part.as_ref().is_some_and(|part| {
                part.hub == head.welcome.hub && part.listing == head.listing && part.index == index
            })
        };
        let mut wanted: Vec<(String, u64)> = head
            .listing
            .map(|seq| (keys.listing.clone(), seq))
            .into_iter()
            .collect();
        wanted.extend(head.chunks.iter().map(|&index| (keys.chunk(index), index)));
        let mut updates = Vec::new();
        let mut whole = true;
        for (key, index) in wanted {
            let part = get::<Part>(store, &key).await?;
            if !belongs(&part, index) {
                whole = false;
                break;
            }
            updates.extend(part.into_iter().flat_map(|part| part.updates));
        }
        if whole {
            updates.sort_by_key(|numbered| numbered.seq);
            let messages = std::iter::once(ToBoard::Welcome(head.welcome))
                .chain(updates.into_iter().map(ToBoard::Update))
                .chain(head.status.map(ToBoard::Status))
                .collect();
            return Ok(Some(messages));
        }
    }
    Err(format!(
        "the hub rewrote {} while it was being read, {READ_ATTEMPTS} times over; attach again",
        keys.head
    ))
}

/// The value under `key`, unpacked and decoded.
async fn get<T: DeserializeOwned>(store: &kv::Store, key: &str) -> Result<Option<T>, String> {
    let Some(bytes) = store.get(key).await.map_err(|e| {
        format!(
            "cannot read {key} from the NATS key-value bucket {STATE_BUCKET}: {e}; check that a hub runs \
             with --nats for this account and that this NATS user may publish to \
             $JS.API.STREAM.INFO.KV_{STATE_BUCKET} and $JS.API.DIRECT.GET.KV_{STATE_BUCKET}.$KV.{STATE_BUCKET}.{key}"
        )
    })?
    else {
        return Ok(None);
    };
    let unreadable =
        |e: &dyn std::fmt::Display| format!("{key} in the NATS key-value bucket is unreadable: {e}");
    let json = payload::gunzip(&bytes).map_err(|e| unreadable(&e))?;
    protocol::decode(&json).map(Some).map_err(|e| unreadable(&e))
}
