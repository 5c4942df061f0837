//! `serve --nats`: a hub that talks to RingCentral only while it holds its account's lease, and publishes
//! the feed on NATS meanwhile. A standby waits for the lease; a holder that loses it (another hub took it,
//! or NATS did not take a renewal in time) stops its RingCentral session at once and waits again.
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::connect::connect;
use super::fanout::Fanout;
use super::lease::{Held, Lease, LeaseTiming};
use super::subjects::{NatsAddr, View};
use super::{bucket, connect::Connection};
use crate::feed::{Feed, FeedState};

/// How a hub joins NATS.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// The server and the account (its view is ignored: the hub publishes every view).
    pub addr: NatsAddr,
    /// A `.creds` file or nkey seed, instead of a user and password in the URL.
    pub creds: Option<PathBuf>,
    /// The pre-filtered views published besides the whole account's.
    pub views: Vec<View>,
    pub lease: LeaseTiming,
}

/// The RingCentral side of a hub while it holds the lease: its feed and the other tasks that talk to
/// RingCentral (the directory). Dropping it stops them all.
pub struct Session {
    pub feed: Feed,
    pub tasks: Vec<JoinHandle<()>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.feed.task.abort();
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// A hub connected to NATS, not yet talking to RingCentral.
pub struct NatsHub {
    conn: Connection,
    lease: Lease,
    fanout: Fanout,
    name: String,
}

impl NatsHub {
    /// Connects and opens the buckets; `name` identifies this run of the hub (in the lease and on every
    /// message).
    pub async fn connect(opts: &HubOptions, name: String) -> Result<NatsHub, String> {
        let conn = connect(
            &opts.addr,
            opts.creds.as_deref(),
            &format!("callboard hub {name}"),
            None,
        )
        .await?;
        let js = async_nats::jetstream::new(conn.client.clone());
        let names = opts.addr.names.clone();
        let lease = Lease::new(
            bucket::lease(&js, opts.lease.ttl).await?,
            names.lease_key(),
            &name,
            opts.lease,
        );
        let store = bucket::state(&js).await?;
        let fanout = Fanout::new(conn.client.clone(), store, names, name.clone(), &opts.views);
        Ok(NatsHub {
            conn,
            lease,
            fanout,
            name,
        })
    }

    /// Runs until `shutdown` turns true: takes the lease, starts a RingCentral session with `start`,
    /// publishes its states, and drops it the moment the lease may be lost. On shutdown the lease is
    /// released so a standby takes over without waiting for it to expire.
    pub async fn run(mut self, mut start: impl FnMut() -> Session, mut shutdown: watch::Receiver<bool>) {
        let mut runs = 0;
        loop {
            let mut held = tokio::select! {
                held = self.lease.acquire(|holder| {
                    tracing::info!("hub {}: standby, {holder} holds the lease", self.name);
                    eprintln!("callboard: standby: {holder} talks to RingCentral; taking over if it stops");
                }) => held,
                _ = stopped(&mut shutdown) => return,
            };
            tracing::info!(
                "hub {}: holds the lease, starting the RingCentral session",
                self.name
            );
            eprintln!("callboard: active: this hub talks to RingCentral and publishes on NATS");
            runs += 1;
            self.fanout.restart(format!("{}#{runs}", self.name));
            let session = start();
            match self.serve(session, &mut held, &mut shutdown).await {
                Outcome::Shutdown => {
                    self.lease.release(held).await;
                    return;
                }
                Outcome::FeedEnded => {
                    tracing::warn!(
                        "hub {}: the RingCentral feed stopped; handing the lease on",
                        self.name
                    );
                    self.lease.release(held).await;
                }
                Outcome::Lost(why) => {
                    tracing::warn!("hub {}: {why}", self.name);
                    eprintln!("callboard: lease lost ({why}): stopped talking to RingCentral; standing by");
                }
            }
        }
    }

    /// Publishes the session's states while the lease holds. The session is dropped (its RingCentral
    /// tasks stopped) before this returns.
    async fn serve(
        &mut self,
        session: Session,
        held: &mut Held,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Outcome {
        let mut states = session.feed.state.clone();
        let keep = self.lease.keep(held);
        tokio::pin!(keep);
        let outcome = loop {
            tokio::select! {
                why = &mut keep => break Outcome::Lost(why),
                _ = stopped(shutdown) => break Outcome::Shutdown,
                changed = states.changed() => {
                    if changed.is_err() {
                        break Outcome::FeedEnded;
                    }
                    let state: Arc<FeedState> = states.borrow_and_update().clone();
                    // A publication NATS is slow to take must not keep the lease's deadline waiting.
                    tokio::select! {
                        published = self.fanout.publish(&state) => match published {
                            Ok(written) => tracing::debug!(
                                "hub {}: published {} bytes, wrote {} to the bucket",
                                self.name, written.subjects, written.bucket
                            ),
                            Err(error) => tracing::warn!("hub {}: {error}", self.name),
                        },
                        why = &mut keep => break Outcome::Lost(why),
                    }
                    // The connection logged them already; only the newest few are kept.
                    while self.conn.errors.try_recv().is_ok() {}
                }
            }
        };
        drop(session);
        outcome
    }
}

/// Why a hub stopped serving its RingCentral session.
enum Outcome {
    Shutdown,
    FeedEnded,
    Lost(String),
}

/// Resolves once `shutdown` turns true (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // An error means nobody can ask any more: that is a shutdown too.
    let _ = shutdown.wait_for(|stop| *stop).await;
}
