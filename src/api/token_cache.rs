//! On-disk token cache: one JSON file per (server URL, client id, JWT), named by a SHA-256 of the three
//! so the JWT never appears in a path. Files are 0600 in a 0700 directory and written atomically
//! ([`crate::atomic_file`]). An unreadable or corrupt file is ignored.
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use super::token::Token;
use crate::atomic_file;
use crate::secret::Secret;

/// Largest cache file read; anything bigger is not ours.
const MAX_FILE: u64 = 64 * 1024;
/// Bumped when the file layout changes; other versions are ignored.
const VERSION: u32 = 1;

/// The platform directory for cached tokens (state dir, else cache dir, then `tokens`).
pub fn default_token_cache_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "callboard")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.cache_dir())
            .join("tokens"),
    )
}

/// Hex SHA-256 of server URL, client id and JWT: the cache file's name.
fn cache_key(server_url: &Url, client_id: &str, jwt: &Secret) -> String {
    let mut hasher = Sha256::new();
    for part in [server_url.as_str(), client_id, jwt.expose()] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The file layout. Times are absolute so a restart knows what is still valid.
#[derive(Serialize, Deserialize)]
struct TokenFile {
    version: u32,
    access_token: String,
    issued_at: Timestamp,
    expires_at: Timestamp,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_expires_at: Option<Timestamp>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    owner_id: Option<String>,
    #[serde(default)]
    session_id: Option<String>,
}

/// The cache file of one set of credentials.
#[derive(Debug, Clone)]
pub(crate) struct TokenCache {
    dir: PathBuf,
    path: PathBuf,
}

impl TokenCache {
    /// The cache for these credentials inside `dir` (nothing is touched yet).
    pub(crate) fn new(dir: &Path, server_url: &Url, client_id: &str, jwt: &Secret) -> Self {
        let path = dir.join(format!("{}.json", cache_key(server_url, client_id, jwt)));
        TokenCache {
            dir: dir.to_owned(),
            path,
        }
    }

    /// Path of the cache file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The cached token, or `None` when there is none or it cannot be read.
    pub(crate) fn load(&self) -> Option<Token> {
        match self.read() {
            Ok(token) => token,
            Err(e) => {
                tracing::debug!(path = %self.path.display(), error = %e, "ignoring unreadable token cache");
                None
            }
        }
    }

    fn read(&self) -> io::Result<Option<Token>> {
        let file = match fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        if file.metadata()?.len() > MAX_FILE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "file too large"));
        }
        let parsed: TokenFile = serde_json::from_reader(io::BufReader::new(file))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{:?} error", e.classify())))?;
        if parsed.version != VERSION || parsed.access_token.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "unknown version"));
        }
        Ok(Some(Token {
            access_token: Secret::new(parsed.access_token),
            issued_at: parsed.issued_at,
            expires_at: parsed.expires_at,
            refresh_token: parsed.refresh_token.filter(|r| !r.is_empty()).map(Secret::new),
            refresh_expires_at: parsed.refresh_expires_at,
            scope: parsed.scope,
            owner_id: parsed.owner_id,
            session_id: parsed.session_id,
        }))
    }

    /// Writes the token atomically with owner-only permissions.
    pub(crate) fn store(&self, token: &Token) -> io::Result<()> {
        create_private_dir(&self.dir)?;
        let file = TokenFile {
            version: VERSION,
            access_token: token.access_token.expose().to_owned(),
            issued_at: token.issued_at,
            expires_at: token.expires_at,
            refresh_token: token.refresh_token.as_ref().map(|r| r.expose().to_owned()),
            refresh_expires_at: token.refresh_expires_at,
            scope: token.scope.clone(),
            owner_id: token.owner_id.clone(),
            session_id: token.session_id.clone(),
        };
        let json = serde_json::to_vec(&file).map_err(io::Error::other)?;
        atomic_file::write(&self.path, &json, 0o600)
    }

    /// Deletes the cache file; a missing file is fine.
    pub(crate) fn remove(&self) -> io::Result<()> {
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    if fs::metadata(dir)?.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(access: &str) -> Token {
        let now = Timestamp::now();
        Token {
            access_token: Secret::new(access),
            issued_at: now,
            expires_at: now + jiff::SignedDuration::from_secs(3600),
            refresh_token: Some(Secret::new("refresh-1")),
            refresh_expires_at: Some(now + jiff::SignedDuration::from_secs(86400)),
            scope: Some("ReadCallLog".into()),
            owner_id: Some("101".into()),
            session_id: Some("s1".into()),
        }
    }

    fn cache(dir: &Path, jwt: &str) -> TokenCache {
        TokenCache::new(
            dir,
            &"https://platform.ringcentral.com".parse().unwrap(),
            "client",
            &Secret::new(jwt),
        )
    }

    #[test]
    fn round_trips_and_keys_by_credentials_without_the_jwt_in_the_name() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tokens");
        let jwt = "eyJhbGciOiJSUzI1NiJ9.payload.signature";
        let a = cache(&dir, jwt);
        assert!(a.load().is_none());
        a.store(&token("access-1")).unwrap();
        let loaded = a.load().unwrap();
        assert_eq!(loaded.access_token.expose(), "access-1");
        assert_eq!(loaded.refresh_token.unwrap().expose(), "refresh-1");
        assert_eq!(loaded.owner_id.as_deref(), Some("101"));

        let name = a.path().file_name().unwrap().to_str().unwrap();
        assert_eq!(name.len(), 64 + ".json".len());
        assert!(!name.contains("eyJ"));
        assert!(
            cache(&dir, "another-jwt").load().is_none(),
            "another JWT has another file"
        );
        let other_server = TokenCache::new(
            &dir,
            &"http://127.0.0.1:9/".parse().unwrap(),
            "client",
            &jwt.into(),
        );
        assert_ne!(other_server.path(), a.path());

        a.store(&token("access-2")).unwrap();
        assert_eq!(a.load().unwrap().access_token.expose(), "access-2");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary files left behind: {names:?}");

        a.remove().unwrap();
        a.remove().unwrap();
        assert!(a.load().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn file_is_0600_inside_a_0700_directory() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        let c = cache(&dir, "jwt");
        c.store(&token("x")).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(c.path()), 0o600);
        assert_eq!(mode(&dir), 0o700);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        c.store(&token("y")).unwrap();
        assert_eq!(mode(&dir), 0o700, "a too-open directory is tightened");
    }

    #[test]
    fn corrupt_or_foreign_files_are_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let c = cache(tmp.path(), "jwt");
        for junk in [
            &b"not json"[..],
            b"{}",
            b"{\"version\":99,\"access_token\":\"a\"}",
            &[0xff, 0xfe],
        ] {
            fs::write(c.path(), junk).unwrap();
            assert!(c.load().is_none());
        }
        fs::write(c.path(), vec![b' '; (MAX_FILE + 1) as usize]).unwrap();
        assert!(c.load().is_none());
        c.store(&token("fresh")).unwrap();
        assert_eq!(
            c.load().unwrap().access_token.expose(),
            "fresh",
            "a corrupt file is overwritten"
        );
    }
}
