//! Configuration layering, origins, errors without secrets, and the files' own errors.
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
        text.contains("line 2") && text.contains("`server`") && text.contains("did you mean `server_url`?"),
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

#[test]
fn ssl_cert_file_and_ca_file_both_add_a_ca() {
    let minimal = "client_id = \"a\"\nclient_secret = \"b\"\njwt = \"c\"\n";
    let c = Config::resolve(&Overrides::default(), env(&[]), None, Some(minimal)).unwrap();
    assert!(c.ca_files.is_empty() && c.client_config().ca_files.is_empty());
    let file = format!("{minimal}ca_file = \"corp/ca.pem\"\n");
    let e = env(&[("SSL_CERT_FILE", "/etc/ssl/company.pem")]);
    let c = Config::resolve(&Overrides::default(), e, None, Some(&file)).unwrap();
    let named: Vec<String> = c
        .client_config()
        .ca_files
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        named,
        [
            "/etc/ssl/company.pem (SSL_CERT_FILE)",
            "corp/ca.pem (ca_file in config.toml)"
        ]
    );
    let blank = env(&[("SSL_CERT_FILE", " ")]);
    let c = Config::resolve(&Overrides::default(), blank, None, Some(minimal)).unwrap();
    assert!(c.ca_files.is_empty(), "an empty SSL_CERT_FILE names no file");
    let misspelt = format!("{minimal}cafile = \"x.pem\"\n");
    let text = Config::resolve(&Overrides::default(), env(&[]), None, Some(&misspelt))
        .unwrap_err()
        .to_string();
    assert!(text.contains("did you mean `ca_file`?"), "{text}");
}

#[test]
fn proxies_come_from_the_environment_into_the_client_config() {
    let file = full_file("file");
    let c = Config::resolve(
        &Overrides::default(),
        env(&[
            ("HTTPS_PROXY", "http://alice:hunter2@proxy.corp:3128"),
            ("no_proxy", ".example.com"),
        ]),
        None,
        Some(&file),
    )
    .unwrap();
    let client = c.client_config();
    let via = |url: &str| {
        client
            .proxy
            .for_url(&url.parse().unwrap())
            .map(ToString::to_string)
    };
    assert_eq!(
        via("https://platform.ringcentral.com").as_deref(),
        Some("http://alice:***@proxy.corp:3128")
    );
    assert_eq!(via("https://file.example.com"), None);
    assert!(!format!("{c:?} {client:?}").contains("hunter2"));

    let e = Config::resolve(
        &Overrides::default(),
        env(&[("ALL_PROXY", "socks5://alice:hunter2@proxy.corp")]),
        None,
        Some(&file),
    )
    .unwrap_err();
    assert!(matches!(e, ConfigError::Proxy(_)), "{e}");
    assert!(
        e.to_string().contains("HTTP proxies") && !e.to_string().contains("hunter2"),
        "{e}"
    );
}
