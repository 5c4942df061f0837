//! The endpoint handlers: OAuth token/revoke, active calls (account and extension scope), extensions.
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use url::form_urlencoded;

use super::auth::RefreshError;
use super::errors::ApiError;
use super::generator::{PlannedCall, RecordKey};
use super::rate_limit::RateGroup;
use super::render::Renderer;
use super::server::{Caller, Reply, SimState, strip_scheme};
use super::users::{ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, ExtKind, Extension};
use crate::api::model::{CallLogResponse, CallType, Navigation, PageLink, Paging};

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const MAX_PER_PAGE: usize = 1000;

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
    let now = st.clock.now();
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

/// `GET /restapi/v1.0/account/{account}/active-calls` (admins only).
pub async fn account_calls(
    State(st): State<Arc<SimState>>,
    account: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Reply {
    let account = path_or_blank(account);
    active_calls(&st, &headers, &account, None, query.as_deref())
}

/// `GET /restapi/v1.0/account/{account}/extension/{ext}/active-calls`.
pub async fn extension_calls(
    State(st): State<Arc<SimState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Reply {
    let (account, ext) = path_or_blank(path);
    active_calls(&st, &headers, &account, Some(&ext), query.as_deref())
}

fn active_calls(
    st: &SimState,
    headers: &HeaderMap,
    account: &str,
    ext: Option<&str>,
    query: Option<&str>,
) -> Reply {
    let caller = match st.authorize(headers, RateGroup::Heavy) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let fail = |e: ApiError| Reply::error_for(e, Some(caller.ext.id), caller.verdict);
    if let Err(e) = check_account(account) {
        return fail(e);
    }
    let owner = match ext {
        None if !caller.ext.admin => return fail(ApiError::insufficient_permissions("ReadCompanyCallLog")),
        None => None,
        Some(id) => match resolve_extension(st, &caller, id, true) {
            Ok(e) => Some(e),
            Err(e) => return fail(e),
        },
    };
    let params = match ListParams::parse(query.unwrap_or_default(), true) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let base = st.base_for(headers);
    let now = st.clock.now().as_second();
    let renderer = Renderer {
        dir: &st.dir,
        base: &base,
        detailed: params.detailed,
        account_scope: owner.is_none(),
        now,
        cache_window: st.scenario.calls.cache_window_secs as i64,
    };
    let calls = st.generator.calls_at(now);
    let keyed = matching(&calls, st, owner.as_ref(), &params, now);
    let path = match &owner {
        Some(o) => format!("{}/active-calls", o.path()),
        None => format!("/restapi/v1.0/account/{ACCOUNT_ID}/active-calls"),
    };
    let page = params.page(keyed, &format!("{base}{path}"));
    let page = CallLogResponse {
        records: page
            .records
            .into_iter()
            .filter_map(|(call, k)| renderer.record(call, k.slot))
            .collect(),
        uri: page.uri,
        paging: page.paging,
        navigation: page.navigation,
    };
    Reply::ok(&page, Some(caller.ext.id), caller.verdict)
}

/// The records of `calls` the request asks for, newest first (ties by record id).
fn matching<'c>(
    calls: &'c [PlannedCall],
    st: &SimState,
    owner: Option<&Extension>,
    params: &ListParams,
    now: i64,
) -> Vec<(&'c PlannedCall, RecordKey)> {
    let users = st.dir.users();
    let cache_window = st.scenario.calls.cache_window_secs as i64;
    // Every simulated call is a voice call.
    let voice_wanted = params.allows("type", Some(CallType::Voice.as_str()));
    let mut keyed: Vec<_> = calls
        .iter()
        .flat_map(|call| {
            call.record_keys(now, cache_window)
                .into_iter()
                .map(move |k| (call, k))
        })
        .filter(|(_, k)| owner.is_none_or(|o| users.get(k.owner).is_some_and(|u| u.id == o.id)))
        .filter(|(_, k)| voice_wanted && params.allows("direction", Some(k.direction.as_str())))
        .filter(|(_, k)| params.allows("transport", Some(k.transport.as_str())))
        .collect();
    keyed.sort_by(|(a, ka), (b, kb)| {
        kb.start
            .cmp(&ka.start)
            .then_with(|| a.record_ids[ka.slot].cmp(&b.record_ids[kb.slot]))
    });
    keyed
}

/// `GET /restapi/v1.0/account/{account}/extension/{ext}`: one extension (`~` is the caller).
pub async fn extension_info(
    State(st): State<Arc<SimState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Reply {
    let (account, ext) = path_or_blank(path);
    let caller = match st.authorize(&headers, RateGroup::Light) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let found = check_account(&account).and_then(|()| resolve_extension(&st, &caller, &ext, false));
    match found {
        Ok(e) => Reply::ok(
            &e.info_json(&st.base_for(&headers)),
            Some(caller.ext.id),
            caller.verdict,
        ),
        Err(e) => Reply::error_for(e, Some(caller.ext.id), caller.verdict),
    }
}

/// `GET /restapi/v1.0/account/{account}/extension`: the directory, paged, filterable by `type`/`status`.
pub async fn directory(
    State(st): State<Arc<SimState>>,
    account: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Reply {
    let account = path_or_blank(account);
    let caller = match st.authorize(&headers, RateGroup::Medium) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let params =
        check_account(&account).and_then(|()| ListParams::parse(query.as_deref().unwrap_or_default(), false));
    let params = match params {
        Ok(p) => p,
        Err(e) => return Reply::error_for(e, Some(caller.ext.id), caller.verdict),
    };
    let base = st.base_for(&headers);
    // Every simulated extension is enabled.
    let enabled_wanted = params.allows("status", Some("Enabled"));
    let records: Vec<Value> = st
        .dir
        .extensions
        .iter()
        .filter(|e| enabled_wanted && params.allows("type", Some(kind_name(e))))
        .map(|e| e.list_json(&base))
        .collect();
    let page = params.page(
        records,
        &format!("{base}/restapi/v1.0/account/{ACCOUNT_ID}/extension"),
    );
    Reply::ok(&page, Some(caller.ext.id), caller.verdict)
}

/// Path segments, or blanks (which name no account or extension) when they are not valid UTF-8.
fn path_or_blank<T: Default>(path: Result<Path<T>, PathRejection>) -> T {
    path.map(|Path(p)| p).unwrap_or_default()
}

fn kind_name(e: &Extension) -> &'static str {
    match e.kind {
        ExtKind::User => "User",
        ExtKind::Department => "Department",
    }
}

fn check_account(account: &str) -> Result<(), ApiError> {
    if account == "~" || account == ACCOUNT_ID {
        Ok(())
    } else {
        Err(ApiError::not_found_parameter("accountId"))
    }
}

/// `~` or a numeric id; a non-admin may only name their own extension when `own_only`.
fn resolve_extension(
    st: &SimState,
    caller: &Caller,
    id: &str,
    own_only: bool,
) -> Result<Extension, ApiError> {
    if id == "~" {
        return Ok(caller.ext.clone());
    }
    let ext = id
        .parse::<u64>()
        .ok()
        .and_then(|n| st.dir.by_id(n))
        .ok_or_else(|| ApiError::not_found_parameter("extensionId"))?;
    if own_only && !caller.ext.admin && ext.id != caller.ext.id {
        return Err(ApiError::another_extension());
    }
    Ok(ext.clone())
}

/// Validated list query: view, paging and repeatable filters.
struct ListParams {
    /// Active-calls list (has a `view`) rather than the directory.
    calls: bool,
    detailed: bool,
    page: usize,
    per_page: usize,
    /// Filters in request order, echoed into navigation links.
    filters: Vec<(&'static str, String)>,
}

impl ListParams {
    /// Parses a query; `calls` enables the active-calls parameters (`view`, `direction`, `type`, `transport`).
    fn parse(query: &str, calls: bool) -> Result<Self, ApiError> {
        let mut p = ListParams {
            calls,
            detailed: false,
            page: 1,
            per_page: 100,
            filters: Vec::new(),
        };
        let allowed: &[(&'static str, &[&str])] = if calls {
            &[
                ("direction", &["Inbound", "Outbound"]),
                ("type", &["Voice", "Fax"]),
                ("transport", &["PSTN", "VoIP"]),
            ]
        } else {
            &[
                (
                    "type",
                    &[
                        "User",
                        "Department",
                        "Announcement",
                        "Voicemail",
                        "DigitalUser",
                        "VirtualUser",
                    ],
                ),
                (
                    "status",
                    &["Enabled", "Disabled", "Frozen", "NotActivated", "Unassigned"],
                ),
            ]
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let bad = || ApiError::invalid_parameter(&key, &value);
            match key.as_ref() {
                "view" if calls => match value.as_ref() {
                    "Simple" => p.detailed = false,
                    "Detailed" => p.detailed = true,
                    _ => return Err(bad()),
                },
                "page" => p.page = value.parse().ok().filter(|n| *n >= 1).ok_or_else(bad)?,
                "perPage" if value == "max" => p.per_page = MAX_PER_PAGE,
                "perPage" => {
                    let n: usize = value.parse().ok().filter(|n| *n >= 1).ok_or_else(bad)?;
                    p.per_page = n.min(MAX_PER_PAGE);
                }
                other => {
                    if let Some((name, values)) = allowed.iter().find(|(name, _)| *name == other) {
                        if !values.contains(&value.as_ref()) {
                            return Err(bad());
                        }
                        p.filters.push((name, value.into_owned()));
                    }
                }
            }
        }
        Ok(p)
    }

    /// True when no filter on `name` is set or `value` matches one of them.
    fn allows(&self, name: &str, value: Option<&str>) -> bool {
        let mut wanted = self.filters.iter().filter(|(n, _)| *n == name).peekable();
        wanted.peek().is_none() || wanted.any(|(_, v)| Some(v.as_str()) == value)
    }

    fn link(&self, endpoint: &str, page: usize) -> PageLink {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if self.calls {
            q.append_pair("view", if self.detailed { "Detailed" } else { "Simple" });
        }
        for (name, value) in &self.filters {
            q.append_pair(name, value);
        }
        q.append_pair("page", &page.to_string());
        q.append_pair("perPage", &self.per_page.to_string());
        PageLink {
            uri: format!("{endpoint}?{}", q.finish()),
        }
    }

    /// Cuts one page out of `all` and wraps it with `uri`, `paging` and `navigation`.
    fn page<R>(&self, all: Vec<R>, endpoint: &str) -> CallLogResponse<R> {
        let total = all.len();
        let last = total.div_ceil(self.per_page).max(1);
        let start = (self.page - 1).saturating_mul(self.per_page);
        let records: Vec<R> = all.into_iter().skip(start).take(self.per_page).collect();
        let (page_start, page_end) = match records.len() {
            0 => (None, None),
            n => (u32::try_from(start).ok(), u32::try_from(start + n - 1).ok()),
        };
        CallLogResponse {
            uri: Some(self.link(endpoint, self.page).uri),
            records,
            paging: Paging {
                page: u32::try_from(self.page).ok(),
                per_page: u32::try_from(self.per_page).ok(),
                page_start,
                page_end,
                ..Paging::default()
            },
            navigation: Navigation {
                first_page: Some(self.link(endpoint, 1)),
                next_page: (self.page < last).then(|| self.link(endpoint, self.page + 1)),
                previous_page: (self.page > 1).then(|| self.link(endpoint, (self.page - 1).min(last))),
                last_page: Some(self.link(endpoint, last)),
            },
        }
    }
}
