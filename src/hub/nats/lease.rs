//! The lease that elects one hub per account to talk to RingCentral. It is a key in a key-value bucket
//! whose values live `ttl` after their last write: a hub takes it with `create` (which fails while
//! another holds it) and renews it with an `update` checked against the revision it last wrote. A hub
//! killed without releasing stops renewing, the value expires, and a standby's next `create` succeeds.
//!
//! A holder must stop talking to RingCentral before anyone else can take over: it counts its time from
//! just before it sent the renewal (the server stamps the value later, so it expires later) and gives the
//! lease up a fifth of `ttl` before that time runs out, whether or not its renewal is still on the way.
use std::time::Duration;

use async_nats::jetstream::kv::{self, UpdateErrorKind};
use tokio::time::{Instant, sleep, sleep_until, timeout_at};

/// How long a lease lasts after its last renewal, and so the pace of renewing and of trying to take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseTiming {
    pub ttl: Duration,
}

impl LeaseTiming {
    /// The lease's life in production: a standby takes over at most 12 s after the holder dies.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(10);
    /// The shortest life accepted (tests run at this pace).
    pub const MIN_TTL: Duration = Duration::from_secs(1);

    /// How often the holder renews.
    pub fn renew_every(self) -> Duration {
        self.ttl / 3
    }

    /// How often a standby tries to take the lease.
    pub fn retry_every(self) -> Duration {
        self.ttl / 5
    }

    /// How long after sending a renewal the holder may go on talking to RingCentral without another.
    pub fn safe_for(self) -> Duration {
        self.ttl - self.ttl / 5
    }

    /// The longest a standby waits after the holder dies: the value's life plus one try.
    pub fn worst_takeover(self) -> Duration {
        self.ttl + self.retry_every()
    }
}

impl Default for LeaseTiming {
    fn default() -> Self {
        LeaseTiming {
            ttl: Self::DEFAULT_TTL,
        }
    }
}

/// One account's lease as this hub sees it.
pub struct Lease {
    store: kv::Store,
    key: String,
    holder: String,
    timing: LeaseTiming,
}

/// The lease while this hub holds it.
#[derive(Debug)]
pub struct Held {
    revision: u64,
    /// Until when this hub may talk to RingCentral.
    deadline: Instant,
}

impl Lease {
    /// The lease `key` in `store` (the lease bucket), taken in the name of `holder`.
    pub fn new(store: kv::Store, key: String, holder: &str, timing: LeaseTiming) -> Lease {
        Lease {
            store,
            key,
            holder: holder.to_owned(),
            timing,
        }
    }

    /// Waits until this hub holds the lease; `standby` is told once who holds it meanwhile.
    pub async fn acquire(&self, mut standby: impl FnMut(&str)) -> Held {
        let mut told = false;
        loop {
            let sent = Instant::now();
            match self.store.create(&self.key, self.holder.clone().into()).await {
                Ok(revision) => {
                    return Held {
                        revision,
                        deadline: sent + self.timing.safe_for(),
                    };
                }
                Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {
                    if !told {
                        told = true;
                        standby(&self.current_holder().await);
                    }
                }
                Err(error) => tracing::warn!("cannot try to take the lease {}: {error}", self.key),
            }
            sleep(self.timing.retry_every()).await;
        }
    }

    /// Renews the lease while this hub holds it; returns, saying why, as soon as it may no longer be
    /// sure it does (another hub took it, or no renewal got through in time).
    pub async fn keep(&self, held: &mut Held) -> String {
        loop {
            let next = Instant::now() + self.timing.renew_every();
            sleep_until(next.min(held.deadline)).await;
            let sent = Instant::now();
            let renewal = self
                .store
                .update(&self.key, self.holder.clone().into(), held.revision);
            match timeout_at(held.deadline, renewal).await {
                Ok(Ok(revision)) => {
                    held.revision = revision;
                    held.deadline = sent + self.timing.safe_for();
                }
                Ok(Err(error)) if error.kind() == UpdateErrorKind::WrongLastRevision => {
                    return format!(
                        "the lease {} was taken by {} (this hub could not renew it in time)",
                        self.key,
                        self.current_holder().await
                    );
                }
                Ok(Err(error)) => tracing::warn!("cannot renew the lease {}: {error}", self.key),
                Err(_) => {
                    return format!(
                        "no renewal of the lease {} got through NATS in {:?}",
                        self.key,
                        self.timing.safe_for()
                    );
                }
            }
            if Instant::now() >= held.deadline {
                return format!("the lease {} ran out before it could be renewed", self.key);
            }
        }
    }

    /// Gives the lease up at once (a clean shutdown), so a standby need not wait for it to expire.
    pub async fn release(&self, held: Held) {
        if let Err(error) = self
            .store
            .delete_expect_revision(&self.key, Some(held.revision))
            .await
        {
            tracing::warn!("cannot release the lease {}: {error}", self.key);
        }
    }

    /// Who holds the lease now, as that hub named itself.
    async fn current_holder(&self) -> String {
        match self.store.get(&self.key).await {
            Ok(Some(value)) => String::from_utf8_lossy(&value).into_owned(),
            _ => "another hub".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_lease_lets_a_standby_take_over_within_15_seconds() {
        let timing = LeaseTiming::default();
        assert!(timing.worst_takeover() <= Duration::from_secs(15));
        assert!(
            timing.renew_every() < timing.safe_for(),
            "two renewals fit in a lease's life"
        );
        assert!(
            timing.safe_for() < timing.ttl,
            "the holder stops before the value expires"
        );
    }
}
