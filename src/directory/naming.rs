//! Naming parties the API lists without a name, from the directory (by extension id, else number).
use std::sync::Arc;

use super::{Directory, DirectoryEntry};
use crate::api::model::{CallRecord, Party};

impl Directory {
    /// The extension a party is: by its extension id, else its extension number.
    pub fn lookup(&self, p: &Party) -> Option<&DirectoryEntry> {
        p.extension_id
            .as_deref()
            .and_then(|id| self.by_id(id))
            .or_else(|| p.extension_number.as_deref().and_then(|n| self.by_number(n)))
    }

    /// True when a party of the record has no name but is an extension this directory knows.
    pub fn needs_names(&self, r: &CallRecord) -> bool {
        r.all_fields()
            .flat_map(|f| [&f.from, &f.to].into_iter().flatten())
            .any(|p| p.name.is_none() && self.lookup(p).is_some())
    }

    /// Names the record's parties that have an extension id or number but no name.
    pub fn name_parties(&self, r: &mut CallRecord) {
        for f in r.all_fields_mut() {
            for p in [&mut f.from, &mut f.to].into_iter().flatten() {
                if p.name.is_none()
                    && let Some(name) = self.lookup(p).and_then(|e| e.name.as_deref())
                {
                    Arc::make_mut(p).name = Some(name.into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::CallFields;

    fn entry(id: &str, number: &str, name: Option<&str>) -> DirectoryEntry {
        DirectoryEntry {
            id: id.into(),
            number: Some(number.into()),
            name: name.map(Into::into),
            kind: None,
        }
    }

    #[test]
    fn unnamed_extensions_are_named_by_id_or_number() {
        let dir = Directory::new(
            None,
            vec![
                entry("11", "101", Some("Ana Gómez")),
                entry("12", "102", Some("Kenji Sato")),
            ],
        );
        let party = |id: Option<&str>, number: Option<&str>| {
            Some(Arc::new(Party {
                extension_id: id.map(Into::into),
                extension_number: number.map(Into::into),
                ..Party::default()
            }))
        };
        let mut r = CallRecord {
            fields: CallFields {
                from: party(None, Some("101")),
                to: party(Some("99"), None),
                ..CallFields::default()
            },
            ..CallRecord::default()
        };
        assert!(dir.needs_names(&r));
        dir.name_parties(&mut r);
        assert_eq!(r.fields.from.as_ref().unwrap().name.as_deref(), Some("Ana Gómez"));
        assert_eq!(
            r.fields.to.as_ref().unwrap().name,
            None,
            "102 has no name to give"
        );
        assert!(!dir.needs_names(&r));
        r.fields.to = party(Some("12"), None);
        assert!(dir.needs_names(&r), "by id");
        dir.name_parties(&mut r);
        assert_eq!(r.fields.to.as_ref().unwrap().name.as_deref(), Some("Kenji Sato"));
    }
}
