//! `report.html` in a real browser: Debian's headless chromium, driven over the DevTools protocol
//! by playwright-core (`tests/browser/check.mjs`; `bash tests/run.sh` installs both), opens the
//! sample estate's report from a `file://` path, offline and with a fresh profile. The page must
//! log no console error and make no request; the readiness counts it draws and the number of VM
//! rows each filter leaves must equal what `vms.csv`, `summary.csv` and `findings.csv` say. A
//! screenshot is kept in `target/test-artifacts/report.png`. A VM named
//! `<script>alert(1)</script>` must show as text and run nothing.
//!
//! These tests fail, never skip, when chromium or node's playwright-core are missing.

mod support;

use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{Table, vcaudit};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn chromium() -> String {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&path).exists(),
        "{path} is missing: run `bash tests/run.sh`, which installs Debian's chromium"
    );
    path
}

/// Runs `tests/browser/check.mjs` on `html` and returns what it saw.
fn open(html: &Path, extra: &[&str]) -> Value {
    let browser = Path::new(ROOT).join("tests/browser");
    assert!(
        browser.join("node_modules/playwright-core").exists(),
        "tests/browser/node_modules is missing: run `bash tests/run.sh` (npm ci in tests/browser)"
    );
    let out = Command::new("node")
        .arg(browser.join("check.mjs"))
        .arg(html)
        .args(extra)
        .env("CHROMIUM", chromium())
        .output()
        .expect("node runs (Debian's nodejs)");
    assert!(
        out.status.success(),
        "check.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("check.mjs prints JSON")
}

/// Audits `snapshot` into `dir` with CSV and HTML reports.
fn audit(snapshot: &Path, dir: &Path) {
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--format",
            "csv,html",
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn assert_clean(seen: &Value) {
    assert_eq!(seen["console_errors"], json!([]), "console errors");
    assert_eq!(seen["requests"], json!([]), "the page made requests");
    assert_eq!(seen["dialogs"], json!([]), "the page opened dialogs");
}

fn artifacts() -> PathBuf {
    let dir = Path::new(ROOT).join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_sample_report_shows_what_the_csvs_say() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    audit(&Path::new(ROOT).join("samples/demo-estate.json.zst"), &dir);
    let vms = Table::read(&dir.join("vms.csv"));
    let summary = Table::read(&dir.join("summary.csv"));
    let findings = Table::read(&dir.join("findings.csv"));

    let mut readiness: HashMap<String, usize> = HashMap::new();
    let mut per_vcenter: HashMap<String, usize> = HashMap::new();
    for r in &vms.rows {
        *readiness.entry(r["readiness"].clone()).or_default() += 1;
        *per_vcenter.entry(r["vcenter"].clone()).or_default() += 1;
    }
    let vcenter = vms.rows[0]["vcenter"].clone();
    let name = vms.rows[7]["vm"].clone();
    // VMs with their own vmware-tools finding: summary.csv's failed + unknown, and the distinct
    // VMs of findings.csv (the rule is checked once per VM).
    let tools = &summary.by("rule")["vmware-tools"];
    let tools_vms =
        tools["failed"].parse::<usize>().unwrap() + tools["unknown"].parse::<usize>().unwrap();
    let tools_morefs: HashSet<_> = findings
        .rows
        .iter()
        .filter(|f| f["rule"] == "vmware-tools")
        .map(|f| (f["vcenter"].clone(), f["moref"].clone()))
        .collect();
    assert_eq!(tools_vms, tools_morefs.len());

    let filters = json!([
        {"readiness": "ready"}, {"readiness": "not-ready"}, {"readiness": "unknown"},
        {"readiness": "conditionally-ready"}, {"vcenter": vcenter}, {"rule": "vmware-tools"},
        {"search": name}
    ]);
    let shot = artifacts().join("report.png");
    let seen = open(
        &dir.join("report.html"),
        &[
            "--filters",
            &filters.to_string(),
            "--screenshot",
            shot.to_str().unwrap(),
            "--scroll",
        ],
    );
    assert_clean(&seen);
    assert!(shot.exists() && std::fs::metadata(&shot).unwrap().len() > 10_000);

    assert_eq!(seen["total"], vms.rows.len());
    for r in [
        "ready",
        "conditionally-ready",
        "unknown",
        "not-ready",
        "out-of-scope",
    ] {
        let want = readiness.get(r).copied().unwrap_or(0);
        assert_eq!(seen["counts"][r], want, "readiness {r}");
    }
    let count = |i: usize| seen["filters"][i]["count"].as_u64().unwrap() as usize;
    assert_eq!(count(0), readiness["ready"]);
    assert_eq!(count(1), readiness["not-ready"]);
    assert_eq!(count(2), readiness["unknown"]);
    assert_eq!(count(3), readiness["conditionally-ready"]);
    assert_eq!(count(4), per_vcenter[&vcenter]);
    // The rule filter keeps the VMs with a vmware-tools finding (none is inherited: it is a VM
    // rule), every one of them not ready or unknown.
    assert_eq!(count(5), tools_vms);
    for row in seen["filters"][5]["rows"].as_array().unwrap() {
        let readiness = row[1].as_str().unwrap();
        assert!(readiness == "Not ready" || readiness == "Unknown", "{row}");
    }
    let by_name = vms
        .rows
        .iter()
        .filter(|r| r["vm"].contains(name.as_str()))
        .count();
    assert!(count(6) >= by_name && by_name >= 1);
    assert_eq!(seen["filters"][6]["rows"][0][0], name.as_str());
    // Virtualised: far fewer rows in the page than VMs, and rows are there after scrolling.
    let rendered = seen["rendered_rows"].as_u64().unwrap() as usize;
    assert!(
        rendered > 0 && rendered < vms.rows.len(),
        "{rendered} rows rendered"
    );
    assert!(seen["scroll_rows"].as_u64().unwrap() > 0);
}

#[test]
fn a_vm_named_like_markup_shows_as_text_and_runs_nothing() {
    let evil = "<script>alert(1)</script>";
    let evil2 = "</script><img src=x onerror=alert(2)>";
    // The demo snapshot with two VMs renamed.
    let raw = zstd::decode_all(
        std::fs::File::open(Path::new(ROOT).join("samples/demo-estate.json.zst")).unwrap(),
    )
    .unwrap();
    let mut snap: Value = serde_json::from_slice(&raw).unwrap();
    let vms = snap["vcenters"][0]["vms"].as_array_mut().unwrap();
    vms[0]["name"] = json!(evil);
    vms[1]["name"] = json!(evil2);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("evil.json");
    std::fs::write(&path, serde_json::to_vec(&snap).unwrap()).unwrap();
    let dir = tmp.path().join("report");
    audit(&path, &dir);

    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        !html.contains(evil) && !html.contains("<img src=x"),
        "raw markup in the page"
    );
    let filters = json!([{"search": "alert(1)"}, {"search": "onerror"}]);
    let seen = open(
        &dir.join("report.html"),
        &["--filters", &filters.to_string()],
    );
    assert_clean(&seen);
    assert_eq!(
        seen["scripts"], 2,
        "only the page's own data and script elements"
    );
    assert_eq!(seen["filters"][0]["count"], 1);
    assert_eq!(
        seen["filters"][0]["rows"][0][0], evil,
        "the name shows as text"
    );
    assert_eq!(seen["filters"][1]["count"], 1);
    assert_eq!(seen["filters"][1]["rows"][0][0], evil2);
}
