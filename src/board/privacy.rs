//! The privacy rule, once: every digit of every phone number and the names of parties outside the account
//! are masked; extension numbers and the names of account extensions stay. It serves both masking (what
//! the screen and the clipboard show) and filtering (what `/` may match while masked: only text the
//! masking leaves whole, so typing a masked number's digits finds nothing).
use std::sync::Arc;

use crate::api::model::{CallRecord, Party};

/// What a masked digit becomes.
const MASK: char = '•';
/// What an external party's name becomes.
const HIDDEN_NAME: &str = "(hidden)";

/// What privacy mode leaves of a party's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskedName<'a> {
    /// An account extension keeps its name.
    Kept(&'a str),
    /// An outside queue caller (`Queue - CALLER`) keeps the queue part, digits masked.
    Queue(&'a str),
    /// Any other outside party's name is hidden.
    Hidden,
}

impl<'a> MaskedName<'a> {
    /// The rule for `p`'s name; `None` when it has none.
    pub fn of(p: &'a Party) -> Option<Self> {
        let name = p.name.as_deref()?;
        Some(if p.is_account_extension() {
            MaskedName::Kept(name)
        } else {
            p.queue_part().map_or(MaskedName::Hidden, MaskedName::Queue)
        })
    }

    /// The name as privacy mode shows it.
    pub fn shown(self) -> String {
        match self {
            MaskedName::Kept(name) => name.to_owned(),
            MaskedName::Queue(queue) => format!("{} - {HIDDEN_NAME}", mask_digits(queue)),
            MaskedName::Hidden => HIDDEN_NAME.to_owned(),
        }
    }

    /// The part of the name privacy mode leaves whole, which the filter may match.
    pub fn searchable(self) -> Option<&'a str> {
        match self {
            MaskedName::Kept(name) => Some(name),
            MaskedName::Queue(queue) if !queue.bytes().any(|b| b.is_ascii_digit()) => Some(queue),
            MaskedName::Queue(_) | MaskedName::Hidden => None,
        }
    }
}

/// Masks a whole record: the call's parties and every leg's.
pub fn mask_record(record: &mut CallRecord) {
    for f in record.all_fields_mut() {
        for party in [&mut f.from, &mut f.to].into_iter().flatten() {
            mask_party(Arc::make_mut(party));
        }
    }
}

/// Masks one party: all phone-number digits; the name (see [`MaskedName`]) and the location unless it is
/// an account extension.
pub fn mask_party(p: &mut Party) {
    for number in [
        &mut p.phone_number,
        &mut p.dialer_phone_number,
        &mut p.dialed_phone_number,
    ]
    .into_iter()
    .flatten()
    {
        *number = mask_digits(number).into();
    }
    if !p.is_account_extension() {
        p.location = None;
    }
    if let Some(name) = MaskedName::of(p).map(MaskedName::shown) {
        p.name = Some(name.into());
    }
}

/// Every ASCII digit replaced by `•`.
pub fn mask_digits(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { MASK } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_parties_lose_names_and_digits_extensions_keep_theirs() {
        let mut ext = Party {
            name: Some("Kenji Sato".into()),
            phone_number: Some("+16502886377".into()),
            extension_number: Some("117".into()),
            ..Party::default()
        };
        mask_party(&mut ext);
        assert_eq!(ext.name.as_deref(), Some("Kenji Sato"));
        assert_eq!(ext.phone_number.as_deref(), Some("+•••••••••••"));
        assert_eq!(ext.extension_number.as_deref(), Some("117"));
        let mut queue = Party {
            name: Some("Support Queue - SAN FRANCSCO CA".into()),
            phone_number: Some("+14155550123".into()),
            location: Some("San Francisco".into()),
            ..Party::default()
        };
        mask_party(&mut queue);
        assert_eq!(queue.name.as_deref(), Some("Support Queue - (hidden)"));
        assert_eq!(queue.location, None);
    }

    /// Masking and filtering read the same rule: whatever the filter may match while masked is shown
    /// whole by the masking, and what the masking hides the filter cannot match.
    #[test]
    fn masking_and_filtering_share_the_rule() {
        let parties = [
            Party {
                name: Some("Kenji Sato".into()),
                extension_number: Some("117".into()),
                ..Party::default()
            },
            Party {
                name: Some("Support Queue - SAN FRANCSCO CA".into()),
                ..Party::default()
            },
            Party {
                name: Some("Queue 7 - WIRELESS CALLER".into()),
                ..Party::default()
            },
            Party {
                name: Some("WIRELESS CALLER".into()),
                ..Party::default()
            },
        ];
        let searchable: Vec<_> = parties
            .iter()
            .map(|p| MaskedName::of(p).and_then(MaskedName::searchable))
            .collect();
        assert_eq!(
            searchable,
            [Some("Kenji Sato"), Some("Support Queue"), None, None]
        );
        for (party, found) in parties.iter().zip(searchable) {
            let mut masked = party.clone();
            mask_party(&mut masked);
            let shown = masked.name.as_deref().unwrap();
            match found {
                Some(text) => assert!(shown.contains(text), "{shown} shows {text}"),
                None => assert!(
                    !party
                        .name
                        .as_deref()
                        .unwrap()
                        .split(" - ")
                        .any(|part| shown.contains(part)),
                    "{shown} hides what the filter skips"
                ),
            }
        }
    }
}
