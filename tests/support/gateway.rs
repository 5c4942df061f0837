//! A raw WebSocket client for the simulator's gateway (tokio-tungstenite): get a wstoken, connect,
//! subscribe, and read frames, each one checked against the wire types of `callboard::api::wsg`.
use std::time::Duration;

use callboard::api::wsg::{
    ConnectionDetails, Frame, MessageType, Notification, SessionEvent, SubscriptionInfo, WsToken, WsgError,
};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::sim::{Got, Harness, got};

/// How long a test waits for one frame before calling the gateway silent.
const FRAME_WAIT: Duration = Duration::from_secs(5);

/// `POST /restapi/oauth/wstoken` with `access`, whatever it answers.
pub async fn wstoken_reply(h: &Harness, access: &str) -> Got {
    let url = format!("{}/restapi/oauth/wstoken", h.sim.base_url());
    got(h.http.post(url).bearer_auth(access).send().await.unwrap()).await
}

/// A wstoken that must be granted.
pub async fn wstoken(h: &Harness, access: &str) -> WsToken {
    let got = wstoken_reply(h, access).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text);
    serde_json::from_str(&got.text).unwrap()
}

/// One open gateway socket.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    syncs: u64,
}

/// How a socket ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// A close frame with this code.
    Closed(u16),
    /// No close frame: the connection was cut.
    Cut,
}

impl Ws {
    /// Connects to `url` (`uri?access_token=…[&wsc=…]`).
    pub async fn connect(url: &str) -> Ws {
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("gateway connects");
        Ws { stream, syncs: 0 }
    }

    /// Connects with a wstoken and, when recovering, a `wsc`.
    pub async fn open(token: &WsToken, wsc: Option<&str>) -> Ws {
        let mut url = format!("{}?access_token={}", token.uri, token.ws_access_token);
        if let Some(wsc) = wsc {
            url.push_str(&format!("&wsc={wsc}"));
        }
        Ws::connect(&url).await
    }

    /// The next frame, checked; `Err` when the socket ended instead.
    pub async fn next(&mut self) -> Result<Frame, Ended> {
        loop {
            let msg = tokio::time::timeout(FRAME_WAIT, self.stream.next())
                .await
                .expect("a frame within 5 s");
            match msg {
                Some(Ok(Message::Text(text))) => return Ok(checked(text.as_str())),
                Some(Ok(Message::Close(frame))) => {
                    return Err(Ended::Closed(frame.map_or(1005, |f| f.code.into())));
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Err(Ended::Cut),
            }
        }
    }

    /// The next frame, which must come.
    pub async fn frame(&mut self) -> Frame {
        self.next().await.expect("a frame, not the end")
    }

    /// Sends raw text.
    pub async fn send(&mut self, text: &str) {
        self.stream.send(Message::Text(text.into())).await.unwrap();
    }

    /// Subscribes to `filters` with message id `id`; returns the reply.
    pub async fn subscribe(&mut self, id: &str, filters: &[&str]) -> Frame {
        let request = serde_json::json!([
            {"type": "ClientRequest", "messageId": id, "method": "POST", "path": "/restapi/v1.0/subscription"},
            {"eventFilters": filters, "deliveryMode": {"transportType": "WebSocket"}},
        ]);
        self.send(&request.to_string()).await;
        let reply = self.frame().await;
        assert_eq!(reply.meta.kind, MessageType::ClientRequest);
        assert_eq!(reply.meta.message_id.as_deref(), Some(id));
        reply
    }

    /// Subscribes and returns the subscription, which must be granted.
    pub async fn subscribed(&mut self, filters: &[&str]) -> SubscriptionInfo {
        let reply = self.subscribe("sub-1", filters).await;
        assert_eq!(reply.meta.status, Some(200));
        reply.body_as().unwrap().unwrap()
    }

    /// Every frame the gateway sends before it answers a heartbeat (which it does only after the events
    /// already due).
    pub async fn sync(&mut self) -> Vec<Frame> {
        self.syncs += 1;
        let id = format!("sync-{}", self.syncs);
        self.send(&format!(r#"[{{"type":"Heartbeat","messageId":"{id}"}}]"#))
            .await;
        let mut frames = Vec::new();
        loop {
            let frame = self.frame().await;
            if frame.meta.kind == MessageType::Heartbeat && frame.meta.message_id.as_deref() == Some(&id) {
                return frames;
            }
            frames.push(frame);
        }
    }

    /// The notifications among [`Ws::sync`]'s frames.
    pub async fn events(&mut self) -> Vec<Notification<SessionEvent>> {
        self.sync().await.iter().filter_map(notification).collect()
    }
}

/// The frame's notification, when it is one.
pub fn notification(frame: &Frame) -> Option<Notification<SessionEvent>> {
    (frame.meta.kind == MessageType::ServerNotification).then(|| frame.body_as().unwrap().unwrap())
}

/// Parses a frame and checks its body against the type its meta says it has.
fn checked(text: &str) -> Frame {
    let frame = Frame::parse(text).unwrap_or_else(|e| panic!("bad frame ({e}): {text}"));
    let fits = match frame.meta.kind {
        MessageType::ConnectionDetails => frame.body_as::<ConnectionDetails>().is_some_and(|b| b.is_ok()),
        MessageType::ServerNotification => frame
            .body_as::<Notification<SessionEvent>>()
            .is_some_and(|b| b.is_ok_and(|n| Some(&n.uuid) == frame.meta.message_id.as_ref())),
        MessageType::Error => frame.body_as::<WsgError>().is_some_and(|b| b.is_ok()),
        MessageType::ClientRequest => frame.meta.headers.is_some() && frame.meta.status.is_some(),
        MessageType::Heartbeat => frame.body.is_none(),
        MessageType::Unknown => false,
    };
    assert!(fits, "frame does not fit its type: {text}");
    frame
}
