//! Which virtual disk holds the operating system.
//!
//! Today's support matrix limits the OS disk apart from the data disks, so the rules need to know
//! which disk it is. The boot disk is the first disk of `config.bootOptions.bootOrder` when the
//! boot order is set. Otherwise the firmware boots from its default: the disk at unit 0 of the
//! first controller (lowest bus number) of the boot bus, where the boot bus is the one kind of
//! controller (SCSI, NVMe, SATA, IDE) the VM's disks hang on. When the disks hang on more than one
//! kind, or the controllers were not read, the OS disk is not known: nothing here guesses.

use crate::model::{BootDevice, Disk, Vm};

/// The OS disk of a VM, or why it cannot be told.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OsDisk<'a> {
    Known(&'a Disk),
    /// The VM has no virtual disk at all.
    NoDisks,
    /// The disks could not be read, or the data cannot tell; the text says why.
    Unknown(&'static str),
}

impl<'a> OsDisk<'a> {
    /// Identifies the OS disk of `vm`.
    pub fn of(vm: &'a Vm) -> Self {
        let Some(disks) = &vm.disks else {
            return OsDisk::Unknown("the disks could not be read");
        };
        if disks.is_empty() {
            return OsDisk::NoDisks;
        }
        if let Some(order) = &vm.boot_order
            && let Some(key) = order.iter().find_map(|d| match d {
                BootDevice::Disk(k) => Some(*k),
                _ => None,
            })
        {
            return match disks.iter().find(|d| d.key == key) {
                Some(d) => OsDisk::Known(d),
                None => OsDisk::Unknown("the boot order names a disk the VM does not have"),
            };
        }
        let mut kinds = disks
            .iter()
            .map(|d| d.controller_info.as_ref().map(|c| &c.kind));
        let Some(Some(kind)) = kinds.next() else {
            return OsDisk::Unknown("the disks' controllers were not read");
        };
        if !kinds.all(|k| k == Some(kind)) {
            return OsDisk::Unknown(
                "no boot order is set and the disks hang on more than one kind of controller",
            );
        }
        let first_bus = disks
            .iter()
            .filter_map(|d| d.controller_info.as_ref()?.bus)
            .min();
        let boot = disks.iter().find(|d| {
            d.unit() == Some(0)
                && first_bus.is_some()
                && d.controller_info.as_ref().and_then(|c| c.bus) == first_bus
        });
        match boot {
            Some(d) => OsDisk::Known(d),
            None => OsDisk::Unknown(
                "no boot order is set and no disk is at unit 0 of the first controller",
            ),
        }
    }

    /// The key of the OS disk when known.
    pub fn key(&self) -> Option<i32> {
        match self {
            OsDisk::Known(d) => Some(d.key),
            _ => None,
        }
    }
}

/// A disk's label for messages: `Hard disk 1`, else `disk <key>`.
pub fn label(d: &Disk) -> String {
    d.label
        .as_deref()
        .map_or_else(|| format!("disk {}", d.key), str::to_string)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Controller, ControllerKind, DiskFigures};

    pub(crate) fn on(key: i32, kind: ControllerKind, bus: i32, unit: i32, bytes: u64) -> Disk {
        Disk {
            key,
            label: Some(format!("Hard disk {key}").into()),
            figures: DiskFigures::new(Some(bytes), None, Some(unit)),
            controller_info: Some(
                Controller {
                    key: 1000 + bus,
                    kind,
                    bus: Some(bus),
                    shared_bus: None,
                }
                .into(),
            ),
            ..Default::default()
        }
    }

    fn vm(disks: Vec<Disk>, order: Option<Vec<BootDevice>>) -> Vm {
        Vm {
            disks: Some(disks.into()),
            boot_order: order.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn boot_order_wins() {
        let v = vm(
            vec![
                on(2000, ControllerKind::Scsi, 0, 0, 1),
                on(2001, ControllerKind::Scsi, 0, 1, 2),
            ],
            Some(vec![BootDevice::Cdrom, BootDevice::Disk(2001)]),
        );
        assert_eq!(OsDisk::of(&v).key(), Some(2001));
        let v = vm(
            vec![on(2000, ControllerKind::Scsi, 0, 0, 1)],
            Some(vec![BootDevice::Disk(9)]),
        );
        assert!(matches!(OsDisk::of(&v), OsDisk::Unknown(_)));
    }

    #[test]
    fn else_unit_zero_of_the_first_controller_of_the_one_bus() {
        let v = vm(
            vec![
                on(2001, ControllerKind::Scsi, 1, 0, 1),
                on(2002, ControllerKind::Scsi, 0, 1, 1),
                on(2000, ControllerKind::Scsi, 0, 0, 1),
            ],
            Some(vec![BootDevice::Cdrom]),
        );
        assert_eq!(OsDisk::of(&v).key(), Some(2000));
        let mixed = vm(
            vec![
                on(2000, ControllerKind::Scsi, 0, 0, 1),
                on(2001, ControllerKind::Nvme, 0, 0, 1),
            ],
            None,
        );
        assert!(matches!(OsDisk::of(&mixed), OsDisk::Unknown(_)));
        let no_unit0 = vm(vec![on(2000, ControllerKind::Scsi, 0, 3, 1)], None);
        assert!(matches!(OsDisk::of(&no_unit0), OsDisk::Unknown(_)));
        assert_eq!(OsDisk::of(&vm(vec![], None)), OsDisk::NoDisks);
        let unread = Vm::default();
        assert!(matches!(OsDisk::of(&unread), OsDisk::Unknown(_)));
        let no_controller = vm(vec![Disk::default()], None);
        assert!(matches!(OsDisk::of(&no_controller), OsDisk::Unknown(_)));
    }
}
