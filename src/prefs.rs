//! Preferences the user changes from the board and keeps: sort order, columns, theme, alert thresholds,
//! the alert bell and favourite extensions. TOML in the config directory (`prefs.toml` beside
//! `config.toml`), written atomically; a missing file means defaults.
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::board::{AlertConfig, Column, Sort};

/// Most favourite extensions (keys `1`–`9`).
pub const MAX_FAVOURITES: usize = 9;

/// Colour or monochrome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    /// Colours (unless `NO_COLOR` is set).
    #[default]
    Color,
    /// Bold, dim and reverse only.
    Mono,
}

/// A favourite extension: its id (for the API) and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Favourite {
    /// The extension id.
    pub id: String,
    /// Name and number, as shown.
    pub label: String,
}

/// Everything kept between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prefs {
    /// Order of the live list.
    pub sort: Sort,
    /// Columns of the live list, left to right; empty means all in the default order.
    pub columns: Vec<Column>,
    /// Colour or monochrome.
    pub theme: ThemeName,
    /// Ring the terminal bell on each new critical alert.
    pub bell: bool,
    /// Ringing and talking thresholds.
    pub alerts: AlertConfig,
    /// Extensions on keys `1`–`9`, in key order.
    pub favourites: Vec<Favourite>,
    /// Capture the mouse: a click selects a row, the wheel scrolls (as `--mouse`); off keeps the
    /// terminal's own text selection.
    pub mouse: bool,
}

/// Why the preferences could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read preferences {path}: {reason}; fix or delete the file")]
pub struct PrefsError {
    path: PathBuf,
    reason: String,
}

impl Prefs {
    /// `prefs.toml` in the config directory, when the platform has one.
    pub fn default_path() -> Option<PathBuf> {
        crate::config::config_file_path().map(|p| p.with_file_name("prefs.toml"))
    }

    /// The preferences from [`Prefs::default_path`] and where to save them. An unreadable file is reported
    /// on stderr and left alone: defaults are used and nothing is saved over it.
    pub fn load_default() -> (Prefs, Option<PathBuf>) {
        let Some(path) = Prefs::default_path() else {
            return (Prefs::default(), None);
        };
        match Prefs::load(&path) {
            Ok(prefs) => (prefs, Some(path)),
            Err(e) => {
                eprintln!("callboard: {e}; using defaults for now");
                (Prefs::default(), None)
            }
        }
    }

    /// Reads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Prefs, PrefsError> {
        let err = |reason: String| PrefsError {
            path: path.to_owned(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Prefs::default()),
            Err(e) => return Err(err(e.to_string())),
        };
        let mut prefs: Prefs = toml::from_str(&text).map_err(|e| err(e.message().to_owned()))?;
        prefs.favourites.truncate(MAX_FAVOURITES);
        Ok(prefs)
    }

    /// Writes `path` atomically (readable by all, writable by the owner), creating the directory.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let text = toml::to_string_pretty(self).map_err(io::Error::other)?;
        crate::atomic_file::write(path, text.as_bytes(), 0o644)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_example_reads() {
        let readme = include_str!("../README.md");
        let example = readme
            .split("## Supervisor features")
            .nth(1)
            .and_then(|s| s.split("```toml").nth(1))
            .and_then(|s| s.split("```").next())
            .unwrap();
        let text: String = example
            .lines()
            .map(|l| l.trim_start())
            .collect::<Vec<_>>()
            .join("\n");
        let prefs: Prefs = toml::from_str(&text).unwrap();
        assert!(prefs.bell && prefs.theme == ThemeName::Mono);
        assert_eq!(prefs.favourites.len(), 1);
        assert_eq!(prefs.alerts, AlertConfig::default());
    }

    #[test]
    fn unknown_keys_are_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prefs.toml");
        std::fs::write(&path, "colour = 3\n").unwrap();
        let e = Prefs::load(&path).unwrap_err().to_string();
        assert!(e.contains("prefs.toml") && e.contains("fix or delete"), "{e}");
        assert_eq!(
            Prefs::load(&dir.path().join("none.toml")).unwrap(),
            Prefs::default()
        );
    }
}
