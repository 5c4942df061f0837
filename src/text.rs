//! Untrusted text made safe, the one place that cleans it: text from the API for a terminal cell, and
//! server-supplied text for a message. No control characters (C0, DEL, C1, so no ESC), no bidi overrides
//! or isolates, no zero-width characters, few stacked combining marks; widths are measured on what is
//! drawn and long text ends in `…`. Messages also lose secrets and anything token-like.
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Most combining marks kept on one base character (stops "zalgo" text from smearing rows).
const MAX_MARKS: usize = 2;
/// Drawn in place of a control character in a terminal cell.
const REPLACEMENT: char = '\u{FFFD}';
/// Longest server-supplied text kept in a message, in characters.
pub(crate) const MAX_SERVER_TEXT: usize = 200;
/// Runs of token characters at least this long are treated as credentials and redacted.
const TOKEN_LIKE_LEN: usize = 32;

/// What to draw instead of a character, if anything; other control characters become `control`.
fn map(c: char, control: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' => Some(' '),
        c if c.is_control() => Some(control),
        // Bidi marks, embeddings, overrides and isolates; zero-width spaces and joiners; BOM; soft hyphen.
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' => None,
        '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{FFF9}'..='\u{FFFB}' => None,
        c => Some(c),
    }
}

/// The characters of `s` that are safe to draw, control characters replaced by `control`.
fn safe_chars(s: &str, control: char) -> impl Iterator<Item = char> + '_ {
    let mut marks = 0;
    let mut at_start = true;
    s.chars().filter_map(move |c| map(c, control)).filter(move |&c| {
        if c.width() == Some(0) {
            marks += 1;
            !at_start && marks <= MAX_MARKS
        } else {
            at_start = false;
            marks = 0;
            true
        }
    })
}

/// `s` with everything unsafe for a terminal removed or replaced.
pub fn clean(s: &str) -> String {
    safe_chars(s, REPLACEMENT).collect()
}

/// `s` cleaned and cut to at most `width` columns, ending in `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in safe_chars(s, REPLACEMENT) {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            while used + 1 > width {
                match out.pop() {
                    Some(p) => used -= p.width().unwrap_or(0),
                    None => return out,
                }
            }
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

/// Display width of `s` as drawn.
pub fn width(s: &str) -> usize {
    s.width()
}

/// Makes server-supplied text safe for a message: cleans it as for a terminal (control characters
/// become spaces), redacts `secrets` and anything token-like, and caps the length.
pub fn clean_server_text(text: &str, secrets: &[&str]) -> String {
    let mut text: String = safe_chars(text, ' ').collect();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(secret, "[redacted]");
    }
    let text = redact_token_like(text.trim());
    if text.chars().count() > MAX_SERVER_TEXT {
        let mut capped: String = text.chars().take(MAX_SERVER_TEXT).collect();
        capped.push('…');
        capped
    } else {
        text
    }
}

fn redact_token_like(text: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= TOKEN_LIKE_LEN {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_and_escape_sequences_are_neutralised() {
        assert_eq!(clean("a\x1b[2Jb"), "a\u{FFFD}[2Jb");
        assert_eq!(clean("x\u{9b}31m"), "x\u{FFFD}31m");
        assert_eq!(clean("line\nbreak\ttab\r"), "line break tab ");
        assert_eq!(clean("del\x7f"), "del\u{FFFD}");
    }

    #[test]
    fn bidi_and_zero_width_are_removed() {
        assert_eq!(clean("evil\u{202E}gnp.exe"), "evilgnp.exe");
        assert_eq!(clean("a\u{2066}b\u{2069}c\u{200B}d\u{FEFF}e\u{200D}f"), "abcdef");
    }

    #[test]
    fn combining_marks_are_capped() {
        assert_eq!(clean("e\u{301}"), "e\u{301}");
        assert_eq!(clean("e\u{301}\u{301}\u{301}\u{301}").chars().count(), 3);
        assert_eq!(clean("\u{301}x"), "x");
    }

    #[test]
    fn fit_truncates_by_display_width() {
        assert_eq!(fit("Tyler Liu", 20), "Tyler Liu");
        assert_eq!(fit("Tyler Liu", 9), "Tyler Liu");
        assert_eq!(fit("Tyler Liu", 8), "Tyler L…");
        assert_eq!(fit("日本語の名前", 7), "日本語…");
        assert_eq!(fit("日本語", 5), "日本…");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("", 3), "");
    }

    #[test]
    fn server_text_loses_controls_secrets_and_tokens() {
        assert_eq!(
            clean_server_text(" bad\u{1b}[31m\nthing\u{202E} ", &[]),
            "bad [31m thing"
        );
        assert_eq!(
            clean_server_text("no sim-secret here", &["sim-secret", "abc"]),
            "no [redacted] here"
        );
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        assert_eq!(clean_server_text(&format!("bad {jwt}!"), &[]), "bad [redacted]!");
        let long = clean_server_text(&"x ".repeat(500), &[]);
        assert_eq!(long.chars().count(), MAX_SERVER_TEXT + 1);
        assert!(long.ends_with('…'));
    }

    proptest! {
        #[test]
        fn nothing_unsafe_survives(s in any::<String>(), w in 0usize..40) {
            for out in [clean(&s), fit(&s, w)] {
                prop_assert!(!out.chars().any(|c| c.is_control()), "control char in {out:?}");
                let bidi = out.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'));
                prop_assert!(!bidi, "bidi control in {:?}", out);
                prop_assert!(!out.contains('\x1b'));
            }
            prop_assert!(fit(&s, w).width() <= w);
        }

        #[test]
        fn escape_heavy_input_is_clean(parts in proptest::collection::vec(
            prop_oneof![Just("\x1b[31m"), Just("\u{9b}"), Just("\x07"), Just("名"), Just("a"), Just("\u{202e}")], 0..30)) {
            let s: String = parts.concat();
            prop_assert!(!clean(&s).bytes().any(|b| b == 0x1b || b < 0x20 || b == 0x7f));
        }
    }
}
