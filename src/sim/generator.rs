//! Deterministic call planning: which calls exist at a given instant is a pure function of the scenario
//! (seed included) and that instant, so nothing is stored and memory stays flat however long it runs.
//!
//! Time is cut into fixed buckets; each bucket's arrivals come from an RNG seeded by (seed, bucket), and
//! each call's details from an RNG seeded by (seed, bucket, index).
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::fake;
use super::scenario::Scenario;
use crate::api::model::{Direction, Transport};

const BUCKET_SECS: i64 = 10;
/// Extra weight of each of the two demo users when picking who a call is for.
const DEMO_USER_BOOST: usize = 3;
/// Salt of the push RNG stream (see [`Generator::push_rng`]).
const PUSH_SALT: u64 = 0x9D5A_4E7B_21C3_F086;

/// What sort of call this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// An outside caller dials a user's direct number.
    DirectInbound,
    /// A user dials an outside number.
    Outbound,
    /// An outside caller reaches an agent through a call queue.
    Queue,
    /// One user calls another (two records, one telephony session).
    Internal,
    /// A direct inbound call the answering user transfers to a colleague.
    Transfer,
}

/// How the call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Missed,
    Voicemail,
    Abandoned,
}

/// Where a call is in its life at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Ringing,
    Connected,
    Ended,
}

/// An outside party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub name: Option<String>,
    pub number: String,
    pub location: String,
}

/// One planned call. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCall {
    pub kind: CallKind,
    pub outcome: Outcome,
    pub start: i64,
    /// When it was answered, or when ringing stopped for unanswered calls.
    pub answer: i64,
    pub end: i64,
    /// When a transfer call was handed over.
    pub transfer_at: Option<i64>,
    /// Index (in the directory) of the user the call is for / from.
    pub user: usize,
    /// Internal callee or transfer target.
    pub peer: usize,
    /// Directory index of the queue, for queue calls.
    pub queue: usize,
    pub outside: Outside,
    /// Record ids: `[0]` for `user`, `[1]` for `peer`.
    pub record_ids: [String; 2],
    pub session_id: String,
    pub telephony_session_id: String,
    /// Whether the top-level record shows `reason: "Accepted"` while live (the real service varies).
    pub top_reason_while_live: bool,
    /// A hold or park while answered (push events show it; the polled records do not).
    pub interlude: Option<Interlude>,
}

/// A pause in an answered call: the user's party goes on hold, or is parked and picked up again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interlude {
    pub kind: InterludeKind,
    /// Unix seconds it starts; strictly after the answer.
    pub from: i64,
    /// Unix seconds the call is taken back; strictly before the end (and before any transfer).
    pub until: i64,
}

/// What kind of pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterludeKind {
    Hold,
    /// Parked on the park location with this id.
    Park(String),
}

/// What the list needs to know about one record of a call (filters, scope, order) without making it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKey {
    /// Which of the call's records: 0 for `user`, 1 for `peer`.
    pub slot: usize,
    /// Directory index of the extension the record belongs to.
    pub owner: usize,
    /// Unix seconds of the record's `startTime`.
    pub start: i64,
    pub direction: Direction,
    pub transport: Transport,
}

impl PlannedCall {
    /// The telephony party id `n` of this call's session (`p-<session>-<n>`), as events and records carry it.
    pub fn party_id(&self, n: u8) -> String {
        let session = self
            .telephony_session_id
            .strip_prefix("s-")
            .unwrap_or(&self.telephony_session_id);
        format!("p-{session}-{n}")
    }

    /// The party number of record `slot` (see [`RecordKey::slot`]): the user's own party of the call.
    pub fn record_party(&self, slot: usize) -> u8 {
        let slot = u8::from(slot != 0);
        match self.kind {
            CallKind::DirectInbound => 2,
            CallKind::Outbound => 1,
            CallKind::Queue => 3,
            CallKind::Internal => 1 + slot,
            CallKind::Transfer => 2 + slot,
        }
    }

    /// The records this call shows at `now` (empty when not visible); `RecordMaker` makes the same ones.
    pub fn record_keys(&self, now: i64, cache_window: i64) -> Vec<RecordKey> {
        let Some(phase) = self.phase(now, cache_window) else {
            return Vec::new();
        };
        let key = |slot, start, direction, transport| RecordKey {
            slot,
            owner: if slot == 0 { self.user } else { self.peer },
            start,
            direction,
            transport,
        };
        match self.kind {
            CallKind::DirectInbound => vec![key(0, self.start, Direction::Inbound, Transport::Pstn)],
            CallKind::Outbound => vec![key(0, self.start, Direction::Outbound, Transport::Pstn)],
            CallKind::Queue if phase == Phase::Ended => {
                vec![key(0, self.start, Direction::Inbound, Transport::Pstn)]
            }
            CallKind::Queue => vec![key(0, self.start, Direction::Outbound, Transport::Pstn)],
            CallKind::Internal => vec![
                key(0, self.start, Direction::Outbound, Transport::Voip),
                key(1, self.start, Direction::Inbound, Transport::Voip),
            ],
            CallKind::Transfer => {
                let mut keys = vec![key(0, self.start, Direction::Inbound, Transport::Pstn)];
                if let Some(at) = self.transfer_at.filter(|at| now >= *at) {
                    keys.push(key(1, at, Direction::Inbound, Transport::Pstn));
                }
                keys
            }
        }
    }

    /// The phase at `now`, or `None` before it starts or after it left the cache window.
    pub fn phase(&self, now: i64, cache_window: i64) -> Option<Phase> {
        if now < self.start || now >= self.end + cache_window {
            None
        } else if now >= self.end {
            Some(Phase::Ended)
        } else if now >= self.answer && self.outcome == Outcome::Answered {
            Some(Phase::Connected)
        } else {
            Some(Phase::Ringing)
        }
    }
}

/// Plans calls for one scenario.
#[derive(Debug, Clone)]
pub struct Generator {
    scenario: Scenario,
    /// Directory index of the first queue.
    first_queue: usize,
}

impl Generator {
    /// A generator for `scenario` (the directory is `scenario.users` people then its queues).
    pub fn new(scenario: Scenario) -> Self {
        let first_queue = scenario.users.max(2);
        Self {
            scenario,
            first_queue,
        }
    }

    /// Every call visible at `now` (live, or ended within the cache window), in no particular order.
    pub fn calls_at(&self, now: i64) -> Vec<PlannedCall> {
        let c = &self.scenario.calls;
        let cache = c.cache_window_secs as i64;
        let longest = (c.ring_secs[1] + c.talk_secs[1]) as i64 + cache;
        let first = (now - longest).div_euclid(BUCKET_SECS);
        let last = now.div_euclid(BUCKET_SECS);
        let mut calls = Vec::new();
        for bucket in first..=last {
            for index in 0..self.arrivals(bucket) {
                let visible = |start, end| now >= start && now < end + cache;
                if let Some(call) = self.call(bucket, index, visible) {
                    calls.push(call);
                }
            }
        }
        let probe = &self.scenario.probe;
        let visible = |_, end| now < end + cache;
        calls.extend(probe.calls(self.scenario.seed, now - probe.life() - cache, now, visible));
        calls
    }

    /// Every call alive at some instant of `[from, to]` (started by `to`, not ended before `from`).
    pub fn calls_between(&self, from: i64, to: i64) -> Vec<PlannedCall> {
        let c = &self.scenario.calls;
        let longest = (c.ring_secs[1] + c.talk_secs[1]) as i64;
        let mut calls = Vec::new();
        for bucket in (from - longest).div_euclid(BUCKET_SECS)..=to.div_euclid(BUCKET_SECS) {
            for index in 0..self.arrivals(bucket) {
                let visible = |start, end| start <= to && end >= from;
                if let Some(call) = self.call(bucket, index, visible) {
                    calls.push(call);
                }
            }
        }
        let probe = &self.scenario.probe;
        let visible = |_, end| end >= from;
        calls.extend(probe.calls(self.scenario.seed, from - probe.life(), to, visible));
        calls
    }

    fn seed(&self, bucket: i64, index: u64) -> u64 {
        splitmix(self.scenario.seed ^ splitmix(bucket as u64 ^ splitmix(index)))
    }

    fn rng(&self, bucket: i64, index: u64) -> SmallRng {
        SmallRng::seed_from_u64(self.seed(bucket, index))
    }

    /// The RNG of what push adds to a call (hold, park): a stream of its own, so adding it changed no
    /// call the main stream plans.
    fn push_rng(&self, bucket: i64, index: u64) -> SmallRng {
        SmallRng::seed_from_u64(splitmix(self.seed(bucket, index) ^ PUSH_SALT))
    }

    fn arrivals(&self, bucket: i64) -> u64 {
        let lambda = self.scenario.calls.arrivals_per_minute / 60.0 * BUCKET_SECS as f64;
        poisson(&mut self.rng(bucket, u64::MAX), lambda)
    }

    /// The `index`-th call of `bucket`, if `visible(start, end)`.
    fn call(&self, bucket: i64, index: u64, visible: impl Fn(i64, i64) -> bool) -> Option<PlannedCall> {
        let s = &self.scenario;
        let c = &s.calls;
        let mut rng = self.rng(bucket, index);
        let start = bucket * BUCKET_SECS + rng.random_range(0..BUCKET_SECS);
        let ring = rng.random_range(c.ring_secs[0]..=c.ring_secs[1]) as i64;
        let talk = rng.random_range(c.talk_secs[0]..=c.talk_secs[1]) as i64;
        let kind = pick(
            &mut rng,
            &[
                (c.mix.direct_inbound, CallKind::DirectInbound),
                (c.mix.outbound, CallKind::Outbound),
                (c.mix.queue, CallKind::Queue),
                (c.mix.internal, CallKind::Internal),
                (c.mix.transfer, CallKind::Transfer),
            ],
        );
        let outcome = pick(
            &mut rng,
            &[
                (c.outcomes.answered, Outcome::Answered),
                (c.outcomes.missed, Outcome::Missed),
                (c.outcomes.voicemail, Outcome::Voicemail),
                (c.outcomes.abandoned, Outcome::Abandoned),
            ],
        );
        let answer = start + ring;
        let end = if outcome == Outcome::Answered {
            answer + talk
        } else {
            answer
        };
        let transfer_at = (kind == CallKind::Transfer && outcome == Outcome::Answered && talk >= 2)
            .then(|| answer + rng.random_range(1..talk));
        if !visible(start, end) {
            return None;
        }
        let users = self.first_queue;
        let user = pick_user(&mut rng, users);
        let peer = (user + rng.random_range(1..users)) % users;
        let queue = self.first_queue + rng.random_range(0..s.queues.max(1));
        let (name, number, location) = fake::outside_party(&mut rng, s.hostile_names);
        Some(PlannedCall {
            kind,
            outcome,
            start,
            answer,
            end,
            transfer_at,
            user,
            peer,
            queue,
            outside: Outside {
                name,
                number,
                location,
            },
            record_ids: [record_id(&mut rng), record_id(&mut rng)],
            session_id: format!("{}016", rng.random_range(100_000_000u64..1_000_000_000)),
            telephony_session_id: format!("s-{:016x}{:016x}", rng.random::<u64>(), rng.random::<u64>()),
            top_reason_while_live: rng.random_bool(0.5),
            interlude: (outcome == Outcome::Answered)
                .then(|| {
                    interlude(
                        &mut self.push_rng(bucket, index),
                        answer,
                        transfer_at.unwrap_or(end),
                    )
                })
                .flatten(),
        })
    }
}

/// A hold (one call in five) or a park (one in ten) inside `(answer, limit)`, when there is room.
fn interlude(rng: &mut SmallRng, answer: i64, limit: i64) -> Option<Interlude> {
    let span = limit - answer;
    if span < 6 {
        return None;
    }
    let kind = match rng.random_range(0..10) {
        0 | 1 => InterludeKind::Hold,
        2 => InterludeKind::Park(format!("*8{:02}", rng.random_range(1..=20))),
        _ => return None,
    };
    let from = answer + rng.random_range(1..=span / 2);
    let until = from + rng.random_range(2..limit - from);
    Some(Interlude { kind, from, until })
}

/// The admin and non-admin demo users (indices 0 and 1) get extra calls so their own views are busy.
fn pick_user(rng: &mut SmallRng, users: usize) -> usize {
    let r = rng.random_range(0..users + 2 * DEMO_USER_BOOST);
    if r < users { r } else { (r - users) % 2 }
}

fn pick<T: Copy>(rng: &mut SmallRng, weighted: &[(u32, T)]) -> T {
    let total: u32 = weighted.iter().map(|(w, _)| w).sum();
    let mut r = rng.random_range(0..total.max(1));
    for (w, v) in weighted {
        if r < *w {
            return *v;
        }
        r -= w;
    }
    weighted[0].1
}

/// `LI` + 10 characters + `zUA`, the shape of real call-log record ids.
pub(super) fn record_id(rng: &mut SmallRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let body: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("LI{body}zUA")
}

/// Poisson-distributed count: Knuth for small means, a rounded normal approximation for large ones.
fn poisson(rng: &mut SmallRng, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        let (u1, u2): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        return (lambda + lambda.sqrt() * z).round().max(0.0) as u64;
    }
    let limit = (-lambda).exp();
    let mut product: f64 = rng.random();
    let mut count = 0;
    while product > limit {
        product *= rng.random::<f64>();
        count += 1;
    }
    count
}

pub(super) fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_time_give_the_same_calls() {
        let g = Generator::new(Scenario::demo());
        let now = 1_767_600_000;
        assert_eq!(g.calls_at(now), g.calls_at(now));
        let mut other = Scenario::demo();
        other.seed += 1;
        assert_ne!(Generator::new(other).calls_at(now), g.calls_at(now));
    }

    #[test]
    fn demo_is_calm_and_contact_centre_is_busy() {
        let now = 1_767_600_000;
        let demo = Generator::new(Scenario::demo());
        let cc = Generator::new(Scenario::contact_centre());
        let live = |g: &Generator, t: i64| {
            g.calls_at(t)
                .iter()
                .filter(|c| c.phase(t, 120) != Some(Phase::Ended))
                .count()
        };
        for k in 0..20 {
            let n = live(&demo, now + k * 97);
            assert!((3..=25).contains(&n), "demo live calls {n}");
        }
        assert!(live(&cc, now) > 1000);
    }
}
