//! Configuration: command-line flags > environment > `.env` in the working directory > `config.toml` in
//! the platform config dir > defaults. [`Config::resolve`] is the pure layering; [`Config::load`] reads
//! the real sources. Secrets come only from the environment, `.env` or the config file, never flags, and
//! no error message ever contains one. Proxy settings come from the environment alone
//! ([`crate::api::proxy`] says which variables and by what rules).
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::api::proxy::{ProxyError, ProxySettings};
use crate::api::settings::ClientConfig;
use crate::api::settings::{
    CLIENT_ID_VAR, CLIENT_SECRET_VAR, DEFAULT_SERVER_URL, JWT_VAR, SERVER_URL_VAR, ServerUrlError,
    check_server_url,
};
use crate::api::tls::{CA_FILE_KEY, CA_FILE_VAR, CaFile};
use crate::api::token_cache::default_token_cache_dir;
use crate::secret::Secret;
use crate::text::clean_server_text;

/// Values given on the command line (`--server-url`, `--client-id`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub server_url: Option<String>,
    pub client_id: Option<String>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env,
    DotEnv,
    ConfigFile,
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Flag => "command line",
            Origin::Env => "environment",
            Origin::DotEnv => ".env",
            Origin::ConfigFile => "config file",
            Origin::Default => "default",
        })
    }
}

/// The origin of each setting, for `doctor` (values themselves are not repeated here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origins {
    pub server_url: Origin,
    pub client_id: Origin,
    pub client_secret: Origin,
    pub jwt: Origin,
}

/// A complete, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub server_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    pub jwt: Secret,
    pub origins: Origins,
    /// `push` in the config file: `false` keeps the board on polling alone.
    pub push: Option<bool>,
    /// `safety_interval` in the config file: seconds between safety-net polls while push is live.
    pub safety_interval: Option<f64>,
    /// Company CAs to trust beside the system's: `SSL_CERT_FILE` in the environment, then `ca_file` in
    /// the config file (both, when both are set).
    pub ca_files: Vec<CaFile>,
    /// The proxies in the environment (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`).
    pub proxy: ProxySettings,
}

/// Why the configuration is unusable, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Required settings with no value anywhere.
    #[error("{}", missing_text(variables, config_file.as_deref()))]
    Missing {
        variables: Vec<&'static str>,
        config_file: Option<PathBuf>,
    },
    /// The server URL does not parse or would send credentials in clear text.
    #[error(transparent)]
    ServerUrl(#[from] ServerUrlError),
    /// A proxy variable is unusable.
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    /// `.env` in the working directory cannot be read.
    #[error(".env in the working directory: {0}")]
    DotEnv(String),
    /// The config file cannot be read.
    #[error("config file {}: {message}", path.display())]
    File { path: PathBuf, message: String },
}

fn missing_text(variables: &[&str], config_file: Option<&Path>) -> String {
    let file_keys: Vec<&str> = variables.iter().map(|v| file_key(v)).collect();
    let file = config_file.map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
    format!(
        "missing RingCentral credentials: set {} in the environment or in .env in the working directory, \
         or {} in {file}",
        variables.join(" and "),
        file_keys.join(" and ")
    )
}

/// The config-file key of a variable.
fn file_key(variable: &str) -> &'static str {
    match variable {
        SERVER_URL_VAR => "server_url",
        CLIENT_ID_VAR => "client_id",
        CLIENT_SECRET_VAR => "client_secret",
        _ => "jwt",
    }
}

/// `config.toml`. An unknown key is an error: a misspelt `server_url` must not send the board to the
/// production server.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    server_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    jwt: Option<String>,
    push: Option<bool>,
    safety_interval: Option<f64>,
    ca_file: Option<String>,
    /// A board's token for a team hub over TCP (see [`hub_token`]).
    hub_token: Option<String>,
}

impl FileConfig {
    fn get(&self, variable: &str) -> Option<&str> {
        match variable {
            SERVER_URL_VAR => self.server_url.as_deref(),
            CLIENT_ID_VAR => self.client_id.as_deref(),
            CLIENT_SECRET_VAR => self.client_secret.as_deref(),
            _ => self.jwt.as_deref(),
        }
    }
}

impl Config {
    /// Layers the sources: `flags`, then `env` (a variable lookup), then the text of `.env`, then the text
    /// of `config.toml`, then defaults. Reads nothing itself.
    pub fn resolve(
        flags: &Overrides,
        env: impl Fn(&str) -> Option<String>,
        dotenv: Option<&str>,
        file: Option<&str>,
    ) -> Result<Config, ConfigError> {
        let dotenv = dotenv.map(parse_dotenv).transpose()?.unwrap_or_default();
        let file = match file {
            Some(text) => toml::from_str::<FileConfig>(text).map_err(|e| ConfigError::File {
                path: PathBuf::new(),
                message: toml_error(text, &e),
            })?,
            None => FileConfig::default(),
        };
        let lookup = |variable: &str, flag: Option<&String>| -> Option<(String, Origin)> {
            let clean = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
            flag.and_then(|v| clean(v))
                .map(|v| (v, Origin::Flag))
                .or_else(|| env(variable).and_then(|v| clean(&v)).map(|v| (v, Origin::Env)))
                .or_else(|| {
                    dotenv
                        .iter()
                        .rev()
                        .find(|(k, _)| k == variable)
                        .and_then(|(_, v)| clean(v))
                        .map(|v| (v, Origin::DotEnv))
                })
                .or_else(|| {
                    file.get(variable)
                        .and_then(clean)
                        .map(|v| (v, Origin::ConfigFile))
                })
        };
        let (server_url, url_origin) = lookup(SERVER_URL_VAR, flags.server_url.as_ref())
            .unwrap_or_else(|| (DEFAULT_SERVER_URL.to_owned(), Origin::Default));
        let client_id = lookup(CLIENT_ID_VAR, flags.client_id.as_ref());
        let client_secret = lookup(CLIENT_SECRET_VAR, None);
        let jwt = lookup(JWT_VAR, None);

        let server_url = parse_server_url(&server_url)?;
        let ca_files = [
            env(CA_FILE_VAR).and_then(|v| CaFile::named(&v, CA_FILE_VAR)),
            file.ca_file
                .as_deref()
                .and_then(|v| CaFile::named(v, CA_FILE_KEY)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let proxy = ProxySettings::from_lookup(&env)?;
        let (min, max) = crate::push::SAFETY_INTERVAL_RANGE;
        if let Some(secs) = file.safety_interval.filter(|s| !(min..=max).contains(s)) {
            return Err(ConfigError::File {
                path: PathBuf::new(),
                message: format!("safety_interval = {secs}: expected a number from {min} to {max} seconds"),
            });
        }
        let (Some(client_id), Some(client_secret), Some(jwt)) = (&client_id, &client_secret, &jwt) else {
            let variables = [
                (CLIENT_ID_VAR, &client_id),
                (CLIENT_SECRET_VAR, &client_secret),
                (JWT_VAR, &jwt),
            ]
            .into_iter()
            .filter_map(|(name, value)| value.is_none().then_some(name))
            .collect();
            return Err(ConfigError::Missing {
                variables,
                config_file: None,
            });
        };
        Ok(Config {
            server_url,
            origins: Origins {
                server_url: url_origin,
                client_id: client_id.1,
                client_secret: client_secret.1,
                jwt: jwt.1,
            },
            client_id: client_id.0.clone(),
            client_secret: Secret::new(client_secret.0.clone()),
            jwt: Secret::new(jwt.0.clone()),
            push: file.push,
            safety_interval: file.safety_interval,
            ca_files,
            proxy,
        })
    }

    /// Reads the real environment, `.env` in the working directory and the platform config file (without
    /// changing the process environment), then [`Config::resolve`]s them.
    pub fn load(flags: &Overrides) -> Result<Config, ConfigError> {
        let dotenv = read_optional(Path::new(".env")).map_err(ConfigError::DotEnv)?;
        let path = config_file_path();
        let file = match &path {
            Some(path) => read_optional(path).map_err(|message| ConfigError::File {
                path: path.clone(),
                message,
            })?,
            None => None,
        };
        if let (Some(path), Some(_)) = (&path, &file) {
            warn_if_shared(path);
        }
        Config::resolve(
            flags,
            |k| std::env::var(k).ok(),
            dotenv.as_deref(),
            file.as_deref(),
        )
        .map(|mut config| {
            // A relative `ca_file` is relative to the config file that names it.
            let dir = path.as_deref().and_then(Path::parent);
            for ca in config.ca_files.iter_mut().filter(|ca| ca.setting == CA_FILE_KEY) {
                if let Some(dir) = dir.filter(|_| ca.path.is_relative()) {
                    ca.path = dir.join(&ca.path);
                }
            }
            config
        })
        .map_err(|e| match e {
            ConfigError::Missing { variables, .. } => ConfigError::Missing {
                variables,
                config_file: path.clone(),
            },
            ConfigError::File { message, .. } => ConfigError::File {
                path: path.clone().unwrap_or_default(),
                message,
            },
            other => other,
        })
    }

    /// A [`ClientConfig`] with default timeouts, the platform token cache directory and the proxies.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            self.server_url.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
            self.jwt.clone(),
        );
        config.token_cache_dir = default_token_cache_dir();
        config.ca_files = self.ca_files.clone();
        config.proxy = self.proxy.clone();
        config
    }
}

/// The environment variable of a board's hub token.
pub const HUB_TOKEN_VAR: &str = "CALLBOARD_HUB_TOKEN";

/// A board's token for a team hub over TCP: `CALLBOARD_HUB_TOKEN` in the environment, else `hub_token`
/// in `config.toml`. Needs no RingCentral credential.
pub fn hub_token() -> Result<Option<Secret>, ConfigError> {
    let clean = |v: String| Some(Secret::new(v.trim())).filter(|v| !v.is_empty());
    if let Some(token) = std::env::var(HUB_TOKEN_VAR).ok().and_then(clean) {
        return Ok(Some(token));
    }
    let Some(path) = config_file_path() else {
        return Ok(None);
    };
    let file_error = |message| ConfigError::File {
        path: path.clone(),
        message,
    };
    let Some(text) = read_optional(&path).map_err(file_error)? else {
        return Ok(None);
    };
    let file: FileConfig = toml::from_str(&text).map_err(|e| file_error(toml_error(&text, &e)))?;
    Ok(file.hub_token.and_then(clean))
}

/// `config.toml` in the platform config directory.
pub fn config_file_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "callboard").map(|d| d.config_dir().join("config.toml"))
}

fn parse_server_url(text: &str) -> Result<Url, ServerUrlError> {
    let invalid = |reason: String| ServerUrlError::Invalid { reason };
    let url = Url::parse(text).map_err(|e| invalid(format!("{e} (include the scheme, https://)")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not contain a user name or password".into()));
    }
    check_server_url(&url)?;
    Ok(url)
}

/// `KEY=value` pairs of a `.env` text; an error never quotes the offending line (it may hold a secret).
fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    dotenvy::from_read_iter(text.as_bytes())
        .map(|item| {
            item.map_err(|e| match e {
                dotenvy::Error::LineParse(line, index) => ConfigError::DotEnv(format!(
                    "line {} cannot be parsed (at character {index}); check its quoting",
                    line_number(text, &line)
                )),
                _ => ConfigError::DotEnv("it cannot be read".into()),
            })
        })
        .collect()
}

/// The 1-based line of `text` where `line` (as the parser quotes it) starts; the first line when not found.
fn line_number(text: &str, line: &str) -> usize {
    let first = line.lines().next().unwrap_or_default();
    text.lines()
        .position(|l| !first.is_empty() && l.trim_end() == first.trim_end())
        .map_or(1, |i| i + 1)
}

/// A TOML error as its line number and (cleaned) message, without the quoted source.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let message = clean_server_text(e.message(), &[]);
    let message = match unknown_key(&message) {
        Some(key) => format!("{message}; did you mean `{}`?", closest_key(key)),
        None => message,
    };
    match line {
        Some(line) => format!("line {line}: {message}"),
        None => message,
    }
}

/// The key serde names in "unknown field `KEY`, expected one of …".
fn unknown_key(message: &str) -> Option<&str> {
    message.strip_prefix("unknown field `")?.split('`').next()
}

/// The valid `config.toml` key most like `key`: one that contains it (or that it contains) first, then
/// the fewest edits.
fn closest_key(key: &str) -> &'static str {
    const KEYS: [&str; 7] = [
        "server_url",
        "client_id",
        "client_secret",
        "jwt",
        "push",
        "safety_interval",
        "ca_file",
    ];
    let key = key.to_ascii_lowercase();
    let score = |valid: &str| {
        let part = valid.contains(key.as_str()) || key.contains(valid);
        f64::from(u8::from(part)) + strsim::normalized_levenshtein(&key, valid)
    };
    KEYS.into_iter()
        .max_by(|a, b| score(a).total_cmp(&score(b)))
        .unwrap_or(KEYS[0])
}

/// Warns (on stderr, before any terminal UI starts, and in the log) when a file that may hold secrets is
/// readable by other users.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
            tracing::warn!(path = %path.display(), "the config file is readable by other users; chmod 600 it");
            eprintln!(
                "callboard: warning: {} may hold secrets and is readable by other users; run chmod 600 on it",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The file's text, `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests;
