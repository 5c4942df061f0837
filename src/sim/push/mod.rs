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
pub(crate) mod settings;
mod subscription;
mod tokens;
mod wstoken;

use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub use faults::{PushFaultSettings, PushFaults};
pub use handshake::serve;
pub use settings::PushSettings;
pub use wstoken::wstoken;

use sessions::Sessions;
use tokens::WsTokens;

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
