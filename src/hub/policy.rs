//! The hub's viewer policy (`hub.toml`): who may attach — a Unix user or group (from the socket's peer
//! credentials) or a token (over TCP, stored as its SHA-256) — and what each may see: the whole account,
//! or only listed extensions and call queues. Pure: reading peer credentials and files is the caller's.
//!
//! ```toml
//! [[viewer]]
//! group = "supervisors"
//! account = true
//!
//! [[viewer]]
//! name = "sales wallboard"
//! token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
//! queues = ["Sales", "201"]
//! ```
//!
//! The first entry that matches a viewer decides. [`super::filter`] applies what it allows.
use std::fmt::Write as _;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::protocol::View;
use crate::secret::Secret;

/// The parsed, checked `hub.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// In file order: the first that matches decides.
    pub viewers: Vec<Rule>,
}

/// One `[[viewer]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its line in the file (0 for a rule the hub made itself).
    pub line: usize,
    /// Its `name`, when given.
    pub name: Option<String>,
    /// Who it admits.
    pub who: Who,
    /// What they see.
    pub view: View,
}

/// Who a rule admits.
#[derive(Clone, PartialEq, Eq)]
pub enum Who {
    /// A local user attaching over the Unix socket, by user name.
    User(String),
    /// A local user attaching over the Unix socket whose primary or supplementary groups include this one.
    Group(String),
    /// A board over TCP presenting the token with this SHA-256.
    Token([u8; 32]),
}

impl std::fmt::Debug for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Who::User(u) => write!(f, "user {u}"),
            Who::Group(g) => write!(f, "group {g}"),
            Who::Token(_) => f.write_str("a token"),
        }
    }
}

/// A local peer of the Unix socket, as its credentials say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnixPeer {
    pub uid: u32,
    /// The uid's user name, when it has one.
    pub user: Option<String>,
    /// Names of the user's primary and supplementary groups.
    pub groups: Vec<String>,
}

/// A `hub.toml` that cannot be used; says where and what to change.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    viewer: Vec<toml::Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: Option<String>,
    user: Option<String>,
    group: Option<String>,
    token_sha256: Option<String>,
    #[serde(default)]
    account: bool,
    #[serde(default)]
    extensions: Vec<String>,
    #[serde(default)]
    queues: Vec<String>,
    own_extension: Option<String>,
}

/// The SHA-256 of a viewer token, as `hub.toml`'s `token_sha256` holds it (lowercase hex).
pub fn token_sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

impl Policy {
    /// Reads and checks `path`.
    pub fn load(path: &std::path::Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            PolicyError(format!(
                "cannot read the hub policy {}: {e}; create it with [[viewer]] entries (user, group or \
                 token_sha256, and account = true or extensions/queues; see the README's Team hub \
                 section) or pass --config FILE",
                path.display()
            ))
        })?;
        Policy::parse(&text).map_err(|PolicyError(why)| PolicyError(format!("{}: {why}", path.display())))
    }

    /// Parses and checks a `hub.toml`; an error names the line and the key.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let what = e.message().trim_end_matches('\n');
            PolicyError(match line {
                Some(line) => format!("line {line}: {what}"),
                None => what.to_owned(),
            })
        })?;
        if file.viewer.is_empty() {
            return Err(PolicyError(
                "no [[viewer]] entry: nobody could attach; add one per user, group or token".into(),
            ));
        }
        let viewers = file
            .viewer
            .into_iter()
            .map(|spanned| {
                let line = line_of(text, spanned.span().start);
                rule(line, spanned.into_inner())
                    .map_err(|why| PolicyError(format!("line {line}: [[viewer]] {why}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Policy { viewers })
    }

    /// The rule that admits a local peer, or why none does.
    pub fn admit_unix(&self, peer: &UnixPeer) -> Result<&Rule, String> {
        let found = self.viewers.iter().find(|r| match &r.who {
            Who::User(u) => peer.user.as_deref() == Some(u),
            Who::Group(g) => peer.groups.iter().any(|pg| pg == g),
            Who::Token(_) => false,
        });
        found.ok_or_else(|| {
            let user = peer.user.clone().unwrap_or_else(|| format!("uid {}", peer.uid));
            format!(
                "user {user} is not in the hub's policy (hub.toml) by name or group; ask the hub's \
                 administrator to add a [[viewer]] for it"
            )
        })
    }

    /// The rule whose token is `token`, or why none is. Compares hashes in constant time, every rule.
    pub fn admit_token(&self, token: Option<&Secret>) -> Result<&Rule, String> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(
                "this hub needs a viewer token over TCP: set CALLBOARD_HUB_TOKEN (or hub_token \
                        in config.toml)"
                    .into(),
            );
        };
        let hash: [u8; 32] = Sha256::digest(token.expose().as_bytes()).into();
        let mut found = None;
        for rule in &self.viewers {
            if let Who::Token(want) = &rule.who
                && bool::from(want.ct_eq(&hash))
                && found.is_none()
            {
                found = Some(rule);
            }
        }
        found.ok_or_else(|| {
            "the hub does not know this viewer token; check CALLBOARD_HUB_TOKEN against the hub \
             administrator's hub.toml"
                .into()
        })
    }

    /// The effective policy in words, one line per entry (for `serve --check`).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (i, rule) in self.viewers.iter().enumerate() {
            let name = rule
                .name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let sees = describe_view(&rule.view);
            let line = match rule.line {
                0 => String::new(),
                line => format!(", line {line}"),
            };
            let _ = writeln!(out, "{}. {:?}{name}{line}: {sees}", i + 1, rule.who);
        }
        let names = self.names();
        if !names.is_empty() {
            let _ = writeln!(
                out,
                "names ({}) are looked up in the account's directory when the hub runs: one it does not \
                 have matches no call (the hub's log says so)",
                names.join(", ")
            );
        }
        out
    }

    /// The extensions and queues given by name rather than by number, once each, in file order.
    fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let all = self
            .viewers
            .iter()
            .flat_map(|r| r.view.extensions.iter().chain(&r.view.queues));
        for name in all.map(|n| n.trim()) {
            if !name.bytes().all(|b| b.is_ascii_digit()) && !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// What a view lets its viewer see, in words.
fn describe_view(view: &View) -> String {
    let mut sees = if view.account {
        "the whole account".to_owned()
    } else {
        let mut parts = Vec::new();
        if !view.extensions.is_empty() {
            parts.push(format!("extensions {}", view.extensions.join(", ")));
        }
        if !view.queues.is_empty() {
            parts.push(format!("queues {}", view.queues.join(", ")));
        }
        format!("only {}", parts.join("; "))
    };
    if let Some(own) = &view.own_extension {
        let _ = write!(sees, "; own extension {own}");
    }
    sees
}

fn rule(line: usize, e: Entry) -> Result<Rule, String> {
    let who = match (e.user, e.group, e.token_sha256) {
        (Some(u), None, None) => Who::User(u),
        (None, Some(g), None) => Who::Group(g),
        (None, None, Some(hex)) => Who::Token(parse_sha256(&hex)?),
        (None, None, None) => return Err("names nobody: give one of user, group or token_sha256".into()),
        _ => return Err("gives more than one of user, group and token_sha256: use one entry each".into()),
    };
    let blank = |list: &[String]| list.iter().any(|s| s.trim().is_empty());
    if blank(&e.extensions) || blank(&e.queues) {
        return Err("has an empty name in extensions or queues".into());
    }
    let listed = !(e.extensions.is_empty() && e.queues.is_empty());
    match (e.account, listed) {
        (true, true) => {
            return Err("sets account = true and lists extensions or queues: choose one".into());
        }
        (false, false) => {
            return Err("sees nothing: set account = true, or list extensions or queues".into());
        }
        _ => {}
    }
    let viewer = match (&e.name, &who) {
        (Some(name), _) => name.clone(),
        (None, Who::User(u)) => format!("user {u}"),
        (None, Who::Group(g)) => format!("group {g}"),
        (None, Who::Token(_)) => format!("token of line {line}"),
    };
    Ok(Rule {
        line,
        name: e.name,
        who,
        view: View {
            viewer,
            account: e.account,
            extensions: e.extensions,
            queues: e.queues,
            own_extension: e.own_extension,
        },
    })
}

fn parse_sha256(hex: &str) -> Result<[u8; 32], String> {
    let bad = || {
        "token_sha256 is not 64 hex digits: write the SHA-256 of the token (`printf %s TOKEN | \
         sha256sum`), never the token itself"
            .to_owned()
    };
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |head| head.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[viewer]]
group = "supervisors"
account = true

[[viewer]]
user = "bob"
extensions = ["101", "Ana Gómez"]
own_extension = "101"

[[viewer]]
name = "wallboard"
token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
queues = ["Support"]
"#;

    fn peer(user: &str, groups: &[&str]) -> UnixPeer {
        UnixPeer {
            uid: 1000,
            user: Some(user.into()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn the_first_matching_entry_decides() {
        let policy = Policy::parse(SAMPLE).unwrap();
        let sup = policy
            .admit_unix(&peer("bob", &["staff", "supervisors"]))
            .unwrap();
        assert!(
            sup.view.account,
            "bob is also a supervisor, and that entry comes first"
        );
        let bob = policy.admit_unix(&peer("bob", &["staff"])).unwrap();
        assert_eq!(bob.view.extensions, ["101", "Ana Gómez"]);
        assert_eq!(bob.line, 6);
        let err = policy.admit_unix(&peer("eve", &["staff"])).unwrap_err();
        assert!(err.contains("user eve is not in the hub's policy"), "{err}");
    }

    #[test]
    fn tokens_match_by_hash_and_are_never_shown() {
        assert_eq!(
            token_sha256("test"),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
        let policy = Policy::parse(SAMPLE).unwrap();
        let wall = policy.admit_token(Some(&Secret::new("test"))).unwrap();
        assert_eq!(wall.view.viewer, "wallboard");
        let err = policy.admit_token(Some(&Secret::new("guess"))).unwrap_err();
        assert!(err.contains("does not know this viewer token"), "{err}");
        assert!(
            policy
                .admit_token(None)
                .unwrap_err()
                .contains("CALLBOARD_HUB_TOKEN")
        );
        assert!(!policy.describe().contains("9f86"), "{}", policy.describe());
        assert!(policy.admit_unix(&peer("wallboard", &[])).is_err());
    }

    #[test]
    fn describe_prints_the_effective_policy() {
        let text = Policy::parse(SAMPLE).unwrap().describe();
        assert_eq!(
            text,
            "1. group supervisors, line 2: the whole account\n\
             2. user bob, line 6: only extensions 101, Ana Gómez; own extension 101\n\
             3. a token (wallboard), line 11: only queues Support\n\
             names (Ana Gómez, Support) are looked up in the account's directory when the hub runs: \
             one it does not have matches no call (the hub's log says so)\n"
        );
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let cases = [
            (
                "[[viewer]]\nuser = \"a\"\naccount = true\nqueue = [\"x\"]\n",
                "line 4",
            ),
            ("[[viewer]]\nuser = \"a\"\n", "line 1: [[viewer]] sees nothing"),
            (
                "[[viewer]]\nuser = \"a\"\naccount = true\n\n[[viewer]]\ntoken_sha256 = \"abc\"\naccount = true\n",
                "line 5: [[viewer]] token_sha256 is not 64 hex digits",
            ),
            (
                "[[viewer]]\nuser = \"a\"\ngroup = \"b\"\naccount = true\n",
                "more than one of user, group",
            ),
            ("[[viewer]]\naccount = true\n", "names nobody"),
            (
                "[[viewer]]\nuser = \"a\"\naccount = true\nqueues = [\"q\"]\n",
                "choose one",
            ),
            ("[[viewer]]\nuser = \"a\"\naccount = \"yes\"\n", "line 3"),
            ("", "no [[viewer]] entry"),
            ("[[viewer]\n", "line 1"),
        ];
        for (text, want) in cases {
            let err = Policy::parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
        let unknown = Policy::parse(cases[0].0).unwrap_err().to_string();
        assert!(unknown.contains("queue"), "the unknown key is named: {unknown}");
    }

    #[test]
    fn a_token_hash_of_the_wrong_shape_is_refused_whatever_its_bytes() {
        for hex in ["", "zz", &"é".repeat(32), &"g".repeat(64)] {
            assert!(parse_sha256(hex).is_err(), "{hex}");
        }
    }
}
