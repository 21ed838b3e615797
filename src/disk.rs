//! A VM's virtual disk, with its three optional figures packed.
//!
//! A VM has a few disks and a million VMs keep them for the whole run. A disk's capacity, unit
//! number and thin flag are each optional (vCenter may leave them out, a permission may hide
//! them); as `Option<u64>`, `Option<i32>` and `Option<bool>` they took 25 bytes and, with
//! their padding, made a disk 120 bytes. [`DiskFigures`] keeps them as plain numbers beside one
//! byte saying which are known: 16 bytes, a disk 112. (104 would need the key and the backing
//! packed in too: the compact file path takes 24 bytes with 4 of them padding.) Read them with [`Disk::capacity_bytes`],
//! [`Disk::unit`] and [`Disk::thin`]; build them with [`DiskFigures::new`].
//!
//! A disk serializes exactly as the struct of `Option`s did (same fields, same order, `null`
//! when unknown), so snapshots and reports are unchanged and older snapshots read.

use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::compact::DatastorePath;
use crate::intern::Shared;
use crate::model::{Controller, DiskBacking};
use crate::word::Word;

/// Bits of [`DiskFigures`]' `known`.
const CAPACITY: u8 = 1;
const UNIT: u8 = 2;
const THIN_KNOWN: u8 = 4;
const THIN: u8 = 8;

/// A disk's capacity, unit number and thin flag, each optional, packed (16 bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskFigures {
    /// 0 when unknown (see `known`), so that equal figures compare equal; likewise `unit`.
    capacity: u64,
    unit: i32,
    known: u8,
}

impl DiskFigures {
    pub fn new(capacity_bytes: Option<u64>, thin: Option<bool>, unit: Option<i32>) -> Self {
        let mut known = 0;
        if capacity_bytes.is_some() {
            known |= CAPACITY;
        }
        if unit.is_some() {
            known |= UNIT;
        }
        match thin {
            Some(true) => known |= THIN_KNOWN | THIN,
            Some(false) => known |= THIN_KNOWN,
            None => {}
        }
        DiskFigures {
            capacity: capacity_bytes.unwrap_or(0),
            unit: unit.unwrap_or(0),
            known,
        }
    }

    pub fn capacity_bytes(&self) -> Option<u64> {
        (self.known & CAPACITY != 0).then_some(self.capacity)
    }

    pub fn thin(&self) -> Option<bool> {
        (self.known & THIN_KNOWN != 0).then_some(self.known & THIN != 0)
    }

    pub fn unit(&self) -> Option<i32> {
        (self.known & UNIT != 0).then_some(self.unit)
    }

    /// The same figures with the capacity replaced.
    pub fn with_capacity_bytes(self, capacity_bytes: Option<u64>) -> Self {
        DiskFigures::new(capacity_bytes, self.thin(), self.unit())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Disk {
    pub key: i32,
    pub label: Option<Shared>,
    /// Capacity, thin flag and unit number, packed ([`DiskFigures`]).
    pub figures: DiskFigures,
    /// Datastore name.
    pub datastore: Option<Shared>,
    /// `[datastore] dir/file.vmdk`; compact ([`DatastorePath`]: the usual shape in shared pieces).
    pub file: Option<DatastorePath>,
    pub disk_mode: Option<Word>,
    pub backing: Option<DiskBacking>,
    /// Label of the controller, e.g. `SCSI controller 0`.
    pub controller: Option<Shared>,
    /// The controller itself, pooled ([`Controller::pooled`]); `None` when not in the device
    /// list.
    pub controller_info: Option<Arc<Controller>>,
    /// The backing's `sharing`: `sharingNone` or `sharingMultiWriter`; `None` when not sent.
    pub sharing: Option<Word>,
    /// The backing's `keyId` (`provider/key`) when the disk is encrypted (shared: an estate
    /// encrypts with a few keys).
    pub key_id: Option<Shared>,
}

impl Disk {
    pub fn capacity_bytes(&self) -> Option<u64> {
        self.figures.capacity_bytes()
    }

    pub fn thin(&self) -> Option<bool> {
        self.figures.thin()
    }

    pub fn unit(&self) -> Option<i32> {
        self.figures.unit()
    }
}

impl Serialize for Disk {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut w = s.serialize_struct("Disk", 13)?;
        w.serialize_field("key", &self.key)?;
        w.serialize_field("label", &self.label)?;
        w.serialize_field("capacity_bytes", &self.capacity_bytes())?;
        w.serialize_field("datastore", &self.datastore)?;
        w.serialize_field("file", &self.file)?;
        w.serialize_field("thin", &self.thin())?;
        w.serialize_field("disk_mode", &self.disk_mode.as_deref())?;
        w.serialize_field("backing", &self.backing)?;
        w.serialize_field("controller", &self.controller)?;
        w.serialize_field("unit", &self.unit())?;
        // The controller written as the controller itself.
        w.serialize_field("controller_info", &self.controller_info.as_deref())?;
        w.serialize_field("sharing", &self.sharing.as_deref())?;
        w.serialize_field("key_id", &self.key_id)?;
        w.end()
    }
}

/// A disk as written: the struct of `Option`s, for reading one back.
#[derive(Deserialize)]
struct Wire {
    key: i32,
    label: Option<Shared>,
    capacity_bytes: Option<u64>,
    datastore: Option<Shared>,
    file: Option<DatastorePath>,
    thin: Option<bool>,
    disk_mode: Option<Shared>,
    backing: Option<DiskBacking>,
    controller: Option<Shared>,
    unit: Option<i32>,
    #[serde(default)]
    controller_info: Option<Controller>,
    #[serde(default)]
    sharing: Option<Shared>,
    #[serde(default)]
    key_id: Option<Shared>,
}

impl<'de> Deserialize<'de> for Disk {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        Ok(Disk {
            key: w.key,
            label: w.label,
            figures: DiskFigures::new(w.capacity_bytes, w.thin, w.unit),
            datastore: w.datastore,
            file: w.file,
            disk_mode: w.disk_mode.as_deref().map(Word::new),
            backing: w.backing,
            controller: w.controller,
            // Pooled when read: an estate's disks hang on a handful of distinct controllers.
            controller_info: w.controller_info.map(Controller::pooled),
            sharing: w.sharing.as_deref().map(Word::new),
            key_id: w.key_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ControllerKind;

    #[test]
    fn figures_read_back_as_given() {
        for capacity in [None, Some(0), Some(u64::MAX)] {
            for thin in [None, Some(false), Some(true)] {
                for unit in [None, Some(0), Some(-1), Some(i32::MAX)] {
                    let f = DiskFigures::new(capacity, thin, unit);
                    assert_eq!(
                        (f.capacity_bytes(), f.thin(), f.unit()),
                        (capacity, thin, unit)
                    );
                    let g = f.with_capacity_bytes(Some(7));
                    assert_eq!(
                        (g.capacity_bytes(), g.thin(), g.unit()),
                        (Some(7), thin, unit)
                    );
                }
            }
        }
        assert_ne!(
            DiskFigures::new(Some(0), Some(false), Some(0)),
            DiskFigures::new(None, None, None),
            "a reported 0 or false is not an unknown"
        );
    }

    #[test]
    fn a_disk_serializes_as_the_options_did_and_reads_back() {
        let disk = Disk {
            key: 2000,
            label: Some("Hard disk 1".into()),
            figures: DiskFigures::new(Some(42949672960), Some(true), Some(0)),
            datastore: Some("ds-1".into()),
            file: Some(DatastorePath::from("[ds-1] vm/vm.vmdk")),
            disk_mode: Some("persistent".into()),
            backing: Some(DiskBacking::Flat),
            controller: Some("SCSI controller 0".into()),
            controller_info: Some(
                Controller {
                    key: 1000,
                    kind: ControllerKind::Scsi,
                    bus: Some(0),
                    shared_bus: Some("noSharing".into()),
                }
                .pooled(),
            ),
            sharing: Some("sharingNone".into()),
            key_id: None,
        };
        let json = serde_json::to_string(&disk).unwrap();
        assert_eq!(
            json,
            r#"{"key":2000,"label":"Hard disk 1","capacity_bytes":42949672960,"datastore":"ds-1","file":"[ds-1] vm/vm.vmdk","thin":true,"disk_mode":"persistent","backing":"flat","controller":"SCSI controller 0","unit":0,"controller_info":{"key":1000,"kind":"Scsi","bus":0,"shared_bus":"noSharing"},"sharing":"sharingNone","key_id":null}"#
        );
        let back: Disk = serde_json::from_str(&json).unwrap();
        assert_eq!(back, disk);
        let unknown = Disk {
            key: 1,
            ..Default::default()
        };
        let json = serde_json::to_string(&unknown).unwrap();
        assert!(
            json.contains(r#""capacity_bytes":null"#)
                && json.contains(r#""thin":null"#)
                && json.contains(r#""unit":null"#),
            "{json}"
        );
        // Snapshots from before `controller_info`, `sharing` and `key_id` still read.
        let old: Disk = serde_json::from_str(r#"{"key":3,"label":null,"capacity_bytes":5,"datastore":null,"file":null,"thin":false,"disk_mode":null,"backing":null,"controller":null,"unit":null}"#).unwrap();
        assert_eq!(
            (old.key, old.capacity_bytes(), old.thin(), old.unit()),
            (3, Some(5), Some(false), None)
        );
        assert_eq!(std::mem::size_of::<Disk>(), 104);
    }
}
