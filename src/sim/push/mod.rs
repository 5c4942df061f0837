//! RingCentral's WebSocket gateway (WSG), simulated on its own loopback listener: `POST
//! /restapi/oauth/wstoken` hands out single-use tokens for `ws://127.0.0.1:PORT/ws`; a connection gets
//! `ConnectionDetails` first, subscribes with a `ClientRequest`, receives telephony-session events as the
//! simulator's clock passes them (the same calls the polling endpoints show), answers heartbeats, times
//! out when idle, and recovers a dropped session with `&wsc=`. Push faults make it misbehave on purpose.
mod connection;
mod events;
mod faults;
mod handshake;
mod sessions;
mod subscription;
mod tokens;
mod wstoken;

use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

pub use faults::{PushFaultSettings, PushFaults};
pub use handshake::serve;
pub use wstoken::wstoken;

use sessions::Sessions;
use tokens::WsTokens;

/// The `[push]` table of a scenario: the gateway's limits, as `ConnectionDetails` announces them, and its
/// faults. The defaults are RingCentral's documented values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushSettings {
    /// `expires_in` of WebSocket access tokens.
    pub wstoken_ttl_secs: u64,
    /// How long after a drop `&wsc=` still recovers the session.
    pub recovery_timeout_secs: u64,
    /// Missed events replayed on a successful recovery, at most (the most recent ones).
    pub recovery_buffer_size: u32,
    /// Seconds without a client message before WSG-902 and close.
    pub idle_timeout_secs: u64,
    /// Seconds after which a connection is closed whatever happens (WSG-903).
    pub absolute_timeout_secs: u64,
    /// `[push.faults]`: push faults active from the start.
    pub faults: PushFaultSettings,
}

impl Default for PushSettings {
    fn default() -> Self {
        Self {
            wstoken_ttl_secs: 600,
            recovery_timeout_secs: 180,
            recovery_buffer_size: 100,
            idle_timeout_secs: 1800,
            absolute_timeout_secs: 86_400,
            faults: PushFaultSettings::default(),
        }
    }
}

/// The gateway's shared state: its address, the tokens and sessions it issued, and its faults.
pub struct Gateway {
    /// `ws://127.0.0.1:PORT/ws`.
    pub url: String,
    pub faults: PushFaults,
    tokens: Mutex<WsTokens>,
    sessions: Mutex<Sessions>,
    rng: Mutex<SmallRng>,
}

impl Gateway {
    /// A gateway reachable at `url`, its random strings derived from `seed`.
    pub fn new(url: String, settings: &PushSettings, seed: u64) -> Self {
        Gateway {
            url,
            faults: PushFaults::from_settings(&settings.faults),
            tokens: Mutex::new(WsTokens::default()),
            sessions: Mutex::new(Sessions::default()),
            rng: Mutex::new(SmallRng::seed_from_u64(seed ^ 0x3D5C_0FFE)),
        }
    }

    fn tokens(&self) -> MutexGuard<'_, WsTokens> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh UUID-shaped id (message ids, subscription ids).
    fn new_id(&self) -> String {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let (a, b): (u128, u128) = (rng.random(), rng.random());
        let hex = format!("{:032x}", a ^ (b << 64));
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// A fresh opaque token: `prefix` and random text, base64-encoded as RingCentral's look.
    fn new_token(&self, prefix: &str) -> String {
        use base64::Engine;
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let secret: String = (0..32)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{prefix}{secret}"))
    }
}
