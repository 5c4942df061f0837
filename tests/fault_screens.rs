//! What a fault looks like on a fixed clock: the OFFLINE banner with its countdown over stale data, and a
//! server error with its retry, at the sizes people use.
use crate::support::app::app;
use crate::support::board::{ago, now};
use crate::support::screen::{drawn, text};

use std::sync::Arc;

use callboard::api::Scope;
use callboard::feed::{SourceError, SourceErrorKind};
use jiff::SignedDuration;

fn screen_with(error: SourceError, width: u16, height: u16) -> String {
    let (mut app, last) = app();
    let mut s = last.clone();
    s.seq += 1;
    s.next_listing_at = error.retry_at;
    s.error = Some(error);
    app.apply(Arc::new(s), now());
    text(&drawn(&mut app, width, height, now()))
}

fn error(kind: SourceErrorKind, message: &str, retry_in: i64) -> SourceError {
    SourceError {
        kind,
        scope: Scope::own_extension(),
        message: message.into(),
        at: ago(3),
        retry_at: Some(now() + SignedDuration::from_secs(retry_in)),
    }
}

#[test]
fn offline_banner_over_stale_data() {
    let offline = error(
        SourceErrorKind::Network,
        "could not reach RingCentral (connection refused); check the network connection and RC_SERVER_URL",
        12,
    );
    let wide = screen_with(offline.clone(), 120, 30);
    assert!(
        wide.lines().nth(1).unwrap().contains("OFFLINE  retrying in 12s"),
        "{wide}"
    );
    insta::assert_snapshot!("offline_120x30", wide);
    insta::assert_snapshot!("offline_80x24", screen_with(offline, 80, 24));
}

#[test]
fn server_error_with_retry_marks_the_data_stale() {
    let text = screen_with(
        error(
            SourceErrorKind::Server,
            "RingCentral server error 503 [CMN-201]: Service Temporary Unavailable",
            5,
        ),
        120,
        30,
    );
    assert!(
        text.contains("STALE") && text.contains("retrying in 5s"),
        "{text}"
    );
    insta::assert_snapshot!("server_error_120x30", text);
}
