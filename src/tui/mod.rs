//! The terminal UI: a live call board on ratatui and crossterm.
#![warn(missing_docs)]
mod app;
mod backend;
pub mod clipboard;
mod columns;
mod format;
pub mod keymap;
mod layout;
mod picker;
mod plain;
pub mod privacy;
mod render;
mod run;
pub mod sanitize;
mod theme;

pub use app::{App, Clock, Notes, UiOptions};
pub use backend::LeanBackend;
pub use layout::{MIN_HEIGHT, MIN_WIDTH};
pub use plain::plain_table;
pub use render::draw;
pub use run::run;
