//! The RingCentral client: the only code that speaks HTTP to RingCentral, and the wire model it shares
//! with the simulator.
pub mod model;
pub mod scope;

pub use scope::Scope;
