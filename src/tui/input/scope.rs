//! Which calls the board watches, for the board's keys: account or own extension, favourites 1–9 (0 for
//! the account), and adding the watched extension to the favourites.
use super::save_prefs;
use crate::api::Scope;
use crate::directory;
use crate::prefs::{Favourite, MAX_FAVOURITES};
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::Action;

/// Asks for the account, the own extension, or whichever of the two is not shown.
pub(super) fn switch(app: &mut App, action: Action) -> Option<Effect> {
    let account = match action {
        Action::AccountScope => true,
        Action::ExtensionScope => false,
        _ => !app.current_scope().is_some_and(|s| s.is_account()),
    };
    if account {
        account_scope(app)
    } else {
        Some(app.ask_scope(Scope::own_extension()))
    }
}

/// Asks for account scope, unless the user is known not to be an admin: then says why at once, without
/// spending a Heavy request on a refusal the board already knows. A hub viewer always asks its hub.
pub(super) fn account_scope(app: &mut App) -> Option<Effect> {
    if app
        .feed
        .user
        .as_ref()
        .is_some_and(|u| !u.admin && !u.is_account_only())
    {
        app.say(
            "account scope needs an admin user with the ReadCompanyCallLog permission; staying on \
             extension scope",
        );
        return None;
    }
    Some(app.ask_scope(Scope::Account))
}

/// True for admins (or while the user is not known yet, or for a hub viewer, whose hub decides);
/// otherwise says why not.
pub(super) fn may_watch_others(app: &mut App) -> bool {
    let admin = app
        .feed
        .user
        .as_ref()
        .is_none_or(|u| u.admin || u.is_account_only());
    if !admin {
        app.say("only admins can watch other extensions; you see your own extension's calls");
    }
    admin
}

/// Watches favourite `digit` (1–9), or the account for 0.
pub(super) fn favourite(app: &mut App, digit: char) -> Option<Effect> {
    let n = digit.to_digit(10)? as usize;
    if n == 0 {
        return account_scope(app);
    }
    if !may_watch_others(app) {
        return None;
    }
    match app.prefs.favourites.get(n - 1) {
        Some(f) => {
            let id = f.id.clone();
            Some(app.ask_scope(Scope::Extension(id)))
        }
        None => {
            app.say(format!(
                "no favourite {n} yet: watch an extension (x) and press f to add it"
            ));
            None
        }
    }
}

/// Adds the watched extension to the favourites; asks to save them.
pub(super) fn add_favourite(app: &mut App) -> Vec<Effect> {
    let Some(Scope::Extension(id)) = app
        .current_scope()
        .cloned()
        .filter(|s| *s != Scope::own_extension())
    else {
        app.say("watch an extension first (x), then add it with f");
        return Vec::new();
    };
    if let Some(i) = app.prefs.favourites.iter().position(|f| f.id == id) {
        app.say(format!("already favourite {}", i + 1));
        return Vec::new();
    }
    if app.prefs.favourites.len() >= MAX_FAVOURITES {
        app.say(format!(
            "all {MAX_FAVOURITES} favourite keys are taken; remove one from the favourites in prefs.toml"
        ));
        return Vec::new();
    }
    let label = app
        .directory
        .as_deref()
        .and_then(|d| d.by_id(&id))
        .map_or_else(|| format!("id {id}"), directory::label);
    app.prefs.favourites.push(Favourite {
        id,
        label: label.clone(),
    });
    let count = app.prefs.favourites.len();
    app.say(format!("{label} is favourite {count}"));
    save_prefs(app)
}
