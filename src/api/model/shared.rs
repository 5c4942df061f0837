//! Text and parties shared instead of copied. A 10,000-call poll repeats the same strings hundreds of
//! thousands of times (an agent's name and device URI in every record and leg of their calls, the API's
//! `reasonDescription` sentences) and the same party objects tens of thousands of times. While a
//! [`Pool`] is in [`Pool::scope`], deserializing interns both, so each distinct value is held once.
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::Arc;

use arcstr::ArcStr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Party;
use super::flat_fields::Text;

/// An immutable, cheaply cloned string of the wire model (one pointer wide).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(ArcStr);

impl Str {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `text`, interned when a pool is in scope on this thread.
    fn intern(text: &str) -> Str {
        Str(intern(text, |pool| &mut pool.strings, |t: &str| ArcStr::from(t)))
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str(ArcStr::from(s))
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Str(ArcStr::from(s))
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Str> for String {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl Serialize for Str {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Str::intern(Text::deserialize(d)?.as_str()))
    }
}

/// A party (`from` or `to`), interned when a pool is in scope on this thread.
pub(super) fn party<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<Party>>, D::Error> {
    let party = Option::<Party>::deserialize(d)?;
    Ok(party.map(|party| intern(&party, |pool| &mut pool.parties, |p| Arc::new(p.clone()))))
}

/// The value equal to `key` in the set `set` picks from the pool in scope (added with `make` when
/// missing), or a fresh `make(key)` when no pool is in scope.
fn intern<K, T>(key: &K, set: fn(&mut Pool) -> &mut HashSet<T>, make: impl FnOnce(&K) -> T) -> T
where
    K: Hash + Eq + ?Sized,
    T: Borrow<K> + Hash + Eq + Clone,
{
    ACTIVE.with(|active| match active.borrow_mut().as_mut().map(set) {
        Some(values) => match values.get(key) {
            Some(value) => value.clone(),
            None => {
                let value = make(key);
                values.insert(value.clone());
                value
            }
        },
        None => make(key),
    })
}

/// The distinct strings and parties of the records a cache holds.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    strings: HashSet<ArcStr>,
    parties: HashSet<Arc<Party>>,
}

thread_local! {
    /// The pool deserializing interns into on this thread, while one is in scope.
    static ACTIVE: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

impl Pool {
    /// Runs `f` with this pool interning what it deserializes on this thread.
    pub(crate) fn scope<T>(&mut self, f: impl FnOnce() -> T) -> T {
        /// Puts the pool back even if `f` panics.
        struct Restore<'a>(&'a mut Pool);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                if let Some(pool) = ACTIVE.with(|active| active.borrow_mut().take()) {
                    *self.0 = pool;
                }
            }
        }
        ACTIVE.with(|active| *active.borrow_mut() = Some(std::mem::take(self)));
        let _restore = Restore(self);
        f()
    }

    /// Forgets the values no record holds any more.
    pub(crate) fn prune(&mut self) {
        self.parties.retain(|p| Arc::strong_count(p) > 1);
        self.strings
            .retain(|s| ArcStr::strong_count(s).is_none_or(|n| n > 1));
    }

    /// How many distinct strings and parties are held.
    pub(crate) fn len(&self) -> (usize, usize) {
        (self.strings.len(), self.parties.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::CallRecord;

    const RECORD: &str = r#"{"id":"a","reasonDescription":"Connected","from":{"name":"Ann","phoneNumber":"+1"},
        "legs":[{"reasonDescription":"Connected","from":{"name":"Ann","phoneNumber":"+1"},"to":{"name":"Ann"}}]}"#;

    fn same_text(a: &Option<Str>, b: &Option<Str>) -> bool {
        std::ptr::eq(a.as_deref().unwrap(), b.as_deref().unwrap())
    }

    #[test]
    fn a_pool_shares_equal_strings_and_parties_until_no_record_holds_them() {
        let mut pool = Pool::default();
        let r: CallRecord = pool.scope(|| serde_json::from_str(RECORD)).unwrap();
        let leg = &r.legs[0].fields;
        assert!(Arc::ptr_eq(
            r.fields.from.as_ref().unwrap(),
            leg.from.as_ref().unwrap()
        ));
        assert!(same_text(&r.fields.reason_description, &leg.reason_description));
        assert!(same_text(
            &r.fields.from.as_ref().unwrap().name,
            &leg.to.as_ref().unwrap().name
        ));
        // "a", "Connected", "Ann", "+1"; two distinct parties.
        assert_eq!(pool.len(), (4, 2));
        pool.prune();
        assert_eq!(pool.len(), (4, 2), "the record still holds them");
        drop(r);
        pool.prune();
        assert_eq!(pool.len(), (0, 0));
    }

    #[test]
    fn without_a_pool_in_scope_nothing_is_shared() {
        let r: CallRecord = serde_json::from_str(RECORD).unwrap();
        let leg = &r.legs[0].fields;
        assert!(!Arc::ptr_eq(
            r.fields.from.as_ref().unwrap(),
            leg.from.as_ref().unwrap()
        ));
        assert!(!same_text(&r.fields.reason_description, &leg.reason_description));
    }

    #[test]
    fn the_pool_comes_back_when_parsing_panics() {
        let mut pool = Pool::default();
        pool.scope(|| serde_json::from_str::<CallRecord>(RECORD)).unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.scope(|| panic!("a bug while parsing"))
        }));
        assert!(caught.is_err());
        assert_eq!(pool.len(), (4, 2));
        ACTIVE.with(|active| assert!(active.borrow().is_none()));
    }
}
