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

    /// The preferences from [`Prefs::default_path`] and where to save them (see [`Prefs::load_or_default`]).
    pub fn load_default() -> (Prefs, Option<PathBuf>) {
        Prefs::load_or_default(Prefs::default_path())
    }

    /// The preferences from `path` and where to save them. An unreadable or invalid file is reported on
    /// stderr and left alone: defaults are used and nothing is saved over it.
    pub fn load_or_default(path: Option<PathBuf>) -> (Prefs, Option<PathBuf>) {
        let Some(path) = path else {
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

    /// Reads `path`; a missing file gives the defaults. Alert thresholds are checked (see
    /// [`AlertConfig::check`]); a value of the wrong type is named by its line.
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
        let mut prefs: Prefs = toml::from_str(&text).map_err(|e| err(located(&text, &e)))?;
        prefs.alerts.check().map_err(err)?;
        prefs.favourites.truncate(MAX_FAVOURITES);
        Ok(prefs)
    }

    /// Writes `path` atomically (readable by all, writable by the owner), creating the directory.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let text = toml::to_string_pretty(self).map_err(io::Error::other)?;
        crate::atomic_file::write(path, text.as_bytes(), 0o644)
    }
}

/// A TOML error with the line it is on, as `line 3 (warn_secs = -1): …`.
fn located(text: &str, e: &toml::de::Error) -> String {
    let Some(span) = e.span() else {
        return e.message().to_owned();
    };
    let before = text.as_bytes().get(..span.start).unwrap_or(text.as_bytes());
    let number = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line = text.lines().nth(number - 1).unwrap_or_default().trim();
    let line = crate::text::fit(line, 60);
    format!("line {number} ({line}): {}", e.message())
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
    fn a_threshold_out_of_range_or_of_the_wrong_type_is_named_and_the_file_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prefs.toml");
        let cases = [
            (
                "bell = true\n[alerts.ringing]\nwarn_secs = 50\ncritical_secs = 45\n",
                "alerts.ringing.warn_secs (50) must be below alerts.ringing.critical_secs (45)",
            ),
            (
                "[alerts.talking]\nwarn_secs = 0\ncritical_secs = 60\n",
                "alerts.talking.warn_secs = 0 is out of range: use 1 to 86400 seconds",
            ),
            (
                "[alerts.hold]\nwarn_secs = 60\ncritical_secs = 99999999999\n",
                "alerts.hold.critical_secs = 99999999999 is out of range: use 1 to 86400 seconds",
            ),
            (
                "[alerts.hold]\nwarn_secs = -1\ncritical_secs = 60\n",
                "line 2 (warn_secs = -1): invalid value: integer `-1`, expected whole seconds from 1 to 86400",
            ),
            (
                "[alerts.hold]\nwarn_secs = 60\ncritical_secs = 1e300\n",
                "line 3 (critical_secs = 1e300): 1e300 is not whole seconds from 1 to 86400",
            ),
        ];
        for (text, expected) in cases {
            std::fs::write(&path, text).unwrap();
            let e = Prefs::load(&path).unwrap_err().to_string();
            assert!(e.contains(expected) && e.contains("prefs.toml"), "{text}: {e}");
            let (prefs, save_to) = Prefs::load_or_default(Some(path.clone()));
            assert_eq!(
                (prefs, save_to),
                (Prefs::default(), None),
                "nothing is saved over it"
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
        std::fs::write(&path, "[alerts.ringing]\nwarn_secs = 1\ncritical_secs = 86400\n").unwrap();
        assert_eq!(Prefs::load(&path).unwrap().alerts.ringing.critical_secs, 86_400);
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
