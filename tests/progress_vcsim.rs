//! The progress display against a simulated vCenter: under a pseudo-terminal (util-linux
//! `script`) it shows the vCenter's phase and objects, then one result line, before the summary;
//! with stderr piped, or with `--quiet`, stderr holds no progress at all.

mod support;

use std::process::{Command, Stdio};
use support::{PASSWORD, Sim, vcaudit};

/// Quotes `s` for `sh -c`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn a_terminal_shows_progress_then_one_result_line() {
    let sim = Sim::audit();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("r");
    let args = sim.args(
        "audit",
        &["--out", out_dir.to_str().unwrap(), "--fail-on", "never"],
    );
    let mut line = sh_quote(env!("CARGO_BIN_EXE_vcaudit"));
    for a in &args {
        line.push(' ');
        line.push_str(&sh_quote(a));
    }
    // `script` runs the command on a pseudo-terminal (stdout and stderr alike) and copies what
    // it shows to our stdout.
    let run = Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("VCAUDIT_PASSWORD", PASSWORD)
        .env("TERM", "xterm-256color")
        .env_remove("VCAUDIT_SERVER")
        .stdin(Stdio::null())
        .output()
        .expect("util-linux `script` runs");
    let screen = String::from_utf8_lossy(&run.stdout).into_owned();
    assert_eq!(run.status.code(), Some(0), "{screen}");
    let server = sim.server();
    let exp = sim.expected();
    // While it runs: the vCenter, a phase and the objects counted so far.
    assert!(screen.contains(server), "{screen}");
    assert!(screen.contains("inventory"), "no phase shown: {screen}");
    assert!(
        screen.contains(" objects"),
        "no object count shown: {screen}"
    );
    // Then one result line with the collected counts, and the summary after it.
    let vms = exp["vms"].as_array().map(Vec::len).expect("expected vms");
    let hosts = exp["hosts"]
        .as_array()
        .map(Vec::len)
        .expect("expected hosts");
    let result = format!("✔ {server}: {hosts} hosts, {vms} VMs,");
    let at = screen
        .find(&result)
        .unwrap_or_else(|| panic!("no `{result}` in {screen}"));
    assert_eq!(screen.matches(&result).count(), 1, "{screen}");
    let summary = screen.find("Reports in").expect("the summary is printed");
    assert!(
        at < summary,
        "the result line comes before the summary: {screen}"
    );
    // Ends cleanly: nothing of the display is drawn after the summary.
    let tail = &screen[summary..];
    assert!(
        !tail.contains(" objects") && !tail.contains('⠋'),
        "{tail:?}"
    );
}

#[test]
fn piped_stderr_and_quiet_hold_no_progress() {
    let sim = Sim::audit();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("r");
    let d = dir.to_str().unwrap();
    let run = vcaudit(
        &sim.args("audit", &["--out", d, "--fail-on", "never"]),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for mark in ["\r", "\u{1b}[", "objects", "⠋", "✔", "inventory"] {
        assert!(
            !run.stderr.contains(mark),
            "{mark:?} in piped stderr: {:?}",
            run.stderr
        );
        assert!(
            !run.stdout.contains(mark) || mark == "inventory",
            "{mark:?} in stdout"
        );
    }
    assert!(
        run.stdout.contains("Reports in"),
        "the summary stays the default"
    );

    let quiet = vcaudit(
        &sim.args("audit", &["--out", d, "--fail-on", "never", "--quiet"]),
        Some(PASSWORD),
    );
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stdout, "", "--quiet prints no summary");
    assert_eq!(quiet.stderr, "", "--quiet prints nothing but errors");
    assert!(
        dir.join("vms.csv").exists(),
        "--quiet still writes the reports"
    );

    // An error still reaches stderr with --quiet.
    let bad = vcaudit(
        &sim.args("audit", &["--out", d, "--quiet"]),
        Some("wrong-password"),
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("login failed"), "{}", bad.stderr);
}
