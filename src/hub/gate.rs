//! What a listener checks before a board is let in: a cap on connections that have not yet finished TLS
//! or said hello, and wrong tokens paced per peer address (each refusal doubles the wait before that
//! address's next token is checked), so guessing tokens costs time. Pure but for the lock: time is
//! passed in.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Connections a listener holds that have not finished TLS or said hello.
pub const PENDING: usize = 1024;
/// The wait after an address's first refused token; each further refusal doubles it, up to [`SLOWEST`].
const FIRST: Duration = Duration::from_millis(250);
/// The longest wait between two token checks of one address.
const SLOWEST: Duration = Duration::from_secs(30);
/// An address whose next check is further away than this is hung up on at once.
const QUEUE: Duration = Duration::from_secs(120);
/// An address not refused for this long starts over.
const FORGET: Duration = Duration::from_secs(900);

/// One listener's gate.
#[derive(Debug)]
pub struct Gate {
    pending: Arc<Semaphore>,
    full: AtomicBool,
    peers: Mutex<HashMap<IpAddr, Peer>>,
}

#[derive(Debug, Clone, Copy)]
struct Peer {
    refused: u32,
    /// When this address's next token may be checked.
    next: Instant,
}

impl Default for Gate {
    fn default() -> Gate {
        Gate::new(PENDING)
    }
}

impl Gate {
    /// A gate holding at most `pending` connections before their hello.
    pub fn new(pending: usize) -> Gate {
        Gate {
            pending: Arc::new(Semaphore::new(pending)),
            full: AtomicBool::new(false),
            peers: Mutex::new(HashMap::new()),
        }
    }

    /// A place for one more connection before its hello, or `None` when all are taken (logged once
    /// until a place frees).
    pub fn enter(&self) -> Option<OwnedSemaphorePermit> {
        match Arc::clone(&self.pending).try_acquire_owned() {
            Ok(permit) => {
                self.full.store(false, Ordering::Relaxed);
                Some(permit)
            }
            Err(_) => {
                if !self.full.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "hub: {PENDING} connections have not said hello yet; closing new ones until one does"
                    );
                }
                None
            }
        }
    }

    /// When the token of a connection from `peer` may be checked: now for an address never refused,
    /// later after refusals (each waiting connection takes the next slot), or `None` when that is
    /// further away than two minutes (hang up).
    pub fn slot(&self, peer: IpAddr, now: Instant) -> Option<Instant> {
        let mut peers = self.peers();
        let Some(entry) = peers.get_mut(&peer) else {
            return Some(now);
        };
        let at = entry.next.max(now);
        if at > now + QUEUE {
            return None;
        }
        entry.next = at + delay(entry.refused);
        Some(at)
    }

    /// `peer`'s token was refused: its next check waits twice as long as the last.
    pub fn refused(&self, peer: IpAddr, now: Instant) {
        let mut peers = self.peers();
        if peers.len() >= 4 * PENDING {
            peers.retain(|_, p| p.next + FORGET > now);
        }
        let entry = peers.entry(peer).or_insert(Peer {
            refused: 0,
            next: now,
        });
        entry.refused = entry.refused.saturating_add(1);
        entry.next = entry.next.max(now + delay(entry.refused));
    }

    /// `peer` presented a good token: it starts over.
    pub fn admitted(&self, peer: IpAddr) {
        self.peers().remove(&peer);
    }

    fn peers(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Peer>> {
        self.peers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The wait after `refused` refusals.
fn delay(refused: u32) -> Duration {
    match refused {
        0 => Duration::ZERO,
        n => FIRST.saturating_mul(1 << (n - 1).min(16)).min(SLOWEST),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn refusals_slow_one_address_more_each_time_and_no_other() {
        let gate = Gate::default();
        let t0 = Instant::now();
        assert_eq!(gate.slot(A, t0), Some(t0), "never refused: at once");
        gate.refused(A, t0);
        assert_eq!(gate.slot(A, t0), Some(t0 + FIRST));
        // A second connection waiting at the same time takes the slot after.
        assert_eq!(gate.slot(A, t0), Some(t0 + 2 * FIRST));
        let t1 = t0 + Duration::from_secs(5);
        gate.refused(A, t1);
        assert_eq!(gate.slot(A, t1), Some(t1 + 2 * FIRST), "twice as long");
        assert_eq!(gate.slot(B, t1), Some(t1), "another address is not slowed");
        gate.admitted(A);
        assert_eq!(gate.slot(A, t1), Some(t1), "a good token starts over");
    }

    #[test]
    fn waits_stop_growing_and_a_long_queue_is_hung_up_on() {
        assert_eq!(delay(40), SLOWEST);
        let gate = Gate::default();
        let t0 = Instant::now();
        for _ in 0..20 {
            gate.refused(A, t0);
        }
        let mut hung_up = false;
        for _ in 0..10 {
            hung_up |= gate.slot(A, t0).is_none();
        }
        assert!(hung_up, "a queue longer than two minutes is not kept");
    }

    #[test]
    fn connections_before_hello_are_capped() {
        let gate = Gate::new(2);
        let first = gate.enter();
        let second = gate.enter();
        assert!(first.is_some() && second.is_some());
        assert!(gate.enter().is_none(), "full");
        drop(first);
        assert!(gate.enter().is_some(), "a place freed");
    }
}
