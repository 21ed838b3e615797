//! `install-space`: the filesystems the Mobility service needs have enough free space.
//!
//! The Mobility service is installed in the guest and needs free space on given filesystems. The
//! profile lists, per OS kind, the paths and the free space each needs. The check reads the guest
//! filesystems VMware Tools report (`guest.disk`): on Windows the one mounted at the path (compared
//! without case and without a trailing backslash), on Linux the one with the longest mount path
//! that is a prefix of the path by whole components (`/usr/local`, else `/usr`, else `/`). Exactly
//! the minimum passes. The OS kind comes from the identified guest OS; when that is unknown, from
//! the reported paths (drive letters mean Windows, `/` paths mean Linux). One outcome per path.
//!
//! Unknown when Tools report no filesystems, when a path's filesystem is not among them, or when
//! its free space is not reported.
//!
//! Parameters: `windows` and `linux`, lists of `{ path, min_free_mib }`.
//!
//! Sources: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "A minimum 2 GB of available space on the installation drive is required for component
//! installation." (2 GiB on `C:\` or `/usr/local`). Today's support matrix, "Machine": "Free space
//! for the Mobility agent: Windows 500 MB on the installation volume; Linux 2 GB on the root
//! partition (`/`) and 600 MB on the installation folder's filesystem (`/usr/local`)."

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os::OsKind;
use crate::audit::util::fmt_gib;
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::GuestDisk;

pub struct InstallSpace;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// What Windows guests need.
    pub windows: Vec<Need>,
    /// What Linux guests need.
    pub linux: Vec<Need>,
}

/// Free space needed on the filesystem holding `path`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Need {
    pub path: String,
    pub min_free_mib: u64,
}

impl Need {
    fn bytes(&self) -> u64 {
        self.min_free_mib.saturating_mul(1024 * 1024)
    }

    /// `2 GiB` or `500 MiB`.
    fn amount(&self) -> String {
        if self.min_free_mib.is_multiple_of(1024) {
            format!("{} GiB", self.min_free_mib / 1024)
        } else {
            format!("{} MiB", self.min_free_mib)
        }
    }
}

static META: RuleMeta = RuleMeta {
    id: "install-space",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "The filesystems the Mobility service needs have enough free space",
    sources: &[
        Source::vmware(MACHINE_SUBSECTION, "On-premises (VMware VMs)"),
        Source::matrix(
            "Machine",
            "Free space for the Mobility agent: Windows 500 MB on the installation volume",
        ),
    ],
};

impl Rule for InstallSpace {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let disks = &v.vm.guest_disks;
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
        let needs = match windows {
            Some(true) => &p.windows,
            Some(false) => &p.linux,
            None => {
                let all: Vec<String> = p
                    .windows
                    .iter()
                    .chain(&p.linux)
                    .map(|n| format!("{} on {}", n.amount(), n.path))
                    .collect();
                let why = if disks.is_empty() {
                    "VMware Tools report no filesystems"
                } else {
                    "neither the guest OS nor its filesystems tell Windows from Linux"
                };
                out.push(Outcome::unknown(
                    format!("{why}; verify free space ({})", all.join(", ")),
                    "",
                    "",
                ));
                return;
            }
        };
        for need in needs {
            out.push(check(need, disks, windows == Some(true)));
        }
    }
}

fn check(need: &Need, disks: &[GuestDisk], windows: bool) -> Outcome {
    let expected = || format!(">= {} free", need.amount());
    let path = need.path.as_str();
    if disks.is_empty() {
        return Outcome::unknown(
            format!(
                "VMware Tools report no filesystems; verify {} free on {path}",
                need.amount()
            ),
            "",
            expected(),
        );
    }
    let found = if windows {
        windows_disk(disks, path)
    } else {
        longest_prefix(disks, path)
    };
    let Some(disk) = found else {
        return Outcome::unknown(
            format!(
                "no reported filesystem holds {path}; verify {} free there",
                need.amount()
            ),
            "",
            expected(),
        );
    };
    let Some(free) = disk.free_bytes() else {
        return Outcome::unknown(
            format!(
                "free space of \"{}\" not reported; verify {} free",
                disk.path,
                need.amount()
            ),
            "",
            expected(),
        );
    };
    if free >= need.bytes() {
        Outcome::pass()
    } else {
        Outcome::fail(
            format!(
                "\"{}\" has {} free; at least {} is needed",
                disk.path,
                fmt_gib(free),
                need.amount()
            ),
            format!("{} free", fmt_gib(free)),
            expected(),
        )
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
        GuestDisk::new(path.into(), Some(100 * GIB), free)
    }

    fn linux(disks: Vec<GuestDisk>) -> Outcome {
        let v = Vm {
            guest_id: Some("rhel7_64Guest".into()),
            guest_os_config: None,
            guest_os_tools: Some("Red Hat Enterprise Linux 7.2 (64-bit)".into()),
            guest_disks: disks.into(),
            ..vm("a")
        };
        only(run_vm(&InstallSpace, &default_params(&InstallSpace), v))
    }

    fn windows(disks: Vec<GuestDisk>) -> Outcome {
        let v = Vm {
            guest_disks: disks.into(),
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
            guest_disks: vec![gd("/", Some(GIB))].into(),
            ..vm("a")
        };
        let o = only(run_vm(&InstallSpace, &default_params(&InstallSpace), v));
        assert_eq!(o.status, Status::Fail);
    }

    #[test]
    fn todays_matrix_checks_root_and_usr_local_apart() {
        let p = current_params(&InstallSpace);
        let v = Vm {
            guest_id: Some("rhel8_64Guest".into()),
            guest_os_config: None,
            guest_os_tools: None,
            guest_disks: vec![gd("/", Some(GIB)), gd("/usr/local", Some(GIB))].into(),
            ..vm("a")
        };
        let out = run_vm(&InstallSpace, &p, v);
        assert_eq!(statuses(&out), [Status::Fail, Status::Pass]);
        assert_eq!(
            out[0].message,
            "\"/\" has 1 GiB free; at least 2 GiB is needed"
        );
        let w = Vm {
            guest_disks: vec![gd("C:\\", Some(600 * 1024 * 1024))].into(),
            ..vm("w")
        };
        assert_eq!(only(run_vm(&InstallSpace, &p, w)).status, Status::Pass);
        let w = Vm {
            guest_disks: vec![gd("C:\\", Some(400 * 1024 * 1024))].into(),
            ..vm("w")
        };
        let o = only(run_vm(&InstallSpace, &p, w));
        assert!(
            o.message.ends_with("at least 500 MiB is needed"),
            "{}",
            o.message
        );
    }

    #[test]
    fn the_profile_sets_the_minimum() {
        let p = params_with(
            &InstallSpace,
            "windows = [{ path = 'C:\\', min_free_mib = 20480 }]",
        );
        let v = Vm {
            guest_disks: vec![gd("C:\\", Some(10 * GIB))].into(),
            ..vm("a")
        };
        assert_eq!(only(run_vm(&InstallSpace, &p, v)).status, Status::Fail);
    }
}
