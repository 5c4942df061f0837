//! The account's extension directory (`GET /restapi/v1.0/account/~/extension`), every page.
use serde::Deserialize;

use super::error::{ApiError, Endpoint};
use super::model::Navigation;
use super::paging::{Pacing, each_page};
use super::rate_limit::MEDIUM;
use super::session::Session;
use super::transport::json_error;

/// One extension of the account directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// The extension id (digits).
    pub id: String,
    /// The short number dialled inside the account.
    pub number: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// `User`, `Department` (call queue), `IvrMenu`…
    pub kind: Option<String>,
}

impl DirectoryEntry {
    /// Reads one directory record; `None` without a numeric id. Text fields that are not strings are ignored.
    fn from_json(v: serde_json::Value) -> Option<Self> {
        let id = match v.get("id")? {
            serde_json::Value::Number(n) => n.as_u64()?.to_string(),
            serde_json::Value::String(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => {
                s.clone()
            }
            _ => return None,
        };
        let text = |key: &str| v.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
        Some(DirectoryEntry {
            id,
            number: text("extensionNumber"),
            name: text("name"),
            kind: text("type"),
        })
    }
}

/// Every extension, `per_page` a page; each page spends one Medium request. Records without a readable id
/// are skipped.
pub(crate) async fn list_extensions(
    session: &Session,
    per_page: u32,
) -> Result<Vec<DirectoryEntry>, ApiError> {
    #[derive(Deserialize)]
    struct Page {
        #[serde(default)]
        records: Vec<serde_json::Value>,
        #[serde(default)]
        navigation: Navigation,
    }
    let mut url = session.transport.url("/restapi/v1.0/account/~/extension")?;
    url.query_pairs_mut()
        .append_pair("perPage", &per_page.to_string());
    let mut entries = Vec::new();
    each_page(
        session,
        url,
        (MEDIUM, Endpoint::Other),
        ("extensions", Pacing::default()),
        |_, reply| {
            let page: Page = serde_json::from_slice(&reply.body).map_err(|e| json_error("extensions", &e))?;
            entries.extend(page.records.into_iter().filter_map(DirectoryEntry::from_json));
            Ok(page.navigation.next_page.map(|link| link.uri))
        },
    )
    .await?;
    Ok(entries)
}
