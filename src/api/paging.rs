//! Following `navigation.nextPage`: one loop for every paged listing (active calls, the extension
//! directory), refusing links that leave the server or go round in a loop.
use std::collections::HashSet;

use url::Url;

use super::error::{ApiError, Endpoint};
use super::session::Session;
use super::transport::Reply;

/// Most pages one listing follows.
const MAX_PAGES: usize = 50;

/// GETs `first` and every page after it, handing each page's URL and reply to `on_page`, which returns the
/// page's next-page link (`None` or blank on the last page). `what` names the listing in the error for
/// too many pages.
pub(crate) async fn each_page(
    session: &Session,
    first: Url,
    (group, endpoint): (&str, Endpoint),
    what: &str,
    mut on_page: impl FnMut(&Url, Reply) -> Result<Option<String>, ApiError>,
) -> Result<(), ApiError> {
    let base = session.transport.base();
    let mut url = first;
    let mut seen = HashSet::new();
    while seen.len() < MAX_PAGES {
        seen.insert(url.clone());
        let reply = session.get(&url, group, endpoint).await?;
        match on_page(&url, reply)?.filter(|link| !link.trim().is_empty()) {
            Some(next) => url = next_page_url(base, &next, &seen)?,
            None => return Ok(()),
        }
    }
    Err(ApiError::Malformed(format!(
        "more than {MAX_PAGES} pages of {what}"
    )))
}

/// The URL of the next page: `link` resolved against `base`, refused when it leaves `base`'s origin or
/// returns to a page already fetched.
fn next_page_url(base: &Url, link: &str, seen: &HashSet<Url>) -> Result<Url, ApiError> {
    let url = base
        .join(link)
        .map_err(|_| ApiError::Malformed("the next-page link is not a URL".into()))?;
    if url.origin() != base.origin() {
        return Err(ApiError::Malformed(
            "the next-page link points to another server; not followed".into(),
        ));
    }
    if seen.contains(&url) {
        return Err(ApiError::Malformed(
            "the next-page links go round in a loop".into(),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_links_stay_on_the_server_and_never_loop() {
        let base: Url = "https://platform.ringcentral.com".parse().unwrap();
        let first: Url = "https://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=1"
            .parse()
            .unwrap();
        let seen = HashSet::from([first.clone()]);
        let next = next_page_url(
            &base,
            "https://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=2",
            &seen,
        );
        assert_eq!(next.unwrap().query(), Some("page=2"));
        let relative = next_page_url(&base, "/restapi/v1.0/account/~/active-calls?page=3", &seen).unwrap();
        assert_eq!(relative.host_str(), Some("platform.ringcentral.com"));
        for link in [
            "https://evil.example/restapi/v1.0/account/~/active-calls?page=2",
            "http://platform.ringcentral.com/restapi/v1.0/account/~/active-calls?page=2",
            "https://platform.ringcentral.com:8443/x",
            "//evil.example/x",
            first.as_str(),
            "http://[::1",
        ] {
            assert!(
                matches!(next_page_url(&base, link, &seen), Err(ApiError::Malformed(_))),
                "{link}"
            );
        }
    }
}
