//! The NATS names of a hub: the address a board or hub is given (`nats://HOST:PORT/<account>[/ext/<id>|
//! /queue/<id>]`), the subjects each view is published on, and the key-value keys of its latest state and
//! of the account's lease. One account's subjects all start `callboard.<account>.`, one view's
//! `callboard.<account>.<view>.`, so a NATS user's `subscribe` allow list of `callboard.<account>.<view>.>`
//! is exactly that view.
use std::fmt;

use percent_encoding::percent_decode_str;
use url::Url;

/// The first token of every subject.
pub const ROOT: &str = "callboard";
/// The JetStream key-value bucket holding each view's latest state (for late joiners).
pub const STATE_BUCKET: &str = "callboard";
/// The JetStream key-value bucket holding each account's lease (which hub talks to RingCentral).
pub const LEASE_BUCKET: &str = "callboard_lease";
/// The prefix of a view's reply subjects: a user allowed to subscribe to `<prefix>.>` sees the replies
/// to requests made for that view only (the key-value reads of its state).
const INBOX_ROOT: &str = "_INBOX_callboard";

/// What one set of subjects carries: the whole account, or only the calls of one extension or call queue
/// (pre-filtered by the hub with the viewer policy's filter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum View {
    /// Every call of the account.
    All,
    /// The calls touching one extension, by its id.
    Extension(String),
    /// The calls of one call queue, by its id.
    Queue(String),
}

impl View {
    /// Parses `--nats-view`'s `ext/<id>` or `queue/<id>`.
    pub fn parse(text: &str) -> Result<View, String> {
        let view = match text.split_once('/') {
            Some(("ext", id)) => View::Extension(id.to_owned()),
            Some(("queue", id)) => View::Queue(id.to_owned()),
            _ => return Err("expected ext/<extension id> or queue/<queue id>".into()),
        };
        if let View::Extension(id) | View::Queue(id) = &view {
            check_token("extension or queue id", id)?;
        }
        Ok(view)
    }

    /// The view's tokens in a subject or key (`all`, `ext.<id>`, `queue.<id>`).
    fn tokens(&self) -> String {
        match self {
            View::All => "all".into(),
            View::Extension(id) => format!("ext.{id}"),
            View::Queue(id) => format!("queue.{id}"),
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            View::All => f.write_str("the whole account"),
            View::Extension(id) => write!(f, "extension {id}"),
            View::Queue(id) => write!(f, "call queue {id}"),
        }
    }
}

/// The three kinds of message a view's subjects carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole listing.
    Listing,
    /// One change after the listing.
    Delta,
    /// How the hub's source is doing (push, rate headroom, errors).
    Status,
}

impl Kind {
    fn token(self) -> &'static str {
        match self {
            Kind::Listing => "listing",
            Kind::Delta => "delta",
            Kind::Status => "status",
        }
    }
}

/// One account's names on NATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    account: String,
}

impl Names {
    /// The names of `account`, a subject token of letters, digits, `-` and `_`.
    pub fn new(account: &str) -> Result<Names, String> {
        check_token("account", account)?;
        Ok(Names {
            account: account.to_owned(),
        })
    }

    /// The account token.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The subject `view`'s messages of `kind` are published on.
    pub fn subject(&self, view: &View, kind: Kind) -> String {
        format!("{ROOT}.{}.{}.{}", self.account, view.tokens(), kind.token())
    }

    /// Every subject of `view` (what a viewer subscribes to).
    pub fn view_wildcard(&self, view: &View) -> String {
        format!("{ROOT}.{}.{}.>", self.account, view.tokens())
    }

    /// The key of `part` of `view`'s latest state in [`STATE_BUCKET`] (see [`super::snapshot`]).
    pub fn state_key(&self, view: &View, part: &str) -> String {
        format!("{}.{}.{part}", self.account, view.tokens())
    }

    /// The key of the account's lease in [`LEASE_BUCKET`].
    pub fn lease_key(&self) -> String {
        self.account.clone()
    }

    /// The inbox prefix of a viewer of `view`, so its reply subjects are that view's alone.
    pub fn inbox_prefix(&self, view: &View) -> String {
        format!("{INBOX_ROOT}.{}.{}", self.account, view.tokens())
    }
}

/// A NATS address with the account (and view) in its path, as `serve --nats` and `--hub` take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsAddr {
    /// The server's URL without the path (user and password kept, when given).
    pub server: Url,
    pub names: Names,
    pub view: View,
}

impl NatsAddr {
    /// Parses `nats://[USER:PASS@]HOST[:PORT]/<account>[/ext/<id>|/queue/<id>]` (also `tls://`).
    pub fn parse(text: &str) -> Result<NatsAddr, String> {
        const FORM: &str =
            "expected nats://HOST:PORT/<account>, optionally followed by /ext/<id> or /queue/<id>";
        let mut server = Url::parse(text).map_err(|e| format!("not a URL ({e}); {FORM}"))?;
        if !matches!(server.scheme(), "nats" | "tls") || server.host_str().is_none_or(str::is_empty) {
            return Err(FORM.into());
        }
        let segments: Vec<String> = server
            .path_segments()
            .map(|s| s.filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        let (account, view) = match segments.as_slice() {
            [account] => (account, View::All),
            [account, kind, id] if matches!(kind.as_str(), "ext" | "queue") => {
                (account, View::parse(&format!("{kind}/{id}"))?)
            }
            _ => {
                return Err(format!(
                    "no account in the path, or a path of another form; {FORM}"
                ));
            }
        };
        let names = Names::new(account)?;
        server.set_path("");
        server.set_query(None);
        server.set_fragment(None);
        Ok(NatsAddr { server, names, view })
    }

    /// The server's address for connecting, without user or password.
    pub fn server_address(&self) -> String {
        let mut bare = self.server.clone();
        // A URL with a host always takes an empty user and password.
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        bare.as_str().trim_end_matches('/').to_owned()
    }

    /// The user and password in the URL, percent-decoded, when given.
    pub fn user_and_password(&self) -> Option<(String, String)> {
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let user = self.server.username();
        (!user.is_empty()).then(|| (decode(user), decode(self.server.password().unwrap_or_default())))
    }
}

impl fmt::Display for NatsAddr {
    /// The address without its password, for messages and logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = match &self.view {
            View::All => String::new(),
            View::Extension(id) => format!("/ext/{id}"),
            View::Queue(id) => format!("/queue/{id}"),
        };
        write!(f, "{}/{}{path}", self.server_address(), self.names.account())
    }
}

/// A subject token callboard accepts: 1 to 64 letters, digits, `-` and `_` (no `.`, `*`, `>` or space,
/// which NATS reads as structure).
fn check_token(what: &str, token: &str) -> Result<(), String> {
    let valid = (1..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "the {what} {token:?} must be 1 to 64 letters, digits, '-' or '_'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_names_the_account_and_the_view() {
        let addr = NatsAddr::parse("nats://127.0.0.1:4222/acme").unwrap();
        assert_eq!(addr.view, View::All);
        assert_eq!(addr.server_address(), "nats://127.0.0.1:4222");
        let names = &addr.names;
        assert_eq!(
            names.subject(&View::All, Kind::Listing),
            "callboard.acme.all.listing"
        );
        assert_eq!(names.view_wildcard(&addr.view), "callboard.acme.all.>");
        assert_eq!(names.state_key(&View::All, "head"), "acme.all.head");
        assert_eq!(names.lease_key(), "acme");

        let addr = NatsAddr::parse("nats://sup:p%40ss@hub-a:4222/acme/ext/101").unwrap();
        assert_eq!(addr.view, View::Extension("101".into()));
        assert_eq!(addr.user_and_password(), Some(("sup".into(), "p@ss".into())));
        assert_eq!(addr.server_address(), "nats://hub-a:4222");
        assert_eq!(
            addr.to_string(),
            "nats://hub-a:4222/acme/ext/101",
            "no password shown"
        );
        assert_eq!(
            addr.names.subject(&addr.view, Kind::Delta),
            "callboard.acme.ext.101.delta"
        );
        assert_eq!(
            addr.names.inbox_prefix(&addr.view),
            "_INBOX_callboard.acme.ext.101"
        );

        let addr = NatsAddr::parse("tls://hub-a/acme/queue/q-7").unwrap();
        assert_eq!(addr.view, View::Queue("q-7".into()));
        assert_eq!(addr.names.state_key(&addr.view, "d.3"), "acme.queue.q-7.d.3");
    }

    #[test]
    fn nats_views_parse_or_say_the_form() {
        assert_eq!(View::parse("ext/101"), Ok(View::Extension("101".into())));
        assert_eq!(View::parse("queue/q-7"), Ok(View::Queue("q-7".into())));
        for bad in ["101", "ext/", "ext/1.2", "room/1", "queue/>"] {
            assert!(View::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_that_would_bend_a_subject_are_refused_with_the_form() {
        for bad in [
            "nats://h:4222",
            "nats://h:4222/",
            "nats://h:4222/ac.me",
            "nats://h:4222/acme/ext",
            "nats://h:4222/acme/ext/1*",
            "nats://h:4222/acme/ext/>",
            "nats://h:4222/acme/room/1",
            "http://h/acme",
            "unix:/tmp/hub.sock",
            "acme",
        ] {
            let err = NatsAddr::parse(bad).unwrap_err();
            assert!(
                err.contains("expected nats://") || err.contains("letters, digits"),
                "{bad}: {err}"
            );
        }
    }
}
