//! List query parameters (view, paging, repeatable filters) and the paged envelope with navigation links.
use url::form_urlencoded;

use super::errors::ApiError;
use crate::api::model::{CallLogResponse, Navigation, PageLink, Paging};

const MAX_PER_PAGE: usize = 1000;

/// Validated list query: view, paging and repeatable filters.
pub struct ListParams {
    /// Active-calls list (has a `view`) rather than the directory.
    calls: bool,
    /// `view=Detailed`.
    pub detailed: bool,
    page: usize,
    per_page: usize,
    /// Filters in request order, echoed into navigation links.
    filters: Vec<(&'static str, String)>,
}

impl ListParams {
    /// Parses a query; `calls` enables the active-calls parameters (`view`, `direction`, `type`, `transport`).
    pub fn parse(query: &str, calls: bool) -> Result<Self, ApiError> {
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
    pub fn allows(&self, name: &str, value: Option<&str>) -> bool {
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
    pub fn page<R>(&self, all: Vec<R>, endpoint: &str) -> CallLogResponse<R> {
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
