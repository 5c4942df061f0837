//! `Deserialize` for the two wire objects that carry the shared call fields inline (records and legs).
//!
//! `#[serde(flatten)]` would buffer every key and value of every record into an intermediate map before
//! handing them out again, which cost most of the parse time at 10k calls. Here the object's own keys are
//! taken out as they stream past and every other key goes straight to `CallFields`' derived visitor.
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{CallFields, CallRecord, Leg, LegType, Str, StringOrNumber};

/// The keys of an object besides its `CallFields`, collected while the object streams past.
trait OwnKeys: Default {
    /// The finished object.
    type Out;
    /// What the object is, for error messages.
    const EXPECTING: &'static str;
    /// Reads the value of `key` when it is one of the object's own keys; false leaves it to `CallFields`.
    fn take<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;
    /// Builds the object, failing when a required key was missing.
    fn finish<E: de::Error>(self, fields: CallFields) -> Result<Self::Out, E>;
}

#[derive(Default)]
struct RecordKeys {
    id: Option<Str>,
    uri: Option<Str>,
    session_id: Option<Str>,
    legs: Vec<Leg>,
    last_modified_time: Option<jiff::Timestamp>,
}

impl OwnKeys for RecordKeys {
    type Out = CallRecord;
    const EXPECTING: &'static str = "a call record object";

    fn take<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "id" => self.id = Some(map.next_value::<StringOrNumber>()?.into()),
            "uri" => self.uri = map.next_value()?,
            "sessionId" => self.session_id = map.next_value::<Option<StringOrNumber>>()?.map(Str::from),
            "legs" => self.legs = map.next_value()?,
            "lastModifiedTime" => self.last_modified_time = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish<E: de::Error>(mut self, fields: CallFields) -> Result<CallRecord, E> {
        // A growing `Vec` starts with room for four legs; most calls have one or two.
        self.legs.shrink_to_fit();
        Ok(CallRecord {
            id: self.id.ok_or_else(|| E::missing_field("id"))?,
            uri: self.uri,
            session_id: self.session_id,
            fields,
            legs: self.legs,
            last_modified_time: self.last_modified_time,
        })
    }
}

#[derive(Default)]
struct LegKeys {
    leg_type: Option<LegType>,
    master: Option<bool>,
}

impl OwnKeys for LegKeys {
    type Out = Leg;
    const EXPECTING: &'static str = "a call leg object";

    fn take<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "legType" => self.leg_type = map.next_value()?,
            "master" => self.master = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish<E: de::Error>(self, fields: CallFields) -> Result<Leg, E> {
        Ok(Leg {
            fields,
            leg_type: self.leg_type,
            master: self.master,
        })
    }
}

impl<'de> Deserialize<'de> for CallRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor::<RecordKeys>(PhantomData))
    }
}

impl<'de> Deserialize<'de> for Leg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor::<LegKeys>(PhantomData))
    }
}

struct ObjectVisitor<K>(PhantomData<K>);

impl<'de, K: OwnKeys> Visitor<'de> for ObjectVisitor<K> {
    type Value = K::Out;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(K::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<K::Out, A::Error> {
        let mut own = K::default();
        let fields = CallFields::deserialize(MapAccessDeserializer::new(Split { map, own: &mut own }))?;
        own.finish(fields)
    }
}

/// The object's map with its own keys taken out: what `CallFields` sees.
struct Split<'a, A, K> {
    map: A,
    own: &'a mut K,
}

impl<'de, A: MapAccess<'de>, K: OwnKeys> MapAccess<'de> for Split<'_, A, K> {
    type Error = A::Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<Text<'de>>()? {
            if !self.own.take(key.as_str(), &mut self.map)? {
                return match key {
                    Text::Borrowed(k) => seed.deserialize(BorrowedStrDeserializer::new(k)),
                    Text::Owned(k) => seed.deserialize(StringDeserializer::new(k)),
                }
                .map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A JSON string (an object key or an enum value), borrowed from the input when it has no escapes, so
/// reading it allocates nothing.
pub(super) enum Text<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Text<'_> {
    /// The string.
    pub(super) fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(k) => k,
            Text::Owned(k) => k,
        }
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, k: &'de str) -> Result<Text<'de>, E> {
                Ok(Text::Borrowed(k))
            }
            fn visit_str<E: de::Error>(self, k: &str) -> Result<Text<'de>, E> {
                Ok(Text::Owned(k.to_owned()))
            }
            fn visit_string<E: de::Error>(self, k: String) -> Result<Text<'de>, E> {
                Ok(Text::Owned(k))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}
