//! `callboard sim --bench-log FILE`: one line per request handled and per probe event, each stamped in
//! Unix seconds (microseconds), so a benchmark can set what the simulator did against what a terminal
//! showed. Lines, fields separated by one space (the probe's name, which has a space, comes last):
//!
//! ```text
//! request 1767600001.250000 GET Heavy 200 /restapi/v1.0/account/~/active-calls?view=Detailed
//! probe planned 1767600005.000000 Setup PROBE 0001
//! probe sent 1767600005.061803 Setup PROBE 0001
//! ```
//!
//! `planned` is when the probe's call starts in the plan (what polling can see from then on), written
//! when the simulator's clock reaches it; `sent` is when the gateway wrote one of its events to a socket.
//! The group of a request is `-` when it reached none, its status `-` when no response was sent.
use std::fs::File;
use std::io::{LineWriter, Write};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;

use super::probe;
use super::request_log::LoggedRequest;
use crate::api::wsg::SessionEvent;

/// The open log file.
#[derive(Debug)]
pub struct BenchLog {
    out: Mutex<LineWriter<File>>,
}

/// Which moment of a probe event a line stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProbeStamp {
    /// The event's time in the plan.
    Planned,
    /// When the gateway sent it.
    Sent,
}

impl BenchLog {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let file = File::create(path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot create bench log {}: {e}", path.display()),
            )
        })?;
        Ok(Self {
            out: Mutex::new(LineWriter::new(file)),
        })
    }

    /// One request, as the request log keeps it (credentials already redacted).
    pub fn request(&self, r: &LoggedRequest) {
        let group = r.group.map_or("-", |g| g.as_str());
        let status = r.status.map_or_else(|| "-".to_owned(), |s| s.to_string());
        self.line(format_args!(
            "request {} {} {group} {status} {}",
            stamp(r.at),
            r.method,
            r.path
        ));
    }

    /// A gateway event written to a socket at `at`, when it is a probe's.
    pub fn sent(&self, event: &SessionEvent, at: Timestamp) {
        if let (Some(name), Some(party)) = (probe::of_event(event), event.parties.first()) {
            self.probe(ProbeStamp::Sent, at, party.status.code.as_str(), name);
        }
    }

    /// A `planned` line: probe `name`'s call starts at `at` in the plan.
    pub fn planned(&self, at: Timestamp, name: &str) {
        self.probe(ProbeStamp::Planned, at, "Setup", name);
    }

    fn probe(&self, kind: ProbeStamp, at: Timestamp, status: &str, name: &str) {
        let kind = match kind {
            ProbeStamp::Planned => "planned",
            ProbeStamp::Sent => "sent",
        };
        self.line(format_args!("probe {kind} {} {status} {name}", stamp(at)));
    }

    fn line(&self, text: std::fmt::Arguments<'_>) {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = writeln!(out, "{text}") {
            tracing::warn!("bench log write failed: {e}");
        }
    }
}

/// Unix seconds with six decimals.
fn stamp(at: Timestamp) -> String {
    let micros = at.as_microsecond();
    format!(
        "{}.{:06}",
        micros.div_euclid(1_000_000),
        micros.rem_euclid(1_000_000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_unix_seconds_with_microseconds() {
        let at: Timestamp = "2026-01-05T09:00:00.0625Z".parse().unwrap();
        assert_eq!(stamp(at), format!("{}.062500", at.as_second()));
    }
}
