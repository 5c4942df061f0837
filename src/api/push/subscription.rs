//! The one subscription of a connection: a `ClientRequest` `POST /restapi/v1.0/subscription` with the
//! telephony-session filter of the scope (the account's sessions, or one extension's), and its reply —
//! the subscription, a refusal a person must act on (a missing app permission, a non-admin asking for the
//! account filter), or another failure worth retrying.
use serde_json::Value;

use super::super::scope::Scope;
use super::super::wsg::{
    DeliveryMode, Frame, MessageType, Meta, SubscriptionInfo, SubscriptionRequest, telephony_filter,
};
use super::PushError;
use crate::text::clean_server_text;

/// Path of the subscription request.
const SUBSCRIPTION_PATH: &str = "/restapi/v1.0/subscription";

/// The event filter of `scope`.
pub fn filter(scope: &Scope) -> String {
    match scope {
        Scope::Account => telephony_filter(None),
        Scope::Extension(id) => telephony_filter(Some(id)),
    }
}

/// The subscription request for `scope`, as message `message_id`.
pub fn request(scope: &Scope, message_id: &str) -> Frame {
    let mut meta = Meta::new(MessageType::ClientRequest, message_id);
    meta.method = Some("POST".into());
    meta.path = Some(SUBSCRIPTION_PATH.into());
    let body = SubscriptionRequest {
        event_filters: vec![filter(scope)],
        delivery_mode: DeliveryMode {
            transport_type: "WebSocket".into(),
            encryption: None,
        },
    };
    Frame::new(meta, Some(&body))
}

/// Reads the reply to the subscription request for `scope`.
pub fn reply(frame: &Frame, scope: &Scope) -> Result<SubscriptionInfo, PushError> {
    let status = frame.meta.status.unwrap_or(0);
    if frame.meta.kind == MessageType::ClientRequest && (200..300).contains(&status) {
        return match frame.body_as::<SubscriptionInfo>() {
            Some(Ok(info)) => Ok(info),
            _ => Err(PushError::Protocol(
                "the subscription reply has no readable subscription".into(),
            )),
        };
    }
    let body: Value = frame
        .body_as::<Value>()
        .and_then(Result::ok)
        .unwrap_or(Value::Null);
    let first = body.get("errors").and_then(|e| e.get(0));
    let text = |key: &str| {
        first
            .and_then(|f| f.get(key))
            .or_else(|| body.get(key))
            .and_then(Value::as_str)
            .map(|s| clean_server_text(s, &[]))
    };
    let code = text("errorCode").unwrap_or_else(|| format!("HTTP {status}"));
    let message = text("message").unwrap_or_default();
    let permission = text("permissionName");
    match refusal(status, &code, &message, permission.as_deref(), scope) {
        Some(reason) => Err(PushError::Refused(reason)),
        None => Err(PushError::Gateway(format!(
            "the WebSocket gateway refused the subscription ({code}: {message})"
        ))),
    }
}

/// What to change when the gateway refuses the subscription for good, or `None` when retrying may help.
fn refusal(
    status: u16,
    code: &str,
    message: &str,
    permission: Option<&str>,
    scope: &Scope,
) -> Option<String> {
    let says = |needle: &str| {
        [code, message, permission.unwrap_or_default()]
            .iter()
            .any(|t| t.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()))
    };
    if says("CallControl") || says("TelephonySessions") {
        Some(lacks("CallControl", "ask RingCentral to add it"))
    } else if says("WebSocket") || code == "SUB-528" {
        Some(lacks(
            "WebSocket Subscriptions",
            "add it in the RingCentral Developer Console",
        ))
    } else if status == 403 && scope.is_account() {
        Some(format!(
            "account-wide call events need an admin user ({code}); use an admin's RC_USER_JWT or switch to \
             extension scope"
        ))
    } else if status == 403 {
        Some(format!(
            "RingCentral refused the call-event subscription ({code}: {message})"
        ))
    } else {
        None
    }
}

/// The reason for a missing app permission.
pub fn lacks(permission: &str, how: &str) -> String {
    format!("the app lacks the {permission} permission; {how}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply_frame(status: u16, body: &str) -> Frame {
        let mut meta = Meta::new(MessageType::ClientRequest, "m1");
        meta.status = Some(status);
        let body: Value = serde_json::from_str(body).unwrap();
        Frame::new(meta, Some(&body))
    }

    #[test]
    fn the_request_carries_the_scope_filter() {
        let text = request(&Scope::Extension("101".into()), "m1").to_text();
        assert!(text.contains(r#""path":"/restapi/v1.0/subscription""#), "{text}");
        assert!(
            text.contains("/account/~/extension/101/telephony/sessions"),
            "{text}"
        );
        assert!(
            request(&Scope::Account, "m")
                .to_text()
                .contains(r#"["/restapi/v1.0/account/~/telephony/sessions"]"#)
        );
    }

    #[test]
    fn replies_are_read_as_subscriptions_refusals_or_failures() {
        let ok = reply_frame(
            200,
            r#"{"id":"sub-1","eventFilters":["/restapi/v1.0/account/1/telephony/sessions"]}"#,
        );
        assert_eq!(reply(&ok, &Scope::Account).unwrap().id, "sub-1");
        let no_cc = reply_frame(
            403,
            r#"{"errorCode":"CMN-401","message":"In order to call this API endpoint, application needs to have [CallControl] permission"}"#,
        );
        let e = reply(&no_cc, &Scope::Account).unwrap_err();
        assert!(
            matches!(&e, PushError::Refused(r) if r.contains("CallControl") && r.contains("ask RingCentral")),
            "{e}"
        );
        let non_admin = reply_frame(
            403,
            r#"{"errors":[{"errorCode":"SUB-406","message":"Not allowed"}]}"#,
        );
        let e = reply(&non_admin, &Scope::Account).unwrap_err();
        assert!(matches!(&e, PushError::Refused(r) if r.contains("admin")), "{e}");
        let busy = reply_frame(503, r#"{"errorCode":"CMN-211","message":"busy"}"#);
        assert!(matches!(
            reply(&busy, &Scope::Account),
            Err(PushError::Gateway(_))
        ));
    }
}
