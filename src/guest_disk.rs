//! A filesystem as VMware Tools see it inside the guest (`guest.disk`), its figures packed.
//!
//! A VM reports a few of these and a million VMs keep them for the whole run. The two figures
//! are optional (Tools may leave either out), and two `Option<u64>` took 32 bytes where the
//! numbers need 16: they are packed [`Figures`] (32 bytes a filesystem, was 40), read with
//! [`GuestDisk::capacity_bytes`] and [`GuestDisk::free_bytes`]. It serializes exactly as the struct of `Option`s did
//! (`{"path":..,"capacity_bytes":..,"free_bytes":..}`, `null` when unknown), so snapshots and
//! reports are unchanged and older snapshots read.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::intern::Shared;
use crate::packed::Figures;

/// Which of the figures is the capacity.
const CAPACITY: usize = 0;
/// Which of the figures is the free space.
const FREE: usize = 1;

/// A filesystem as VMware Tools see it inside the guest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "Wire")]
pub struct GuestDisk {
    pub path: Shared,
    figures: Figures<2>,
}

impl GuestDisk {
    pub fn new(path: Shared, capacity_bytes: Option<u64>, free_bytes: Option<u64>) -> Self {
        let mut figures = Figures::default();
        figures.set(CAPACITY, capacity_bytes);
        figures.set(FREE, free_bytes);
        GuestDisk { path, figures }
    }

    /// The filesystem's size in bytes; `None` when not reported.
    pub fn capacity_bytes(&self) -> Option<u64> {
        self.figures.get(CAPACITY)
    }

    /// Its free space in bytes; `None` when not reported.
    pub fn free_bytes(&self) -> Option<u64> {
        self.figures.get(FREE)
    }
}

/// The struct of `Option`s a guest disk was and is written as.
#[derive(Deserialize)]
struct Wire {
    path: Shared,
    capacity_bytes: Option<u64>,
    free_bytes: Option<u64>,
}

impl From<Wire> for GuestDisk {
    fn from(w: Wire) -> Self {
        GuestDisk::new(w.path, w.capacity_bytes, w.free_bytes)
    }
}

impl Serialize for GuestDisk {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut w = s.serialize_struct("GuestDisk", 3)?;
        w.serialize_field("path", &self.path)?;
        w.serialize_field("capacity_bytes", &self.capacity_bytes())?;
        w.serialize_field("free_bytes", &self.free_bytes())?;
        w.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_back_as_given_and_serialize_as_the_options_did() {
        let cases = [
            (
                Some(0),
                Some(u64::MAX),
                r#"{"path":"C:\\","capacity_bytes":0,"free_bytes":18446744073709551615}"#,
            ),
            (
                None,
                Some(5),
                r#"{"path":"C:\\","capacity_bytes":null,"free_bytes":5}"#,
            ),
            (
                Some(7),
                None,
                r#"{"path":"C:\\","capacity_bytes":7,"free_bytes":null}"#,
            ),
            (
                None,
                None,
                r#"{"path":"C:\\","capacity_bytes":null,"free_bytes":null}"#,
            ),
        ];
        for (capacity, free, json) in cases {
            let g = GuestDisk::new("C:\\".into(), capacity, free);
            assert_eq!((g.capacity_bytes(), g.free_bytes()), (capacity, free));
            assert_eq!(serde_json::to_string(&g).unwrap(), json);
            let back: GuestDisk = serde_json::from_str(json).unwrap();
            assert_eq!(back, g);
        }
        assert_ne!(
            GuestDisk::new("/".into(), Some(0), None),
            GuestDisk::new("/".into(), None, None),
            "a reported 0 is not an unknown"
        );
        assert_eq!(std::mem::size_of::<GuestDisk>(), 32);
    }
}
