//! What an RVTools workbook carries beyond the audit's own needs, read back into the model:
//! a VM's [`VmDetails`] (vInfo, vCPU, vMemory), its network adapters (vNetwork), a host's
//! hardware (vHost), a cluster's totals (vCluster) and a datastore's provisioning (vDatastore).
//!
//! Each is the inverse of what `src/report/rvtools/` writes, so a workbook vcaudit wrote reads
//! back into the same cells; sizes are whole MiB in a workbook, so bytes come back rounded down
//! to a MiB. An empty cell stays unknown.

use super::sheet::Row;
use crate::model::{ClusterSummary, HostHardware, Nic, Shared, VmDetails};

fn num<T: TryFrom<i64>>(row: Row<'_>, column: &str) -> Option<T> {
    row.int(column).and_then(|n| T::try_from(n).ok())
}

/// The details vInfo carries; `None` when the row has none of them.
pub fn vinfo_details(row: Row<'_>) -> Option<VmDetails> {
    let committed = row.mib_bytes("In Use MiB");
    let d = VmDetails {
        dns_name: row.text("DNS Name").map(Into::into),
        primary_ip: row.text("Primary IP Address").map(Into::into),
        guest_state: row.text("Guest state").map(Shared::from),
        heartbeat: row.text("Heartbeat").map(Shared::from),
        connection_state: row.text("Connection state").map(Shared::from),
        vmx_path: row.text("Path").map(Into::into),
        annotation: row.text("Annotation").map(Into::into),
        hw_version: num::<u32>(row, "HW version").map(|n| Shared::from(format!("vmx-{n}"))),
        cbt: row.bool("CBT"),
        ..VmDetails::default()
    };
    let mut d = d;
    d.set_memory_active_mb(num(row, "Active Memory"));
    d.set_storage_committed(committed);
    // `Provisioned MiB` is committed plus uncommitted.
    d.set_storage_uncommitted(
        row.mib_bytes("Provisioned MiB")
            .zip(committed)
            .map(|(p, c)| p.saturating_sub(c)),
    );
    d.set_storage_unshared(row.mib_bytes("Unshared MiB"));
    (d != VmDetails::default()).then_some(d)
}

/// vCPU's cores per socket, reservation and limit into `d`.
pub fn vcpu(row: Row<'_>, d: &mut VmDetails) {
    d.set_cores_per_socket(num(row, "Cores p/s").or(d.cores_per_socket()));
    d.set_cpu_reservation(row.int("Reservation").or(d.cpu_reservation()));
    d.set_cpu_limit(row.int("Limit").or(d.cpu_limit()));
}

/// vMemory's reservation, limit, active and consumed memory into `d`.
pub fn vmemory(row: Row<'_>, d: &mut VmDetails) {
    d.set_memory_reservation(row.int("Reservation").or(d.memory_reservation()));
    d.set_memory_limit(row.int("Limit").or(d.memory_limit()));
    d.set_memory_active_mb(num(row, "Active").or(d.memory_active_mb()));
    d.set_memory_consumed_mb(num(row, "Consumed").or(d.memory_consumed_mb()));
}

/// One vNetwork row: an adapter. RVTools names the adapter type without vSphere's `Virtual`
/// prefix (`Vmxnet3`); the model keeps vSphere's name (`VirtualVmxnet3`). The device key is not
/// in the sheet.
pub fn nic(row: Row<'_>) -> Nic {
    let addresses = |column: &str| -> Vec<String> {
        row.text(column)
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut ip_addresses = addresses("IPv4 Address");
    ip_addresses.extend(addresses("IPv6 Address"));
    Nic {
        key: 0,
        label: row.text("NIC label").map(Shared::from),
        adapter: row.text("Adapter").map(|a| {
            if a.starts_with("Virtual") {
                Shared::from(a)
            } else {
                Shared::from(format!("Virtual{a}"))
            }
        }),
        mac: row
            .text("Mac Address")
            .map(|m| m.to_ascii_lowercase().into()),
        network: row.text("Network").map(Shared::from),
        connected: row.bool("Connected"),
        ip_addresses: ip_addresses.into(),
    }
}

/// vHost's hardware columns; `None` when the row has none of them.
pub fn host_hardware(row: Row<'_>) -> Option<HostHardware> {
    let h = HostHardware {
        vendor: row.text("Vendor"),
        model: row.text("Model"),
        memory_bytes: row.mib_bytes("# Memory"),
        cpu_model: row.text("CPU Model"),
        cpu_mhz: num(row, "Speed"),
        cpu_packages: num(row, "# CPU"),
        cpu_cores: num(row, "# Cores"),
        cpu_threads: None,
        nics: num(row, "# NICs"),
        hbas: num(row, "# HBAs"),
    };
    (h != HostHardware::default()).then_some(h)
}

/// vCluster's totals; `None` when the row has none of them.
pub fn cluster_summary(row: Row<'_>) -> Option<ClusterSummary> {
    let s = ClusterSummary {
        num_hosts: num(row, "NumHosts"),
        num_effective_hosts: num(row, "numEffectiveHosts"),
        total_cpu_mhz: num(row, "TotalCpu"),
        num_cpu_cores: num(row, "NumCpuCores"),
        num_cpu_threads: num(row, "NumCpuThreads"),
        effective_cpu_mhz: num(row, "Effective Cpu"),
        total_memory_bytes: row.mib_bytes("TotalMemory"),
        effective_memory_mb: num(row, "Effective Memory"),
    };
    (s != ClusterSummary::default()).then_some(s)
}

/// vDatastore's `Provisioned MiB` is what is used plus what thin disks may still grow by: the
/// latter back, in bytes.
pub fn datastore_uncommitted(row: Row<'_>) -> Option<u64> {
    let used = row
        .mib_bytes("Capacity MiB")?
        .saturating_sub(row.mib_bytes("Free MiB")?);
    Some(row.mib_bytes("Provisioned MiB")?.saturating_sub(used))
}

#[cfg(test)]
mod tests {
    use super::super::sheet::Sheet;
    use super::*;
    use calamine::{Data, Range};

    const MIB: u64 = 1024 * 1024;

    fn sheet(header: &[&str], values: Vec<Data>) -> Sheet {
        let mut r = Range::new((0, 0), (1, header.len() as u32 - 1));
        for (i, h) in header.iter().enumerate() {
            r.set_value((0, i as u32), Data::String(h.to_string()));
        }
        for (i, v) in values.into_iter().enumerate() {
            r.set_value((1, i as u32), v);
        }
        Sheet::new("vInfo", r)
    }

    #[test]
    fn vinfo_sizes_and_versions_read_back() {
        let s = sheet(
            &[
                "HW version",
                "CBT",
                "In Use MiB",
                "Provisioned MiB",
                "DNS Name",
            ],
            vec![
                Data::Int(19),
                Data::String("FALSE".into()),
                Data::Int(10),
                Data::Int(25),
                Data::Empty,
            ],
        );
        let d = vinfo_details(s.rows().next().unwrap()).unwrap();
        assert_eq!(d.hw_version.as_deref(), Some("vmx-19"));
        assert_eq!(d.cbt, Some(false));
        assert_eq!(d.storage_committed(), Some(10 * MIB));
        assert_eq!(d.storage_uncommitted(), Some(15 * MIB));
        assert_eq!(d.dns_name, None, "empty is unknown");
        let s = sheet(
            &["VM", "DNS Name"],
            vec![Data::String("web".into()), Data::Empty],
        );
        assert_eq!(vinfo_details(s.rows().next().unwrap()), None);
    }

    #[test]
    fn a_nic_gets_vsphere_s_adapter_name_and_both_address_families() {
        let s = sheet(
            &["Adapter", "IPv4 Address", "IPv6 Address", "Mac Address"],
            vec![
                Data::String("Vmxnet3".into()),
                Data::String("10.0.0.1, 10.0.0.2".into()),
                Data::String("fe80::1".into()),
                Data::String("00:50:56:AA:BB:CC".into()),
            ],
        );
        let n = nic(s.rows().next().unwrap());
        assert_eq!(n.adapter.as_deref(), Some("VirtualVmxnet3"));
        assert_eq!(
            n.ip_addresses,
            ["10.0.0.1", "10.0.0.2", "fe80::1"].map(String::from).into()
        );
        assert_eq!(
            n.mac.as_ref().map(ToString::to_string).as_deref(),
            Some("00:50:56:aa:bb:cc")
        );
    }
}
