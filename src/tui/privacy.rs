//! Privacy mode: every digit of every phone number and the names of parties outside the account are
//! masked on screen and in anything copied. Extension numbers and names of account extensions stay.
use std::sync::Arc;

use crate::api::model::{CallFields, CallRecord, Party};

/// What a masked digit becomes.
const MASK: char = '•';
/// What an external party's name becomes.
const HIDDEN_NAME: &str = "(hidden)";

/// Masks a whole record: the call's parties and every leg's.
pub fn mask_record(record: &mut CallRecord) {
    record.all_fields_mut().for_each(mask_fields);
}

fn mask_fields(f: &mut CallFields) {
    for party in [&mut f.from, &mut f.to].into_iter().flatten() {
        mask_party(Arc::make_mut(party));
    }
}

/// Masks one party: all phone-number digits; the name and location unless it is an account extension.
/// A queue's caller-id name (`Queue - CALLER`) keeps the queue part.
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
    if p.is_account_extension() {
        return;
    }
    p.location = None;
    if p.name.is_some() {
        p.name = Some(match p.queue_part() {
            Some(queue) => format!("{} - {HIDDEN_NAME}", mask_digits(queue)).into(),
            None => HIDDEN_NAME.into(),
        });
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
}
