//! Guest ids (`config.guestId`, `guest.guestId`) as vSphere names them: `rhel7_64Guest`,
//! `windows8Server64Guest`, `otherLinux64Guest`.

use super::{Arch, Family, OsIdentity, OsKind, strings};

/// `rest` of a versioned guest id after its prefix: `7_64Guest` -> `Some(Some("7"))`,
/// `64Guest` or `Guest` -> `Some(None)`; `None` when it is not of that shape.
fn guest_id_version(rest: &str) -> Option<Option<String>> {
    let rest = rest.strip_suffix("Guest")?;
    let rest = if rest == "64" {
        ""
    } else {
        rest.strip_suffix("_64").unwrap_or(rest)
    };
    if rest.is_empty() {
        Some(None)
    } else if rest.bytes().all(|b| b.is_ascii_digit()) {
        Some(Some(rest.to_string()))
    } else {
        None
    }
}

/// Identifies a vSphere guest id (`config.guestId` or `guest.guestId`). `full_name` is the
/// matching full name, used to describe OSes outside [`Family`].
pub fn from_guest_id(id: &str, full_name: Option<&str>) -> OsIdentity {
    // ESXi (`vmkernel*Guest`, nested hosts) is 64-bit whatever its id says.
    let arch = if id.contains("64") || id.starts_with("vmkernel") {
        Arch::X64
    } else {
        Arch::X86
    };
    let raw = full_name.unwrap_or(id);
    let windows =
        |majors: &[&str]| OsIdentity::family(Family::WindowsServer, arch, strings(majors), raw);
    match id {
        "windows8Server64Guest" => return windows(&["2012", "2012 R2"]),
        "windows7Server64Guest" => return windows(&["2008 R2"]),
        "winLonghornGuest" | "winLonghorn64Guest" => return windows(&["2008"]),
        "winNetEnterpriseGuest"
        | "winNetDatacenterGuest"
        | "winNetStandardGuest"
        | "winNetWebGuest"
        | "winNetBusinessGuest"
        | "winNetEnterprise64Guest"
        | "winNetDatacenter64Guest"
        | "winNetStandard64Guest" => return windows(&["2003"]),
        "windows9Server64Guest" => return windows(&["2016"]),
        "windows2019srv_64Guest" => return windows(&["2019"]),
        "windows2019srvNext_64Guest" => return windows(&["2022"]),
        "windows2022srvNext_64Guest" => return windows(&["2025"]),
        _ => {}
    }
    let family = |f: Family, majors: &[&str]| {
        let majors = (!majors.is_empty()).then(|| strings(majors)).flatten();
        OsIdentity::family(f, arch, majors, raw)
    };
    match id {
        "windows7Guest" | "windows7_64Guest" => return family(Family::WindowsClient, &["7"]),
        "windows8Guest" | "windows8_64Guest" => return family(Family::WindowsClient, &["8"]),
        "windows9Guest" | "windows9_64Guest" => return family(Family::WindowsClient, &["10"]),
        "windows11_64Guest" => return family(Family::WindowsClient, &["11"]),
        "ubuntuGuest" | "ubuntu64Guest" => return family(Family::Ubuntu, &[]),
        "rockylinux_64Guest" => return family(Family::Rocky, &[]),
        _ => {}
    }
    // Families whose guest ids carry the major release: rhel7_64Guest, centos6Guest, sles11_64Guest.
    // Without a number the id covers several releases.
    let versioned: [(&str, Family, Option<&[&str]>); 5] = [
        ("rhel", Family::Rhel, None),
        ("centos", Family::CentOs, Some(&["4", "5", "6"])),
        ("oracleLinux", Family::OracleLinux, Some(&["4", "5", "6"])),
        ("sles", Family::Sles, None),
        ("debian", Family::Debian, None),
    ];
    for (prefix, family, unnumbered) in versioned {
        if let Some(version) = id.strip_prefix(prefix).and_then(guest_id_version) {
            let majors = match version {
                Some(v) => Some(vec![v]),
                None => unnumbered.and_then(strings),
            };
            return OsIdentity::family(family, arch, majors, raw);
        }
    }
    let lower = id.to_ascii_lowercase();
    let (kind, specific) = if lower.starts_with("other") {
        let kind = if lower.contains("linux") {
            OsKind::Linux
        } else {
            OsKind::Unknown
        };
        (kind, false)
    } else if lower.starts_with("win") {
        (OsKind::Windows, true)
    } else if lower.contains("linux") || LINUX_GUEST_IDS.iter().any(|p| lower.starts_with(p)) {
        (OsKind::Linux, true)
    } else {
        (OsKind::Other, true)
    };
    OsIdentity {
        kind,
        specific,
        arch: if specific { arch } else { Arch::Unknown },
        raw: raw.to_string(),
        ..OsIdentity::unknown()
    }
}

/// Prefixes (lower case) of Linux guest ids that do not contain "linux".
const LINUX_GUEST_IDS: &[&str] = &[
    "rhel",
    "centos",
    "sles",
    "suse",
    "opensuse",
    "ubuntu",
    "debian",
    "fedora",
    "mandrake",
    "mandriva",
    "asianux",
    "coreos",
    "vmwarephoton",
    "turbolinux",
    "redhat",
    "rocky",
    "alma",
    "amazon",
    "miracle",
    "nld",
    "oes",
    "sjds",
    "pardus",
    "kylin",
    "fusionos",
    "prolinux",
    "crx",
];
