//! Which active-calls list to poll: the whole account (admins) or one extension.
use std::fmt;

/// Scope of an active-calls request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Scope {
    /// `GET /restapi/v1.0/account/~/active-calls` (needs an admin user).
    Account,
    /// `GET /restapi/v1.0/account/~/extension/{id}/active-calls`; `"~"` is the logged-in user.
    Extension(String),
}

impl Scope {
    /// The logged-in user's own extension.
    pub fn own_extension() -> Self {
        Scope::Extension("~".to_owned())
    }

    /// Path of the active-calls endpoint for this scope, relative to the server URL.
    pub fn active_calls_path(&self) -> String {
        match self {
            Scope::Account => "/restapi/v1.0/account/~/active-calls".to_owned(),
            Scope::Extension(id) => format!("/restapi/v1.0/account/~/extension/{id}/active-calls"),
        }
    }

    /// True for account scope.
    pub fn is_account(&self) -> bool {
        matches!(self, Scope::Account)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Account => f.write_str("account"),
            Scope::Extension(id) if id == "~" => f.write_str("extension (mine)"),
            Scope::Extension(id) => write!(f, "extension {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_the_reference() {
        assert_eq!(
            Scope::Account.active_calls_path(),
            "/restapi/v1.0/account/~/active-calls"
        );
        assert_eq!(
            Scope::own_extension().active_calls_path(),
            "/restapi/v1.0/account/~/extension/~/active-calls"
        );
        assert_eq!(Scope::Extension("101".into()).to_string(), "extension 101");
    }
}
