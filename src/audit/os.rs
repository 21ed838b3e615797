//! Identifying a VM's guest operating system from what vSphere reports.
//!
//! Two sources: the configured guest id (`config.guestId`, chosen by whoever created the VM, e.g.
//! `rhel7_64Guest`) and what VMware Tools report from inside the running guest (`guest.guestFullName`
//! such as `Red Hat Enterprise Linux 7.2 (64-bit)`, or failing that `guest.guestId`). The guest id
//! names a family and usually a major release; the Tools name may add the minor release or service
//! pack. When both are present, the Tools report refines the configured id (it describes what really
//! runs); when they contradict each other the Tools report wins and the contradiction is kept in
//! [`GuestOs::disagreement`] so that rules can say so.
//!
//! Nothing here guesses: an `other*` guest id, an unrecognized Tools name, or a guest id that covers
//! several releases (`centos64Guest` is "CentOS 4/5/6") stays vague, and rules turn vagueness into
//! `unknown`. The families listed in [`Family`] are the ones the ASR requirements name; every other
//! OS is identified only by kind (Windows, Linux, other).

/// Windows, Linux, something else, or not known at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OsKind {
    Windows,
    Linux,
    Other,
    Unknown,
}

/// The OS families the ASR requirements list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    WindowsServer,
    Rhel,
    CentOs,
    OracleLinux,
    Sles,
    /// Windows desktop releases (7, 8, 8.1, 10, 11).
    WindowsClient,
    Ubuntu,
    Debian,
    Rocky,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::WindowsServer,
        Family::Rhel,
        Family::CentOs,
        Family::OracleLinux,
        Family::Sles,
        Family::WindowsClient,
        Family::Ubuntu,
        Family::Debian,
        Family::Rocky,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Family::WindowsServer => "Windows Server",
            Family::Rhel => "Red Hat Enterprise Linux",
            Family::CentOs => "CentOS",
            Family::OracleLinux => "Oracle Linux",
            Family::Sles => "SUSE Linux Enterprise Server",
            Family::WindowsClient => "Windows",
            Family::Ubuntu => "Ubuntu",
            Family::Debian => "Debian",
            Family::Rocky => "Rocky Linux",
        }
    }

    pub fn kind(self) -> OsKind {
        match self {
            Family::WindowsServer | Family::WindowsClient => OsKind::Windows,
            _ => OsKind::Linux,
        }
    }
}

/// Word size of the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    X64,
    X86,
    Unknown,
}

/// What is known about a guest OS. Vague fields are `None`, never defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsIdentity {
    pub kind: OsKind,
    /// Set for the families the requirements list.
    pub family: Option<Family>,
    /// False when the source does not name an OS (`other*` guest ids, nothing reported).
    pub specific: bool,
    pub arch: Arch,
    /// The major releases it may be (`["2012", "2012 R2"]`, `["7"]`); `None` when any.
    pub majors: Option<Vec<String>>,
    /// Minor release (`2` of RHEL 7.2), when reported.
    pub minor: Option<String>,
    /// Service pack, when reported.
    pub sp: Option<u32>,
    /// The name as reported (guest full name or guest id), for OSes outside [`Family`].
    pub raw: String,
}

impl OsIdentity {
    /// Nothing is known.
    pub fn unknown() -> Self {
        OsIdentity {
            kind: OsKind::Unknown,
            family: None,
            specific: false,
            arch: Arch::Unknown,
            majors: None,
            minor: None,
            sp: None,
            raw: String::new(),
        }
    }

    fn family(family: Family, arch: Arch, majors: Option<Vec<String>>, raw: &str) -> Self {
        OsIdentity {
            kind: family.kind(),
            family: Some(family),
            specific: true,
            arch,
            majors,
            minor: None,
            sp: None,
            raw: raw.to_string(),
        }
    }

    /// A short description, e.g. `Red Hat Enterprise Linux 7.2 (64-bit)` or
    /// `Windows Server 2012/2012 R2 (64-bit)`.
    pub fn label(&self) -> String {
        let Some(family) = self.family else {
            return if self.raw.is_empty() {
                "unknown OS".to_string()
            } else {
                self.raw.clone()
            };
        };
        let mut s = family.name().to_string();
        if let Some(majors) = &self.majors {
            s.push(' ');
            s.push_str(&majors.join("/"));
            if let Some(minor) = &self.minor {
                s.push('.');
                s.push_str(minor);
            }
        }
        if let Some(sp) = self.sp {
            s.push_str(&format!(" SP{sp}"));
        }
        match self.arch {
            Arch::X64 => s.push_str(" (64-bit)"),
            Arch::X86 => s.push_str(" (32-bit)"),
            Arch::Unknown => {}
        }
        s
    }

    /// Whether the OS may be Windows (true when the kind is unknown).
    pub fn may_be_windows(&self) -> bool {
        matches!(self.kind, OsKind::Windows | OsKind::Unknown)
    }

    /// Whether the OS may be Linux (true when the kind is unknown).
    pub fn may_be_linux(&self) -> bool {
        matches!(self.kind, OsKind::Linux | OsKind::Unknown)
    }

    /// Whether the OS may be `family` with major release `major` (any major when `None`). True
    /// when the data cannot rule it out: unknown OS, `other` Linux, or a family whose release
    /// candidates include `major`.
    pub fn may_be(&self, family: Family, major: Option<&str>) -> bool {
        match self.kind {
            OsKind::Unknown => return true,
            k if k != family.kind() => return false,
            _ => {}
        }
        match self.family {
            None => !self.specific,
            Some(f) if f != family => false,
            Some(_) => match (major, &self.majors) {
                (Some(m), Some(majors)) => majors.iter().any(|x| x == m),
                _ => true,
            },
        }
    }
}

/// A VM's guest OS as far as the data shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestOs {
    /// The best knowledge: the Tools report refining the configured guest id.
    pub identity: OsIdentity,
    /// Set when the configured OS and the Tools-reported OS contradict each other, e.g.
    /// `configured as "rhel7_64Guest" but VMware Tools report "CentOS 7 (64-bit)"`.
    pub disagreement: Option<String>,
}

impl GuestOs {
    /// Identifies the guest OS of `vm`.
    pub fn of(vm: &crate::model::Vm) -> Self {
        Self::from_parts(
            vm.guest_id.as_deref(),
            vm.guest_os_config.as_deref(),
            vm.guest_os_tools.as_deref(),
            vm.guest_id_tools.as_deref(),
        )
    }

    /// Identifies a guest OS from the configured guest id and full name and the Tools-reported
    /// full name and guest id.
    pub fn from_parts(
        guest_id: Option<&str>,
        config_name: Option<&str>,
        tools_name: Option<&str>,
        tools_guest_id: Option<&str>,
    ) -> Self {
        fn non_empty(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let config = non_empty(guest_id).map(|id| from_guest_id(id, non_empty(config_name)));
        let tools = non_empty(tools_name)
            .and_then(from_tools_name)
            .map(|t| (t, non_empty(tools_name).unwrap_or_default()))
            .or_else(|| {
                let id = non_empty(tools_guest_id)?;
                Some((from_guest_id(id, None), id))
            })
            .filter(|(t, _)| t.specific);

        let (config, tools) = match (config, tools) {
            (None, None) => return GuestOs::plain(OsIdentity::unknown()),
            (Some(c), None) => return GuestOs::plain(c),
            (None, Some((t, _))) => return GuestOs::plain(t),
            (Some(c), Some(t)) => (c, t),
        };
        let (t, tools_desc) = tools;
        let config_desc = non_empty(config_name)
            .or(non_empty(guest_id))
            .unwrap_or_default();
        let disagreement = || {
            Some(format!(
                "configured as \"{config_desc}\" but VMware Tools report \"{tools_desc}\""
            ))
        };

        if !config.specific {
            // An `other*` guest id: the Tools report says more, unless it contradicts the kind.
            let contradicts = config.kind != OsKind::Unknown && config.kind != t.kind;
            return GuestOs {
                identity: t,
                disagreement: if contradicts { disagreement() } else { None },
            };
        }
        if config.family != t.family || config.kind != t.kind {
            return GuestOs {
                identity: t,
                disagreement: disagreement(),
            };
        }
        if config.family.is_none() {
            // Two names for an OS outside the list; nothing to refine or compare.
            return GuestOs::plain(t);
        }
        let mut contradicts = false;
        let majors = match (config.majors, t.majors.clone()) {
            (Some(a), Some(b)) => {
                let both: Vec<String> = a.into_iter().filter(|m| b.contains(m)).collect();
                if both.is_empty() {
                    contradicts = true;
                    Some(b)
                } else {
                    Some(both)
                }
            }
            (a, None) => a,
            (None, b) => b,
        };
        let arch = match (config.arch, t.arch) {
            (c, Arch::Unknown) => c,
            (Arch::Unknown, t) => t,
            (c, t) => {
                contradicts |= c != t;
                t
            }
        };
        GuestOs {
            identity: OsIdentity { majors, arch, ..t },
            disagreement: if contradicts { disagreement() } else { None },
        }
    }

    fn plain(identity: OsIdentity) -> Self {
        GuestOs {
            identity,
            disagreement: None,
        }
    }
}

fn strings(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn os(guest_id: Option<&str>, tools: Option<&str>) -> GuestOs {
        GuestOs::from_parts(guest_id, None, tools, None)
    }

    #[test]
    fn guest_ids() {
        let w = from_guest_id("windows8Server64Guest", None);
        assert_eq!(w.family, Some(Family::WindowsServer));
        assert_eq!(w.majors, strings(&["2012", "2012 R2"]));
        assert_eq!(w.arch, Arch::X64);
        let r = from_guest_id("rhel6Guest", None);
        assert_eq!((r.family, r.arch), (Some(Family::Rhel), Arch::X86));
        assert_eq!(r.majors, strings(&["6"]));
        let c = from_guest_id("centos64Guest", None);
        assert_eq!(c.majors, strings(&["4", "5", "6"]));
        assert_eq!(c.arch, Arch::X64);
        let c7 = from_guest_id("centos7_64Guest", None);
        assert_eq!(c7.majors, strings(&["7"]));
        let s = from_guest_id("sles11_64Guest", None);
        assert_eq!((s.family, s.majors), (Some(Family::Sles), strings(&["11"])));
        let o = from_guest_id("otherLinux64Guest", None);
        assert_eq!((o.kind, o.specific), (OsKind::Linux, false));
        let u = from_guest_id("ubuntu64Guest", Some("Ubuntu Linux (64-bit)"));
        assert_eq!(
            (u.kind, u.family, u.specific, u.majors),
            (OsKind::Linux, Some(Family::Ubuntu), true, None)
        );
        assert_eq!(u.raw, "Ubuntu Linux (64-bit)");
        let w7 = from_guest_id("windows7_64Guest", None);
        assert_eq!(
            (w7.kind, w7.family),
            (OsKind::Windows, Some(Family::WindowsClient))
        );
        let d = from_guest_id("debian10_64Guest", None);
        assert_eq!(
            (d.family, d.majors),
            (Some(Family::Debian), strings(&["10"]))
        );
        assert_eq!(from_guest_id("freebsd64Guest", None).kind, OsKind::Other);
        assert_eq!(from_guest_id("otherGuest", None).kind, OsKind::Unknown);
        for esxi in ["vmkernel7Guest", "vmkernel8Guest", "vmkernelGuest"] {
            assert_eq!(from_guest_id(esxi, None).arch, Arch::X64, "{esxi}");
        }
    }

    #[test]
    fn tools_names() {
        let r = from_tools_name("Red Hat Enterprise Linux 7.2 (64-bit)").unwrap();
        assert_eq!(r.family, Some(Family::Rhel));
        assert_eq!(
            (r.majors.clone(), r.minor.clone()),
            (strings(&["7"]), Some("2".into()))
        );
        assert_eq!(r.label(), "Red Hat Enterprise Linux 7.2 (64-bit)");
        let w = from_tools_name("Microsoft Windows Server 2012 R2 (64-bit)").unwrap();
        assert_eq!(w.majors, strings(&["2012 R2"]));
        let w = from_tools_name("Microsoft Windows Server 2008 R2 (64-bit)").unwrap();
        assert_eq!((w.majors, w.sp), (strings(&["2008 R2"]), None));
        let c = from_tools_name("CentOS 4/5/6 (64-bit)").unwrap();
        assert_eq!((c.majors, c.minor), (strings(&["4", "5", "6"]), None));
        let s = from_tools_name("SUSE Linux Enterprise 11 (64-bit)").unwrap();
        assert_eq!(
            (s.family, s.majors, s.sp),
            (Some(Family::Sles), strings(&["11"]), None)
        );
        let s = from_tools_name("SUSE Linux Enterprise Server 11 SP3 (64-bit)").unwrap();
        assert_eq!(s.sp, Some(3));
        let x = from_tools_name("CentOS 6.7 (32-bit)").unwrap();
        assert_eq!(x.arch, Arch::X86);
        assert_eq!(from_tools_name("Other 3.x Linux (64-bit)"), None);
        assert_eq!(from_tools_name("Something new"), None);
        assert_eq!(
            from_tools_name("Ubuntu Linux (64-bit)").unwrap().kind,
            OsKind::Linux
        );
        let u = from_tools_name("Ubuntu 22.04.3 LTS").unwrap();
        assert_eq!(
            (u.family, u.majors, u.minor),
            (Some(Family::Ubuntu), strings(&["22"]), Some("04".into()))
        );
        let w = from_tools_name("Microsoft Windows 8.1 (64-bit)").unwrap();
        assert_eq!(
            (w.family, w.majors, w.minor),
            (
                Some(Family::WindowsClient),
                strings(&["8"]),
                Some("1".into())
            )
        );
        let w =
            from_tools_name("Microsoft Windows 7 Professional, Service Pack 1 (64-bit)").unwrap();
        assert_eq!((w.majors, w.sp), (strings(&["7"]), Some(1)));
        let r = from_tools_name("Rocky Linux 9.2 (Blue Onyx)").unwrap();
        assert_eq!(
            (r.family, r.majors, r.minor),
            (Some(Family::Rocky), strings(&["9"]), Some("2".into()))
        );
    }

    #[test]
    fn tools_refine_the_configured_id() {
        let g = os(Some("centos64Guest"), Some("CentOS 6.7 (64-bit)"));
        assert_eq!(g.identity.majors, strings(&["6"]));
        assert_eq!(g.identity.minor.as_deref(), Some("7"));
        assert_eq!(g.disagreement, None);
        // A vaguer Tools name keeps the configured major.
        let g = os(Some("centos7_64Guest"), Some("CentOS 4/5/6/7 (64-bit)"));
        assert_eq!(g.identity.majors, strings(&["7"]));
        assert_eq!(g.disagreement, None);
        // other* config: Tools say more, no disagreement.
        let g = os(
            Some("otherLinux64Guest"),
            Some("Red Hat Enterprise Linux 7.1 (64-bit)"),
        );
        assert_eq!(g.identity.family, Some(Family::Rhel));
        assert_eq!(g.disagreement, None);
    }

    #[test]
    fn contradictions_are_reported_and_tools_win() {
        let g = os(Some("rhel7_64Guest"), Some("CentOS 7 (64-bit)"));
        assert_eq!(g.identity.family, Some(Family::CentOs));
        let d = g.disagreement.unwrap();
        assert!(
            d.contains("rhel7_64Guest") && d.contains("CentOS 7 (64-bit)"),
            "{d}"
        );
        let g = os(
            Some("rhel6_64Guest"),
            Some("Red Hat Enterprise Linux 7.2 (64-bit)"),
        );
        assert_eq!(g.identity.majors, strings(&["7"]));
        assert!(g.disagreement.is_some());
        let g = os(
            Some("rhel7_64Guest"),
            Some("Red Hat Enterprise Linux 7.2 (32-bit)"),
        );
        assert_eq!(g.identity.arch, Arch::X86);
        assert!(g.disagreement.is_some());
        let g = os(
            Some("otherLinux64Guest"),
            Some("Microsoft Windows Server 2012 (64-bit)"),
        );
        assert!(g.disagreement.is_some());
    }

    #[test]
    fn tools_guest_id_is_a_fallback() {
        let g = GuestOs::from_parts(None, None, None, Some("rhel7_64Guest"));
        assert_eq!(g.identity.family, Some(Family::Rhel));
        let g = GuestOs::from_parts(None, None, None, None);
        assert_eq!(g.identity.kind, OsKind::Unknown);
    }

    #[test]
    fn may_be() {
        let rhel6 = from_guest_id("rhel6_64Guest", None);
        assert!(!rhel6.may_be(Family::Rhel, Some("7")));
        assert!(rhel6.may_be(Family::Rhel, Some("6")));
        assert!(!rhel6.may_be(Family::CentOs, None));
        assert!(!rhel6.may_be_windows() && rhel6.may_be_linux());
        let other = from_guest_id("otherLinux64Guest", None);
        assert!(other.may_be(Family::CentOs, Some("7")));
        assert!(!other.may_be(Family::WindowsServer, None));
        let ubuntu = from_guest_id("ubuntu64Guest", None);
        assert!(!ubuntu.may_be(Family::Rhel, Some("7")));
        let unknown = OsIdentity::unknown();
        assert!(unknown.may_be_windows() && unknown.may_be_linux());
        assert!(unknown.may_be(Family::OracleLinux, None));
    }
}
