//! TLS against the vcsim scenario as users meet it: vcsim's stock self-signed RSA-1024
//! certificate (CA flag set) audits with `--insecure` and with `--thumbprint`, over TLS 1.3 and
//! 1.2; a server presenting that certificate but signing its handshakes with another key is
//! refused whatever the mode; default verification suggests only options that then work.

mod support;

use support::{
    PASSWORD, Sim, USER, assert_no_reports, assert_one_line_error, vcaudit, vcaudit_env,
};

/// vcsim 0.24's fixed certificate (govmomi `simulator/internal/testcert.go`), see
/// /work/shared/vsphere-notes.md: the tests also check the scenario serves exactly it.
const STOCK_THUMBPRINT: &str = "44:8F:62:8A:8A:65:AA:18:56:0E:53:A8:0C:53:AC:B3:8C:51:B4:27:DF:03:34:08:23:49:14:11:47:DC:9B:F6";

fn audit(sim: &Sim, tls: &[&str], out: &std::path::Path) -> support::Run {
    let mut args = vec![
        "audit",
        "--server",
        sim.server(),
        "--user",
        USER,
        "--out",
        out.to_str().unwrap(),
        "--fail-on",
        "never",
    ];
    args.extend_from_slice(tls);
    vcaudit(&args, Some(PASSWORD))
}

fn audits(sim: &Sim, tls: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let run = audit(sim, tls, dir.path());
    assert_eq!(run.code, 0, "{tls:?}: {}", run.stderr);
    assert!(dir.path().join("vms.csv").exists());
}

fn refused_as_impostor(sim: &Sim, tls: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = audit(sim, tls, &out);
    assert_one_line_error(&run, "does not hold that certificate's private key");
    assert_no_reports(&out);
}

#[test]
fn stock_certificate_audits_with_insecure_and_thumbprint_over_tls13() {
    let sim = Sim::audit();
    assert_eq!(
        sim.thumbprint(),
        STOCK_THUMBPRINT,
        "the scenario serves vcsim's stock certificate"
    );
    audits(&sim, &["--insecure"]);
    audits(&sim, &["--thumbprint", STOCK_THUMBPRINT]);
}

#[test]
fn stock_certificate_audits_with_insecure_and_thumbprint_over_tls12() {
    let sim = Sim::start("audit", &["-tls-max", "1.2"]);
    audits(&sim, &["--insecure"]);
    audits(&sim, &["--thumbprint", STOCK_THUMBPRINT]);
}

#[test]
fn pinned_certificate_signed_for_by_another_key_is_refused() {
    for max in ["1.3", "1.2"] {
        let sim = Sim::start("audit", &["-tls", "wrongkey", "-tls-max", max]);
        assert_eq!(
            sim.thumbprint(),
            STOCK_THUMBPRINT,
            "it presents the pinned certificate"
        );
        refused_as_impostor(&sim, &["--thumbprint", STOCK_THUMBPRINT]);
        // --insecure skips the certificate, not the proof that the server holds its key.
        refused_as_impostor(&sim, &["--insecure"]);
    }
}

#[test]
fn default_verification_of_the_stock_certificate_suggests_what_works() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = audit(&sim, &[], &out);
    let advice = format!("--thumbprint {STOCK_THUMBPRINT}");
    assert_one_line_error(&run, &advice);
    assert!(run.stderr.contains("RSA-1024"), "{}", run.stderr);
    // Its own certificate as a CA file would not help: not suggested.
    assert!(!run.stderr.contains("--ca-file"), "{}", run.stderr);
    assert_no_reports(&out);
    // What it suggests works.
    audits(&sim, &["--thumbprint", STOCK_THUMBPRINT]);
}

#[test]
fn insecure_from_the_environment_warns_once() {
    let sim = Sim::audit();
    for var in ["VCAUDIT_INSECURE", "GOVC_INSECURE"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let run = vcaudit_env(
            &[
                "audit",
                "--server",
                sim.server(),
                "--user",
                USER,
                "--out",
                out,
                "--fail-on",
                "never",
            ],
            &[("VCAUDIT_PASSWORD", PASSWORD), (var, "1")],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let warnings: Vec<_> = run
            .stderr
            .lines()
            .filter(|l| l.contains(var) && l.contains("not verified"))
            .collect();
        assert_eq!(warnings.len(), 1, "one warning line: {}", run.stderr);
    }
}
