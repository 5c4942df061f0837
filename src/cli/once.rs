//! `callboard once`: one poll (all pages), printed in a script-friendly format. The board's non-terminal
//! output is the same code with the table format.
use std::sync::Arc;

use jiff::{Timestamp, tz::TimeZone};

use super::Fatal;
use crate::api::Scope;
use crate::api::client::RcClient;
use crate::api::model::CallRecord;
use crate::board::{Board, BoardConfig};
use crate::output::{self, Format};

/// The scope given, else account scope for admins and the user's own extension for everyone else.
/// An explicit account scope is never swapped for another: a refusal ends with a permission error.
pub async fn resolve_scope(client: &RcClient, scope: Option<Scope>) -> Result<Scope, Fatal> {
    match scope {
        Some(scope) => Ok(scope),
        None if client.current_extension().await?.admin => Ok(Scope::Account),
        None => Ok(Scope::own_extension()),
    }
}

/// Polls `scope` (or the default scope) once and prints the calls as seen at `now`, as text.
pub async fn once_text(
    client: &RcClient,
    scope: Option<Scope>,
    format: Format,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<String, Fatal> {
    let scope = resolve_scope(client, scope).await?;
    let calls = client.active_calls(&scope).await?;
    if !calls.skipped.is_empty() {
        eprintln!(
            "callboard: {} unreadable call record(s) skipped; see the log file",
            calls.skipped.len()
        );
    }
    Ok(records_text(&calls.records, now, tz, format))
}

/// One poll's records merged into a fresh board at `now`, as text (one merge: nothing expires).
fn records_text(records: &[Arc<CallRecord>], now: Timestamp, tz: &TimeZone, format: Format) -> String {
    let mut board = Board::new(BoardConfig::default());
    board.merge(records, now);
    output::text(&board, now, tz, format)
}
