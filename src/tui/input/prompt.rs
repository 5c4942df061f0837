//! Keys while the filter prompt (`/`) is open: typing filters as it goes; Enter keeps the filter, Esc
//! clears it, arrows move the selection.
use crossterm::event::KeyEvent;

use super::typed;
use crate::tui::app::App;
use crate::tui::keymap::{self, Action, Mode};

/// Longest filter text kept.
const MAX_FILTER: usize = 200;

/// Handles a key in the prompt; the prompt asks nothing of the outside world.
pub(super) fn key(app: &mut App, ev: &KeyEvent) {
    let Some(action) = keymap::lookup(ev, Mode::Prompt) else {
        if let Some(c) = typed(ev) {
            type_char(app, c);
        }
        return;
    };
    match action {
        Action::Down => app.board.move_selection(app.focus, 1),
        Action::Up => app.board.move_selection(app.focus, -1),
        Action::FilterKeep => app.prompt = None,
        Action::FilterClear => {
            app.prompt = None;
            app.board.set_filter("");
        }
        Action::FilterErase => edit(app, |p| {
            p.pop();
        }),
        Action::Quit => app.quit = true,
        _ => {}
    }
}

/// Types `c` into the filter, up to its longest.
fn type_char(app: &mut App, c: char) {
    let room = app
        .prompt
        .as_ref()
        .is_some_and(|p| p.chars().count() < MAX_FILTER);
    if room && !c.is_control() {
        edit(app, |p| p.push(c));
    }
}

/// Changes the filter text and filters by it.
fn edit(app: &mut App, change: impl FnOnce(&mut String)) {
    if let Some(p) = &mut app.prompt {
        change(p);
        let text = p.clone();
        app.board.set_filter(&text);
    }
}
