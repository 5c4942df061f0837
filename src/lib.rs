//! callboard: a terminal live call board for RingCentral accounts.
pub mod api;
pub mod board;
pub mod cli;
pub mod clock;
pub mod config;
pub mod directory;
pub mod doctor;
pub mod feed;
pub mod logging;
pub mod output;
pub mod poller;
pub mod prefs;
pub mod record;
pub mod secret;
pub mod sim;
pub mod text;
pub mod tui;
