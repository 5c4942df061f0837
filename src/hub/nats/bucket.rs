//! The hub's two JetStream key-value buckets, opened as they are or created when missing (an operator
//! who wants replicas across a cluster creates them beforehand, e.g. `nats kv add callboard --replicas 3`).
use std::time::Duration;

use async_nats::jetstream::{self, kv};

use super::subjects::{LEASE_BUCKET, STATE_BUCKET};

/// The bucket of each view's latest state: one value a key, kept on disk.
pub async fn state(js: &jetstream::Context) -> Result<kv::Store, String> {
    open(
        js,
        kv::Config {
            bucket: STATE_BUCKET.into(),
            description: "callboard: each view's latest listing, for boards that join late".into(),
            history: 1,
            storage: jetstream::stream::StorageType::File,
            ..Default::default()
        },
    )
    .await
}

/// The bucket of the accounts' leases: a value lives `ttl` after it was last written, in memory.
pub async fn lease(js: &jetstream::Context, ttl: Duration) -> Result<kv::Store, String> {
    open(
        js,
        kv::Config {
            bucket: LEASE_BUCKET.into(),
            description: "callboard: which hub talks to RingCentral for each account".into(),
            history: 1,
            max_age: ttl,
            storage: jetstream::stream::StorageType::Memory,
            ..Default::default()
        },
    )
    .await
}

async fn open(js: &jetstream::Context, config: kv::Config) -> Result<kv::Store, String> {
    if let Ok(store) = js.get_key_value(config.bucket.as_str()).await {
        return Ok(store);
    }
    let bucket = config.bucket.clone();
    // The bucket's stream as `create_key_value` would make it, made directly: that call first reads the
    // account's details, which async-nats cannot parse from a 2.9 server. Another hub may create it at
    // the same moment: the same config is accepted twice.
    let stream = jetstream::stream::Config {
        name: format!("KV_{bucket}"),
        description: Some(config.description),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: config.history,
        max_age: config.max_age,
        storage: config.storage,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: jetstream::stream::DiscardPolicy::New,
        num_replicas: 1,
        ..Default::default()
    };
    match js.get_or_create_stream(stream).await {
        Ok(_) => js
            .get_key_value(bucket.as_str())
            .await
            .map_err(|e| format!("cannot open the JetStream key-value bucket {bucket:?}: {e}")),
        Err(create) => Err(format!(
            "cannot open or create the JetStream key-value bucket {bucket:?}: {create}; the NATS server \
             needs JetStream (nats-server -js, or `jetstream {{}}` in its config) and this NATS user needs \
             the JetStream API ($JS.API.>)"
        )),
    }
}
