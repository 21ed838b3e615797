//! The fault matrix, through the binary: each network or server fault of a real estate, injected
//! in front of the vcsim scenario (`-fault`, tests/vcsim/netfaults.go), with its outcome: the
//! audit recovers and reports, or it ends that vCenter with one clear line, exit 2, no partial
//! report, in bounded time and peak memory. Plus the secrets canary: every run at `-vv`, and nothing it prints or
//! writes holds the password, a SOAP session cookie or a REST session id.
//! (Refused connections: inventory_vcsim; one dead vCenter among four: estate_vcsim.)

mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::{PASSWORD, Sim, assert_no_reports, assert_one_line_error, vcaudit_peak};

/// The peak resident memory every faulty run must stay under: the bound against a server that
/// sends too much, without limit.
const PEAK_BOUND_KIB: u64 = 192 * 1024;

/// Runs the audit with `extra` options at -vv; checks the time bound and the secrets canary.
fn run_fault(
    fault: &[&str],
    extra: &[&str],
    out: &Path,
    bound: Duration,
) -> (support::Run, Vec<String>) {
    let mut args = vec!["-fault"];
    args.extend_from_slice(fault);
    let sim = Sim::start("audit", &args);
    let out_s = out.to_str().unwrap();
    let mut rest = vec!["--out", out_s, "--fail-on", "never"];
    rest.extend_from_slice(extra);
    let mut cmd = sim.args("audit", &rest);
    cmd.insert(0, "-vv");
    let started = Instant::now();
    let (run, peak_kib) = vcaudit_peak(&cmd, Some(PASSWORD));
    let took = started.elapsed();
    assert!(took < bound, "{fault:?} took {took:?}: {}", run.stderr);
    // A 40-VM estate needs a few tens of MiB; a fault that made vcaudit hold what the server
    // sends (a 200 MB text node, a million nested elements) would show here.
    assert!(
        peak_kib < PEAK_BOUND_KIB,
        "{fault:?} peaked at {} MiB: {}",
        peak_kib / 1024,
        run.stderr
    );
    let stats = sim.stop();
    let secrets: Vec<String> = stats["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    canary(&run, out, &secrets);
    (run, secrets)
}

/// No password, session cookie or REST session id in stderr, stdout or any file written.
fn canary(run: &support::Run, out: &Path, secrets: &[String]) {
    let mut needles = vec![PASSWORD.to_string()];
    needles.extend(secrets.iter().filter(|s| s.len() >= 8).cloned());
    let mut texts = vec![("stderr".to_string(), run.stderr.clone().into_bytes())];
    texts.push(("stdout".into(), run.stdout.clone().into_bytes()));
    if let Ok(rd) = std::fs::read_dir(out) {
        for e in rd.flatten() {
            texts.push((
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            ));
        }
    }
    for (name, bytes) in &texts {
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                "{name} holds a secret"
            );
        }
    }
}

fn recovers(fault: &[&str], extra: &[&str], said: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (run, secrets) = run_fault(fault, extra, &out, Duration::from_secs(60));
    assert_eq!(run.code, 0, "{fault:?}: {}", run.stderr);
    assert!(out.join("vms.csv").exists());
    assert!(
        run.stderr.contains(said) || run.stdout.contains(said),
        "{fault:?} says {said:?} at -v: {}",
        run.stderr
    );
    // The canary had something to look for: the SOAP cookie(s) and the REST session id.
    assert!(secrets.len() >= 2, "secrets handed out: {secrets:?}");
}

fn fails(fault: &[&str], extra: &[&str], message: &str, bound: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (run, _) = run_fault(fault, extra, &out, bound);
    assert_one_line_error(&run, message);
    assert_no_reports(&out);
}

#[test]
fn http_503_once_is_retried_and_the_audit_completes() {
    recovers(&["503-once"], &[], "try 2 of 4");
}

#[test]
fn http_503_always_is_a_busy_vcenter() {
    fails(
        &["503-always"],
        &["--retries", "2"],
        "vCenter is busy or restarting (HTTP 503)",
        Duration::from_secs(30),
    );
}

#[test]
fn reset_mid_body_restarts_the_retrieval() {
    recovers(&["reset"], &[], "restarting it, try 2 of 4");
}

#[test]
fn stall_is_cut_off_by_the_idle_timeout() {
    fails(
        &["stall"],
        &["--timeout", "2", "--retries", "1"],
        "no data for 2 s",
        Duration::from_secs(30),
    );
}

#[test]
fn trickle_slower_than_the_timeout_in_all_but_faster_per_byte_completes() {
    // 8 bytes 400 ms apart: 3.2 s for the answer, never 1 s without a byte.
    recovers(
        &["trickle"],
        &["--timeout", "1", "--retries", "1"],
        "Reports in",
    );
}

#[test]
fn soap_fault_500_is_one_line() {
    fails(
        &["soap-500"],
        &[],
        "vpxd is shutting down",
        Duration::from_secs(30),
    );
}

#[test]
fn session_expiry_logs_in_again_and_completes() {
    recovers(
        &["expire-once"],
        &[],
        "the session expired; logging in again",
    );
}

#[test]
fn session_expiry_twice_is_an_error() {
    fails(
        &["expire-always"],
        &[],
        "NotAuthenticated",
        Duration::from_secs(30),
    );
}

#[test]
fn redirect_is_not_followed() {
    let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    target.set_nonblocking(true).unwrap();
    let port = target.local_addr().unwrap().port().to_string();
    fails(
        &["redirect", "-fault-port", &port],
        &[],
        "never follows",
        Duration::from_secs(30),
    );
    assert!(
        target.accept().is_err(),
        "the redirect's target got a connection (the Login body carries the password)"
    );
}

#[test]
fn truncated_xml_is_one_line() {
    fails(
        &["truncated"],
        &[],
        "malformed XML",
        Duration::from_secs(30),
    );
}

#[test]
fn invalid_utf8_is_one_line() {
    fails(&["bad-utf8"], &[], "UTF-8", Duration::from_secs(30));
}

#[test]
fn nesting_a_million_deep_is_one_line() {
    fails(
        &["deep"],
        &[],
        "nested deeper than 256",
        Duration::from_secs(30),
    );
}

#[test]
fn a_200_mb_text_node_is_refused_without_buffering_it() {
    fails(&["big-text"], &[], "over 64 MiB", Duration::from_secs(60));
}

#[test]
fn an_endless_continuation_is_refused() {
    fails(
        &["endless-token"],
        &[],
        "more than 10000 continuation pages",
        Duration::from_secs(120),
    );
}

#[test]
fn deadline_ends_a_vcenter_that_keeps_stalling() {
    fails(
        &["stall"],
        &["--timeout", "30", "--deadline", "3"],
        "was not done within its deadline of 3 s (raise --deadline",
        Duration::from_secs(20),
    );
}

#[test]
fn rest_503_once_is_retried_and_the_tags_are_read() {
    recovers(&["rest-503-once"], &["--require-tags"], "try 2 of 4");
}

#[test]
fn rest_session_expiry_once_logs_in_again_and_the_tags_are_read() {
    recovers(
        &["rest-expire-once"],
        &["--require-tags"],
        "the REST session expired; logging in again",
    );
}

#[test]
fn rest_session_expiry_twice_is_an_error_when_tags_are_required() {
    fails(
        &["rest-expire-always"],
        &["--require-tags"],
        "tags unavailable at 127.0.0.1",
        Duration::from_secs(60),
    );
    // Without --require-tags the audit goes on and says why the tags are missing.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (run, _) = run_fault(&["rest-expire-always"], &[], &out, Duration::from_secs(60));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let vcenters = std::fs::read_to_string(out.join("vcenters.csv")).unwrap();
    assert!(
        vcenters.contains("tags unavailable: the REST session expired"),
        "{vcenters}"
    );
}
