//! The callboard binary run as a test's child, with its home, config, runtime, state and cache
//! directories in a directory of the test's (no user's hub.toml, config or token cache; another machine,
//! as far as callboard knows).
use std::path::Path;
use std::process::Command;

/// The binary the tests run.
pub const BIN: &str = env!("CARGO_BIN_EXE_callboard");

/// The binary with its directories in `home`, no hub token and no log.
pub fn callboard(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("CALLBOARD_LOG", "off")
        .env_remove("CALLBOARD_HUB_TOKEN");
    cmd
}
