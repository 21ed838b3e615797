//! Manual checks: requirements the vSphere API cannot see.
//!
//! They are never dropped: each is listed in `summary.csv` (status `manual`) and by
//! `vcaudit rules` with the number of audited VMs it applies to, so the reader knows what is left
//! to verify inside the guests.
//!
//! Whom a check applies to is decided from the VM's guest OS as identified in [`super::os`]
//! (configured guest id refined by the Tools report). A VM whose OS cannot be classified counts
//! toward every OS-specific check: its OS must be verified by hand anyway, and leaving it out would
//! understate the manual work. Likewise an `other` Linux counts toward the RHEL/CentOS 7 and Oracle
//! Linux checks, and a guest id covering several releases (`centos64Guest`, CentOS 4/5/6) counts
//! toward a check for any of them. An OS that is known not to match (a Windows VM for a Linux
//! check, RHEL 6 for the RHEL/CentOS 7 check) does not count.

use super::os::{Family, OsIdentity};
use super::rules::{Document, MACHINE_SUBSECTION, Source};

/// The VMs a manual check applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesTo {
    AllVms,
    Windows,
    Linux,
    RhelCentos7,
    OracleLinux,
    Rhel,
}

impl AppliesTo {
    /// The report spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AppliesTo::AllVms => "all VMs",
            AppliesTo::Windows => "Windows VMs",
            AppliesTo::Linux => "Linux VMs",
            AppliesTo::RhelCentos7 => "RHEL/CentOS 7 VMs",
            AppliesTo::OracleLinux => "Oracle Linux VMs",
            AppliesTo::Rhel => "RHEL VMs",
        }
    }

    /// Whether a VM with this OS may need the check (see the module doc for unknown OSes).
    pub fn matches(self, os: &OsIdentity) -> bool {
        match self {
            AppliesTo::AllVms => true,
            AppliesTo::Windows => os.may_be_windows(),
            AppliesTo::Linux => os.may_be_linux(),
            AppliesTo::RhelCentos7 => {
                os.may_be(Family::Rhel, Some("7")) || os.may_be(Family::CentOs, Some("7"))
            }
            AppliesTo::OracleLinux => os.may_be(Family::OracleLinux, None),
            AppliesTo::Rhel => os.may_be(Family::Rhel, None),
        }
    }
}

/// A requirement to verify by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualCheck {
    /// Stable id, `manual-...`.
    pub id: &'static str,
    /// What to verify.
    pub text: &'static str,
    pub source: Source,
    pub applies_to: AppliesTo,
}

const ON_PREMISES: Source = Source::vmware(MACHINE_SUBSECTION, "On-premises (VMware VMs)");
const WINDOWS: Source = Source::vmware(MACHINE_SUBSECTION, "Windows machines");
const LINUX: Source = Source::vmware(MACHINE_SUBSECTION, "Linux machines");

/// Every manual check, in report order.
pub static MANUAL_CHECKS: &[ManualCheck] = &[
    ManualCheck {
        id: "manual-port-20004",
        text: "Port 20004 is open in the VM's local firewall (needed for multi-VM consistency)",
        source: ON_PREMISES,
        applies_to: AppliesTo::AllVms,
    },
    ManualCheck {
        id: "manual-os-drive-c",
        text: "The operating system is installed on drive C:",
        source: WINDOWS,
        applies_to: AppliesTo::Windows,
    },
    ManualCheck {
        id: "manual-os-basic-disk",
        text: "The OS disk is a basic disk, not dynamic (data disks may be dynamic)",
        source: WINDOWS,
        applies_to: AppliesTo::Windows,
    },
    ManualCheck {
        id: "manual-etc-hosts",
        text: "/etc/hosts maps the local host name to the IP addresses of every network adapter",
        source: LINUX,
        applies_to: AppliesTo::Linux,
    },
    ManualCheck {
        id: "manual-ssh-at-boot",
        text: "The SSH service starts at boot and the firewall allows SSH (to connect after failover)",
        source: LINUX,
        applies_to: AppliesTo::Linux,
    },
    ManualCheck {
        id: "manual-english-names",
        text: "Host name, mount points, device names, system paths and file names are in English only",
        source: LINUX,
        applies_to: AppliesTo::Linux,
    },
    ManualCheck {
        id: "manual-os-disk-dirs",
        text: "/, /boot, /usr, /usr/local, /var and /etc (where separate filesystems) are all on the OS disk",
        source: LINUX,
        applies_to: AppliesTo::Linux,
    },
    ManualCheck {
        id: "manual-no-xfs-v5",
        text: "XFS filesystems use no v5 features (xfs_info must not show ftype=1)",
        source: LINUX,
        applies_to: AppliesTo::Linux,
    },
    ManualCheck {
        id: "manual-lsof",
        text: "The lsof utility is installed",
        source: LINUX,
        applies_to: AppliesTo::RhelCentos7,
    },
    ManualCheck {
        id: "manual-oracle-kernel",
        text: "Oracle Linux runs the Red Hat compatible kernel or the Unbreakable Enterprise Kernel Release 3 (UEK3)",
        source: LINUX,
        applies_to: AppliesTo::OracleLinux,
    },
    // Today's support matrix.
    ManualCheck {
        id: "manual-nic-teaming",
        text: "The guest uses no NIC teaming (not supported)",
        source: Source::matrix("Machine", "NIC teaming"),
        applies_to: AppliesTo::AllVms,
    },
    ManualCheck {
        id: "manual-4k-sector",
        text: "No disk has 4K native sectors (the hypervisor does not show the guest's sector size)",
        source: Source::matrix("Machine", "4K-sector disks"),
        applies_to: AppliesTo::AllVms,
    },
    ManualCheck {
        id: "manual-bitlocker",
        text: "No volume is encrypted with BitLocker inside the guest",
        source: Source::matrix("Machine", "(and BitLocker in the guest)"),
        applies_to: AppliesTo::Windows,
    },
    ManualCheck {
        id: "manual-rhel-kernel",
        text: "The RHEL update runs a kernel the support matrix lists for it (some updates have kernel conditions)",
        source: Source::matrix(
            "Guest operating systems (64-bit)",
            "some updates with kernel conditions: a manual check",
        ),
        applies_to: AppliesTo::Rhel,
    },
];

/// The manual checks of profiles following `document`, in report order.
pub fn of_document(document: Document) -> impl Iterator<Item = &'static ManualCheck> {
    MANUAL_CHECKS
        .iter()
        .filter(move |c| c.source.document == document)
}

/// The manual checks of the seed that apply to a VM with this OS.
#[cfg(test)]
fn applicable(os: &OsIdentity) -> impl Iterator<Item = &'static ManualCheck> + '_ {
    of_document(Document::Prerequisites2017).filter(move |c| c.applies_to.matches(os))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::os::{GuestOs, from_guest_id};

    fn ids(os: &OsIdentity) -> Vec<&'static str> {
        applicable(os).map(|c| c.id).collect()
    }

    #[test]
    fn ids_are_unique_and_prefixed_and_sources_cited() {
        let mut seen = std::collections::HashSet::new();
        for c in MANUAL_CHECKS {
            assert!(c.id.starts_with("manual-"), "{}", c.id);
            assert!(seen.insert(c.id), "duplicate {}", c.id);
            crate::audit::rules::tests::assert_cited(&c.source);
        }
        let current: Vec<&str> = of_document(Document::SupportMatrix2026)
            .map(|c| c.id)
            .collect();
        assert_eq!(
            current,
            [
                "manual-nic-teaming",
                "manual-4k-sector",
                "manual-bitlocker",
                "manual-rhel-kernel"
            ]
        );
    }

    #[test]
    fn windows_vms_get_windows_checks_only() {
        let ids = ids(&from_guest_id("windows8Server64Guest", None));
        assert_eq!(
            ids,
            [
                "manual-port-20004",
                "manual-os-drive-c",
                "manual-os-basic-disk"
            ]
        );
    }

    #[test]
    fn rhel7_gets_lsof_but_rhel6_does_not() {
        let rhel7 = ids(&from_guest_id("rhel7_64Guest", None));
        assert!(rhel7.contains(&"manual-lsof") && rhel7.contains(&"manual-etc-hosts"));
        assert!(!rhel7.contains(&"manual-os-drive-c") && !rhel7.contains(&"manual-oracle-kernel"));
        let rhel6 = ids(&from_guest_id("rhel6_64Guest", None));
        assert!(!rhel6.contains(&"manual-lsof"));
        let centos7 = GuestOs::from_parts(
            Some("centos64Guest"),
            None,
            Some("CentOS 7.2 (64-bit)"),
            None,
        );
        assert!(ids(&centos7.identity).contains(&"manual-lsof"));
        let oracle = ids(&from_guest_id("oracleLinux64Guest", None));
        assert!(oracle.contains(&"manual-oracle-kernel") && !oracle.contains(&"manual-lsof"));
    }

    #[test]
    fn unknown_os_gets_every_check() {
        assert_eq!(
            ids(&OsIdentity::unknown()).len(),
            of_document(Document::Prerequisites2017).count()
        );
        let other_linux = ids(&from_guest_id("otherLinux64Guest", None));
        assert!(
            other_linux.contains(&"manual-lsof") && !other_linux.contains(&"manual-os-drive-c")
        );
    }
}
