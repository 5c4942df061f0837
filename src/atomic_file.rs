//! Writing a file whole or not at all: the bytes go to a temporary file beside the target, which is
//! flushed to disk and then renamed over it, so a reader sees the old file or the new one, never half of
//! one. Used for the token cache, the preferences and the directory cache.
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replaces `path` with `bytes`, creating missing parent directories. On unix the file gets `mode` (e.g.
/// `0o600` for a secret); elsewhere `mode` is ignored. On failure `path` is untouched and no temporary
/// file is left behind.
pub fn write(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file().set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn creates_then_replaces_the_whole_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/file.json");
        write(&path, b"first, and longer", 0o644).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"first, and longer");
        write(&path, b"second", 0o644).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(
            names(path.parent().unwrap()),
            ["file.json"],
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_gets_the_mode_asked_for() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let secret = tmp.path().join("secret");
        write(&secret, b"s", 0o600).unwrap();
        assert_eq!(mode(&secret), 0o600);
        let shared = tmp.path().join("shared");
        write(&shared, b"s", 0o644).unwrap();
        assert_eq!(mode(&shared), 0o644);
        write(&shared, b"t", 0o600).unwrap();
        assert_eq!(mode(&shared), 0o600, "a replaced file takes the new mode");
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        // A directory cannot be replaced by a file: the rename fails after the bytes were written.
        let target = tmp.path().join("taken");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"kept").unwrap();
        assert!(write(&target, b"new", 0o600).is_err());
        assert_eq!(names(tmp.path()), ["taken"]);
        assert_eq!(fs::read(target.join("inside")).unwrap(), b"kept");
    }
}
