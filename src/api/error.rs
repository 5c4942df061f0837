//! [`ApiError`]: what went wrong talking to RingCentral, in variants the UI can act on and messages that
//! say what to do. Server-supplied text is cleaned (control characters stripped, length capped, anything
//! token-like redacted) before it reaches a message.
use std::time::Duration;

use serde_json::Value;

use crate::text::clean_server_text;

/// A failed RingCentral request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Credentials or token rejected (OAU-…, `invalid_client`, `invalid_grant`); the message names the
    /// setting to fix.
    #[error("{message} [{code}]")]
    Unauthorized { code: String, message: String },
    /// The user or app lacks a permission (CMN-401, CMN-402, CMN-408, InsufficientPermissions).
    #[error("{message} [{code}]")]
    Permission {
        permission: Option<String>,
        code: String,
        message: String,
    },
    /// Rate limit hit: nothing is sent in `group` for `retry_after`. `sent` is false when callboard
    /// refused locally (penalty running or budget used up) without sending anything.
    #[error("{}", rate_limited_text(group, *retry_after, *sent))]
    RateLimited {
        group: String,
        retry_after: Duration,
        sent: bool,
    },
    /// Any other HTTP error status (5xx, unexpected 4xx).
    #[error("{}", server_text(*status, code.as_deref(), message, *retry_after))]
    Server {
        status: u16,
        code: Option<String>,
        message: String,
        retry_after: Option<Duration>,
    },
    /// No complete answer within the configured timeouts.
    #[error("RingCentral did not answer in time; check the network connection (the next poll tries again)")]
    Timeout,
    /// Connection refused, DNS, TLS or a dropped connection.
    #[error("could not reach RingCentral ({0}); check the network connection and RC_SERVER_URL")]
    Network(String),
    /// The server's certificate comes from an issuer this machine does not trust; the message names the
    /// host, the issuer and the setting that adds a CA (a company network may be intercepting TLS).
    #[error("{0}")]
    Tls(String),
    /// The proxy between callboard and RingCentral refused, wanted credentials or could not be reached; the
    /// message names the proxy (its password masked) and what to do.
    #[error("{0}")]
    Proxy(String),
    /// The server answered something unreadable.
    #[error("RingCentral sent a response callboard cannot read ({0}); the next poll tries again")]
    Malformed(String),
    /// 404.
    #[error("RingCentral answered 404 Not Found; check RC_SERVER_URL and the extension id")]
    NotFound,
    /// Unusable configuration.
    #[error("configuration problem: {0}")]
    Config(String),
}

fn rate_limited_text(group: &str, retry_after: Duration, sent: bool) -> String {
    let secs = retry_after.as_secs_f64().ceil();
    if sent {
        format!(
            "RingCentral's {group} rate limit was exceeded (HTTP 429); nothing is sent in that group for \
             {secs}s, then polling resumes"
        )
    } else {
        format!(
            "callboard held back a {group} request to stay within RingCentral's rate limit (budget used \
             up or penalty running); the next one may go in {secs}s"
        )
    }
}

fn server_text(status: u16, code: Option<&str>, message: &str, retry_after: Option<Duration>) -> String {
    let code = code.map(|c| format!(" [{c}]")).unwrap_or_default();
    let what = if status >= 500 {
        format!("RingCentral server error {status}{code}: {message}")
    } else {
        format!("RingCentral rejected the request with HTTP {status}{code}: {message}")
    };
    match retry_after {
        Some(d) => format!("{what}; retrying after {}s", d.as_secs_f64().ceil()),
        None if status >= 500 => format!("{what}; the next poll tries again"),
        None => format!("{what}; please report this as a callboard bug"),
    }
}

/// Which request failed, so the error can name the setting to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// JWT bearer grant.
    JwtLogin,
    /// Refresh-token grant.
    Refresh,
    /// Active calls; `account` for the company-wide list.
    ActiveCalls { account: bool },
    /// Any other API call.
    Other,
}

/// The useful fields of an error body, read leniently from any of the shapes RingCentral uses.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    /// `errors[0].errorCode`, else top-level `errorCode`, else OAuth `error`.
    pub code: Option<String>,
    /// `errors[0].message`, else `message`, `error_description` or `description`.
    pub message: Option<String>,
    /// OAuth `error` (e.g. `invalid_client`).
    pub oauth_error: Option<String>,
    /// `permissionName` (top level or `errors[0]`), else a `[Name]` in the message.
    pub permission: Option<String>,
}

impl ErrorBody {
    /// Parses a body; anything unreadable gives empty fields.
    pub(crate) fn parse(body: &[u8]) -> Self {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return ErrorBody::default();
        };
        let str_at = |obj: Option<&Value>, key: &str| {
            obj.and_then(|o| o.get(key))
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        };
        let top = Some(&v);
        let first = v.get("errors").and_then(Value::as_array).and_then(|a| a.first());
        let oauth_error = str_at(top, "error");
        let code = str_at(first, "errorCode")
            .or_else(|| str_at(top, "errorCode"))
            .or_else(|| oauth_error.clone());
        let message = str_at(first, "message")
            .or_else(|| str_at(top, "message"))
            .or_else(|| str_at(top, "error_description"))
            .or_else(|| str_at(top, "description"));
        let permission = str_at(first, "permissionName")
            .or_else(|| str_at(top, "permissionName"))
            .or_else(|| message.as_deref().and_then(bracketed_name));
        ErrorBody {
            code,
            message,
            oauth_error,
            permission,
        }
    }
}

/// `ReadCompanyCallLog` out of "… [ReadCompanyCallLog] permission required".
fn bracketed_name(message: &str) -> Option<String> {
    let start = message.find('[')? + 1;
    let len = message[start..].find(']')?;
    let name = &message[start..start + len];
    (!name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| name.to_owned())
}

/// Client-credential failures (as opposed to a rejected JWT or token).
fn is_client_error(body: &ErrorBody) -> bool {
    matches!(
        body.oauth_error.as_deref(),
        Some("invalid_client" | "unauthorized_client")
    ) || matches!(body.code.as_deref(), Some("OAU-123" | "OAU-146" | "OAU-153"))
}

/// Maps an error response to an [`ApiError`]. `group` is the rate-limit group of the request and
/// `secrets` are values that must never appear in the message.
pub(crate) fn from_response(
    endpoint: Endpoint,
    status: u16,
    group: &str,
    retry_after: Option<Duration>,
    body: &[u8],
    secrets: &[&str],
) -> ApiError {
    let parsed = ErrorBody::parse(body);
    let server_says = parsed
        .message
        .as_deref()
        .map(|m| clean_server_text(m, secrets))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code = parsed
        .code
        .as_deref()
        .map(|c| clean_server_text(c, secrets))
        .unwrap_or_else(|| format!("HTTP {status}"));
    let is_token_request = matches!(endpoint, Endpoint::JwtLogin | Endpoint::Refresh);
    match status {
        429 => ApiError::RateLimited {
            group: group.to_owned(),
            retry_after: retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            sent: true,
        },
        400 | 401 | 403 if is_token_request => {
            let message = if is_client_error(&parsed) {
                format!(
                    "RingCentral rejected the app credentials ({server_says}); check RC_APP_CLIENT_ID and \
                     RC_APP_CLIENT_SECRET, and that the app allows the JWT auth flow"
                )
            } else if endpoint == Endpoint::Refresh {
                format!(
                    "RingCentral rejected the refresh token ({server_says}); log in again with RC_USER_JWT"
                )
            } else {
                format!(
                    "RingCentral rejected the JWT ({server_says}); check RC_USER_JWT (it may be expired, \
                     revoked, or not allowed for this app)"
                )
            };
            ApiError::Unauthorized { code, message }
        }
        401 => ApiError::Unauthorized {
            message: format!(
                "RingCentral refused the access token ({server_says}); if logging in again does not help, \
                 check RC_USER_JWT"
            ),
            code,
        },
        403 => permission_error(
            endpoint,
            parsed.permission.map(|p| clean_server_text(&p, secrets)),
            code,
            &server_says,
        ),
        404 => ApiError::NotFound,
        _ => ApiError::Server {
            status,
            code: parsed.code.map(|c| clean_server_text(&c, secrets)),
            message: server_says,
            retry_after,
        },
    }
}

/// Retry interval after a 429 without `Retry-After`.
pub(crate) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

fn permission_error(
    endpoint: Endpoint,
    permission: Option<String>,
    code: String,
    server_says: &str,
) -> ApiError {
    let account = endpoint == Endpoint::ActiveCalls { account: true };
    let message = if code == "CMN-401" {
        let name = permission.as_deref().unwrap_or("required");
        format!(
            "the app lacks the {name} permission ({server_says}); add it to the app (RC_APP_CLIENT_ID) in \
             the RingCentral Developer Console"
        )
    } else if account {
        format!(
            "account scope needs an admin user with the ReadCompanyCallLog permission ({server_says}); \
             switch to extension scope or use the RC_USER_JWT of an admin user"
        )
    } else {
        let name = permission.as_deref().unwrap_or("required");
        format!(
            "the user lacks the {name} permission ({server_says}); ask an admin to grant it or use another \
             RC_USER_JWT"
        )
    };
    let permission = match permission {
        None if account => Some("ReadCompanyCallLog".to_owned()),
        other => other,
    };
    ApiError::Permission {
        permission,
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::MAX_SERVER_TEXT;

    const ACCOUNT: Endpoint = Endpoint::ActiveCalls { account: true };
    const MINE: Endpoint = Endpoint::ActiveCalls { account: false };

    fn map(endpoint: Endpoint, status: u16, body: &str) -> ApiError {
        from_response(endpoint, status, "Heavy", None, body.as_bytes(), &[])
    }

    fn permission(e: &ApiError) -> (Option<&str>, &str) {
        match e {
            ApiError::Permission { permission, code, .. } => (permission.as_deref(), code.as_str()),
            other => panic!("not a permission error: {other:?}"),
        }
    }

    fn unauthorized(e: &ApiError) -> &str {
        match e {
            ApiError::Unauthorized { code, .. } => code,
            other => panic!("not unauthorized: {other:?}"),
        }
    }

    #[test]
    fn cmn_401_app_scope_names_the_permission_and_the_app() {
        let body = r#"{"errorCode":"InsufficientPermissions",
            "message":"In order to call this API endpoint, application needs to have [ReadCallLog] permission",
            "errors":[{"errorCode":"CMN-401","message":"In order to call this API endpoint, application needs to have [ReadCallLog] permission","permissionName":"ReadCallLog"}],
            "permissionName":"ReadCallLog"}"#;
        let e = map(MINE, 403, body);
        assert_eq!(permission(&e), (Some("ReadCallLog"), "CMN-401"));
        assert!(e.to_string().contains("RC_APP_CLIENT_ID"), "{e}");
    }

    #[test]
    fn cmn_408_user_permission() {
        let body = r#"{"errorCode":"CMN-408",
            "message":"In order to call this API endpoint, user needs to have [Meetings] permission for requested resource.",
            "errors":[{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [Meetings] permission for requested resource.","permissionName":"Meetings"}],
            "permissionName":"Meetings"}"#;
        let e = map(Endpoint::Other, 403, body);
        assert_eq!(permission(&e), (Some("Meetings"), "CMN-408"));
        assert!(e.to_string().contains("Meetings"));
    }

    #[test]
    fn account_scope_without_admin_names_read_company_call_log() {
        let scraped = r#"{"errors":[{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [ReadCompanyCallLog] permission for requested resource."}]}"#;
        let e = map(ACCOUNT, 403, scraped);
        assert_eq!(permission(&e), (Some("ReadCompanyCallLog"), "CMN-408"));
        assert!(
            e.to_string()
                .contains("account scope needs an admin user with the ReadCompanyCallLog")
        );
        let docs =
            r#"{"errorCode":"InsufficientPermissions","message":"[ReadCompanyCallLog] permission required"}"#;
        assert_eq!(
            permission(&map(ACCOUNT, 403, docs)),
            (Some("ReadCompanyCallLog"), "InsufficientPermissions")
        );
        let admin = r#"{"errors":[{"errorCode":"CMN-402","message":"Administrator permission required"}]}"#;
        assert_eq!(
            permission(&map(ACCOUNT, 403, admin)),
            (Some("ReadCompanyCallLog"), "CMN-402")
        );
        let other_ext =
            r#"{"errors":[{"errorCode":"CMN-404","message":"Attempt to access another extension"}]}"#;
        assert_eq!(permission(&map(MINE, 403, other_ext)), (None, "CMN-404"));
        let sub = r#"{"errors":[{"errorCode":"SUB-505","message":"Subscriptions limit exceeded"}]}"#;
        assert_eq!(permission(&map(Endpoint::Other, 403, sub)), (None, "SUB-505"));
    }

    #[test]
    fn rate_limit_429_defaults_to_60_seconds() {
        let body = r#"{"errorCode":"CMN-301","message":"Request rate exceeded","errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]}"#;
        let e = map(MINE, 429, body);
        assert_eq!(
            e,
            ApiError::RateLimited {
                group: "Heavy".into(),
                retry_after: Duration::from_secs(60),
                sent: true
            }
        );
        let e = from_response(MINE, 429, "Heavy", Some(Duration::from_secs(7)), b"", &[]);
        assert!(
            matches!(e, ApiError::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(7))
        );
    }

    #[test]
    fn api_401s_are_unauthorized_with_their_code() {
        for (code, msg) in [
            ("CMN-405", "Login to extension required."),
            ("OAU-129", "Access token corrupted"),
            ("OAU-151", "Authorization method not supported"),
            ("OAU-213", "Token not found"),
            ("OAU-128", "Access token expired."),
            ("OAU-149", "Unparsable access token"),
        ] {
            let body = format!(r#"{{"errors":[{{"errorCode":"{code}","message":"{msg}"}}]}}"#);
            let e = map(MINE, 401, &body);
            assert_eq!(unauthorized(&e), code);
            assert!(e.to_string().contains("RC_USER_JWT"), "{e}");
        }
        let legacy = r#"{"errorCode":"TokenInvalid","message":"Unparseable access token"}"#;
        assert_eq!(unauthorized(&map(MINE, 401, legacy)), "TokenInvalid");
    }

    #[test]
    fn token_endpoint_client_errors_name_the_app_settings() {
        for body in [
            r#"{"error":"invalid_client","error_description":"Client authentication is required","errors":[{"errorCode":"OAU-123","message":"Client authentication is required"}]}"#,
            r#"{"error":"invalid_client","errors":[{"errorCode":"OAU-153","message":"Invalid client: ","parameters":[{"parameterName":"client_id","parameterValue":""}]}],"error_description":"Invalid client: "}"#,
            r#"{"errors":[{"errorCode":"OAU-146","message":"Invalid client credentials"}]}"#,
        ] {
            for endpoint in [Endpoint::JwtLogin, Endpoint::Refresh] {
                let e = map(endpoint, 400, body);
                let text = e.to_string();
                assert!(
                    text.contains("RC_APP_CLIENT_ID") && text.contains("RC_APP_CLIENT_SECRET"),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn token_endpoint_grant_errors_name_the_jwt() {
        for (status, body) in [
            (
                400,
                r#"{"error":"invalid_grant","errors":[{"errorCode":"OAU-210","message":"Token expired"}],"error_description":"Token expired"}"#,
            ),
            (
                401,
                r#"{"errors":[{"errorCode":"OAU-140","message":"Invalid resource owner credentials."}]}"#,
            ),
            (
                400,
                r#"{"errors":[{"errorCode":"OAU-147","message":"account is locked out"}]}"#,
            ),
        ] {
            let e = map(Endpoint::JwtLogin, status, body);
            assert!(e.to_string().contains("RC_USER_JWT"), "{e}");
            assert!(!e.to_string().contains("RC_APP_CLIENT_SECRET"), "{e}");
        }
        assert_eq!(
            unauthorized(&map(Endpoint::Refresh, 400, r#"{"error":"invalid_grant"}"#)),
            "invalid_grant"
        );
    }

    #[test]
    fn not_found_and_other_statuses() {
        let e = map(
            MINE,
            404,
            r#"{"errors":[{"errorCode":"CMN-102","message":"Resource for parameter [extensionId] is not found"}]}"#,
        );
        assert_eq!(e, ApiError::NotFound);
        assert_eq!(
            map(
                MINE,
                404,
                r#"{"errors":[{"errorCode":"CMN-120","message":"Invalid URI"}]}"#
            ),
            ApiError::NotFound
        );
        let e = map(
            MINE,
            400,
            r#"{"errors":[{"errorCode":"CMN-101","message":"Parameter [dateFrom] value is invalid"}]}"#,
        );
        assert!(matches!(&e, ApiError::Server { status: 400, code: Some(c), .. } if c == "CMN-101"));
        let e = map(
            Endpoint::Other,
            400,
            r#"{"errors":[{"errorCode":"SUB-508","message":"Invalid event filters: [x]"}]}"#,
        );
        assert!(matches!(&e, ApiError::Server { status: 400, .. }));
        let e = from_response(
            MINE,
            503,
            "Heavy",
            Some(Duration::from_secs(5)),
            b"<html>down</html>",
            &[],
        );
        assert_eq!(
            e,
            ApiError::Server {
                status: 503,
                code: None,
                message: "HTTP 503".into(),
                retry_after: Some(Duration::from_secs(5))
            }
        );
        assert!(e.to_string().contains("retrying after 5s"));
    }

    #[test]
    fn server_text_is_cleaned_capped_and_redacted() {
        let long = "x ".repeat(500);
        let body = serde_json::json!({"message": format!("bad\u{1b}[31m\nthing {long}")}).to_string();
        let e = map(MINE, 500, &body);
        let ApiError::Server { message, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(!message.chars().any(char::is_control), "{message:?}");
        assert!(message.chars().count() <= MAX_SERVER_TEXT + 1);

        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let body = format!(
            r#"{{"error":"invalid_grant","error_description":"bad assertion {jwt} for sim-secret"}}"#
        );
        let e = from_response(
            Endpoint::JwtLogin,
            400,
            "Auth",
            None,
            body.as_bytes(),
            &["sim-secret"],
        );
        let text = e.to_string();
        assert!(!text.contains(jwt) && !text.contains("sim-secret"), "{text}");
        assert!(text.contains("[redacted]"));
    }

    #[test]
    fn garbage_bodies_do_not_panic() {
        for body in [
            "",
            "null",
            "[]",
            "{\"errors\":7}",
            "{\"errors\":[null]}",
            "{\"message\":5}",
            "\u{0}",
        ] {
            let _ = map(ACCOUNT, 403, body).to_string();
            let _ = map(Endpoint::JwtLogin, 400, body).to_string();
        }
        assert_eq!(bracketed_name("[] and [ok"), None);
    }
}
