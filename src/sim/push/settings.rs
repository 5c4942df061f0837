//! The `[push]` table of a scenario: what the gateway announces and which faults it starts with.
use serde::Deserialize;

use super::faults::PushFaultSettings;

/// The `[push]` table of a scenario: the gateway's limits, as `ConnectionDetails` announces them, and its
/// faults. The defaults are RingCentral's documented values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushSettings {
    /// `expires_in` of WebSocket access tokens.
    pub wstoken_ttl_secs: u64,
    /// How long after a drop `&wsc=` still recovers the session.
    pub recovery_timeout_secs: u64,
    /// Missed events replayed on a successful recovery, at most (the most recent ones).
    pub recovery_buffer_size: u32,
    /// Seconds without a client message before WSG-902 and close.
    pub idle_timeout_secs: u64,
    /// Seconds after which a connection is closed whatever happens (WSG-903).
    pub absolute_timeout_secs: u64,
    /// `[push.faults]`: push faults active from the start.
    pub faults: PushFaultSettings,
}

impl Default for PushSettings {
    fn default() -> Self {
        Self {
            wstoken_ttl_secs: 600,
            recovery_timeout_secs: 180,
            recovery_buffer_size: 100,
            idle_timeout_secs: 1800,
            absolute_timeout_secs: 86_400,
            faults: PushFaultSettings::default(),
        }
    }
}
