//! Full names VMware Tools report from inside a running guest (`guest.guestFullName`), such as
//! `Red Hat Enterprise Linux 7.2 (64-bit)`: they may add the minor release or service pack.

use super::{Arch, Family, OsIdentity, OsKind};

/// Tools full-name prefixes (lower case) of the listed families, longest first where they overlap.
const TOOLS_FAMILIES: &[(&str, Family)] = &[
    ("microsoft windows server", Family::WindowsServer),
    ("windows server", Family::WindowsServer),
    ("red hat enterprise linux", Family::Rhel),
    ("centos linux", Family::CentOs),
    ("centos", Family::CentOs),
    ("oracle enterprise linux", Family::OracleLinux),
    ("oracle linux", Family::OracleLinux),
    ("suse linux enterprise server", Family::Sles),
    ("suse linux enterprise", Family::Sles),
    ("microsoft windows", Family::WindowsClient),
    ("windows", Family::WindowsClient),
    ("ubuntu linux", Family::Ubuntu),
    ("ubuntu", Family::Ubuntu),
    ("debian gnu/linux", Family::Debian),
    ("debian", Family::Debian),
    ("rocky linux", Family::Rocky),
];

/// Tools full-name prefixes (lower case) of OSes outside the listed families.
const TOOLS_OTHERS: &[(&str, OsKind)] = &[
    ("fedora", OsKind::Linux),
    ("red hat fedora", OsKind::Linux),
    ("opensuse", OsKind::Linux),
    ("suse opensuse", OsKind::Linux),
    ("suse linux", OsKind::Linux),
    ("novell linux", OsKind::Linux),
    ("mandriva", OsKind::Linux),
    ("mandrake", OsKind::Linux),
    ("asianux", OsKind::Linux),
    ("coreos", OsKind::Linux),
    ("vmware photon", OsKind::Linux),
    ("amazon linux", OsKind::Linux),
    ("almalinux", OsKind::Linux),
    ("turbolinux", OsKind::Linux),
    ("freebsd", OsKind::Other),
    ("sun solaris", OsKind::Other),
    ("oracle solaris", OsKind::Other),
    ("solaris", OsKind::Other),
    ("apple", OsKind::Other),
    ("mac os", OsKind::Other),
    ("novell netware", OsKind::Other),
    ("ibm os/2", OsKind::Other),
    ("ms-dos", OsKind::Other),
];

/// Identifies a Tools-reported full name such as `CentOS 6.7 (64-bit)`. `None` when the name does
/// not identify an OS (`Other 3.x Linux (64-bit)`, an unrecognized name).
pub fn from_tools_name(name: &str) -> Option<OsIdentity> {
    let name = name.trim();
    let lower = name.to_ascii_lowercase();
    let arch = if lower.contains("64-bit") {
        Arch::X64
    } else if lower.contains("32-bit") {
        Arch::X86
    } else {
        Arch::Unknown
    };
    if lower.is_empty() || lower.starts_with("other") {
        return None;
    }
    if let Some(&(prefix, family)) = TOOLS_FAMILIES.iter().find(|(p, _)| lower.starts_with(p)) {
        let rest = &name[prefix.len()..];
        let mut id = OsIdentity::family(family, arch, None, name);
        if family == Family::WindowsServer {
            parse_windows_release(rest, &mut id);
        } else if family == Family::WindowsClient {
            parse_windows_client_release(rest, &mut id);
        } else {
            parse_linux_release(rest, &mut id);
        }
        return Some(id);
    }
    let &(_, kind) = TOOLS_OTHERS.iter().find(|(p, _)| lower.starts_with(p))?;
    Some(OsIdentity {
        kind,
        specific: true,
        arch,
        raw: name.to_string(),
        ..OsIdentity::unknown()
    })
}

/// Tokens of a release, without the `(64-bit)` part.
fn release_tokens(rest: &str) -> Vec<&str> {
    let rest = rest.split('(').next().unwrap_or_default();
    rest.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect()
}

/// A service pack in `SP3`, `SP 3` or `Service Pack 3`.
fn parse_sp(tokens: &[&str]) -> Option<u32> {
    for (i, t) in tokens.iter().enumerate() {
        let lower = t.to_ascii_lowercase();
        if let Some(n) = lower.strip_prefix("sp") {
            if n.is_empty() {
                return tokens.get(i + 1)?.parse().ok();
            }
            if let Ok(n) = n.parse() {
                return Some(n);
            }
        }
        if lower == "pack" && i > 0 && tokens[i - 1].eq_ignore_ascii_case("service") {
            return tokens.get(i + 1)?.parse().ok();
        }
    }
    None
}

/// `2012 R2 Datacenter, Service Pack 1` after `Windows Server`.
fn parse_windows_release(rest: &str, id: &mut OsIdentity) {
    let tokens = release_tokens(rest);
    if let Some(i) = tokens
        .iter()
        .position(|t| t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut major = tokens[i].to_string();
        if tokens
            .get(i + 1)
            .is_some_and(|t| t.eq_ignore_ascii_case("r2"))
        {
            major.push_str(" R2");
        }
        id.majors = Some(vec![major]);
    }
    id.sp = parse_sp(&tokens);
}

/// `10 Enterprise`, `8.1`, `7 Professional, Service Pack 1` after `Microsoft Windows`: the first
/// token of digits (and a dot) is the release. Names without one (XP, Vista) stay vague.
fn parse_windows_client_release(rest: &str, id: &mut OsIdentity) {
    let tokens = release_tokens(rest);
    if let Some(v) = tokens.iter().find(|t| {
        t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && t.starts_with(|c: char| c.is_ascii_digit())
    }) {
        let mut parts = v.split('.');
        id.majors = parts.next().map(|m| vec![m.to_string()]);
        id.minor = parts.next().filter(|m| !m.is_empty()).map(str::to_string);
    }
    id.sp = parse_sp(&tokens);
}

/// `7.2`, `4/5/6`, `11 SP3` or `release 7.2.1511` after a Linux family name.
fn parse_linux_release(rest: &str, id: &mut OsIdentity) {
    let tokens = release_tokens(rest);
    if let Some(version) = tokens
        .iter()
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
    {
        let version = version.trim_end_matches(|c: char| !c.is_ascii_digit());
        if version.contains('/') {
            let majors: Vec<String> = version
                .split('/')
                .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string)
                .collect();
            id.majors = (!majors.is_empty()).then_some(majors);
        } else {
            let mut parts = version.split('.');
            id.majors = parts.next().map(|m| vec![m.to_string()]);
            id.minor = parts
                .next()
                .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string);
        }
    }
    id.sp = parse_sp(&tokens);
}
