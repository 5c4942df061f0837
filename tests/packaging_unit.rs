//! The hub's systemd unit (`packaging/callboard-hub.service`), its user (`packaging/callboard.sysusers`)
//! and its sample policy (`packaging/hub.toml`): what the unit must say, `systemd-analyze verify` finding
//! nothing in it, `systemd-sysusers` creating the user (each program's check skipped with a message where it
//! is missing), and the policy passing `serve --check`. `scripts/package-deb` checks that the package
//! installs them.
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// The unit as shipped.
fn unit() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/callboard-hub.service");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What `program` with `args` said (stderr, then stdout), prefixed with its exit status when it failed;
/// `None`, with a message, when the program is not installed.
fn run(program: &str, args: &[&OsStr]) -> Option<String> {
    let out = match Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("{program} is not installed: its check is skipped");
            return None;
        }
        Err(e) => panic!("{program}: {e}"),
    };
    let said = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    Some(if out.status.success() {
        said
    } else {
        format!("{}: {said}", out.status)
    })
}

/// What `systemd-analyze verify` says about `text` saved as `callboard-hub.service`, with the packaged
/// binary's path replaced by the one just built (verify looks for it).
fn verify(text: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("callboard-hub.service");
    std::fs::write(
        &path,
        text.replace("/usr/bin/callboard", env!("CARGO_BIN_EXE_callboard")),
    )
    .unwrap();
    // The man page is not installed where tests run; the package installs it.
    run(
        "systemd-analyze",
        &["verify".as_ref(), "--man=no".as_ref(), path.as_os_str()],
    )
}

#[test]
fn the_unit_runs_serve_as_its_own_user_with_the_credentials_file_and_hardening() {
    let unit = unit();
    let lines: Vec<&str> = unit.lines().map(str::trim).collect();
    for line in [
        "User=callboard",
        "Group=callboard",
        "EnvironmentFile=/etc/callboard/hub.env",
        "ExecStart=/usr/bin/callboard serve --config /etc/callboard/hub.toml",
        "RuntimeDirectory=callboard",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "CapabilityBoundingSet=",
        "WantedBy=multi-user.target",
    ] {
        assert!(lines.contains(&line), "the unit lacks {line:?}");
    }
    // The policy reads each viewer's real uid and gid from the socket.
    assert!(!lines.iter().any(|l| l.starts_with("PrivateUsers=")));
}

#[test]
fn systemd_analyze_verify_finds_nothing() {
    let Some(said) = verify(&unit()) else { return };
    assert_eq!(said, "", "systemd-analyze verify on the unit");
    // The check can fail: a setting systemd cannot read is reported.
    let broken = unit().replace("ProtectSystem=strict", "ProtectSystem=everything");
    let said = verify(&broken).unwrap();
    assert!(
        said.contains("ProtectSystem") || said.contains("protect system"),
        "{said}"
    );
}

#[test]
fn the_package_creates_the_units_user_and_group() {
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/callboard.sysusers");
    let dir = tempfile::tempdir().unwrap();
    let root = format!("--root={}", dir.path().display());
    let args: [&OsStr; 3] = ["--dry-run".as_ref(), root.as_ref(), conf.as_os_str()];
    let Some(said) = run("systemd-sysusers", &args) else {
        return;
    };
    assert!(said.contains("Creating group 'callboard'"), "{said}");
    assert!(said.contains("Creating user 'callboard'"), "{said}");
}

#[test]
fn the_packaged_policy_lets_the_units_group_see_the_account() {
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/hub.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--check", "--config"])
        .arg(&policy)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("1. group callboard, line "), "{said}");
    assert!(said.contains(": the whole account"), "{said}");
}
