//! The directory on disk: one JSON file per server in the cache directory, fresh for [`TTL`].
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use super::Directory;
use crate::atomic_file;

/// How long a fetched directory is used before it is fetched again.
pub const TTL: SignedDuration = SignedDuration::from_hours(1);

/// Where the directory of one server is kept.
#[derive(Debug, Clone)]
pub struct DirectoryCache {
    path: PathBuf,
}

impl DirectoryCache {
    /// A cache file at `path`.
    pub fn at(path: PathBuf) -> Self {
        DirectoryCache { path }
    }

    /// The cache for `server` in the platform cache directory, when there is one.
    pub fn for_server(server: &str) -> Option<Self> {
        let dirs = directories::ProjectDirs::from("", "", "callboard")?;
        let key = Sha256::digest(server.as_bytes());
        let name: String = key[..8].iter().map(|b| format!("{b:02x}")).collect();
        Some(Self::at(
            dirs.cache_dir().join("directory").join(format!("{name}.json")),
        ))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cached directory; `None` when missing or unreadable (it is then fetched again).
    pub fn load(&self) -> Option<Directory> {
        let bytes = std::fs::read(&self.path).ok()?;
        serde_json::from_slice(&bytes)
            .inspect_err(
                |e| tracing::warn!(path = %self.path.display(), "ignoring unreadable directory cache: {e}"),
            )
            .ok()
    }

    /// Writes the directory atomically, readable by the owner only (it names the account's people).
    pub fn save(&self, dir: &Directory) -> std::io::Result<()> {
        let json = serde_json::to_vec(dir).map_err(std::io::Error::other)?;
        atomic_file::write(&self.path, &json, 0o600)
    }
}

/// True while a directory fetched at `fetched_at` is younger than [`TTL`] at `now`.
pub fn is_fresh(dir: &Directory, now: Timestamp) -> bool {
    dir.fetched_at()
        .is_some_and(|at| at <= now && now.duration_since(at) < TTL)
}
