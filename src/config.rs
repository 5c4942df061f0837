//! Configuration: command-line flags > environment > `.env` in the working directory > `config.toml` in
//! the platform config dir > defaults. [`Config::resolve`] is the pure layering; [`Config::load`] reads
//! the real sources. Secrets come only from the environment, `.env` or the config file, never flags, and
//! no error message ever contains one.
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::api::settings::ClientConfig;
use crate::api::settings::{
    CLIENT_ID_VAR, CLIENT_SECRET_VAR, DEFAULT_SERVER_URL, JWT_VAR, SERVER_URL_VAR, ServerUrlError,
    check_server_url,
};
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

    /// A [`ClientConfig`] with default timeouts and the platform token cache directory.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            self.server_url.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
            self.jwt.clone(),
        );
        config.token_cache_dir = default_token_cache_dir();
        config
    }
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
    const KEYS: [&str; 4] = ["server_url", "client_id", "client_secret", "jwt"];
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
mod tests {
    use std::collections::HashMap;

    use super::*;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMDEifQ.sig-sig-sig";
    const SECRET: &str = "s3cr3t-client-secret";

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn full_file(tag: &str) -> String {
        format!(
            "server_url = \"https://{tag}.example.com\"\nclient_id = \"{tag}-id\"\nclient_secret = \"{tag}-secret\"\njwt = \"{tag}-jwt\"\n"
        )
    }

    fn full_dotenv(tag: &str) -> String {
        format!(
            "RC_SERVER_URL=https://{tag}.example.com\nRC_APP_CLIENT_ID={tag}-id\n# comment\nRC_APP_CLIENT_SECRET=\"{tag}-secret\"\nRC_USER_JWT='{tag}-jwt'\n"
        )
    }

    #[test]
    fn each_layer_overrides_the_next() {
        let file = full_file("file");
        let dotenv = full_dotenv("dotenv");
        let environment = env(&[
            ("RC_SERVER_URL", "https://env.example.com"),
            ("RC_APP_CLIENT_ID", "env-id"),
            ("RC_USER_JWT", "env-jwt"),
        ]);
        let flags = Overrides {
            server_url: Some("https://flag.example.com".into()),
            client_id: None,
        };

        let c = Config::resolve(&flags, &environment, Some(&dotenv), Some(&file)).unwrap();
        assert_eq!(c.server_url.as_str(), "https://flag.example.com/");
        assert_eq!(c.client_id, "env-id");
        assert_eq!(c.client_secret.expose(), "dotenv-secret");
        assert_eq!(c.jwt.expose(), "env-jwt");
        assert_eq!(
            c.origins,
            Origins {
                server_url: Origin::Flag,
                client_id: Origin::Env,
                client_secret: Origin::DotEnv,
                jwt: Origin::Env
            }
        );

        let c = Config::resolve(&Overrides::default(), env(&[]), None, Some(&file)).unwrap();
        assert_eq!((c.client_id.as_str(), c.jwt.expose()), ("file-id", "file-jwt"));
        assert_eq!(c.origins.client_secret, Origin::ConfigFile);

        let c = Config::resolve(&Overrides::default(), env(&[]), Some(&dotenv), Some(&file)).unwrap();
        assert_eq!(
            (c.client_id.as_str(), c.origins.client_id),
            ("dotenv-id", Origin::DotEnv)
        );

        let minimal = "client_id = \"a\"\nclient_secret = \"b\"\njwt = \"c\"\n";
        let c = Config::resolve(&Overrides::default(), env(&[]), None, Some(minimal)).unwrap();
        assert_eq!(
            (c.server_url.as_str(), c.origins.server_url),
            ("https://platform.ringcentral.com/", Origin::Default)
        );

        let flags = Overrides {
            server_url: None,
            client_id: Some(" flag-id ".into()),
        };
        let c = Config::resolve(
            &flags,
            env(&[("RC_APP_CLIENT_ID", "env-id")]),
            None,
            Some(minimal),
        )
        .unwrap();
        assert_eq!(
            (c.client_id.as_str(), c.origins.client_id),
            ("flag-id", Origin::Flag)
        );
    }

    #[test]
    fn empty_values_count_as_absent() {
        let e = env(&[
            ("RC_APP_CLIENT_ID", "  "),
            ("RC_APP_CLIENT_SECRET", "x"),
            ("RC_USER_JWT", "y"),
        ]);
        let c = Config::resolve(
            &Overrides::default(),
            e,
            Some("RC_APP_CLIENT_ID=from-dotenv\n"),
            None,
        )
        .unwrap();
        assert_eq!(c.origins.client_id, Origin::DotEnv);
    }

    #[test]
    fn missing_credentials_name_exactly_the_variables_to_set() {
        let e = Config::resolve(
            &Overrides::default(),
            env(&[("RC_APP_CLIENT_SECRET", SECRET)]),
            None,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e,
            ConfigError::Missing {
                variables: vec![CLIENT_ID_VAR, JWT_VAR],
                config_file: None
            }
        );
        let text = e.to_string();
        assert!(text.contains("set RC_APP_CLIENT_ID and RC_USER_JWT"), "{text}");
        assert!(text.contains("client_id and jwt"), "{text}");
        assert!(
            !text.contains("RC_APP_CLIENT_SECRET") && !text.contains(SECRET),
            "{text}"
        );
        let with_path = ConfigError::Missing {
            variables: vec![JWT_VAR],
            config_file: Some("/home/u/.config/callboard/config.toml".into()),
        };
        assert!(
            with_path
                .to_string()
                .contains("jwt in /home/u/.config/callboard/config.toml")
        );
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        let creds = [
            ("RC_APP_CLIENT_ID", "i"),
            ("RC_APP_CLIENT_SECRET", SECRET),
            ("RC_USER_JWT", JWT),
        ];
        let with_url = |url: &str| {
            let mut pairs = creds.to_vec();
            pairs.push(("RC_SERVER_URL", url));
            Config::resolve(&Overrides::default(), env(&pairs), None, None)
        };
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://[::1]:9000",
            "http://LOCALHOST:1",
            "https://x.example",
        ] {
            assert!(with_url(ok).is_ok(), "{ok}");
        }
        let e = with_url("http://platform.ringcentral.com").unwrap_err();
        assert_eq!(
            e,
            ConfigError::ServerUrl(ServerUrlError::Insecure {
                scheme: "http".into(),
                host: "platform.ringcentral.com".into()
            })
        );
        assert!(e.to_string().contains("only sends credentials over https"));
        assert!(matches!(
            with_url("ftp://127.0.0.1"),
            Err(ConfigError::ServerUrl(ServerUrlError::Insecure { .. }))
        ));
        assert!(matches!(
            with_url("http://localhost.evil.com"),
            Err(ConfigError::ServerUrl(ServerUrlError::Insecure { .. }))
        ));
        assert!(matches!(
            with_url("platform.ringcentral.com"),
            Err(ConfigError::ServerUrl(ServerUrlError::Invalid { .. }))
        ));
        let e = with_url(&format!("https://user:{SECRET}@x.example")).unwrap_err();
        assert!(
            matches!(e, ConfigError::ServerUrl(ServerUrlError::Invalid { .. }))
                && !e.to_string().contains(SECRET)
        );
    }

    #[test]
    fn broken_files_are_reported_without_their_secrets() {
        let toml = format!("client_id = \"a\"\njwt = {JWT}\n");
        let e = Config::resolve(&Overrides::default(), env(&[]), None, Some(&toml)).unwrap_err();
        let text = e.to_string();
        assert!(
            matches!(e, ConfigError::File { .. }) && text.contains("line 2"),
            "{text}"
        );
        assert!(!text.contains(JWT) && !text.contains("eyJ"), "{text}");

        let dotenv = format!("RC_APP_CLIENT_SECRET={SECRET}\nRC_USER_JWT=\"{JWT}\n");
        let e = Config::resolve(&Overrides::default(), env(&[]), Some(&dotenv), None).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ConfigError::DotEnv(_)), "{text}");
        assert!(!text.contains(JWT) && !text.contains(SECRET), "{text}");
    }

    #[test]
    fn an_unknown_config_key_is_an_error_naming_it_and_the_closest_valid_one() {
        let toml = "client_id = \"a\"\nserver = \"https://platform.devtest.ringcentral.com\"\n";
        let e = Config::resolve(&Overrides::default(), env(&[]), None, Some(toml)).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ConfigError::File { .. }), "{text}");
        assert!(
            text.contains("line 2")
                && text.contains("`server`")
                && text.contains("did you mean `server_url`?"),
            "{text}"
        );
        assert_eq!(closest_key("secret"), "client_secret");
        assert_eq!(closest_key("clientid"), "client_id");
    }

    #[test]
    fn a_dotenv_error_names_its_line() {
        let dotenv = format!("RC_APP_CLIENT_ID=id\n\nRC_USER_JWT=\"{JWT}\n");
        let text = Config::resolve(&Overrides::default(), env(&[]), Some(&dotenv), None)
            .unwrap_err()
            .to_string();
        assert!(text.contains("line 3"), "{text}");
        assert!(!text.contains(JWT), "{text}");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let e = env(&[
            ("RC_APP_CLIENT_ID", "i"),
            ("RC_APP_CLIENT_SECRET", SECRET),
            ("RC_USER_JWT", JWT),
        ]);
        let c = Config::resolve(&Overrides::default(), e, None, None).unwrap();
        for text in [format!("{c:?}"), format!("{:?}", c.client_config())] {
            assert!(!text.contains(SECRET) && !text.contains(JWT), "{text}");
        }
    }
}
