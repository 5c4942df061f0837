//! Error bodies shaped like the real service's (reference §5): `errors[]` plus top-level `errorCode`/`message`.
use axum::http::StatusCode;
use serde_json::{Value, json};

/// An error response the simulator sends: status, JSON body and, for throttling, `Retry-After`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    /// `Retry-After` seconds, for 429 and some 503s.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// A REST API error: `{"errorCode", "message", "errors":[{"errorCode","message"}]}`.
    pub fn api(status: StatusCode, top_code: &str, code: &str, message: &str) -> Self {
        Self::new(
            status,
            json!({
                "errorCode": top_code,
                "message": message,
                "errors": [{"errorCode": code, "message": message}],
            }),
        )
    }

    /// An OAuth endpoint error (always HTTP 400): adds `error` and `error_description`.
    pub fn oauth(error: &str, code: &str, message: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({
                "error": error,
                "error_description": message,
                "errorCode": code,
                "message": message,
                "errors": [{"errorCode": code, "message": message}],
            }),
        )
    }

    fn new(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            retry_after: None,
        }
    }

    /// 400 CMN-101 for a query parameter the simulator cannot accept.
    pub fn invalid_parameter(name: &str, value: &str) -> Self {
        let message = format!("Parameter [{name}] value is invalid.");
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({
                "errorCode": "CMN-101",
                "message": message,
                "errors": [{
                    "errorCode": "CMN-101",
                    "message": message,
                    "parameterName": name,
                    "parameterValue": value,
                }],
            }),
        )
    }

    /// 404 CMN-102 for a path parameter naming nothing that exists.
    pub fn not_found_parameter(name: &str) -> Self {
        let message = format!("Resource for parameter [{name}] is not found");
        Self::api(StatusCode::NOT_FOUND, "CMN-102", "CMN-102", &message)
    }

    /// 404 CMN-120 for a path the API does not have.
    pub fn invalid_uri() -> Self {
        Self::api(StatusCode::NOT_FOUND, "CMN-120", "CMN-120", "Invalid URI")
    }

    /// 403 CMN-408 for a user lacking `permission`, as sent for account-level active calls.
    pub fn insufficient_permissions(permission: &str) -> Self {
        let message = format!(
            "In order to call this API endpoint, user needs to have [{permission}] permission for requested resource."
        );
        Self::new(
            StatusCode::FORBIDDEN,
            json!({
                "errorCode": "InsufficientPermissions",
                "message": message,
                "errors": [{"errorCode": "CMN-408", "message": message, "permissionName": permission}],
                "permissionName": permission,
            }),
        )
    }

    /// 403 for an app lacking `permission` (`SUB-528` for WebSocket Subscriptions, `CMN-401` otherwise).
    pub fn app_permission(code: &str, permission: &str) -> Self {
        let message = format!(
            "In order to call this API endpoint, application needs to have [{permission}] permission."
        );
        Self::new(
            StatusCode::FORBIDDEN,
            json!({
                "errorCode": code,
                "message": message,
                "errors": [{"errorCode": code, "message": message, "permissionName": permission}],
                "permissionName": permission,
            }),
        )
    }

    /// 403 SUB-406 for an event filter naming another account.
    pub fn other_account_filter() -> Self {
        Self::api(
            StatusCode::FORBIDDEN,
            "SUB-406",
            "SUB-406",
            "Not allowed subscribe for events to extensions of other account",
        )
    }

    /// 403 CMN-404 for a non-admin asking about someone else's extension.
    pub fn another_extension() -> Self {
        Self::api(
            StatusCode::FORBIDDEN,
            "CMN-404",
            "CMN-404",
            "Attempt to access another extension",
        )
    }

    /// 401 for a bad access token; `code` is the OAU code (OAU-149, OAU-128, OAU-213).
    pub fn token_invalid(code: &str, message: &str) -> Self {
        Self::api(StatusCode::UNAUTHORIZED, "TokenInvalid", code, message)
    }

    /// 429 CMN-301 with `Retry-After: penalty_secs`.
    pub fn rate_exceeded(penalty_secs: u64) -> Self {
        let mut e = Self::api(
            StatusCode::TOO_MANY_REQUESTS,
            "CMN-301",
            "CMN-301",
            "Request rate exceeded",
        );
        e.retry_after = Some(penalty_secs);
        e
    }

    /// 503 CMN-201 "Service Temporary Unavailable" or 500 CMN-100, optionally with `Retry-After`.
    pub fn server_error(status: StatusCode, retry_after: Option<u64>) -> Self {
        let (code, message) = if status == StatusCode::SERVICE_UNAVAILABLE {
            ("CMN-201", "Service Temporary Unavailable")
        } else {
            ("CMN-100", "Internal Server Error")
        };
        let mut e = Self::api(status, code, code, message);
        e.retry_after = retry_after;
        e
    }
}
