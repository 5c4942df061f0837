//! `callboard tail`: call state changes as they happen, one line each, from the same source the board
//! runs, merged into a board the same way; until Ctrl-C or until the reader of stdout goes (`| head`).
use std::io::{self, Write};
use std::sync::Arc;

use jiff::tz::TimeZone;

use super::Fatal;
use super::args::BoardArgs;
use crate::board::{Board, BoardConfig};
use crate::clock::Clock;
use crate::feed::{Feed, FeedState, SourceError, SourceErrorKind};
use crate::output::tail::{self, Changes, TailFormat};

/// How `tail` prints and what it may outlive.
#[derive(Debug, Clone)]
pub struct TailOptions {
    pub format: TailFormat,
    /// Times are printed in this zone in the table.
    pub tz: TimeZone,
    pub board: BoardConfig,
    /// The scope was chosen on the command line: a refusal of it ends `tail` rather than falling back.
    pub scope_given: bool,
}

/// Runs `tail` on the source `args` choose, printing to stdout.
pub async fn run(args: &BoardArgs, format: TailFormat) -> Result<(), Fatal> {
    let (client, sim, config) = super::connect(args).await?;
    let clock = client.clock().clone();
    let scope = super::scope_arg(args);
    let mut feed = super::start_source(client, args, scope, config.as_ref(), None);
    let opts = TailOptions {
        format,
        tz: TimeZone::system(),
        board: super::board_config(args),
        scope_given: args.scope.is_some(),
    };
    let mut out = io::BufWriter::new(io::stdout());
    let result = stream_until_stopped(&mut feed, &clock, &mut out, &opts).await;
    feed.task.abort();
    let _ = feed.task.await;
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    result
}

/// [`stream`] until it ends, Ctrl-C, or the reader of stdout goes.
pub async fn stream_until_stopped<W: Write>(
    feed: &mut Feed,
    clock: &Clock,
    out: &mut W,
    opts: &TailOptions,
) -> Result<(), Fatal> {
    tokio::select! {
        result = stream(feed, clock, out, opts) => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
        () = stdout_closed() => Ok(()),
    }
}

/// Prints a line for every call state change `feed` brings, as times of `clock`, until the source fails
/// in a way `tail` cannot outlive (an error) or `out` is closed (`Ok`: the reader has all it wanted).
/// Before the first listing every error ends it, with the exit code `once` would give.
pub async fn stream<W: Write>(
    feed: &mut Feed,
    clock: &Clock,
    out: &mut W,
    opts: &TailOptions,
) -> Result<(), Fatal> {
    let mut board = Board::new(opts.board);
    let mut changes = Changes::default();
    let mut scope = None;
    let mut said = None;
    if !emit(out, &tail::header(opts.format))? {
        return Ok(());
    }
    loop {
        let state: Arc<FeedState> = Arc::clone(&feed.state.borrow_and_update());
        // Each failure is said once, not at every retry.
        if state.error.as_ref().map(|e| &e.message) != said.as_ref() {
            if let Some(error) = &state.error {
                judge(error, board.seen() > 0, opts.scope_given)?;
                eprintln!("callboard: {} (still trying)", error.message);
            } else if said.is_some() {
                eprintln!("callboard: listing again");
            }
            said = state.error.as_ref().map(|e| e.message.clone());
        }
        if state.listing.scope != scope {
            board.reset_for_scope();
            changes.clear();
            scope.clone_from(&state.listing.scope);
        }
        let now = clock.wall();
        if board.catch_up(&state.listing, &state.deltas, now) {
            let text: String = changes
                .since_last(&board, now)
                .iter()
                .map(|change| tail::line(change, opts.format, &opts.tz))
                .collect();
            if !emit(out, &text)? {
                return Ok(());
            }
        }
        if feed.state.changed().await.is_err() {
            return Err(Fatal::Other(
                "the call source stopped unexpectedly; see the log file".into(),
            ));
        }
    }
}

/// Whether `tail` can go on after `error`: refused credentials and a refused scope the user chose end
/// it, and so does anything before the first listing (as `once`); later failures are retried.
fn judge(error: &SourceError, listed: bool, scope_given: bool) -> Result<(), Fatal> {
    match &error.kind {
        SourceErrorKind::Unauthorized => Err(Fatal::Source(error.clone())),
        SourceErrorKind::Permission { permission } if scope_given && error.scope.is_account() => {
            Err(Fatal::Source(SourceError {
                message: format!(
                    "--scope account needs an admin user with the {} permission; use --scope extension",
                    permission.as_deref().unwrap_or("ReadCompanyCallLog")
                ),
                ..error.clone()
            }))
        }
        // The source fell back to the user's own extension; the message says so.
        SourceErrorKind::Permission { .. } if error.scope.is_account() => Ok(()),
        _ if !listed || matches!(error.kind, SourceErrorKind::Permission { .. }) => {
            Err(Fatal::Source(error.clone()))
        }
        _ => Ok(()),
    }
}

/// Writes and flushes `text`; false when the reader has gone (a closed pipe is how `| head` says it has
/// enough, so it is no error).
fn emit<W: Write>(out: &mut W, text: &str) -> Result<bool, Fatal> {
    if text.is_empty() {
        return Ok(true);
    }
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Fatal::Other(format!("cannot write to stdout: {e}"))),
    }
}

/// Resolves when stdout is a pipe whose reader has gone, so `tail | head -20` ends as soon as `head`
/// does rather than at the next change; never resolves for a terminal or a file.
async fn stdout_closed() {
    #[cfg(unix)]
    {
        use tokio::io::Interest;
        use tokio::io::unix::AsyncFd;
        // SAFETY: `Stdout` is always descriptor 1, which the standard library never closes, so it stays
        // open and the same for the whole life of the watch.
        let watch = unsafe { AsyncFd::register_with_interest(io::stdout(), Interest::ERROR) };
        // A regular file cannot be watched (and never closes): then wait forever.
        if let Ok(fd) = watch
            && fd.ready(Interest::ERROR).await.is_ok()
        {
            return;
        }
    }
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Scope;
    use jiff::Timestamp;

    fn error(kind: SourceErrorKind, scope: Scope) -> SourceError {
        SourceError {
            kind,
            scope,
            message: "m".into(),
            at: Timestamp::UNIX_EPOCH,
            retry_at: None,
        }
    }

    fn code(result: Result<(), Fatal>) -> Option<std::process::ExitCode> {
        result.err().map(|e| e.exit_code())
    }

    #[test]
    fn what_ends_tail_and_with_which_code() {
        use std::process::ExitCode;
        let denied = || SourceErrorKind::Permission { permission: None };
        let account = Scope::Account;
        let own = Scope::own_extension;
        let cases = [
            (error(SourceErrorKind::Unauthorized, own()), true, false, Some(3)),
            (error(denied(), account.clone()), true, true, Some(4)),
            (error(denied(), account.clone()), false, false, None),
            (error(denied(), own()), true, false, Some(4)),
            (error(SourceErrorKind::RateLimited, own()), false, false, Some(5)),
            (error(SourceErrorKind::Network, own()), false, false, Some(6)),
            (error(SourceErrorKind::Timeout, own()), false, false, Some(6)),
            (error(SourceErrorKind::Server, own()), false, false, Some(1)),
            (error(SourceErrorKind::Network, own()), true, false, None),
            (error(SourceErrorKind::Server, own()), true, true, None),
        ];
        for (error, listed, given, want) in cases {
            let got = code(judge(&error, listed, given));
            assert_eq!(
                got,
                want.map(ExitCode::from),
                "{error:?} listed={listed} given={given}"
            );
        }
        let explicit = judge(&error(denied(), account), true, true).unwrap_err();
        assert!(explicit.to_string().contains("--scope extension"), "{explicit}");
    }

    #[test]
    fn a_closed_reader_ends_quietly() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        assert!(!emit(&mut Closed, "x\n").unwrap());
        assert!(emit(&mut Closed, "").unwrap(), "nothing to write is no write");
    }
}
