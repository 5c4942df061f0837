//! The team hub: `callboard serve` runs one live source for the account and serves boards over a Unix
//! socket or TCP+TLS, each filtered by the viewer policy; `callboard --hub` is a board fed by a hub.
//! Across machines, hubs and boards meet on NATS ([`nats`]).
pub mod connect;
pub mod filter;
pub mod gate;
pub mod history;
pub mod listen;
pub mod nats;
pub mod policy;
pub mod protocol;
pub mod serve;
pub mod session;
pub mod viewer;

pub use filter::ViewFilter;
pub use policy::{Policy, PolicyError, Rule, UnixPeer, Who};
