//! The RVTools workbook vcaudit writes (`--format rvtools`), read back with `--rvtools`, gives
//! the live audit's findings, and written again the same cells in every sheet `--rvtools` reads,
//! except what an RVTools workbook cannot carry (README, "What an RVTools export cannot carry").

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use support::*;

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

/// `vcenter object_type object rule status` of every finding.
fn findings(out: &Path) -> BTreeSet<String> {
    Table::read(&out.join("findings.csv"))
        .rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {}",
                r["vcenter"], r["object_type"], r["object"], r["rule"], r["status"]
            )
        })
        .collect()
}

#[test]
fn the_workbook_vcaudit_writes_audits_like_the_live_estate() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::audit();
    let live = dir.path().join("live");
    let r = vcaudit(
        &sim.args(
            "audit",
            &["--out", p(&live), "--format", "csv,rvtools,rvtools-csv"],
        ),
        Some(PASSWORD),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let book = live.join("vcaudit-rvtools.xlsx");
    assert!(book.is_file());
    let back = dir.path().join("back");
    let r = vcaudit(
        &[
            "audit",
            "--rvtools",
            p(&book),
            "--out",
            p(&back),
            "--format",
            "csv,rvtools-csv",
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // What the workbook cannot carry: vCenter events (cross-vcenter-vmotion reads them; read
    // back, every VM is unknown for it) and storage DRS of datastore clusters.
    let carried = |set: BTreeSet<String>| -> BTreeSet<String> {
        set.into_iter()
            .filter(|f| !f.contains(" cross-vcenter-vmotion ") && !f.contains(" storage-drs "))
            .collect()
    };
    let (all_live, all_back) = (findings(&live), findings(&back));
    assert!(
        all_back
            .iter()
            .any(|f| f.ends_with(" web-01 cross-vcenter-vmotion unknown"))
    );
    let (a, b) = (carried(all_live), carried(all_back));
    let only_live: Vec<&String> = a.difference(&b).collect();
    let only_back: Vec<&String> = b.difference(&a).collect();
    assert!(a.len() > 10);
    assert!(
        only_live.is_empty() && only_back.is_empty(),
        "only live: {only_live:#?}\nonly read back: {only_back:#?}"
    );

    // Written again from what was read back, the workbook holds the same cells, but for the
    // columns a workbook cannot carry.
    let mut differ = BTreeSet::new();
    let mut filled = BTreeSet::new();
    for sheet in vcaudit::rvtools::SHEETS {
        let file = format!("RVTools_tab{sheet}.csv");
        let (a, b) = (
            Table::read(&live.join(&file)),
            Table::read(&back.join(&file)),
        );
        assert_eq!(a.header, b.header, "{file}");
        assert_eq!(a.rows.len(), b.rows.len(), "{file} rows");
        for col in &a.header {
            let key = format!("{sheet}.{col}");
            if a.rows.iter().any(|r| !r[col].is_empty()) {
                filled.insert(key.clone());
            }
            if let Some((x, y)) = a.rows.iter().zip(&b.rows).find(|(x, y)| x[col] != y[col]) {
                differ.insert(format!("{key}: {:?} became {:?}", x[col], y[col]));
            }
        }
    }
    let differ: Vec<&String> = differ
        .iter()
        .filter(|k| !NOT_CARRIED.iter().any(|c| k.starts_with(&format!("{c}: "))))
        .collect();
    assert!(
        differ.is_empty(),
        "columns that did not round-trip: {differ:#?}"
    );
    let empty: Vec<&&str> = CARRIED.iter().filter(|k| !filled.contains(**k)).collect();
    assert!(
        empty.is_empty(),
        "columns the live workbook left empty, so the round trip proves nothing of them: {empty:#?}"
    );
}

/// Columns the writer fills that a workbook cannot carry back into the model (README, "What an
/// RVTools export cannot carry").
const NOT_CARRIED: &[&str] = &[
    // A VM's readiness includes `cross-vcenter-vmotion`, unknown without vCenter events.
    "vInfo.vcaudit readiness",
    "vInfo.vcaudit findings",
    // The controller's type and bus are not in the workbook, so its sharing is not kept.
    "vDisk.Shared Bus",
    // Computed from bytes; read back from whole MiB, capacity minus free may be off by one.
    "vPartition.Consumed MiB",
];

/// Columns the round trip must carry, asserted non-empty in the live workbook so that their
/// equality means something.
const CARRIED: &[&str] = &[
    "vInfo.DNS Name",
    "vInfo.Primary IP Address",
    "vInfo.Connection state",
    "vInfo.Guest state",
    // (`Heartbeat` is read back too, but vcsim sets only `summary.quickStats`'s heartbeat, not
    // the VM's `guestHeartbeatStatus`, so the live workbook has none to compare.)
    "vInfo.HW version",
    "vInfo.CBT",
    "vInfo.Annotation",
    "vInfo.Path",
    "vInfo.NICs",
    "vInfo.Network #1",
    "vInfo.Provisioned MiB",
    "vInfo.In Use MiB",
    "vInfo.Unshared MiB",
    "vCPU.Sockets",
    "vCPU.Cores p/s",
    "vCPU.Reservation",
    "vCPU.Limit",
    "vMemory.Reservation",
    "vMemory.Limit",
    "vMemory.Active",
    "vMemory.Consumed",
    "vNetwork.Adapter",
    "vNetwork.Network",
    "vNetwork.Connected",
    "vNetwork.Mac Address",
    "vNetwork.IPv4 Address",
    "vHost.CPU Model",
    "vHost.Speed",
    "vHost.# CPU",
    "vHost.# Cores",
    "vHost.# Memory",
    "vHost.Vendor",
    "vHost.Model",
    "vCluster.NumHosts",
    "vCluster.TotalMemory",
    "vCluster.HA enabled",
    "vDatastore.Accessible",
    "vDatastore.URL",
    "vDatastore.Provisioned MiB",
    "vDatastore.# VMs",
    "vDisk.Disk Path",
];
