//! REST API handlers: active calls (account and extension scope) and extensions.
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use serde_json::Value;

use super::errors::ApiError;
use super::generator::{PlannedCall, RecordKey};
use super::paging::ListParams;
use super::rate_limit::RateGroup;
use super::records::RecordMaker;
use super::reply::Reply;
use super::state::{Caller, SimState};
use super::users::{ACCOUNT_ID, ExtKind, Extension};
use crate::api::model::{CallLogResponse, CallType};

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
    let now = st.clock.wall().as_second();
    let maker = RecordMaker {
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
            .filter_map(|(call, k)| maker.record(call, k.slot))
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
