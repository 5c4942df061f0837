//! Conversations: records that share a telephony session (an internal call's two sides, a transfer's
//! original and target records) seen as one call with all its parties.
use xxhash_rust::xxh3::xxh3_64;

use super::List;
use super::call::{Call, party_label};
use super::push::PushSessions;

/// The telephony session of a call: the record's, else the first leg's that has one.
pub fn session_of(call: &Call) -> Option<&str> {
    let r = call.record();
    r.fields
        .telephony_session_id
        .as_deref()
        .or_else(|| {
            r.legs
                .iter()
                .find_map(|l| l.fields.telephony_session_id.as_deref())
        })
        .filter(|s| !s.is_empty())
}

/// The conversation a call belongs to: its telephony session, or the session a transfer continued.
pub(super) fn conversation_of<'a>(push: &'a PushSessions, call: &'a Call) -> Option<&'a str> {
    session_of(call).map(|s| push.conversation(s))
}

/// Where the calls of each telephony session are in the two lists, so finding a call's conversation
/// does not pass over every call (the legs pane and the grouped view ask for it on every frame).
#[derive(Debug, Default)]
pub(super) struct SessionIndex {
    /// (hash of the session id, list, position), sorted: a session's calls are adjacent, live first.
    entries: Vec<(u64, List, usize)>,
}

impl SessionIndex {
    /// Indexes the calls of both lists by `key` (a call's conversation).
    pub(super) fn build<'a>(
        live: &'a [Call],
        ended: &'a [Call],
        key: impl Fn(&'a Call) -> Option<&'a str>,
    ) -> Self {
        let lists = [(List::Live, live), (List::Ended, ended)];
        let mut entries: Vec<_> = lists
            .into_iter()
            .flat_map(|(list, calls)| calls.iter().enumerate().map(move |(i, c)| (list, i, c)))
            .filter_map(|(list, i, c)| Some((xxh3_64(key(c)?.as_bytes()), list, i)))
            .collect();
        entries.sort_unstable();
        SessionIndex { entries }
    }

    /// The positions of the calls whose key hashes like `session`'s, live first, in list order.
    /// The caller compares the ids: different sessions may share a hash.
    pub(super) fn candidates(&self, session: &str) -> impl Iterator<Item = (List, usize)> + '_ {
        let hash = xxh3_64(session.as_bytes());
        let start = self.entries.partition_point(|e| e.0 < hash);
        self.entries[start..]
            .iter()
            .take_while(move |e| e.0 == hash)
            .map(|&(_, list, i)| (list, i))
    }
}

/// Every distinct party of `calls` (records and legs, `from` then `to`), in order of appearance, with its
/// extension number when it has one (`Dana Whitfield x134`).
pub fn parties<'a>(calls: impl IntoIterator<Item = &'a Call>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for call in calls {
        let r = call.record();
        for f in r.all_fields() {
            for p in [&f.from, &f.to] {
                let label = match p.as_ref().and_then(|p| p.extension_number.as_deref()) {
                    Some(ext) => format!("{} x{ext}", party_label(p.as_deref())),
                    None => party_label(p.as_deref()).to_owned(),
                };
                if !label.is_empty() && !out.contains(&label) {
                    out.push(label);
                }
            }
        }
    }
    out
}
