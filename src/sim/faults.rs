//! Fault injection: misbehaviour a client must survive, set from the scenario or at runtime.
//!
//! Queued faults hit the next REST API requests (`/restapi/v1.0/...`) one each, in order; periodic
//! faults hit every n-th API request. Token faults (short TTL, rejected refresh) apply to `/oauth/token`.
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Deserialize;

/// One kind of misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// 401 OAU-213 "Token not found", as if the access token had been invalidated.
    Unauthorized,
    /// 429 CMN-301 with `Retry-After` (the penalty), without touching the real rate-limit state.
    RateLimited,
    /// A 5xx (500 or 503 …) with an optional `Retry-After`.
    ServerError { status: u16, retry_after: Option<u64> },
    /// Answer normally after a real-time delay.
    Slow { delay_ms: u64 },
    /// Never answer; the connection stays open until the client gives up or the simulator stops.
    Hang,
    /// A 200 whose JSON body is cut in half (framing stays valid).
    Truncated,
    /// A 200 whose body is not valid JSON.
    Malformed,
    /// Close the connection without sending a response.
    Drop,
}

/// Faults to queue `count` times.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct QueuedFault {
    #[serde(flatten)]
    pub fault: Fault,
    /// How many consecutive API requests get it (default 1).
    #[serde(default = "one")]
    pub count: u32,
}

/// A fault that hits every `nth` API request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PeriodicFault {
    #[serde(flatten)]
    pub fault: Fault,
    /// Period, counted over all API requests (0 disables).
    pub nth: u64,
}

fn one() -> u32 {
    1
}

/// The `[faults]` table of a scenario: the initial fault state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSettings {
    /// Access tokens issued from now on live this long instead of the scenario TTL.
    pub access_token_ttl_secs: Option<u64>,
    /// Reject every refresh-token grant with `invalid_grant`.
    pub reject_refresh: bool,
    /// Real-time delay added to every API response.
    pub delay_ms: u64,
    /// Faults for the first API requests.
    pub queue: Vec<QueuedFault>,
    /// Faults recurring every n-th API request.
    pub every: Vec<PeriodicFault>,
}

#[derive(Debug, Default)]
struct FaultState {
    access_token_ttl: Option<Duration>,
    reject_refresh: bool,
    delay: Duration,
    queue: VecDeque<(Fault, u32)>,
    every: Vec<PeriodicFault>,
    api_requests: u64,
}

/// Runtime fault switches of a running simulator.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

impl Faults {
    /// Fault state as a scenario's `[faults]` table sets it.
    pub fn from_settings(s: &FaultSettings) -> Self {
        let faults = Faults::default();
        {
            let mut st = faults.lock();
            st.access_token_ttl = s.access_token_ttl_secs.map(Duration::from_secs);
            st.reject_refresh = s.reject_refresh;
            st.delay = Duration::from_millis(s.delay_ms);
            st.queue = s.queue.iter().map(|q| (q.fault.clone(), q.count)).collect();
            st.every = s.every.iter().filter(|p| p.nth > 0).cloned().collect();
        }
        faults
    }

    /// Makes the next `count` API requests fail with `fault` (after anything already queued).
    pub fn fail_next(&self, count: u32, fault: Fault) {
        if count > 0 {
            self.lock().queue.push_back((fault, count));
        }
    }

    /// Access tokens issued from now on expire after `ttl` (`None`: the scenario's TTL).
    pub fn set_access_token_ttl(&self, ttl: Option<Duration>) {
        self.lock().access_token_ttl = ttl;
    }

    /// Reject (or stop rejecting) refresh-token grants.
    pub fn set_reject_refresh(&self, on: bool) {
        self.lock().reject_refresh = on;
    }

    /// Real-time delay before every API response (`Duration::ZERO` to stop).
    pub fn set_delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    /// Removes every fault.
    pub fn clear(&self) {
        let mut st = self.lock();
        let api_requests = st.api_requests;
        *st = FaultState {
            api_requests,
            ..FaultState::default()
        };
    }

    /// Queued faults not yet used.
    pub fn pending(&self) -> u32 {
        self.lock().queue.iter().map(|(_, n)| n).sum()
    }

    pub(crate) fn access_token_ttl(&self) -> Option<Duration> {
        self.lock().access_token_ttl
    }

    pub(crate) fn reject_refresh(&self) -> bool {
        self.lock().reject_refresh
    }

    pub(crate) fn delay(&self) -> Duration {
        self.lock().delay
    }

    /// Counts one API request and returns the fault it must suffer, if any.
    pub(crate) fn next_for_api_request(&self) -> Option<Fault> {
        let mut st = self.lock();
        st.api_requests += 1;
        if let Some((fault, left)) = st.queue.front_mut() {
            let fault = fault.clone();
            *left -= 1;
            if *left == 0 {
                st.queue.pop_front();
            }
            return Some(fault);
        }
        let n = st.api_requests;
        st.every
            .iter()
            .find(|p| n.is_multiple_of(p.nth))
            .map(|p| p.fault.clone())
    }

    fn lock(&self) -> MutexGuard<'_, FaultState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_faults_come_first_then_periodic_ones() {
        let settings: FaultSettings = toml::from_str(
            "[[queue]]\nkind = \"server_error\"\nstatus = 503\nretry_after = 5\ncount = 2\n\
             [[every]]\nkind = \"drop\"\nnth = 4\n",
        )
        .unwrap();
        let f = Faults::from_settings(&settings);
        let got: Vec<_> = (0..5).map(|_| f.next_for_api_request()).collect();
        let outage = Fault::ServerError {
            status: 503,
            retry_after: Some(5),
        };
        assert_eq!(
            got,
            [Some(outage.clone()), Some(outage), None, Some(Fault::Drop), None]
        );
    }
}
