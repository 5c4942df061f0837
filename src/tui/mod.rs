//! The terminal UI: a live call board on ratatui and crossterm.
#![warn(missing_docs)]
mod app;
mod backend;
pub mod clipboard;
mod columns;
pub mod keymap;
mod layout;
mod picker;
pub mod privacy;
mod render;
mod run;
mod theme;

pub use app::{App, Clock, Notes, UiOptions};
pub use backend::LeanBackend;
pub use layout::{MIN_HEIGHT, MIN_WIDTH};
pub use render::draw;
pub use run::run;
