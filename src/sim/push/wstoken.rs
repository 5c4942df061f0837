//! `POST /restapi/oauth/wstoken`: a WebSocket access token for the gateway's own listener (Auth group,
//! bearer token required, refused when the app lacks the WebSocket Subscriptions permission).
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;

use super::tokens::TokenOwner;
use crate::api::wsg::WsToken;
use crate::sim::errors::ApiError;
use crate::sim::rate_limit::RateGroup;
use crate::sim::reply::Reply;
use crate::sim::state::{SimState, bearer};

/// What a token's base64 text starts with once decoded.
const WS_TOKEN_PREFIX: &str = "SIM01P01WST|";

/// `POST /restapi/oauth/wstoken`.
pub async fn wstoken(State(st): State<Arc<SimState>>, headers: HeaderMap) -> Reply {
    let caller = match st.authorize(&headers, RateGroup::Auth) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    if !st.scenario.app.websocket {
        let refusal = ApiError::app_permission("SUB-528", "WebSocketsSubscription");
        return Reply::error_for(refusal, Some(caller.ext.id), caller.verdict);
    }
    let Some(oauth_session) = st.tokens().session_of(bearer(&headers)).map(str::to_owned) else {
        let gone = ApiError::token_invalid("OAU-213", "Token not found");
        return Reply::error_for(gone, Some(caller.ext.id), caller.verdict);
    };
    let gateway = &st.gateway;
    let ttl = st.scenario.push.wstoken_ttl_secs;
    let now = st.clock.wall();
    let token = gateway.new_token(WS_TOKEN_PREFIX);
    let owner = TokenOwner {
        extension: caller.ext.id,
        oauth_session,
    };
    let expires = now.saturating_add(Duration::from_secs(ttl)).unwrap_or(now);
    gateway.tokens().issue(token.clone(), owner, now, expires);
    let body = WsToken {
        ws_access_token: token,
        uri: gateway.url.clone(),
        expires_in: ttl,
    };
    Reply::ok(&body, Some(caller.ext.id), caller.verdict)
}
