//! A VM's inventory details (the RVTools columns), with its figures packed.
//!
//! Ten of the details are numbers that vCenter may leave unset. As `Option<u64>` and
//! `Option<i64>` fields they took 16 bytes each (a flag, then padding to the number's
//! alignment); a million VMs carry them. [`VmDetails`] keeps them in one array with a bit per
//! figure for "sent", read and written through methods named after them (`cpu_limit()`,
//! `set_cpu_limit(..)`), and serializes exactly as the struct of `Option`s it replaces, so
//! snapshots and reports are unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::compact::DatastorePath;
use crate::intern::Shared;
use crate::packed::Figures;

/// A VM's inventory details (the RVTools columns); each field `None` when not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VmDetails {
    /// `guest.hostName`.
    pub dns_name: Option<Box<str>>,
    /// `guest.ipAddress`.
    pub primary_ip: Option<Box<str>>,
    /// `guest.guestState`: running, notRunning, ... (kept as sent).
    pub guest_state: Option<Shared>,
    /// `guestHeartbeatStatus`: gray, green, yellow, red (kept as sent).
    pub heartbeat: Option<Shared>,
    /// `runtime.connectionState`: connected, disconnected, orphaned, inaccessible, invalid.
    pub connection_state: Option<Shared>,
    /// `config.files.vmPathName`: `[ds] dir/vm.vmx`; compact ([`DatastorePath`]).
    pub vmx_path: Option<DatastorePath>,
    /// `config.annotation`.
    pub annotation: Option<Box<str>>,
    /// `config.version`: `vmx-19`.
    pub hw_version: Option<Shared>,
    /// `config.changeTrackingEnabled`.
    pub cbt: Option<bool>,
    /// The figures, packed: read and set them with the methods named after them. Public only so
    /// that `..VmDetails::default()` works where details are built.
    pub figures: Figures<FIGURES>,
}

/// How many figures a VM's details hold.
const FIGURES: usize = 10;

/// The figures' getters and setters, and the serialized form (every field in order, as the
/// struct of `Option`s had them).
macro_rules! figures {
    ($($(#[$doc:meta])* $i:literal $name:ident $set:ident: $t:ty,)+) => {
        impl VmDetails {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Option<$t> {
                    // The bits stored by the setter: the cast back is exact.
                    self.figures.get($i).map(|v| v as $t)
                }

                pub fn $set(&mut self, v: Option<$t>) {
                    self.figures.set($i, v.map(|v| v as u64));
                }
            )+
        }

        /// The serialized form, borrowed.
        #[derive(Serialize)]
        struct WireRef<'a> {
            dns_name: &'a Option<Box<str>>,
            primary_ip: &'a Option<Box<str>>,
            guest_state: &'a Option<Shared>,
            heartbeat: &'a Option<Shared>,
            connection_state: &'a Option<Shared>,
            vmx_path: &'a Option<DatastorePath>,
            annotation: &'a Option<Box<str>>,
            hw_version: &'a Option<Shared>,
            cbt: Option<bool>,
            $($name: Option<$t>,)+
        }

        /// The serialized form, read.
        #[derive(Deserialize)]
        struct Wire {
            dns_name: Option<Box<str>>,
            primary_ip: Option<Box<str>>,
            guest_state: Option<Shared>,
            heartbeat: Option<Shared>,
            connection_state: Option<Shared>,
            vmx_path: Option<DatastorePath>,
            annotation: Option<Box<str>>,
            hw_version: Option<Shared>,
            cbt: Option<bool>,
            $($name: Option<$t>,)+
        }

        impl Serialize for VmDetails {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                WireRef {
                    dns_name: &self.dns_name,
                    primary_ip: &self.primary_ip,
                    guest_state: &self.guest_state,
                    heartbeat: &self.heartbeat,
                    connection_state: &self.connection_state,
                    vmx_path: &self.vmx_path,
                    annotation: &self.annotation,
                    hw_version: &self.hw_version,
                    cbt: self.cbt,
                    $($name: self.$name(),)+
                }
                .serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for VmDetails {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let w = Wire::deserialize(d)?;
                let mut v = VmDetails {
                    dns_name: w.dns_name,
                    primary_ip: w.primary_ip,
                    guest_state: w.guest_state,
                    heartbeat: w.heartbeat,
                    connection_state: w.connection_state,
                    vmx_path: w.vmx_path,
                    annotation: w.annotation,
                    hw_version: w.hw_version,
                    cbt: w.cbt,
                    figures: Figures::default(),
                };
                $(v.$set(w.$name);)+
                Ok(v)
            }
        }
    };
}

figures! {
    /// `config.hardware.numCoresPerSocket`.
    0 cores_per_socket set_cores_per_socket: u32,
    /// `config.cpuAllocation` reservation (MHz).
    1 cpu_reservation set_cpu_reservation: i64,
    /// `config.cpuAllocation` limit (MHz, -1 unlimited).
    2 cpu_limit set_cpu_limit: i64,
    /// `config.memoryAllocation` reservation (MiB).
    3 memory_reservation set_memory_reservation: i64,
    /// `config.memoryAllocation` limit (MiB, -1 unlimited).
    4 memory_limit set_memory_limit: i64,
    /// `summary.quickStats.guestMemoryUsage` (active), MiB.
    5 memory_active_mb set_memory_active_mb: u64,
    /// `summary.quickStats.hostMemoryUsage` (consumed), MiB.
    6 memory_consumed_mb set_memory_consumed_mb: u64,
    /// `summary.storage` committed bytes.
    7 storage_committed set_storage_committed: u64,
    /// `summary.storage` uncommitted bytes.
    8 storage_uncommitted set_storage_uncommitted: u64,
    /// `summary.storage` unshared bytes.
    9 storage_unshared set_storage_unshared: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The struct of `Option`s this replaces, as older builds wrote it.
    #[derive(Serialize, Deserialize, Default)]
    struct Old {
        dns_name: Option<String>,
        primary_ip: Option<String>,
        guest_state: Option<String>,
        heartbeat: Option<String>,
        connection_state: Option<String>,
        vmx_path: Option<String>,
        annotation: Option<String>,
        hw_version: Option<String>,
        cbt: Option<bool>,
        cores_per_socket: Option<u32>,
        cpu_reservation: Option<i64>,
        cpu_limit: Option<i64>,
        memory_reservation: Option<i64>,
        memory_limit: Option<i64>,
        memory_active_mb: Option<u64>,
        memory_consumed_mb: Option<u64>,
        storage_committed: Option<u64>,
        storage_uncommitted: Option<u64>,
        storage_unshared: Option<u64>,
    }

    #[test]
    fn figures_read_write_and_serialize_as_the_options_did() {
        let old = Old {
            dns_name: Some("web01.example.com".into()),
            vmx_path: Some("[ds1] web01/web01.vmx".into()),
            cbt: Some(false),
            cores_per_socket: Some(u32::MAX),
            cpu_reservation: Some(0),
            cpu_limit: Some(-1),
            memory_limit: Some(i64::MIN),
            memory_active_mb: Some(0),
            storage_committed: Some(u64::MAX),
            storage_unshared: Some(12345),
            ..Old::default()
        };
        let json = serde_json::to_string(&old).unwrap();
        let d: VmDetails = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), json);
        assert_eq!(d.cores_per_socket(), Some(u32::MAX));
        assert_eq!(d.cpu_reservation(), Some(0));
        assert_eq!(d.cpu_limit(), Some(-1));
        assert_eq!(d.memory_reservation(), None);
        assert_eq!(d.memory_limit(), Some(i64::MIN));
        assert_eq!(d.memory_active_mb(), Some(0));
        assert_eq!(d.memory_consumed_mb(), None);
        assert_eq!(d.storage_committed(), Some(u64::MAX));
        assert_eq!(d.storage_uncommitted(), None);
        assert_eq!(d.storage_unshared(), Some(12345));
        // Older snapshots without some fields read as unset.
        let d: VmDetails = serde_json::from_str(r#"{"cbt":true}"#).unwrap();
        assert_eq!((d.cbt, d.cpu_limit()), (Some(true), None));

        let mut d = VmDetails::default();
        d.set_cpu_limit(Some(-1));
        assert_ne!(d, VmDetails::default());
        d.set_cpu_limit(None);
        assert_eq!(d, VmDetails::default(), "unset again is the default");
    }
}
