//! The terminal UI: a live call board on ratatui and crossterm.
#![warn(missing_docs)]
mod app;
mod backend;
mod chooser;
pub mod clipboard;
mod effect;
mod help_scroll;
mod input;
pub mod keymap;
mod layout;
mod options;
mod pause;
mod picker;
mod render;
mod replay;
mod run;
mod theme;
mod thresholds;

pub use app::App;
pub use backend::LeanBackend;
pub use effect::Effect;
pub use layout::{MIN_HEIGHT, MIN_WIDTH};
pub use options::{BACKEND_VAR, Notes, UiOptions, WallClock, stock_backend};
pub use render::draw;
pub use run::run;
