//! Keys while the extension picker (`x`) or the `:` command line is open: typing searches the directory
//! (or writes the command), arrows move through the matches, Enter watches the choice, Esc closes.
use crossterm::event::KeyEvent;

use super::typed;
use crate::api::Scope;
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{self, Action, Mode};
use crate::tui::picker::{Command, parse_command};

/// Handles a key in the picker; Enter asks the feed for the chosen scope.
pub(super) fn key(app: &mut App, ev: &KeyEvent) -> Vec<Effect> {
    let Some(picker) = &mut app.picker else {
        return Vec::new();
    };
    let Some(action) = keymap::lookup(ev, Mode::Picker) else {
        if let Some(c) = typed(ev) {
            picker.push(c);
        }
        return Vec::new();
    };
    let len = picker.matches(app.directory.as_deref()).len();
    match action {
        Action::Down => picker.step(1, len),
        Action::Up => picker.step(-1, len),
        Action::FilterErase => picker.erase(),
        Action::Choose => return choose(app).into_iter().collect(),
        Action::Cancel => app.picker = None,
        Action::Quit => app.quit = true,
        _ => {}
    }
    Vec::new()
}

/// Watches what the picker points at, or runs the `:` command.
fn choose(app: &mut App) -> Option<Effect> {
    let picker = app.picker.take()?;
    let dir = app.directory.as_deref();
    if picker.command {
        match parse_command(&picker.query) {
            Ok(Command::Account) => return super::scope::account_scope(app),
            Ok(Command::Extension(query)) if dir.is_none() && is_id(&query) => {
                return Some(app.ask_scope(Scope::Extension(query)));
            }
            Ok(Command::Extension(_)) => {}
            Err(e) => {
                app.say(e);
                return None;
            }
        }
    }
    match picker.chosen(dir) {
        Some(entry) => {
            let id = entry.id.clone();
            Some(app.ask_scope(Scope::Extension(id)))
        }
        None => {
            let text = match dir {
                None => "the extension directory is still loading; try again in a moment, or type \
                         :ext followed by an extension id"
                    .into(),
                Some(_) => format!("no extension matches “{}”", picker.query),
            };
            app.say(text);
            None
        }
    }
}

/// True for an extension id (digits).
fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}
