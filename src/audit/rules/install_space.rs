//! `install-space`: the filesystem holding the install path has at least 2 GiB free.
//!
//! The Mobility service is installed in the guest, on Windows under `C:\`, on Linux under
//! `/usr/local`, and needs 2 GiB of free space there. The check reads the guest filesystems VMware
//! Tools report (`guest.disk`): on Windows the one mounted at `windows_path` (compared without case
//! and without a trailing backslash), on Linux the one with the longest mount path that is a prefix
//! of `linux_path` by whole components (`/usr/local`, else `/usr`, else `/`). Exactly `min_free_gib`
//! free passes. The OS kind comes from the identified guest OS; when that is unknown, from the
//! reported paths (drive letters mean Windows, `/` paths mean Linux).
//!
//! Unknown when Tools report no filesystems, when the install filesystem is not among them, or when
//! its free space is not reported.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "A minimum 2 GB of available space on the installation drive is required for component
//! installation."

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os::OsKind;
use crate::audit::util::{GIB, fmt_gib};
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::GuestDisk;

pub struct InstallSpace;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Free space needed, in GiB.
    pub min_free_gib: u64,
    /// Install path on Windows.
    pub windows_path: String,
    /// Install path on Linux.
    pub linux_path: String,
}

static META: RuleMeta = RuleMeta {
    id: "install-space",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "The install filesystem (C:\\ or /usr/local) has at least 2 GiB free",
    source: Source::vmware(MACHINE_SUBSECTION, "On-premises (VMware VMs)"),
};

impl Rule for InstallSpace {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let disks = &v.vm.guest_disks;
        let expected = || format!(">= {} GiB free", p.min_free_gib);
        let windows = match v.os.identity.kind {
            OsKind::Windows => Some(true),
            OsKind::Linux => Some(false),
            OsKind::Other | OsKind::Unknown => {
                if disks.iter().any(|d| is_drive(&d.path)) {
                    Some(true)
                } else if disks.iter().any(|d| d.path.starts_with('/')) {
                    Some(false)
                } else {
                    None
                }
            }
        };
        let install_path = match windows {
            Some(true) => p.windows_path.as_str(),
            Some(false) => p.linux_path.as_str(),
            None => "the install path",
        };
        if disks.is_empty() {
            out.push(Outcome::unknown(
                format!(
                    "VMware Tools report no filesystems; verify {} GiB free on {install_path}",
                    p.min_free_gib
                ),
                "",
                expected(),
            ));
            return;
        }
        let found = match windows {
            Some(true) => windows_disk(disks, &p.windows_path),
            Some(false) => longest_prefix(disks, &p.linux_path),
            None => None,
        };
        let Some(disk) = found else {
            out.push(Outcome::unknown(
                format!(
                    "no reported filesystem holds {install_path}; verify {} GiB free there",
                    p.min_free_gib
                ),
                "",
                expected(),
            ));
            return;
        };
        let Some(free) = disk.free_bytes else {
            out.push(Outcome::unknown(
                format!(
                    "free space of \"{}\" not reported; verify {} GiB free",
                    disk.path, p.min_free_gib
                ),
                "",
                expected(),
            ));
            return;
        };
        if free >= p.min_free_gib.saturating_mul(GIB) {
            out.push(Outcome::pass());
        } else {
            out.push(Outcome::fail(
                format!(
                    "\"{}\" has {} free; at least {} GiB is needed",
                    disk.path,
                    fmt_gib(free),
                    p.min_free_gib
                ),
                format!("{} free", fmt_gib(free)),
                expected(),
            ));
        }
    }
}

/// `C:\`, `d:` ...
fn is_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

fn windows_disk<'a>(disks: &'a [GuestDisk], path: &str) -> Option<&'a GuestDisk> {
    let want = path.trim_end_matches('\\');
    disks
        .iter()
        .find(|d| d.path.trim_end_matches('\\').eq_ignore_ascii_case(want))
}

/// The filesystem whose mount path is the longest whole-component prefix of `path`.
fn longest_prefix<'a>(disks: &'a [GuestDisk], path: &str) -> Option<&'a GuestDisk> {
    disks
        .iter()
        .filter_map(|d| {
            let mount = if d.path == "/" {
                "/"
            } else {
                d.path.trim_end_matches('/')
            };
            let holds = mount == "/"
                || path == mount
                || path
                    .strip_prefix(mount)
                    .is_some_and(|rest| rest.starts_with('/'));
            (holds && mount.starts_with('/')).then_some((mount.len(), d))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::Vm;

    fn gd(path: &str, free: Option<u64>) -> GuestDisk {
        GuestDisk {
            path: path.into(),
            capacity_bytes: Some(100 * GIB),
            free_bytes: free,
        }
    }

    fn linux(disks: Vec<GuestDisk>) -> Outcome {
        let v = Vm {
            guest_id: Some("rhel7_64Guest".into()),
            guest_os_config: None,
            guest_os_tools: Some("Red Hat Enterprise Linux 7.2 (64-bit)".into()),
            guest_disks: disks,
            ..vm("a")
        };
        only(run_vm(&InstallSpace, &default_params(&InstallSpace), v))
    }

    fn windows(disks: Vec<GuestDisk>) -> Outcome {
        let v = Vm {
            guest_disks: disks,
            ..vm("a")
        };
        only(run_vm(&InstallSpace, &default_params(&InstallSpace), v))
    }

    #[test]
    fn exactly_two_gib_passes() {
        assert_eq!(
            windows(vec![gd("C:\\", Some(2 * GIB))]).status,
            Status::Pass
        );
        let o = windows(vec![gd("C:\\", Some(2 * GIB - 1))]);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.starts_with("\"C:\\\" has 2.00 GiB ("),
            "{}",
            o.message
        );
        assert!(
            o.message.ends_with("free; at least 2 GiB is needed"),
            "{}",
            o.message
        );
    }

    #[test]
    fn windows_drive_is_matched_without_case() {
        let disks = vec![gd("D:\\", Some(100 * GIB)), gd("c:\\", Some(GIB))];
        let o = windows(disks);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "\"c:\\\" has 1 GiB free; at least 2 GiB is needed"
        );
        assert_eq!(windows(vec![gd("c:", Some(5 * GIB))]).status, Status::Pass);
    }

    #[test]
    fn windows_without_c_is_unknown() {
        let o = windows(vec![gd("D:\\", Some(100 * GIB))]);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message.starts_with("no reported filesystem holds C:\\"),
            "{}",
            o.message
        );
    }

    #[test]
    fn longest_mount_prefix_decides() {
        let base = || {
            vec![
                gd("/", Some(GIB)),
                gd("/usr", Some(3 * GIB)),
                gd("/usrlocal", Some(0)),
            ]
        };
        // /usr holds /usr/local: 3 GiB free passes though / has 1 GiB.
        assert_eq!(linux(base()).status, Status::Pass);
        // /usr/local itself wins over /usr.
        let mut d = base();
        d.push(gd("/usr/local", Some(GIB / 2)));
        let o = linux(d);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.starts_with("\"/usr/local\" has 0.50 GiB"),
            "{}",
            o.message
        );
        // Only / is left.
        assert_eq!(
            linux(vec![gd("/", Some(GIB)), gd("/home", Some(50 * GIB))]).status,
            Status::Fail
        );
        assert_eq!(linux(vec![gd("/", Some(2 * GIB))]).status, Status::Pass);
        // A trailing slash on the mount path is tolerated.
        assert_eq!(
            linux(vec![gd("/", Some(0)), gd("/usr/", Some(9 * GIB))]).status,
            Status::Pass
        );
    }

    #[test]
    fn no_filesystems_or_no_free_space_is_unknown() {
        let o = linux(vec![]);
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.message,
            "VMware Tools report no filesystems; verify 2 GiB free on /usr/local"
        );
        assert_eq!(linux(vec![gd("/", None)]).status, Status::Unknown);
        assert_eq!(linux(vec![gd("/home", Some(GIB))]).status, Status::Unknown);
    }

    #[test]
    fn unknown_os_is_inferred_from_paths() {
        let v = Vm {
            guest_id: None,
            guest_os_config: None,
            guest_os_tools: None,
            guest_disks: vec![gd("/", Some(GIB))],
            ..vm("a")
        };
        let o = only(run_vm(&InstallSpace, &default_params(&InstallSpace), v));
        assert_eq!(o.status, Status::Fail);
    }

    #[test]
    fn the_profile_sets_the_minimum() {
        let p = params_with(&InstallSpace, "min_free_gib = 20");
        let v = Vm {
            guest_disks: vec![gd("C:\\", Some(10 * GIB))],
            ..vm("a")
        };
        assert_eq!(only(run_vm(&InstallSpace, &p, v)).status, Status::Fail);
    }
}
