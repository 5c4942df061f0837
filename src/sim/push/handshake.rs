//! The gateway's own listener and its handshake: `GET /ws?access_token=…[&wsc=…]` upgraded to a
//! WebSocket, admitted (token valid and not on another open socket, `wsc` well-formed) or refused with an
//! `Error` frame and a 44xx close code, and logged like a REST request.
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use url::form_urlencoded;

use super::connection::{self, Admitted};
use crate::api::wsg::{Frame, MessageType, Meta, WsgError};
use crate::sim::request_log::{LoggedRequest, redact};
use crate::sim::state::SimState;

/// What a `wsc` token's base64 text starts with once decoded.
const WSC_PREFIX: &str = "SIM01P01WSC|";

/// The gateway's router: the one WebSocket endpoint.
pub fn serve(st: Arc<SimState>) -> Router {
    Router::new().route("/ws", get(upgrade)).with_state(st)
}

/// Why a connection was refused: the `Error` body and the close code.
struct Refusal {
    code: &'static str,
    message: &'static str,
    close: u16,
}

const NO_TOKEN: Refusal = Refusal {
    code: "WSG-401",
    message: "Authorization required: connect to the uri of POST /restapi/oauth/wstoken with ?access_token=",
    close: 4400,
};
const BAD_TOKEN: Refusal = Refusal {
    code: "WSG-401",
    message: "The WebSocket access token is invalid, expired or in use on another connection: get a new one from POST /restapi/oauth/wstoken",
    close: 4401,
};
const BAD_WSC: Refusal = Refusal {
    code: "WSG-400",
    message: "Malformed WebSocket session context token",
    close: 4400,
};

async fn upgrade(
    State(st): State<Arc<SimState>>,
    RawQuery(query): RawQuery,
    ws: WebSocketUpgrade,
) -> Response {
    let at = st.clock.wall();
    let query = query.unwrap_or_default();
    let param = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let admission = admit(&st, param("access_token"), param("wsc"));
    let path = if query.is_empty() {
        "/ws".to_owned()
    } else {
        redact(&format!("/ws?{query}"))
    };
    st.log_request(LoggedRequest {
        at,
        method: "GET".to_owned(),
        path,
        user: admission.as_ref().ok().map(|a| a.owner.extension),
        session: admission.as_ref().ok().map(|a| a.owner.oauth_session.clone()),
        group: None,
        status: Some(101),
        accept_encoding: None,
    });
    ws.on_upgrade(move |socket| async move {
        match admission {
            Ok(admitted) => connection::run(st, socket, admitted).await,
            Err(refusal) => refuse(socket, refusal, st.gateway.new_id()).await,
        }
    })
}

fn admit(st: &SimState, token: Option<String>, wsc: Option<String>) -> Result<Admitted, Refusal> {
    let token = token.filter(|t| !t.is_empty()).ok_or(NO_TOKEN)?;
    if wsc.as_deref().is_some_and(|w| !is_wsc(w)) {
        return Err(BAD_WSC);
    }
    let gateway = &st.gateway;
    let now = st.clock.wall();
    let owner = gateway.tokens().open(&token, now).ok_or(BAD_TOKEN)?;
    let timeout = std::time::Duration::from_secs(st.scenario.push.recovery_timeout_secs);
    let (session, conn, attached) =
        gateway
            .sessions()
            .attach(wsc.as_deref(), owner.clone(), now, timeout, || {
                gateway.new_token(WSC_PREFIX)
            });
    Ok(Admitted {
        access_token: token,
        owner,
        wsc: session,
        conn,
        attached,
    })
}

/// True for a token this gateway could have issued as a `wsc`.
fn is_wsc(wsc: &str) -> bool {
    STANDARD_NO_PAD
        .decode(wsc)
        .is_ok_and(|raw| raw.starts_with(WSC_PREFIX.as_bytes()))
}

async fn refuse(mut socket: WebSocket, refusal: Refusal, id: String) {
    let meta = Meta {
        status: Some(if refusal.close == 4401 { 401 } else { 400 }),
        ..Meta::new(MessageType::Error, id)
    };
    let body = WsgError {
        error_code: refusal.code.to_owned(),
        message: refusal.message.to_owned(),
    };
    let text = Frame::new(meta, Some(&body)).to_text();
    // The client may already have gone; nothing more to tell it then.
    let _ = socket.send(Message::Text(text.into())).await;
    let close = CloseFrame {
        code: refusal.close,
        reason: refusal.code.into(),
    };
    let _ = socket.send(Message::Close(Some(close))).await;
}
