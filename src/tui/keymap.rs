//! The one key table: lookup, the footer hints and the `?` help overlay are all generated from it.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Select the next row.
    Down,
    /// Select the previous row.
    Up,
    /// Move the selection one screen down.
    PageDown,
    /// Move the selection one screen up.
    PageUp,
    /// Select the first row.
    Top,
    /// Select the last row.
    Bottom,
    /// Move the focus between the live and ended lists.
    FocusNext,
    /// Sort by the next column to the right.
    SortNext,
    /// Sort by the next column to the left.
    SortPrev,
    /// Flip ascending and descending.
    SortInvert,
    /// Switch between account and extension scope.
    ToggleScope,
    /// Switch to account scope.
    AccountScope,
    /// Switch to the user's own extension.
    ExtensionScope,
    /// Ask the poller to poll now.
    Refresh,
    /// Open the filter prompt.
    Filter,
    /// Show or hide the help overlay.
    Help,
    /// Close the help overlay, or clear the filter.
    Back,
    /// Copy the selected call's telephonySessionId to the clipboard (OSC 52).
    CopyId,
    /// Copy the selected call's whole record as JSON to the clipboard (OSC 52).
    CopyRecord,
    /// Leave callboard.
    Quit,
    /// Mask phone numbers and external names, or show them again.
    Privacy,
    /// Freeze the screen (polling goes on), or apply what arrived meanwhile.
    Pause,
    /// Show records of one telephony session as one conversation, or each record.
    Conversations,
    /// Open the column chooser.
    Columns,
    /// Switch between colour and monochrome.
    ToggleTheme,
    /// In the column chooser: show or hide the column.
    ToggleColumn,
    /// In the column chooser: move the column left.
    ColumnLeft,
    /// In the column chooser: move the column right.
    ColumnRight,
    /// In the filter prompt: keep the filter and leave the prompt.
    FilterKeep,
    /// In the filter prompt: clear the filter and leave the prompt.
    FilterClear,
    /// In the filter prompt or the picker: delete the last character.
    FilterErase,
    /// Open the extension picker (admins).
    Picker,
    /// Open the `:` command line (`:ext 101`, `:account`).
    Command,
    /// Add the watched extension to the favourites.
    AddFavourite,
    /// Watch favourite 1–9 (the digit pressed), or the account with 0.
    Favourite,
    /// In the picker: watch the selected extension.
    Choose,
    /// In the picker: close it.
    Cancel,
    /// Open the selected call full-screen: every leg and party with all fields.
    OpenCall,
    /// Scroll the leg pane down one leg.
    LegsDown,
    /// Scroll the leg pane up one leg.
    LegsUp,
    /// Give the focused list the whole height (hide the lower panes), or show them again.
    Zoom,
    /// Open the alert thresholds and the bell.
    Thresholds,
    /// In the thresholds: raise the value under the cursor.
    More,
    /// In the thresholds: lower the value under the cursor.
    Less,
    /// In the thresholds: turn the bell on or off.
    ToggleBell,
    /// In the thresholds: keep the values and save them.
    Save,
}

/// Where keys are read: the board, or the filter prompt (where other characters are typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Keys move, sort, switch scope.
    Board,
    /// Keys edit the filter.
    Prompt,
    /// Keys search the extension picker.
    Picker,
    /// Keys arrange the live table's columns.
    Columns,
    /// Keys scroll the full-screen call view.
    Call,
    /// Keys edit the alert thresholds.
    Thresholds,
}

/// One key: a plain character (shift allowed), a Ctrl chord, or a named key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character typed without Ctrl or Alt.
    Char(char),
    /// Ctrl with a character.
    Ctrl(char),
    /// A named key (arrows, F-keys, Tab…) without Ctrl or Alt.
    Code(KeyCode),
}

/// Keys bound to one action in one mode, with their help text.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where the keys apply.
    pub mode: Mode,
    /// Heading in the help overlay.
    pub section: &'static str,
    /// The keys, the first one shown in hints.
    pub keys: &'static [Key],
    /// What they do.
    pub action: Action,
    /// Help text.
    pub help: &'static str,
    /// Place and short word in the footer, when the binding is worth a hint.
    pub hint: Option<(u8, &'static str)>,
}

use Key::{Char, Code, Ctrl};

const fn bind(section: &'static str, keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding {
        mode: Mode::Board,
        section,
        keys,
        action,
        help,
        hint: None,
    }
}

const fn hint(b: Binding, place: u8, word: &'static str) -> Binding {
    Binding {
        hint: Some((place, word)),
        ..b
    }
}

/// A binding that applies in `mode`, under its own heading.
const fn moded(
    mode: Mode,
    section: &'static str,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        mode,
        ..bind(section, keys, action, help)
    }
}

const fn prompt(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    moded(Mode::Prompt, "Filter prompt", keys, action, help)
}

const fn picker(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    moded(Mode::Picker, "Extension picker", keys, action, help)
}

const fn chooser(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    moded(Mode::Columns, "Column chooser", keys, action, help)
}

const fn call(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    moded(Mode::Call, "Call view (Enter)", keys, action, help)
}

const fn thresholds(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    moded(Mode::Thresholds, "Thresholds (t)", keys, action, help)
}

/// Every binding. Each F-key has a plain-key twin for terminals that eat F-keys.
#[rustfmt::skip]
pub const KEYMAP: &[Binding] = &[
    bind("Move", &[Char('j'), Code(KeyCode::Down)], Action::Down, "next call"),
    bind("Move", &[Char('k'), Code(KeyCode::Up)], Action::Up, "previous call"),
    bind("Move", &[Code(KeyCode::PageDown), Ctrl('f')], Action::PageDown, "page down"),
    bind("Move", &[Code(KeyCode::PageUp), Ctrl('b')], Action::PageUp, "page up"),
    bind("Move", &[Char('g'), Code(KeyCode::Home)], Action::Top, "first call"),
    bind("Move", &[Char('G'), Code(KeyCode::End)], Action::Bottom, "last call"),
    hint(bind("Move", &[Code(KeyCode::Tab), Code(KeyCode::BackTab)], Action::FocusNext, "live ⇄ ended list"), 5, "focus"),
    hint(bind("Sort", &[Char('>'), Char('o'), Code(KeyCode::F(6))], Action::SortNext, "next sort column"), 6, "sort"),
    bind("Sort", &[Char('<')], Action::SortPrev, "previous sort column"),
    bind("Sort", &[Char('r'), Char('I')], Action::SortInvert, "invert sort order"),
    hint(bind("Scope", &[Char('s')], Action::ToggleScope, "account ⇄ extension"), 2, "scope"),
    bind("Scope", &[Char('a')], Action::AccountScope, "account (admins)"),
    bind("Scope", &[Char('e')], Action::ExtensionScope, "my extension"),
    bind("Scope", &[Char('x')], Action::Picker, "pick an extension"),
    bind("Scope", &[Char(':')], Action::Command, ":ext 101 · :account"),
    bind("Scope", &[Char('1'), Char('2'), Char('3'), Char('4'), Char('5'), Char('6'), Char('7'), Char('8'), Char('9'), Char('0')], Action::Favourite, "favourite, 0 account"),
    bind("Scope", &[Char('f')], Action::AddFavourite, "add favourite"),
    hint(bind("View", &[Char(' ')], Action::Pause, "pause ⇄ resume"), 4, "pause"),
    bind("View", &[Char('p')], Action::Privacy, "privacy mode"),
    bind("View", &[Char('c')], Action::Conversations, "group conversations"),
    bind("View", &[Char('C')], Action::Columns, "choose columns"),
    bind("View", &[Char('T')], Action::ToggleTheme, "colour ⇄ monochrome"),
    bind("View", &[Code(KeyCode::Enter)], Action::OpenCall, "call full-screen"),
    bind("View", &[Char('J')], Action::LegsDown, "scroll legs down"),
    bind("View", &[Char('K')], Action::LegsUp, "scroll legs up"),
    bind("View", &[Char('z')], Action::Zoom, "list full height"),
    bind("View", &[Char('t')], Action::Thresholds, "alert thresholds, bell"),
    hint(bind("Other", &[Char('R'), Ctrl('r'), Code(KeyCode::F(5))], Action::Refresh, "refresh now"), 3, "refresh"),
    hint(bind("Other", &[Char('/'), Code(KeyCode::F(3))], Action::Filter, "filter calls"), 1, "filter"),
    hint(bind("Other", &[Char('?'), Code(KeyCode::F(1))], Action::Help, "this help"), 0, "help"),
    bind("Other", &[Code(KeyCode::Esc)], Action::Back, "clear filter"),
    bind("Other", &[Char('y')], Action::CopyId, "copy telephonySessionId"),
    bind("Other", &[Char('Y')], Action::CopyRecord, "copy call record as JSON"),
    hint(bind("Other", &[Char('q'), Ctrl('c'), Code(KeyCode::F(10))], Action::Quit, "quit"), 7, "quit"),
    prompt(&[Code(KeyCode::Enter)], Action::FilterKeep, "keep filter"),
    prompt(&[Code(KeyCode::Esc)], Action::FilterClear, "clear filter"),
    prompt(&[Code(KeyCode::Backspace)], Action::FilterErase, "delete a character"),
    prompt(&[Code(KeyCode::Down)], Action::Down, "next call"),
    prompt(&[Code(KeyCode::Up)], Action::Up, "previous call"),
    prompt(&[Ctrl('c')], Action::Quit, "quit"),
    picker(&[Code(KeyCode::Enter)], Action::Choose, "watch it"),
    picker(&[Code(KeyCode::Esc)], Action::Cancel, "close"),
    picker(&[Code(KeyCode::Backspace)], Action::FilterErase, "delete a character"),
    picker(&[Code(KeyCode::Down)], Action::Down, "next match"),
    picker(&[Code(KeyCode::Up)], Action::Up, "previous match"),
    picker(&[Ctrl('c')], Action::Quit, "quit"),
    chooser(&[Char(' ')], Action::ToggleColumn, "show ⇄ hide"),
    chooser(&[Char('K'), Char('<')], Action::ColumnLeft, "move left"),
    chooser(&[Char('J'), Char('>')], Action::ColumnRight, "move right"),
    chooser(&[Char('j'), Code(KeyCode::Down)], Action::Down, "next column"),
    chooser(&[Char('k'), Code(KeyCode::Up)], Action::Up, "previous column"),
    chooser(&[Code(KeyCode::Enter), Code(KeyCode::Esc), Char('C')], Action::Cancel, "close"),
    chooser(&[Char('q'), Ctrl('c')], Action::Quit, "quit"),
    call(&[Char('j'), Code(KeyCode::Down)], Action::Down, "scroll down"),
    call(&[Char('k'), Code(KeyCode::Up)], Action::Up, "scroll up"),
    call(&[Code(KeyCode::PageDown), Ctrl('f'), Char(' ')], Action::PageDown, "page down"),
    call(&[Code(KeyCode::PageUp), Ctrl('b')], Action::PageUp, "page up"),
    call(&[Char('g'), Code(KeyCode::Home)], Action::Top, "top"),
    call(&[Char('G'), Code(KeyCode::End)], Action::Bottom, "bottom"),
    call(&[Code(KeyCode::Esc), Code(KeyCode::Enter), Char('q')], Action::Cancel, "back to the board"),
    call(&[Ctrl('c')], Action::Quit, "quit"),
    thresholds(&[Char('j'), Code(KeyCode::Down)], Action::Down, "next value"),
    thresholds(&[Char('k'), Code(KeyCode::Up)], Action::Up, "previous value"),
    thresholds(&[Char('l'), Code(KeyCode::Right), Char('+')], Action::More, "raise"),
    thresholds(&[Char('h'), Code(KeyCode::Left), Char('-')], Action::Less, "lower"),
    thresholds(&[Char(' ')], Action::ToggleBell, "bell on ⇄ off"),
    thresholds(&[Code(KeyCode::Enter)], Action::Save, "save"),
    thresholds(&[Code(KeyCode::Esc), Char('q')], Action::Cancel, "close unsaved"),
    thresholds(&[Ctrl('c')], Action::Quit, "quit"),
];

impl Key {
    fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl_alt = ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match self {
            Char(c) => ev.code == KeyCode::Char(c) && !ctrl_alt,
            Ctrl(c) => {
                ev.code == KeyCode::Char(c)
                    && ev.modifiers.contains(KeyModifiers::CONTROL)
                    && !ev.modifiers.contains(KeyModifiers::ALT)
            }
            Code(code) => ev.code == code && !ctrl_alt,
        }
    }

    /// How the key is written in help and hints.
    pub fn label(self) -> String {
        match self {
            Char(' ') => "Space".into(),
            Char(c) => c.to_string(),
            Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Code(code) => match code {
                KeyCode::Down => "↓".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::BackTab => "S-Tab".into(),
                other => other.to_string(),
            },
        }
    }
}

/// The action bound to a key event in a mode.
pub fn lookup(ev: &KeyEvent, mode: Mode) -> Option<Action> {
    KEYMAP
        .iter()
        .filter(|b| b.mode == mode)
        .find(|b| b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// All key labels of a binding, e.g. `R Ctrl-R F5`; a run of digit keys is written `1–9 0`.
pub fn keys_label(b: &Binding) -> String {
    let digits: String = b
        .keys
        .iter()
        .filter_map(|k| match k {
            Char(c) if c.is_ascii_digit() && *c != '0' => Some(*c),
            _ => None,
        })
        .collect();
    let zero = b.keys.contains(&Char('0'));
    if digits.len() > 2 && digits.len() + usize::from(zero) == b.keys.len() {
        let (first, last) = (&digits[..1], &digits[digits.len() - 1..]);
        return format!("{first}–{last}{}", if zero { " 0" } else { "" });
    }
    b.keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" ")
}

/// Footer hints in their order: the first key and short word of each hinted binding.
pub fn hints() -> Vec<(String, &'static str)> {
    let mut hinted: Vec<(u8, String, &str)> = KEYMAP
        .iter()
        .filter_map(|b| {
            let (place, word) = b.hint?;
            Some((place, b.keys.first()?.label(), word))
        })
        .collect();
    hinted.sort_by_key(|h| h.0);
    hinted.into_iter().map(|(_, key, word)| (key, word)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_resolve_to_actions() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            lookup(&ev(KeyCode::Char('j'), none), Mode::Board),
            Some(Action::Down)
        );
        assert_eq!(
            lookup(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT), Mode::Board),
            Some(Action::Bottom)
        );
        assert_eq!(
            lookup(&ev(KeyCode::Char('r'), KeyModifiers::CONTROL), Mode::Board),
            Some(Action::Refresh)
        );
        assert_eq!(
            lookup(&ev(KeyCode::Char('r'), none), Mode::Board),
            Some(Action::SortInvert)
        );
        assert_eq!(
            lookup(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL), Mode::Prompt),
            Some(Action::Quit)
        );
        assert_eq!(lookup(&ev(KeyCode::Char('q'), none), Mode::Prompt), None);
        assert_eq!(
            lookup(&ev(KeyCode::Char('x'), KeyModifiers::ALT), Mode::Board),
            None
        );
    }

    #[test]
    fn every_f_key_has_a_plain_twin() {
        for b in KEYMAP {
            if b.keys.iter().any(|k| matches!(k, Code(KeyCode::F(_)))) {
                assert!(b.keys.iter().any(|k| matches!(k, Char(_))), "{:?}", b.action);
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_mode() {
        let mut seen = std::collections::HashSet::new();
        for b in KEYMAP {
            for k in b.keys {
                assert!(seen.insert((b.mode, k.label())), "{} bound twice", k.label());
            }
        }
    }
}
