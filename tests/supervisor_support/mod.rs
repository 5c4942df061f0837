//! Shared by the supervisor tests: a client of the simulator's admin user.
use callboard::api::{ClientConfig, RcClient};
use callboard::secret::Secret;
use callboard::sim::Simulator;

/// A client logged in as the simulator's admin, with no token cache and `per_page` records a page.
pub fn admin_client(sim: &Simulator, per_page: u32) -> RcClient {
    let creds = sim.credentials();
    let mut config = ClientConfig::new(
        sim.base_url().parse().unwrap(),
        creds.client_id.clone(),
        Secret::new(creds.client_secret.clone()),
        Secret::new(creds.admin_jwt.clone()),
    );
    config.token_cache_dir = None;
    config.per_page = per_page;
    RcClient::new(config).unwrap()
}
