//! The WebSocket token (`POST /restapi/oauth/wstoken`, Auth group): requested through the authenticated
//! REST session, and reused until 80 % of its `expires_in` as RingCentral's `@rc-ex/ws` does, so a
//! reconnect loop does not spend the Auth budget (5 a minute, shared with logins and refreshes).
use std::time::{Duration, Instant};

use super::super::error::{ApiError, Endpoint};
use super::super::rate_limit::AUTH;
use super::super::session::Session;
use super::super::transport::json_error;
use super::super::wsg::WsToken;

/// Path of the token endpoint.
pub const WSTOKEN_PATH: &str = "/restapi/oauth/wstoken";
/// Share of a token's lifetime it is reused for.
const REUSE_SHARE: f64 = 0.8;

/// Requests a new token (one Auth request).
pub(crate) async fn request(session: &Session) -> Result<WsToken, ApiError> {
    let url = session.transport.url(WSTOKEN_PATH)?;
    let reply = session.post(&url, AUTH, Endpoint::Other).await?;
    let token: WsToken =
        serde_json::from_slice(&reply.body).map_err(|e| json_error("wstoken response", &e))?;
    if token.ws_access_token.is_empty() {
        return Err(ApiError::Malformed(
            "wstoken response has an empty ws_access_token".into(),
        ));
    }
    if !(token.uri.starts_with("wss://") || token.uri.starts_with("ws://")) {
        return Err(ApiError::Malformed(
            "wstoken response has no ws:// or wss:// uri".into(),
        ));
    }
    Ok(token)
}

/// The last token and when it arrived.
#[derive(Default)]
pub struct TokenCache {
    held: Option<(WsToken, Instant)>,
}

impl TokenCache {
    /// The cached token while it is younger than 80 % of its lifetime at `now`.
    pub fn fresh(&self, now: Instant) -> Option<&WsToken> {
        let (token, got) = self.held.as_ref()?;
        // `expires_in` is the server's: a huge one must not overflow the clock (a day at most).
        let lifetime = Duration::from_secs(token.expires_in.min(86_400));
        (now < *got + lifetime.mul_f64(REUSE_SHARE)).then_some(token)
    }

    /// Keeps `token`, received at `now`.
    pub fn store(&mut self, token: WsToken, now: Instant) {
        self.held = Some((token, now));
    }

    /// Forgets the token (the gateway refused it).
    pub fn clear(&mut self) {
        self.held = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_reused_until_eighty_percent_of_its_lifetime() {
        let t0 = Instant::now();
        let mut cache = TokenCache::default();
        assert!(cache.fresh(t0).is_none());
        let token = WsToken {
            ws_access_token: "t".into(),
            uri: "ws://127.0.0.1:1/ws".into(),
            expires_in: 600,
        };
        cache.store(token.clone(), t0);
        assert_eq!(cache.fresh(t0 + Duration::from_secs(479)), Some(&token));
        assert!(cache.fresh(t0 + Duration::from_secs(480)).is_none());
        cache.clear();
        assert!(cache.fresh(t0).is_none());
    }

    #[test]
    fn a_hostile_lifetime_does_not_overflow_the_clock() {
        let t0 = Instant::now();
        let mut cache = TokenCache::default();
        let token = WsToken {
            ws_access_token: "t".into(),
            uri: "ws://127.0.0.1:1/ws".into(),
            expires_in: u64::MAX,
        };
        cache.store(token, t0);
        assert!(cache.fresh(t0).is_some());
        assert!(
            cache.fresh(t0 + Duration::from_secs(86_400)).is_none(),
            "a day at most"
        );
    }
}
