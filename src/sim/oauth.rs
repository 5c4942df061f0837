//! OAuth endpoint handlers: token (JWT-bearer and refresh-token grants) and revoke, with Basic client auth.
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use url::form_urlencoded;

use super::auth::RefreshError;
use super::errors::ApiError;
use super::rate_limit::RateGroup;
use super::reply::Reply;
use super::state::{SimState, strip_scheme};
use super::users::{CLIENT_ID, CLIENT_SECRET};

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

type Pairs = Vec<(String, String)>;

fn pairs(raw: &[u8]) -> Pairs {
    form_urlencoded::parse(raw).into_owned().collect()
}

fn first<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `POST /restapi/oauth/token`: JWT-bearer and refresh-token grants.
pub async fn token(State(st): State<Arc<SimState>>, headers: HeaderMap, body: Bytes) -> Reply {
    let form = pairs(&body);
    let grant = first(&form, "grant_type").unwrap_or_default();
    let owner = match grant {
        JWT_GRANT => first(&form, "assertion")
            .and_then(|jwt| st.dir.by_jwt(jwt))
            .map(|e| e.id),
        "refresh_token" => first(&form, "refresh_token").and_then(|t| st.tokens().owner_of(t)),
        _ => None,
    };
    let verdict = st.rate(&rate_key(owner), RateGroup::Auth);
    let fail = |e: ApiError| Reply::error_for(e, owner, verdict);
    if let Some(penalty) = verdict.throttled {
        return fail(ApiError::rate_exceeded(penalty));
    }
    if let Err(e) = client_auth(&headers) {
        return fail(e);
    }
    let now = st.clock.wall();
    let auth = &st.scenario.auth;
    let access_ttl = st
        .faults
        .access_token_ttl()
        .unwrap_or(Duration::from_secs(auth.access_token_ttl_secs));
    let refresh_ttl = Duration::from_secs(auth.refresh_token_ttl_secs);
    match grant {
        JWT_GRANT => match (first(&form, "assertion"), owner) {
            (None, _) => fail(ApiError::oauth(
                "invalid_request",
                "OAU-101",
                "Parameter [assertion] is invalid",
            )),
            (Some(_), None) => fail(ApiError::oauth(
                "invalid_grant",
                "OAU-140",
                "Invalid resource owner credentials",
            )),
            (Some(_), Some(id)) => {
                let info = st.tokens().issue(id, now, access_ttl, refresh_ttl);
                Reply::ok(&info, Some(id), verdict)
            }
        },
        "refresh_token" => {
            let Some(refresh) = first(&form, "refresh_token") else {
                return fail(ApiError::oauth(
                    "invalid_request",
                    "OAU-101",
                    "Parameter [refresh_token] is invalid",
                ));
            };
            if st.faults.reject_refresh() {
                return fail(ApiError::oauth("invalid_grant", "OAU-211", "Token is revoked"));
            }
            match st.tokens().refresh(refresh, now, access_ttl, refresh_ttl) {
                Ok((id, info)) => Reply::ok(&info, Some(id), verdict),
                Err(RefreshError::NotFound) => {
                    fail(ApiError::oauth("invalid_grant", "OAU-213", "Token not found"))
                }
                Err(RefreshError::Expired) => {
                    fail(ApiError::oauth("invalid_grant", "OAU-210", "Token expired"))
                }
            }
        }
        _ => fail(ApiError::oauth(
            "unsupported_grant_type",
            "OAU-250",
            "Unsupported grant type",
        )),
    }
}

/// `POST /restapi/oauth/revoke`: ends the whole session of `token` (form or query).
pub async fn revoke(
    State(st): State<Arc<SimState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Reply {
    let mut form = pairs(&body);
    form.extend(pairs(query.unwrap_or_default().as_bytes()));
    let token = first(&form, "token").unwrap_or_default();
    let owner = st.tokens().owner_of(token);
    let verdict = st.rate(&rate_key(owner), RateGroup::Auth);
    if let Some(penalty) = verdict.throttled {
        return Reply::error_for(ApiError::rate_exceeded(penalty), owner, verdict);
    }
    if let Err(e) = client_auth(&headers) {
        return Reply::error_for(e, owner, verdict);
    }
    st.tokens().revoke(token);
    Reply::empty(owner, verdict)
}

fn rate_key(owner: Option<u64>) -> String {
    owner.map_or_else(|| "anonymous".to_owned(), |id| id.to_string())
}

/// Checks HTTP Basic client authentication against the demo app.
fn client_auth(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(encoded) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| strip_scheme(v, "Basic"))
    else {
        return Err(ApiError::oauth(
            "invalid_client",
            "OAU-123",
            "Client authentication is required",
        ));
    };
    let decoded = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok());
    let (id, secret) = decoded
        .as_deref()
        .and_then(|s| s.split_once(':'))
        .unwrap_or_default();
    if id == CLIENT_ID && secret == CLIENT_SECRET {
        Ok(())
    } else {
        Err(ApiError::oauth(
            "invalid_client",
            "OAU-153",
            &format!("Invalid client: {id}"),
        ))
    }
}
