//! Optional figures packed to one-byte alignment, for the structs a million VMs keep.
//!
//! An `Option<u64>` is 16 bytes aligned to 8. [`OptU64`] holds the same value in 9 bytes
//! aligned to one, so in a struct it fills the space that the byte-sized fields leave beside
//! the pointers instead of adding 16 bytes (the [`Vm`](crate::model::Vm) is 8 bytes smaller for
//! its `memory_mb`). It reads, writes, compares and debugs exactly as the `Option<u64>` it holds.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An `Option<u64>` in 9 bytes aligned to one (see the module documentation).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OptU64(Option<[u8; 8]>);

impl OptU64 {
    /// The value held.
    pub fn get(self) -> Option<u64> {
        self.0.map(u64::from_le_bytes)
    }
}

impl From<Option<u64>> for OptU64 {
    fn from(v: Option<u64>) -> Self {
        OptU64(v.map(u64::to_le_bytes))
    }
}

impl fmt::Debug for OptU64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

impl Serialize for OptU64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> Deserialize<'de> for OptU64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<u64>::deserialize(d).map(OptU64::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_reads_and_writes_as_the_option_it_packs() {
        for v in [None, Some(0), Some(1), Some(8192), Some(u64::MAX)] {
            let p = OptU64::from(v);
            assert_eq!(p.get(), v);
            assert_eq!(format!("{p:?}"), format!("{v:?}"));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, serde_json::to_string(&v).unwrap());
            assert_eq!(serde_json::from_str::<OptU64>(&json).unwrap(), p);
        }
        assert_ne!(OptU64::from(None), OptU64::from(Some(0)));
        assert_eq!(OptU64::default().get(), None);
        assert!(serde_json::from_str::<OptU64>("-1").is_err());
        assert_eq!(std::mem::size_of::<OptU64>(), 9);
        assert_eq!(std::mem::align_of::<OptU64>(), 1);
    }

    /// A struct field of this type may be missing, like an `Option`'s: it reads as `None`.
    #[test]
    fn a_missing_field_reads_as_none() {
        #[derive(Deserialize)]
        struct S {
            a: OptU64,
        }
        assert_eq!(serde_json::from_str::<S>("{}").unwrap().a.get(), None);
        assert_eq!(
            serde_json::from_str::<S>(r#"{"a":7}"#).unwrap().a.get(),
            Some(7)
        );
    }
}
