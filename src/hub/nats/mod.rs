//! The hub across machines, on NATS: `serve --nats` publishes each view's listings, deltas and status on
//! its subjects and keeps the view's latest state in a JetStream key-value bucket for boards that join
//! late; `--hub nats://…` attaches a board through any server of the cluster; two hubs of one account
//! elect the one that talks to RingCentral through a key-value lease. Who may read which view is NATS's
//! own business (its users' subject permissions), not callboard's.
pub mod bucket;
pub mod connect;
pub mod fanout;
pub mod hub;
pub mod lease;
pub mod payload;
pub mod snapshot;
pub mod subjects;
pub mod viewer;

pub use hub::{HubOptions, NatsHub, Session};
pub use lease::{Lease, LeaseTiming};
pub use subjects::{Names, NatsAddr, View};
