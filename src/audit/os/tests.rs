//! Tests of guest OS identification.

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
    let w = from_tools_name("Microsoft Windows 7 Professional, Service Pack 1 (64-bit)").unwrap();
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
