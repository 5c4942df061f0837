//! Copying to the clipboard with OSC 52: the terminal (even across SSH) puts base64 text on the local
//! clipboard. Inside tmux and GNU screen the sequence is wrapped so the multiplexer passes it through;
//! inside tmux, whose options decide whether any sequence gets through, those options are asked first.
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// GNU screen drops DCS strings longer than this; longer sequences go in several.
const SCREEN_CHUNK: usize = 76;

/// Which multiplexer, if any, sits between callboard and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// Straight to the terminal.
    Plain,
    /// tmux: DCS passthrough (tmux ≥ 3.3 passes it only with `allow-passthrough on`).
    Tmux,
    /// GNU screen: DCS passthrough in short chunks.
    Screen,
}

impl Wrap {
    /// From the environment: `$TMUX`, then `$STY` or a `screen*` `$TERM`.
    pub fn detect() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Self::from_vars(var("TMUX"), var("STY"), var("TERM"))
    }

    /// From the values of `$TMUX`, `$STY` and `$TERM`.
    pub fn from_vars(tmux: Option<String>, sty: Option<String>, term: Option<String>) -> Self {
        if tmux.is_some() {
            Wrap::Tmux
        } else if sty.is_some() || term.is_some_and(|t| t.starts_with("screen")) {
            Wrap::Screen
        } else {
            Wrap::Plain
        }
    }
}

/// What tmux says when it passes neither kind of sequence on.
pub const TMUX_BLOCKS: &str =
    "tmux lets no clipboard sequence through; add `set -g set-clipboard on` to ~/.tmux.conf";

/// Whether a copy can reach the terminal's clipboard from here, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clipboard {
    /// Sequences wrapped this way arrive.
    Reachable(Wrap),
    /// Nothing arrives, for this reason (with the setting that fixes it).
    Blocked(&'static str),
}

impl Clipboard {
    /// From the environment and, inside tmux, from tmux's own options.
    pub fn detect() -> Self {
        match Wrap::detect() {
            Wrap::Tmux => Self::in_tmux(
                tmux_option(&["show", "-sv", "set-clipboard"]).as_deref(),
                tmux_option(&["show", "-Apv", "allow-passthrough"]).as_deref(),
            ),
            wrap => Clipboard::Reachable(wrap),
        }
    }

    /// Inside tmux with these values of `set-clipboard` and of the pane's `allow-passthrough` (`None`
    /// when tmux did not say). With `set-clipboard on` tmux takes a plain OSC 52 itself and sets the
    /// terminal's clipboard, whatever `allow-passthrough` says; otherwise only a passthrough arrives, and
    /// tmux before 3.3 (which has no `allow-passthrough`) always passed it.
    pub fn in_tmux(set_clipboard: Option<&str>, allow_passthrough: Option<&str>) -> Self {
        match (set_clipboard, allow_passthrough) {
            (Some("on"), _) => Clipboard::Reachable(Wrap::Plain),
            (_, Some("off")) => Clipboard::Blocked(TMUX_BLOCKS),
            _ => Clipboard::Reachable(Wrap::Tmux),
        }
    }
}

/// The value `tmux ARGS` prints, when it runs and succeeds.
fn tmux_option(args: &[&str]) -> Option<String> {
    let out = Command::new("tmux")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let value = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !value.is_empty()).then_some(value)
}

/// The bytes that put `text` on the clipboard.
pub fn osc52(text: &str, wrap: Wrap) -> Vec<u8> {
    let osc = format!("\x1b]52;c;{}\x07", STANDARD.encode(text));
    match wrap {
        Wrap::Plain => osc.into_bytes(),
        // Inside the passthrough every ESC is doubled.
        Wrap::Tmux => format!("\x1bPtmux;{}\x1b\\", osc.replace('\x1b', "\x1b\x1b")).into_bytes(),
        Wrap::Screen => osc
            .as_bytes()
            .chunks(SCREEN_CHUNK)
            .flat_map(|chunk| [b"\x1bP".as_slice(), chunk, b"\x1b\\"].concat())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_picks_the_wrapping() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(Wrap::from_vars(None, None, s("xterm-256color")), Wrap::Plain);
        assert_eq!(
            Wrap::from_vars(s("/tmp/tmux-0/default,1,0"), None, s("screen")),
            Wrap::Tmux
        );
        assert_eq!(Wrap::from_vars(None, s("123.pts-0"), s("xterm")), Wrap::Screen);
        assert_eq!(
            Wrap::from_vars(None, None, s("screen.xterm-256color")),
            Wrap::Screen
        );
    }

    #[test]
    fn inside_tmux_the_options_pick_the_sequence_or_say_nothing_gets_through() {
        use Clipboard::{Blocked, Reachable};
        // set-clipboard on: tmux takes the plain sequence, even with passthrough off.
        assert_eq!(
            Clipboard::in_tmux(Some("on"), Some("off")),
            Reachable(Wrap::Plain)
        );
        assert_eq!(Clipboard::in_tmux(Some("on"), Some("on")), Reachable(Wrap::Plain));
        assert_eq!(
            Clipboard::in_tmux(Some("external"), Some("on")),
            Reachable(Wrap::Tmux)
        );
        assert_eq!(
            Clipboard::in_tmux(Some("off"), Some("all")),
            Reachable(Wrap::Tmux)
        );
        // tmux before 3.3 has no allow-passthrough and passes everything.
        assert_eq!(Clipboard::in_tmux(Some("external"), None), Reachable(Wrap::Tmux));
        assert_eq!(
            Clipboard::in_tmux(Some("external"), Some("off")),
            Blocked(TMUX_BLOCKS)
        );
        assert_eq!(Clipboard::in_tmux(Some("off"), Some("off")), Blocked(TMUX_BLOCKS));
    }

    #[test]
    fn screen_gets_short_chunks() {
        let bytes = osc52(&"x".repeat(200), Wrap::Screen);
        let text = String::from_utf8(bytes).unwrap();
        let chunks: Vec<&str> = text.split("\x1b\\").filter(|c| !c.is_empty()).collect();
        assert!(chunks.len() > 1);
        assert!(
            chunks
                .iter()
                .all(|c| c.starts_with("\x1bP") && c.len() <= SCREEN_CHUNK + 2)
        );
        let inner: String = chunks.iter().map(|c| &c[2..]).collect();
        assert_eq!(
            inner,
            format!("\x1b]52;c;{}\x07", STANDARD.encode("x".repeat(200)))
        );
    }
}
