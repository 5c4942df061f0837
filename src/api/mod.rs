//! The RingCentral client: the only code that speaks HTTP to RingCentral, and the wire model it shares
//! with the simulator.
pub mod active_calls;
pub mod address;
pub mod auth;
pub mod client;
pub mod directory;
pub mod dns;
pub mod error;
pub mod handshake;
pub mod model;
pub mod paging;
pub mod proxy;
pub mod push;
pub mod rate_limit;
pub mod record_cache;
pub mod scope;
pub mod session;
pub mod settings;
pub mod tls;
pub mod token;
pub mod token_cache;
pub mod transport;
pub mod tunnel;
pub mod wsg;

pub use client::{ActiveCalls, ClientConfig, CurrentExtension, DirectoryEntry, Fetch, RawPage, RcClient};
pub use error::ApiError;
pub use paging::Pacing;
pub use rate_limit::{Headroom, RateLimitHeaders};
pub use record_cache::RecordCache;
pub use scope::Scope;
