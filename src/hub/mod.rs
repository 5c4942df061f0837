//! The team hub: one process talks to RingCentral and serves many boards.
pub mod nats;
