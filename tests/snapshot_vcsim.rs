//! Issue 4 end to end, against the vcsim scenario estate: a live audit, an audit of the snapshot
//! it saved (`--save-snapshot`) and an audit of a snapshot from `vcaudit collect` write the same
//! reports byte for byte, apart from the `collected_at` column; `report.json` holds exactly the
//! CSVs' tables, rows and cells; `--format` selects the files and refuses unknown formats.

mod support;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::{PASSWORD, Sim, Table, cell, vcaudit};

/// The tables of `report.json`, in order; each is also `<name>.csv`.
const TABLES: &[&str] = &[
    "vcenters",
    "hosts",
    "vms",
    "disks",
    "datastores",
    "findings",
    "summary",
];

/// A JSON object with its keys in file order (serde_json's `Value` sorts them).
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some(entry) = m.next_entry::<String, Value>()? {
                    v.push(entry);
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
struct JsonReport {
    schema_version: Value,
    vcaudit_version: Value,
    profile: Value,
    #[serde(flatten)]
    tables: BTreeMap<String, Vec<Ordered>>,
}

fn run_ok(args: &[&str], password: Option<&str>) -> support::Run {
    let run = vcaudit(args, password);
    assert_eq!(
        run.code, 0,
        "vcaudit {args:?} failed: {}{}",
        run.stdout, run.stderr
    );
    run
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A report file's text with the `collected_at` values of `vcenters` (from `vcenters.csv`)
/// replaced by a marker in the two places they appear: `vcenters.csv` and `report.json`.
fn blanked(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let times: Vec<String> = Table::read(&dir.join("vcenters.csv"))
        .rows
        .iter()
        .map(|r| r["collected_at"].clone())
        .collect();
    match name {
        "vcenters.csv" => {
            let mut out = text.clone();
            for t in &times {
                assert!(out.contains(&format!(",{t},")), "{t} in {name}");
                out = out.replacen(&format!(",{t},"), ",<collected_at>,", 1);
            }
            out
        }
        "report.json" => {
            let mut out = text.clone();
            for t in &times {
                let field = format!("\"collected_at\":\"{t}\"");
                assert!(out.contains(&field), "{field} in {name}");
                out = out.replacen(&field, "\"collected_at\":\"<collected_at>\"", 1);
            }
            out
        }
        _ => text,
    }
}

/// Every report in `a` and `b` is the same, byte for byte, apart from `collected_at`.
fn assert_same_reports(a: &Path, b: &Path, what: &str) {
    let names = file_names(a);
    assert_eq!(names, file_names(b), "{what}: the same files");
    for name in &names {
        let (x, y) = (blanked(a, name), blanked(b, name));
        if x != y {
            let line = x.lines().zip(y.lines()).position(|(l, r)| l != r).map_or(
                "(lengths differ)".to_string(),
                |i| {
                    format!(
                        "line {}:\n  {}\n  {}",
                        i + 1,
                        x.lines().nth(i).unwrap(),
                        y.lines().nth(i).unwrap()
                    )
                },
            );
            panic!("{what}: {name} differs at {line}");
        }
    }
}

/// `report.json` in `dir` holds exactly the tables, columns, rows and cells of the CSVs there,
/// with typed values.
fn assert_json_matches_csv(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let doc: JsonReport = serde_json::from_str(&text).expect("report.json is valid JSON");
    let top: Value = serde_json::from_str(&text).unwrap();
    assert!(
        doc.schema_version.as_u64().is_some_and(|v| v >= 1),
        "schema_version is a positive integer: {}",
        doc.schema_version
    );
    assert_eq!(
        text.lines().nth(1).map(str::trim),
        Some(format!("\"schema_version\": {},", doc.schema_version).as_str()),
        "schema_version comes first"
    );
    assert_eq!(doc.vcaudit_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(doc.profile, "asr-vmware-2017");
    let keys: Vec<&str> = doc.tables.keys().map(String::as_str).collect();
    let mut want: Vec<&str> = TABLES.to_vec();
    want.sort();
    assert_eq!(keys, want, "one array per table and nothing else");

    for name in TABLES {
        let csv = Table::read(&dir.join(format!("{name}.csv")));
        let rows = &doc.tables[*name];
        assert_eq!(rows.len(), csv.rows.len(), "{name}: row count");
        for (i, (row, csv_row)) in rows.iter().zip(&csv.rows).enumerate() {
            let cols: Vec<&str> = row.0.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(cols, csv.header, "{name} row {i}: keys are the CSV columns");
            for (col, value) in &row.0 {
                assert_eq!(
                    cell(value),
                    csv_row[col],
                    "{name} row {i} column {col}: JSON {value} vs CSV"
                );
            }
        }
    }

    // Typed values, where the estate has them.
    let all = |table: &str, col: &str, ok: fn(&Value) -> bool| {
        let rows = top[table].as_array().unwrap();
        assert!(!rows.is_empty(), "{table} has rows");
        for r in rows {
            assert!(ok(&r[col]), "{table}.{col} has the wrong type: {}", r[col]);
        }
    };
    let number_or_null = |v: &Value| v.is_number() || v.is_null();
    let bool_or_null = |v: &Value| v.is_boolean() || v.is_null();
    all("vcenters", "vms", Value::is_u64);
    all("vcenters", "findings", Value::is_u64);
    all("hosts", "maintenance_mode", bool_or_null);
    all("vms", "template", bool_or_null);
    all("vms", "cpus", number_or_null);
    all("vms", "provisioned_gib", number_or_null);
    all("vms", "findings", Value::is_u64);
    all("disks", "capacity_bytes", number_or_null);
    all("disks", "capacity_gib", number_or_null);
    all("disks", "thin", bool_or_null);
    all("datastores", "capacity_gib", number_or_null);
    all("findings", "status", Value::is_string);
    all("summary", "checked", Value::is_u64);
    assert!(
        top["vms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["provisioned_gib"].is_number() && v["template"].is_boolean()),
        "some VM has a known size and template flag"
    );
}

#[test]
fn snapshot_audits_match_the_live_audit() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let (live, saved, collected) = (p("live"), p("saved"), p("collected"));
    let saved_snap = p("saved.json.zst");
    let collected_snap = p("collected.json");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    // Live, saving the snapshot; then that snapshot with no network.
    let mut args = sim.args("audit", &[]);
    let (live_s, saved_snap_s) = (s(&live), s(&saved_snap));
    args.extend([
        "--save-snapshot",
        &saved_snap_s,
        "--format",
        "csv,json",
        "--out",
        &live_s,
        "--fail-on",
        "never",
    ]);
    run_ok(&args, Some(PASSWORD));
    let saved_s = s(&saved);
    run_ok(
        &[
            "audit",
            "--snapshot",
            &saved_snap_s,
            "--format",
            "csv,json",
            "--out",
            &saved_s,
            "--fail-on",
            "never",
        ],
        None,
    );

    // A separate collection, audited later.
    let collected_snap_s = s(&collected_snap);
    let args = sim.args("collect", &["--snapshot", &collected_snap_s]);
    let run = run_ok(&args, Some(PASSWORD));
    assert!(run.stdout.contains("Collected 1 vCenter"), "{}", run.stdout);
    let collected_s = s(&collected);
    run_ok(
        &[
            "audit",
            "--snapshot",
            &collected_snap_s,
            "--format",
            "csv,json",
            "--out",
            &collected_s,
            "--fail-on",
            "never",
        ],
        None,
    );

    // The collected snapshot says when, from where and by which vcaudit.
    let snap: Value =
        serde_json::from_reader(std::fs::File::open(&collected_snap).unwrap()).unwrap();
    assert_eq!(snap["format"], "vcaudit-snapshot");
    assert!(
        snap["schema_version"].is_u64(),
        "{}",
        snap["schema_version"]
    );
    assert_eq!(snap["vcaudit_version"], env!("CARGO_PKG_VERSION"));
    let at = snap["collected_at"].as_str().unwrap_or_default();
    assert!(
        at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "collected_at is an RFC 3339 UTC time: {at:?}"
    );
    assert_eq!(snap["servers"], serde_json::json!([sim.server()]));
    assert_eq!(
        snap["vcenters"][0]["url"],
        format!("https://{}/sdk", sim.server())
    );
    assert!(snap["vcenters"][0]["collected_at"].is_string());

    // Non-trivial reports, so the comparisons below can fail.
    let names = file_names(&live);
    let mut want: Vec<String> = TABLES.iter().map(|t| format!("{t}.csv")).collect();
    want.push("report.json".into());
    want.sort();
    assert_eq!(
        names, want,
        "seven CSVs and report.json, no temporary files"
    );
    let count = |t: &str| Table::read(&live.join(format!("{t}.csv"))).rows.len();
    assert_eq!(count("vcenters"), 1);
    for t in ["hosts", "vms", "disks", "datastores", "findings", "summary"] {
        assert!(count(t) > 0, "{t}.csv has rows");
    }

    assert_same_reports(&live, &saved, "live vs its --save-snapshot");
    assert_same_reports(&live, &collected, "live vs a `vcaudit collect` snapshot");
    // The snapshot keeps the collection time: its audit reports when the data was collected.
    assert_eq!(
        std::fs::read(live.join("vcenters.csv")).unwrap(),
        std::fs::read(saved.join("vcenters.csv")).unwrap(),
        "an audit of the saved snapshot shows the live collection time"
    );

    assert_json_matches_csv(&live);
    assert_json_matches_csv(&collected);
}

#[test]
fn json_report_of_the_demo_snapshot_matches_its_csvs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let snap = format!("{root}/samples/demo-estate.json.zst");
    let both = dir.path().join("both");
    run_ok(
        &[
            "audit",
            "--snapshot",
            &snap,
            "--format",
            "csv,json",
            "--out",
            both.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_json_matches_csv(&both);
    // The CSVs are those of the default format: the shipped sample reports.
    let shipped = Path::new(root).join("samples/demo-report");
    for name in file_names(&shipped) {
        assert!(
            std::fs::read(both.join(&name)).unwrap() == std::fs::read(shipped.join(&name)).unwrap(),
            "{name} with --format csv,json differs from the default csv"
        );
    }

    // `--format json` writes report.json only, the same file; repeating --format adds up.
    let json = dir.path().join("json");
    run_ok(
        &[
            "audit",
            "--snapshot",
            &snap,
            "--format",
            "json",
            "--out",
            json.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_eq!(file_names(&json), ["report.json"]);
    assert!(
        std::fs::read(json.join("report.json")).unwrap()
            == std::fs::read(both.join("report.json")).unwrap(),
        "report.json does not depend on the other formats"
    );
    let repeated = dir.path().join("repeated");
    run_ok(
        &[
            "audit",
            "--snapshot",
            &snap,
            "--format",
            "json",
            "--format",
            "csv",
            "--out",
            repeated.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_eq!(file_names(&repeated), file_names(&both));
}

#[test]
fn unknown_format_is_one_clear_line() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let snap = format!("{root}/samples/demo-estate.json.zst");
    for format in ["xml", "csv,xml"] {
        let run = vcaudit(
            &[
                "audit",
                "--snapshot",
                &snap,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(run.code, 2, "{format}: {}", run.stderr);
        // clap's error line, then only its standard pointer to --help.
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("For more information"))
            .collect();
        assert_eq!(lines.len(), 1, "{format}: one line: {}", run.stderr);
        for needle in ["--format", "'xml'", "csv", "json"] {
            assert!(
                lines[0].contains(needle),
                "{format}: {:?} should name {needle}",
                lines[0]
            );
        }
        assert!(!out.exists(), "{format}: no reports");
    }
}

/// Issue 16 ("beyond one machine"): two vCenters collected as two shards (one `vcaudit collect`
/// each, as on two machines) and audited with `--snapshot a --snapshot b` give the same reports
/// as one live audit of both, cross-vCenter findings included (the two scenario instances share
/// VMs with the same UUIDs); a vCenter in two snapshots is refused with exit 2.
#[test]
fn sharded_snapshots_audit_like_one_run_over_every_vcenter() {
    let sims = [
        Sim::start("audit", &["-instance", "1"]),
        Sim::start("audit", &["-instance", "2"]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let mut estate = String::new();
    for sim in &sims {
        estate.push_str(&format!(
            "[[vcenter]]\nserver = {:?}\nuser = {:?}\npassword_env = \"SHARD_PW\"\nthumbprint = {:?}\n\n",
            sim.server(),
            support::USER,
            sim.thumbprint()
        ));
    }
    std::fs::write(p("estate.toml"), estate).unwrap();
    let (estate_s, single, merged) = (p("estate.toml"), p("single"), p("merged"));
    let run = support::vcaudit_env(
        &[
            "audit",
            "--estate",
            &estate_s,
            "--format",
            "csv,json",
            "--out",
            &single,
            "--fail-on",
            "never",
        ],
        &[("SHARD_PW", PASSWORD)],
    );
    assert_eq!(run.code, 0, "single run: {}{}", run.stdout, run.stderr);

    let shards = [p("shard1.json.zst"), p("shard2.json")];
    for (sim, shard) in sims.iter().zip(&shards) {
        run_ok(&sim.args("collect", &["--snapshot", shard]), Some(PASSWORD));
    }
    run_ok(
        &[
            "audit",
            "--snapshot",
            &shards[0],
            "--snapshot",
            &shards[1],
            "--format",
            "csv,json",
            "--out",
            &merged,
            "--fail-on",
            "never",
        ],
        None,
    );
    let (single, merged) = (Path::new(&single), Path::new(&merged));
    let findings = Table::read(&merged.join("findings.csv"));
    let cross = findings
        .rows
        .iter()
        .filter(|r| r["rule"] == "cross-vcenter-vmotion" && r["status"] == "fail")
        .count();
    assert!(
        cross >= 2,
        "the shared VMs fail cross-vcenter-vmotion in both vCenters of the merged audit ({cross} found)"
    );
    assert_same_reports(single, merged, "one run vs two merged shards");

    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            &shards[1],
            "--snapshot",
            &shards[1],
            "--out",
            &p("twice"),
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("both hold vCenter") && run.stderr.contains(sims[1].server()),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("twice/vms.csv").exists());
}
