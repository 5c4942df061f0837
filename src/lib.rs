//! callboard: a terminal live call board for RingCentral accounts.
pub mod api;
pub mod board;
pub mod snapshot;
pub mod tui;
