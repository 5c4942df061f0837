//! [`Session`]: authenticated requests. Each request carries the current access token; after a 401 the token
//! is renewed and the request retried once; an unsuccessful answer becomes an [`ApiError`] with no
//! credential in it.
use reqwest::header::ACCEPT;
use url::Url;

use super::auth::Auth;
use super::error::{self, ApiError, Endpoint};
use super::transport::{Reply, Transport};

/// The transport and the login that signs its requests.
pub(crate) struct Session {
    pub(crate) transport: Transport,
    pub(crate) auth: Auth,
}

impl Session {
    /// An authenticated GET in `group`, refused locally when the group has no budget.
    pub(crate) async fn get(&self, url: &Url, group: &str, endpoint: Endpoint) -> Result<Reply, ApiError> {
        self.send(reqwest::Method::GET, url, group, endpoint).await
    }

    /// An authenticated POST without a body in `group` (`/restapi/oauth/wstoken`), refused locally when
    /// the group has no budget.
    pub(crate) async fn post(&self, url: &Url, group: &str, endpoint: Endpoint) -> Result<Reply, ApiError> {
        self.send(reqwest::Method::POST, url, group, endpoint).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: &Url,
        group: &str,
        endpoint: Endpoint,
    ) -> Result<Reply, ApiError> {
        let Session { transport, auth } = self;
        transport.check_budget(group)?;
        let mut token = auth.access_token(transport).await?;
        let mut renewed = false;
        loop {
            let request = transport
                .http()
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header(ACCEPT, "application/json");
            let reply = transport.send(group, request).await?;
            if reply.status == 401 && !renewed {
                renewed = true;
                token = auth.after_unauthorized(transport, &token).await?;
                continue;
            }
            if reply.is_success() {
                return Ok(reply);
            }
            let [jwt, client_secret] = auth.secrets();
            let secrets = [jwt, client_secret, token.expose()];
            return Err(error::from_response(
                endpoint,
                reply.status,
                group,
                reply.retry_after,
                &reply.body,
                &secrets,
            ));
        }
    }
}
