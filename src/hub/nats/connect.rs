//! Connecting to NATS as a hub or a board: credentials from the URL (user and password) or a file
//! (`--nats-creds`: a `.creds` file of a JWT and its nkey seed, or a bare nkey seed), and the server's
//! asynchronous errors (a permission violation above all) handed on so they can be said on screen.
use std::path::Path;
use std::time::Duration;

use async_nats::{Client, ConnectOptions, Event};
use tokio::sync::mpsc;

use super::subjects::NatsAddr;

/// How long connecting may take before it is reported as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How many of the server's asynchronous errors wait unread before newer ones are dropped.
const ERRORS_QUEUED: usize = 16;

/// A connection and the server's asynchronous errors on it, in words.
pub struct Connection {
    pub client: Client,
    /// Errors the server sent without closing the connection (e.g. a refused subscription).
    pub errors: mpsc::Receiver<Problem>,
}

/// Something that went wrong on a connection, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The server refused a subject this user may not use.
    pub permission: bool,
    pub message: String,
}

/// Connects to `addr`'s server as `name`, with the credentials of `creds_file` when given (else of the
/// URL), replies under `inbox_prefix` when given. The error says what failed and what to check; it never
/// holds a password or key.
pub async fn connect(
    addr: &NatsAddr,
    creds_file: Option<&Path>,
    name: &str,
    inbox_prefix: Option<String>,
) -> Result<Connection, String> {
    let mut options = match creds_file {
        Some(path) => with_file(path).await?,
        None => ConnectOptions::new(),
    };
    if let Some((user, password)) = addr.user_and_password() {
        options = options.user_and_password(user, password);
    }
    if let Some(prefix) = inbox_prefix {
        options = options.custom_inbox_prefix(prefix);
    }
    if addr.server.scheme() == "tls" {
        options = options.require_tls(true);
    }
    let (tx, errors) = mpsc::channel(ERRORS_QUEUED);
    let options = options
        .name(name)
        .connection_timeout(CONNECT_TIMEOUT)
        .event_callback(move |event| {
            let tx = tx.clone();
            async move {
                if let Some(problem) = describe(&event) {
                    tracing::warn!("NATS: {}", problem.message);
                    // A full queue means nobody reads it; the newest errors then go to the log only.
                    let _ = tx.try_send(problem);
                }
            }
        });
    let client = options
        .connect(addr.server_address())
        .await
        .map_err(|e| format!("cannot connect to NATS at {addr}: {e}; check the address, that nats-server runs there, and the NATS user's credentials"))?;
    Ok(Connection { client, errors })
}

/// Options authenticating with the `.creds` file or nkey seed at `path`.
async fn with_file(path: &Path) -> Result<ConnectOptions, String> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| format!("cannot read the NATS credentials file {}: {e}", path.display()))?;
    let seed = text.trim();
    if seed.starts_with("SU") && !seed.contains(char::is_whitespace) {
        return Ok(ConnectOptions::new().nkey(seed.to_owned()));
    }
    ConnectOptions::with_credentials(&text).map_err(|_| {
        format!(
            "{} is neither a NATS .creds file (a user JWT and its seed) nor a user nkey seed (SU…)",
            path.display()
        )
    })
}

/// The words for an event worth telling the user about, or `None`.
fn describe(event: &Event) -> Option<Problem> {
    let problem = |permission, message| Some(Problem { permission, message });
    match event {
        Event::ServerError(async_nats::ServerError::Other(text))
            if text.to_lowercase().contains("permissions violation") =>
        {
            problem(
                true,
                format!(
                    "the NATS server refused: {}; this NATS user may not read that subject (ask the NATS \
                     administrator to add it to the user's subscribe allow list)",
                    text.trim_matches('\'')
                ),
            )
        }
        Event::ServerError(error) => problem(false, format!("the NATS server reported: {error}")),
        Event::ClientError(error) => problem(false, format!("NATS client error: {error}")),
        Event::Disconnected => problem(false, "disconnected from NATS; reconnecting".into()),
        _ => None,
    }
}
