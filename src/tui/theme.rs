//! Colours and emphasis. With `NO_COLOR` (or the option) only bold, dim and reverse are used; every
//! coloured thing also carries a word or symbol, so colour is never the only signal.
use ratatui::style::{Color, Modifier, Style};

use crate::board::CallState;

/// Styles for every element of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// A theme with or without colour.
    pub fn new(no_color: bool) -> Self {
        Theme { color: !no_color }
    }

    /// True when `NO_COLOR` is set to a non-empty value.
    pub fn no_color_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// Plain text.
    pub fn text(self) -> Style {
        Style::new()
    }

    /// Secondary text: labels, hints, empty-state notes.
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray).add_modifier(if self.color {
            Modifier::empty()
        } else {
            Modifier::DIM
        })
    }

    /// The app name and section titles.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Table header.
    pub fn header(self) -> Style {
        self.fg(Color::Gray).add_modifier(Modifier::BOLD)
    }

    /// The selected row of the focused list.
    pub fn selected(self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The selected row of the list without focus.
    pub fn selected_unfocused(self) -> Style {
        if self.color {
            Style::new().bg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// A call state's word and symbol.
    pub fn state(self, s: &CallState) -> Style {
        match s {
            CallState::Ringing => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            CallState::Connected => self.fg(Color::Green),
            CallState::OnHold => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            CallState::Parked => self.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            CallState::VoiceMail => self.fg(Color::Blue),
            CallState::Ended(_) | CallState::Vanished => self.dim(),
        }
    }

    /// Notices that need action: errors, STALE.
    pub fn alert(self) -> Style {
        self.badge(Color::White, Color::Red)
    }

    /// Bold `fg` on `bg`, or bold reversed text in monochrome.
    fn badge(self, fg: Color, bg: Color) -> Style {
        if self.color {
            Style::new().fg(fg).bg(bg).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A call over the warn threshold.
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// A call over the critical threshold.
    pub fn critical(self) -> Style {
        if self.color {
            self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// Error text.
    pub fn error(self) -> Style {
        self.fg(Color::LightRed)
    }

    /// Transient notices: switching, waiting.
    pub fn notice(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// The LIVE marker: push events are arriving.
    pub fn live(self) -> Style {
        self.badge(Color::Black, Color::Green)
    }

    /// The DEMO marker.
    pub fn demo(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Magenta)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
}
