//! Shell completions and the man page, generated from the CLI definition so they cannot drift.
use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Fatal;
use super::args::Args;

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut impl Write) -> Result<(), Fatal> {
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "callboard", &mut text);
    emit(out, &text)
}

/// Writes the man page in roff.
pub fn man(out: &mut impl Write) -> Result<(), Fatal> {
    let mut text = Vec::new();
    clap_mangen::Man::new(Args::command()).render(&mut text)?;
    emit(out, &text)
}

/// Writes `text`; a reader that stopped early (`| head`) is not an error.
fn emit(out: &mut impl Write, text: &[u8]) -> Result<(), Fatal> {
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(write: impl Fn(&mut Vec<u8>) -> Result<(), Fatal>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn completions_know_the_subcommands_and_flags() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let script = text(|out| completions(shell, out));
            for word in ["once", "replay", "doctor", "format", "no-osc52"] {
                assert!(script.contains(word), "{shell:?} lacks {word}");
            }
        }
    }

    #[test]
    fn the_man_page_has_the_exit_codes_and_no_secret_flag() {
        let page = text(man);
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
        assert!(page.contains("missing permission") && page.contains("RC_USER_JWT"));
        assert!(!page.contains("\\-\\-jwt"));
    }
}
