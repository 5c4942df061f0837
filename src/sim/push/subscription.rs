//! The one subscription of a connection: `POST /restapi/v1.0/subscription` sent over the socket, its
//! filters checked and expanded (`~` to ids), and which of them an event's party matches.
use jiff::{SignedDuration, Timestamp};
use serde_json::value::RawValue;

use crate::api::wsg::{DeliveryMode, SubscriptionInfo, SubscriptionRequest};
use crate::sim::errors::ApiError;
use crate::sim::scenario::AppSettings;
use crate::sim::users::{ACCOUNT_ID, Directory, Extension};

/// Seconds a WebSocket subscription is said to live (it renews itself while the socket lives).
const EXPIRES_IN: u64 = 86_399;

/// What one event filter selects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Filter {
    /// `/account/~/telephony/sessions`: every party of the account.
    Account,
    /// `/account/~/extension/{id}/telephony/sessions`: that extension's parties.
    Extension(u64),
    /// Any other event; the simulator sends none of them.
    Other,
}

/// A live subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    filters: Vec<Filter>,
}

impl Subscription {
    /// The `event` path of a notification about a party with `extension_id`, when a filter matches it:
    /// the extension's path when the party has an extension, the account's otherwise.
    pub fn route(&self, extension_id: Option<&str>) -> Option<String> {
        let ext: Option<u64> = extension_id.and_then(|id| id.parse().ok());
        let matched = self.filters.iter().any(|f| match f {
            Filter::Account => true,
            Filter::Extension(id) => ext == Some(*id),
            Filter::Other => false,
        });
        matched.then(|| match ext {
            Some(id) => format!("/restapi/v1.0/account/{ACCOUNT_ID}/extension/{id}/telephony/sessions"),
            None => format!("/restapi/v1.0/account/{ACCOUNT_ID}/telephony/sessions"),
        })
    }
}

/// Creates the subscription `body` asks for on behalf of `owner`, or the error the real API gives.
pub fn create(
    (app, dir): (&AppSettings, &Directory),
    owner: &Extension,
    id: String,
    body: Option<&RawValue>,
    now: Timestamp,
) -> Result<(Subscription, SubscriptionInfo), ApiError> {
    let request: SubscriptionRequest = body
        .and_then(|b| serde_json::from_str(b.get()).ok())
        .ok_or_else(|| ApiError::invalid_parameter("eventFilters", "missing or unreadable"))?;
    if !request
        .delivery_mode
        .transport_type
        .eq_ignore_ascii_case("WebSocket")
    {
        return Err(ApiError::invalid_parameter(
            "deliveryMode.transportType",
            &request.delivery_mode.transport_type,
        ));
    }
    if request.event_filters.is_empty() {
        return Err(ApiError::invalid_parameter("eventFilters", "[]"));
    }
    let mut filters = Vec::new();
    let mut expanded = Vec::new();
    for filter in &request.event_filters {
        let (kind, path) = parse(dir, owner, filter)?;
        if kind != Filter::Other && !app.call_control {
            return Err(ApiError::app_permission("CMN-401", "CallControl"));
        }
        filters.push(kind);
        expanded.push(path);
    }
    let info = SubscriptionInfo {
        uri: Some(format!("/restapi/v1.0/subscription/{id}")),
        id: id.clone(),
        creation_time: Some(now),
        status: Some("Active".to_owned()),
        event_filters: expanded,
        expiration_time: now.checked_add(SignedDuration::from_secs(EXPIRES_IN as i64)).ok(),
        expires_in: Some(EXPIRES_IN),
        delivery_mode: Some(DeliveryMode {
            transport_type: "WebSocket".to_owned(),
            encryption: Some(false),
        }),
    };
    Ok((Subscription { id, filters }, info))
}

/// What `filter` selects and its path with `~` expanded, or why it is refused.
fn parse(dir: &Directory, owner: &Extension, filter: &str) -> Result<(Filter, String), ApiError> {
    let (path, query) = filter.split_once('?').map_or((filter, ""), |(p, q)| (p, q));
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let (kind, account, ext) = match segments.as_slice() {
        ["", "restapi", "v1.0", "account", account, "telephony", "sessions"] => {
            (Filter::Account, *account, None)
        }
        [
            "",
            "restapi",
            "v1.0",
            "account",
            account,
            "extension",
            ext,
            "telephony",
            "sessions",
        ] => (Filter::Extension(0), *account, Some(*ext)),
        ["", "restapi", "v1.0", "account", account, ..] => (Filter::Other, *account, None),
        _ => return Err(ApiError::invalid_parameter("eventFilters", filter)),
    };
    if account != "~" && account != ACCOUNT_ID {
        return Err(ApiError::other_account_filter());
    }
    let kind = match (kind, ext) {
        (Filter::Account, _) if !owner.admin => {
            return Err(ApiError::insufficient_permissions("ReadCompanyCallLog"));
        }
        (Filter::Extension(_), Some(ext)) => {
            let target = match ext {
                "~" => owner.id,
                id => {
                    id.parse()
                        .ok()
                        .and_then(|id| dir.by_id(id))
                        .ok_or_else(|| ApiError::not_found_parameter("extensionId"))?
                        .id
                }
            };
            if target != owner.id && !owner.admin {
                return Err(ApiError::another_extension());
            }
            Filter::Extension(target)
        }
        (kind, _) => kind,
    };
    let expanded = path
        .replacen("/account/~", &format!("/account/{ACCOUNT_ID}"), 1)
        .replacen("/extension/~", &format!("/extension/{}", owner.id), 1);
    let expanded = match query {
        "" => expanded,
        q => format!("{expanded}?{q}"),
    };
    Ok((kind, expanded))
}
