//! Conversations: records that share a telephony session (an internal call's two sides, a transfer's
//! original and target records) seen as one call with all its parties.
use super::call::{Call, party_label};

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

/// Every distinct party of `calls` (records and legs, `from` then `to`), in order of appearance, with its
/// extension number when it has one (`Dana Whitfield x134`).
pub fn parties<'a>(calls: impl IntoIterator<Item = &'a Call>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for call in calls {
        let r = call.record();
        for f in std::iter::once(&r.fields).chain(r.legs.iter().map(|l| &l.fields)) {
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
