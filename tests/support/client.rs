//! The one way tests build a RingCentral client: for the simulator's admin or non-admin user (or any
//! server and credentials), adjusted step by step, then built.
use std::path::Path;
use std::time::Duration;

use callboard::api::dns::Resolver;
use callboard::api::proxy::ProxySettings;
use callboard::api::tls::{CA_FILE_VAR, CaFile};
use callboard::api::{ClientConfig, RcClient};
use callboard::clock::Clock;
use callboard::secret::Secret;
use callboard::sim::Simulator;

/// A client configuration under construction; [`SimClient::build`] makes the client.
pub struct SimClient {
    config: ClientConfig,
}

impl SimClient {
    /// The simulator's admin user (`admin`) or its non-admin user, on the simulator's clock, trusting its
    /// CA when it serves TLS, with no token cache and the default page size and timeouts.
    pub fn new(sim: &Simulator, admin: bool) -> SimClient {
        let creds = sim.credentials();
        let jwt = if admin {
            &creds.admin_jwt
        } else {
            &creds.non_admin_jwt
        };
        let mut client = SimClient::at(&sim.base_url(), &creds.client_id, &creds.client_secret, jwt);
        client.config = client.config.clock(sim.clock().clone());
        client.config.ca_files.extend(sim.ca_file().map(|path| CaFile {
            path: path.to_owned(),
            setting: CA_FILE_VAR,
        }));
        client
    }

    /// Any server at `base` (the simulator, a stand-in, a closed port), with these credentials.
    pub fn at(base: &str, client_id: &str, client_secret: &str, jwt: &str) -> SimClient {
        let config = ClientConfig::new(
            base.parse().expect("base url"),
            client_id,
            Secret::new(client_secret),
            Secret::new(jwt),
        );
        SimClient { config }
    }

    /// Logs in with `jwt` instead.
    pub fn jwt(mut self, jwt: &str) -> SimClient {
        self.config.jwt = Secret::new(jwt);
        self
    }

    /// Authenticates the app with `secret` instead.
    pub fn client_secret(mut self, secret: &str) -> SimClient {
        self.config.client_secret = Secret::new(secret);
        self
    }

    /// Measures time on `clock` instead of the simulator's.
    pub fn clock(mut self, clock: Clock) -> SimClient {
        self.config = self.config.clock(clock);
        self
    }

    /// Caches tokens in `dir` (none when `None`).
    pub fn token_cache(mut self, dir: Option<&Path>) -> SimClient {
        self.config.token_cache_dir = dir.map(Path::to_owned);
        self
    }

    /// Asks for `per_page` records a page.
    pub fn per_page(mut self, per_page: u32) -> SimClient {
        self.config.per_page = per_page;
        self
    }

    /// Gives up on any request after `timeout`.
    pub fn total_timeout(mut self, timeout: Duration) -> SimClient {
        self.config.total_timeout = timeout;
        self
    }

    /// Gives up connecting (TCP, a proxy's tunnel, TLS) after `timeout`.
    pub fn connect_timeout(mut self, timeout: Duration) -> SimClient {
        self.config.connect_timeout = timeout;
        self
    }

    /// Gives up on any request after about a second, as the fault tests want.
    pub fn short_timeouts(mut self) -> SimClient {
        self.config.read_timeout = Duration::from_secs(1);
        self.connect_timeout(Duration::from_millis(500))
            .total_timeout(Duration::from_millis(1500))
    }

    /// Trusts only the system's CAs (not a TLS simulator's).
    pub fn system_roots_only(mut self) -> SimClient {
        self.config.ca_files.clear();
        self
    }

    /// Connects through the proxies of these variables (`HTTPS_PROXY`, `NO_PROXY`, …).
    pub fn proxy(mut self, vars: &[(&str, &str)]) -> SimClient {
        self.config.proxy = ProxySettings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .expect("usable proxy settings");
        self
    }

    /// Resolves host names with `resolver`.
    pub fn resolver(mut self, resolver: Resolver) -> SimClient {
        self.config.resolver = resolver;
        self
    }

    /// The configuration as built so far.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The client.
    pub fn build(&self) -> RcClient {
        RcClient::new(self.config.clone()).expect("client builds")
    }
}

/// The simulator's admin (`admin`) or non-admin user's client, as [`SimClient::new`] makes it.
pub fn client(sim: &Simulator, admin: bool) -> RcClient {
    SimClient::new(sim, admin).build()
}
