//! The extension picker (`x`) and the `:` command line (`:ext 101`, `:ext ana`, `:account`): pure state
//! over the account directory.
use crate::directory::{Directory, DirectoryEntry};

/// Longest query kept.
const MAX_QUERY: usize = 100;

/// The open picker: what was typed and which match is selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    /// The text typed.
    pub query: String,
    /// Index of the selected match.
    pub selected: usize,
    /// Opened with `:`: the text is a command.
    pub command: bool,
}

/// What a `:` command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:account`.
    Account,
    /// `:ext QUERY`: the best directory match of the query.
    Extension(String),
}

impl Picker {
    /// A picker over the directory, or a command line.
    pub fn new(command: bool) -> Self {
        Picker {
            command,
            ..Picker::default()
        }
    }

    /// Adds a typed character.
    pub fn push(&mut self, c: char) {
        if self.query.chars().count() < MAX_QUERY && !c.is_control() {
            self.query.push(c);
            self.selected = 0;
        }
    }

    /// Deletes the last character.
    pub fn erase(&mut self) {
        self.query.pop();
        self.selected = 0;
    }

    /// Moves the selection by `delta` within `len` matches.
    pub fn step(&mut self, delta: isize, len: usize) {
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(len.saturating_sub(1));
    }

    /// The directory entries the query matches (for a command, the `ext` argument's).
    pub fn matches<'a>(&self, dir: Option<&'a Directory>) -> Vec<&'a DirectoryEntry> {
        let query = match (self.command, parse_command(&self.query)) {
            (false, _) => self.query.as_str(),
            (true, Ok(Command::Extension(q))) => return dir.map(|d| d.search(&q)).unwrap_or_default(),
            (true, _) => return Vec::new(),
        };
        dir.map(|d| d.search(query)).unwrap_or_default()
    }

    /// The selected match.
    pub fn chosen<'a>(&self, dir: Option<&'a Directory>) -> Option<&'a DirectoryEntry> {
        self.matches(dir).get(self.selected).copied()
    }
}

/// Reads a `:` command: `ext 101`, `extension Ana Gómez`, `account`.
pub fn parse_command(text: &str) -> Result<Command, String> {
    let text = text.trim();
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    match (word, rest.trim()) {
        ("account" | "acc", "") => Ok(Command::Account),
        ("ext" | "extension", "") => Err("say which extension: :ext 101 or :ext name".into()),
        ("ext" | "extension", query) => Ok(Command::Extension(query.to_owned())),
        _ => Err(format!(
            "unknown command “{word}”; try :ext 101, :ext name or :account"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(parse_command(" ext  101 "), Ok(Command::Extension("101".into())));
        assert_eq!(parse_command("account"), Ok(Command::Account));
        assert!(parse_command("ext").is_err());
        assert!(parse_command("rm -rf").unwrap_err().contains("unknown command"));
    }
}
