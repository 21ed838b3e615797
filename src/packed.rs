//! Optional figures packed, for the structs a million VMs keep.
//!
//! An `Option<u64>` is 16 bytes: a flag, then padding to the number's alignment. [`Figures`]
//! keeps N of them as plain numbers beside one bit each for "sent" (a VM's ten detail figures,
//! a guest filesystem's two). [`OptU64`] keeps a single one in 9 bytes aligned to one, so in a
//! struct it fills the space that the byte-sized fields leave beside the pointers instead of
//! adding 16 bytes (the [`Vm`](crate::model::Vm) is 8 bytes smaller for its `memory_mb`). Both
//! read, write, compare and debug exactly as the `Option<u64>`s they hold.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Up to 16 optional numbers, each as its 64 bits, and which of them were sent. An unsent
/// number is held as 0, so equal figures compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures<const N: usize> {
    values: [u64; N],
    sent: u16,
}

impl<const N: usize> Default for Figures<N> {
    fn default() -> Self {
        Figures {
            values: [0; N],
            sent: 0,
        }
    }
}

impl<const N: usize> Figures<N> {
    /// One bit of `sent` per figure.
    const FITS: () = assert!(N <= 16, "at most 16 figures");

    /// Figure `i`; `None` when not sent.
    pub fn get(&self, i: usize) -> Option<u64> {
        let () = Self::FITS;
        (self.sent & (1 << i) != 0).then(|| self.values[i])
    }

    /// Sets figure `i`.
    pub fn set(&mut self, i: usize, v: Option<u64>) {
        let () = Self::FITS;
        self.values[i] = v.unwrap_or(0);
        if v.is_some() {
            self.sent |= 1 << i;
        } else {
            self.sent &= !(1 << i);
        }
    }
}

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
