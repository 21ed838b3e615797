//! Issue 16's no-regression check, CI-cheap and not timed: collecting the 10k-VM `scale` scenario
//! makes a fixed number of SOAP requests, whatever the number of VMs. The scenario counts the
//! requests it serves by SOAP method (tests/vcsim/instrument.go); a per-VM call sneaking into
//! collection would show as thousands of requests.

mod support;

use support::{PASSWORD, Sim, Table, vcaudit};

/// Managed object types collected, each with one container view, one retrieval (vcsim ignores
/// `maxObjects`, so there is no continuation) and one `DestroyView`: `collect::props::queries()`.
const TYPES: u64 = 8;

#[test]
fn collecting_10k_vms_makes_a_fixed_number_of_soap_requests() {
    let sim = Sim::start("scale", &["-vms", "10000"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = vcaudit(
        &sim.args("audit", &["--out", out, "--fail-on", "never"]),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // The 10k VMs did arrive.
    let vms = Table::read(&dir.path().join("vms.csv")).rows.len();
    assert!(vms >= 10000, "{vms} VMs collected");
    let stats = sim.stop();
    let methods = &stats["soap_methods"];
    let n = |m: &str| methods[m].as_u64().unwrap_or(0);
    for (method, want) in [
        ("RetrieveServiceContent", 1),
        ("Login", 1),
        ("CreateContainerView", TYPES),
        ("RetrievePropertiesEx", TYPES),
        ("ContinueRetrievePropertiesEx", 0),
        ("DestroyView", TYPES),
        ("CreateCollectorForEvents", 1),
        ("SetCollectorPageSize", 1),
        ("RewindCollector", 1),
        ("DestroyCollector", 1),
        ("Logout", 1),
    ] {
        assert_eq!(n(method), want, "{method} requests: {stats}");
    }
    // Events come in pages of 1000 and vcsim keeps at most 1000: one page and the empty one.
    assert!(
        (1..=2).contains(&n("ReadNextEvents")),
        "ReadNextEvents requests: {stats}"
    );
    let total: u64 = methods
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(
        total <= 3 * TYPES + 8,
        "{total} SOAP requests in all: {stats}"
    );
    assert_eq!(
        stats["requests"]["sdk"].as_u64().unwrap(),
        total,
        "every /sdk request is a counted SOAP call: {stats}"
    );
}
