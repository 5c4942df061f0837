//! Scenario files: what the simulated account looks like and how busy it is.
use std::path::Path;

use serde::Deserialize;

use super::faults::FaultSettings;
use super::push::settings::PushSettings;
use super::rate_limit::RateLimits;

/// The built-in calm demo scenario.
pub const DEMO_TOML: &str = include_str!("../../assets/scenarios/demo.toml");
/// The built-in contact-centre scenario (thousands of concurrent calls).
pub const CONTACT_CENTRE_TOML: &str = include_str!("../../assets/scenarios/contact-centre.toml");

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("invalid scenario: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("invalid scenario: {0}")]
    Invalid(String),
}

/// A whole scenario (see `assets/scenarios/demo.toml` for a commented example).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Label shown in the banner.
    pub name: String,
    /// Seed of every random choice: same seed and same clock give the same responses.
    pub seed: u64,
    /// Number of people in the directory (the first is the admin, the second the non-admin user).
    pub users: usize,
    /// Number of call queues in the directory.
    pub queues: usize,
    /// Mix odd names (escape sequences, bidi controls, very long strings) into callers and some users.
    pub hostile_names: bool,
    /// `[calls]`: arrivals, durations, mix and outcomes.
    pub calls: CallSettings,
    /// The limits the simulator enforces: RingCentral's default plan unless the file says otherwise. In
    /// a file, `[rate_limits]` may only be as tight as RingCentral's or tighter; looser limits go under
    /// `[unrealistic_rate_limits]`, so no scenario raises a limit without saying so.
    pub rate_limits: RateLimits,
    /// `[unrealistic_rate_limits]` as read from a file; [`Scenario::parse`] moves it into `rate_limits`.
    #[serde(rename = "unrealistic_rate_limits")]
    unrealistic: Option<RateLimits>,
    /// `[auth]`: token lifetimes.
    pub auth: AuthSettings,
    /// `[faults]`: faults active from the start.
    pub faults: FaultSettings,
    /// `[app]`: the permissions the app was granted.
    pub app: AppSettings,
    /// `[push]`: the WebSocket gateway's limits and push faults.
    pub push: PushSettings,
    /// `[probe]`: recognisable calls at a fixed period, for latency benchmarks (off by default).
    pub probe: ProbeSettings,
}

/// App permissions the push features need (both granted by default; RingCentral grants them on request).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppSettings {
    /// "WebSocket Subscriptions": without it `POST /restapi/oauth/wstoken` is refused (403 SUB-528).
    pub websocket: bool,
    /// "CallControl": without it telephony-session subscriptions are refused (403 naming CallControl).
    pub call_control: bool,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            websocket: true,
            call_control: true,
        }
    }
}

/// How calls arrive, last and end.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallSettings {
    /// Mean number of new calls per minute (Poisson arrivals).
    pub arrivals_per_minute: f64,
    /// Ringing time range, seconds (inclusive).
    pub ring_secs: [u64; 2],
    /// Talk time range for answered calls, seconds (inclusive).
    pub talk_secs: [u64; 2],
    /// How long an ended call stays in the active-calls list, seconds.
    pub cache_window_secs: u64,
    /// Relative frequency of each kind of call.
    pub mix: MixWeights,
    /// Relative frequency of each ending.
    pub outcomes: OutcomeWeights,
}

/// Relative weights of the call kinds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MixWeights {
    /// Outside caller to a user's direct number.
    pub direct_inbound: u32,
    /// User to an outside number.
    pub outbound: u32,
    /// Outside caller through a call queue to an agent (the record flips direction at hang-up).
    pub queue: u32,
    /// User to user: two records sharing one telephony session.
    pub internal: u32,
    /// Direct inbound call transferred to a colleague (`TransferCall` leg).
    pub transfer: u32,
}

/// Relative weights of how calls end.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeWeights {
    /// Connected, then talked for `talk_secs`.
    pub answered: u32,
    /// Rang out unanswered.
    pub missed: u32,
    /// Went to voicemail (busy, for outbound calls).
    pub voicemail: u32,
    /// The caller hung up while it rang.
    pub abandoned: u32,
}

/// Token lifetimes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// `expires_in` of access tokens.
    pub access_token_ttl_secs: u64,
    /// `refresh_token_expires_in` of refresh tokens.
    pub refresh_token_ttl_secs: u64,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            name: "custom".to_owned(),
            seed: 1,
            users: 36,
            queues: 3,
            hostile_names: false,
            calls: CallSettings::default(),
            rate_limits: RateLimits::default(),
            unrealistic: None,
            auth: AuthSettings::default(),
            faults: FaultSettings::default(),
            app: AppSettings::default(),
            push: PushSettings::default(),
            probe: ProbeSettings::default(),
        }
    }
}

impl Default for CallSettings {
    fn default() -> Self {
        Self {
            arrivals_per_minute: 4.0,
            ring_secs: [4, 30],
            talk_secs: [20, 240],
            cache_window_secs: 120,
            mix: MixWeights::default(),
            outcomes: OutcomeWeights::default(),
        }
    }
}

impl Default for MixWeights {
    fn default() -> Self {
        Self {
            direct_inbound: 40,
            outbound: 25,
            queue: 20,
            internal: 10,
            transfer: 5,
        }
    }
}

impl Default for OutcomeWeights {
    fn default() -> Self {
        Self {
            answered: 80,
            missed: 8,
            voicemail: 7,
            abandoned: 5,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 604_800,
        }
    }
}

impl Scenario {
    /// The built-in demo scenario.
    pub fn demo() -> Self {
        Self::builtin(DEMO_TOML)
    }

    /// The built-in contact-centre scenario.
    pub fn contact_centre() -> Self {
        Self::builtin(CONTACT_CENTRE_TOML)
    }

    fn builtin(text: &str) -> Self {
        // Covered by the unit test below; a broken built-in file is a build defect, not bad input.
        Self::parse(text).unwrap_or_else(|e| panic!("built-in scenario is invalid: {e}"))
    }

    /// Parses and checks scenario TOML: `[rate_limits]` must be no looser than RingCentral's, and looser
    /// ones come only from `[unrealistic_rate_limits]`, which must be looser.
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        let mut scenario: Scenario = toml::from_str(text)?;
        let invalid = |m: String| Err(ScenarioError::Invalid(m));
        if let Some(loose) = scenario.rate_limits.looser_than_ringcentral() {
            return invalid(format!(
                "[rate_limits] are looser than RingCentral's default plan: {loose}; a scenario that needs \
                 that says so by naming the table [unrealistic_rate_limits]"
            ));
        }
        if let Some(limits) = scenario.unrealistic.take() {
            if scenario.rate_limits != RateLimits::default() {
                return invalid("give [rate_limits] or [unrealistic_rate_limits], not both".into());
            }
            if limits.looser_than_ringcentral().is_none() {
                return invalid(format!(
                    "[unrealistic_rate_limits] are no looser than RingCentral's ({limits}); name the table \
                     [rate_limits]"
                ));
            }
            scenario.rate_limits = limits;
        }
        scenario.validate()?;
        Ok(scenario)
    }

    /// Reads a scenario file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Checks ranges and weights.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let c = &self.calls;
        let bad = |m: &str| Err(ScenarioError::Invalid(m.to_owned()));
        if !(c.arrivals_per_minute.is_finite() && (0.0..=100_000.0).contains(&c.arrivals_per_minute)) {
            return bad("calls.arrivals_per_minute must be between 0 and 100000");
        }
        if c.ring_secs[0] > c.ring_secs[1] || c.talk_secs[0] > c.talk_secs[1] {
            return bad("calls.ring_secs and calls.talk_secs must be [min, max] with min <= max");
        }
        if c.ring_secs[1] > 3600 || c.talk_secs[1] > 86_400 || c.cache_window_secs > 3600 {
            return bad("ring up to 3600 s, talk up to 86400 s, cache window up to 3600 s");
        }
        let m = &c.mix;
        if m.direct_inbound + m.outbound + m.queue + m.internal + m.transfer == 0 {
            return bad("calls.mix weights are all zero");
        }
        let o = &c.outcomes;
        if o.answered + o.missed + o.voicemail + o.abandoned == 0 {
            return bad("calls.outcomes weights are all zero");
        }
        if self.users < 2 || self.users > 100_000 || self.queues > 1000 {
            return bad("users must be 2..=100000 and queues at most 1000");
        }
        if m.queue > 0 && self.queues == 0 {
            return bad("calls.mix.queue needs at least one queue");
        }
        let r = &self.rate_limits;
        if r.window_secs == 0 || [r.heavy, r.medium, r.light, r.auth].contains(&0) {
            return bad("rate limits and the window must be positive");
        }
        if self.auth.access_token_ttl_secs == 0 || self.auth.refresh_token_ttl_secs == 0 {
            return bad("token lifetimes must be positive");
        }
        let p = &self.push;
        if [p.wstoken_ttl_secs, p.idle_timeout_secs, p.absolute_timeout_secs].contains(&0) {
            return bad(
                "push.wstoken_ttl_secs, idle_timeout_secs and absolute_timeout_secs must be positive",
            );
        }
        let probe = &self.probe;
        if probe.every_secs > 3600 || probe.ring_secs > 3600 || probe.talk_secs > 86_400 {
            return bad("probe.every_secs and probe.ring_secs up to 3600 s, probe.talk_secs up to 86400 s");
        }
        Ok(())
    }
}

/// The `[probe]` table of a scenario (also `callboard sim --probe-every SECS`). Off by default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProbeSettings {
    /// Seconds between two probe calls; 0 turns probes off.
    pub every_secs: u64,
    /// How long each probe rings before it is answered.
    pub ring_secs: u64,
    /// How long each probe talks before it ends.
    pub talk_secs: u64,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        Self {
            every_secs: 0,
            ring_secs: 8,
            talk_secs: 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scenarios_parse() {
        assert_eq!(Scenario::demo().name, "demo");
        assert!(Scenario::contact_centre().calls.arrivals_per_minute > 100.0);
    }

    #[test]
    fn bad_scenarios_are_rejected() {
        assert!(Scenario::parse("seed = \"x\"").is_err());
        assert!(Scenario::parse("[calls]\nring_secs = [9, 1]").is_err());
        assert!(Scenario::parse("bogus = 1").is_err());
        assert!(Scenario::parse("seed = 5").is_ok());
        assert!(Scenario::parse("[app]\ncall_control = false\n[push.faults]\nduplicate_every = 3").is_ok());
        assert!(Scenario::parse("[push]\nbogus = 1").is_err());
        assert!(Scenario::parse("[probe]\nevery_secs = 5").is_ok());
        assert!(Scenario::parse("[probe]\nevery_secs = 5000").is_err());
    }

    #[test]
    fn raising_a_limit_needs_a_table_that_says_it_is_unrealistic() {
        let err = Scenario::parse("[rate_limits]\nheavy = 1000")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("heavy = 1000 (RingCentral: 10)") && err.contains("[unrealistic_rate_limits]"),
            "{err}"
        );
        let tight = Scenario::parse("[rate_limits]\nheavy = 3").unwrap();
        assert_eq!(tight.rate_limits.heavy, 3);
        let loose = Scenario::parse("[unrealistic_rate_limits]\nheavy = 1000").unwrap();
        assert_eq!(loose.rate_limits.heavy, 1000);
        assert!(loose.rate_limits.label().starts_with("UNREALISTIC"));
        assert!(
            Scenario::parse("[unrealistic_rate_limits]\nheavy = 10").is_err(),
            "not unrealistic"
        );
        assert!(
            Scenario::parse("[rate_limits]\nheavy = 3\n[unrealistic_rate_limits]\nheavy = 1000").is_err()
        );
        for file in std::fs::read_dir("assets/scenarios").unwrap() {
            let path = file.unwrap().path();
            let scenario = Scenario::from_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let unrealistic = scenario.rate_limits.looser_than_ringcentral().is_some();
            assert_eq!(
                unrealistic,
                name.starts_with("bench-1"),
                "{name}: {}",
                scenario.rate_limits.label()
            );
        }
    }
}
