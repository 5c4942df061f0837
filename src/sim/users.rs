//! The simulated account: its extension directory, the two demo users with their JWTs, and the app's
//! client credentials.
use serde_json::{Value, json};

use super::fake;

/// The account id every path's `~` stands for.
pub const ACCOUNT_ID: &str = "400131016";
/// Demo app client id.
pub const CLIENT_ID: &str = "sim-client-id-callboard-demo";
/// Demo app client secret.
pub const CLIENT_SECRET: &str = "sim-client-secret-6b1f2c9e4d8a";
/// JWT credential of the admin demo user.
pub const ADMIN_JWT: &str = "sim-jwt-admin-5f0e9c2a7d4b41e3a6c8";
/// JWT credential of the non-admin demo user.
pub const NON_ADMIN_JWT: &str = "sim-jwt-user-9a3d6e1f0b7c42d58e21";

/// What kind of extension this is (`type` in the directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtKind {
    /// A person.
    User,
    /// A call queue.
    Department,
}

/// One extension of the simulated account.
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    pub id: u64,
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    pub kind: ExtKind,
    pub admin: bool,
    /// Direct (DID) number, E.164.
    pub phone_number: String,
    /// City of the DID, as RingCentral prints it.
    pub location: String,
    /// Id of the user's desk phone / softphone.
    pub device_id: String,
}

impl Extension {
    /// Display name: "First Last" for users, the queue name for departments.
    pub fn name(&self) -> String {
        if self.last_name.is_empty() {
            self.first_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }

    fn email(&self) -> String {
        let local: String = self
            .name()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
            .collect();
        format!("{local}@example.com")
    }

    /// Relative URI of the extension resource.
    pub fn path(&self) -> String {
        format!("/restapi/v1.0/account/{ACCOUNT_ID}/extension/{}", self.id)
    }

    /// The directory record (`GetExtensionListInfoResponse`).
    pub fn list_json(&self, base: &str) -> Value {
        let (kind, first, last) = match self.kind {
            ExtKind::User => ("User", json!(self.first_name), json!(self.last_name)),
            ExtKind::Department => ("Department", Value::Null, Value::Null),
        };
        let mut contact = json!({"email": self.email(), "emailAsLoginName": true});
        if self.kind == ExtKind::User {
            contact["firstName"] = first;
            contact["lastName"] = last;
            contact["businessPhone"] = json!(self.phone_number);
        }
        json!({
            "id": self.id,
            "uri": format!("{base}{}", self.path()),
            "extensionNumber": self.number,
            "name": self.name(),
            "contact": contact,
            "permissions": {
                "admin": {"enabled": self.admin},
                "internationalCalling": {"enabled": self.kind == ExtKind::User},
            },
            "status": "Enabled",
            "type": kind,
            "hidden": false,
        })
    }

    /// The single-extension record (`GetExtensionInfoResponse`).
    pub fn info_json(&self, base: &str) -> Value {
        let mut v = self.list_json(base);
        v["account"] = json!({
            "id": ACCOUNT_ID,
            "uri": format!("{base}/restapi/v1.0/account/{ACCOUNT_ID}"),
        });
        v["statusInfo"] = json!({});
        v
    }
}

/// The account's extensions: users first (index 0 is the admin, 1 the non-admin), then call queues.
#[derive(Debug, Clone, PartialEq)]
pub struct Directory {
    pub extensions: Vec<Extension>,
    users: usize,
}

impl Directory {
    /// `users` people (at least 2) and `queues` call queues, the same for every run; `hostile` gives
    /// some of them odd names.
    pub fn new(users: usize, queues: usize, hostile: bool) -> Self {
        let users = users.max(2);
        let mut extensions = Vec::with_capacity(users + queues);
        for i in 0..users {
            let (first, last) = fake::person_name(i, hostile);
            let (phone_number, location) = fake::did(i);
            extensions.push(Extension {
                id: 62_264_400_016 + i as u64 * 13_000,
                number: (101 + i).to_string(),
                first_name: first,
                last_name: last,
                kind: ExtKind::User,
                admin: i == 0 || i % 17 == 5,
                phone_number,
                location,
                device_id: (803_750_084_020 + i as u64 * 1_000).to_string(),
            });
        }
        for q in 0..queues {
            let (phone_number, location) = fake::did(users + q);
            extensions.push(Extension {
                id: 62_990_100_016 + q as u64 * 13_000,
                number: (801 + q).to_string(),
                first_name: fake::queue_name(q),
                last_name: String::new(),
                kind: ExtKind::Department,
                admin: false,
                phone_number,
                location,
                device_id: String::new(),
            });
        }
        Self { extensions, users }
    }

    /// The people (not queues).
    pub fn users(&self) -> &[Extension] {
        &self.extensions[..self.users]
    }

    /// The call queues.
    pub fn queues(&self) -> &[Extension] {
        &self.extensions[self.users..]
    }

    /// The extension with this id.
    pub fn by_id(&self, id: u64) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.id == id)
    }

    /// The user whose JWT credential this is.
    pub fn by_jwt(&self, jwt: &str) -> Option<&Extension> {
        match jwt {
            ADMIN_JWT => self.extensions.first(),
            NON_ADMIN_JWT => self.extensions.get(1),
            _ => None,
        }
    }
}

/// Everything a client needs to log in to the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimCredentials {
    /// App client id (HTTP Basic user).
    pub client_id: String,
    /// App client secret (HTTP Basic password).
    pub client_secret: String,
    /// JWT credential of the admin user (sees the whole account).
    pub admin_jwt: String,
    /// JWT credential of the non-admin user (own extension only).
    pub non_admin_jwt: String,
    pub admin_extension_id: u64,
    pub admin_extension_number: String,
    pub non_admin_extension_id: u64,
    pub non_admin_extension_number: String,
}

impl SimCredentials {
    /// The demo credentials for `dir`.
    pub fn for_directory(dir: &Directory) -> Self {
        let users = dir.users();
        Self {
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            admin_jwt: ADMIN_JWT.to_owned(),
            non_admin_jwt: NON_ADMIN_JWT.to_owned(),
            admin_extension_id: users[0].id,
            admin_extension_number: users[0].number.clone(),
            non_admin_extension_id: users[1].id,
            non_admin_extension_number: users[1].number.clone(),
        }
    }
}
