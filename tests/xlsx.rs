//! `--format xlsx`: the audit workbook read back with an independent reader (calamine): sheet
//! names and order, headers, cell types, and every value equal to the CSV written in the same run.

mod support;

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::Path;
use support::vcaudit;

/// Audits the shipped demo snapshot with `formats` into a fresh folder.
fn audit_demo(formats: &str) -> tempfile::TempDir {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let snap = format!("{root}/samples/demo-estate.json.zst");
    let out = dir.path().to_str().unwrap();
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            &snap,
            "--out",
            out,
            "--format",
            formats,
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

/// The CSV cell text a workbook cell stands for, given the column's CSV text (for the type).
fn same(csv: &str, cell: &Data, column: &str) -> bool {
    match cell {
        Data::Empty => csv.is_empty(),
        Data::Bool(b) => csv == b.to_string(),
        Data::Float(f) => csv.parse::<f64>().is_ok_and(|v| (v - f).abs() < 1e-9),
        Data::Int(i) => csv.parse::<i64>() == Ok(*i),
        Data::String(s) => *s == vcaudit::report::cell::formula_safe(csv),
        Data::DateTime(dt) => {
            // A UTC time: the CSV's RFC 3339 text to the second.
            let t =
                time::OffsetDateTime::parse(csv, &time::format_description::well_known::Rfc3339)
                    .unwrap();
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            (y as i32, mo, d, h, mi, s)
                == (
                    t.year(),
                    t.month() as u8,
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second(),
                )
        }
        other => panic!("{column}: unexpected cell {other:?}"),
    }
}

#[test]
fn workbook_holds_every_table_with_typed_cells_equal_to_the_csvs() {
    let dir = audit_demo("csv,xlsx");
    let path = dir.path().join("vcaudit.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("a workbook calamine reads");
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "vCenters",
            "Hosts",
            "VMs",
            "Disks",
            "Datastores",
            "Findings"
        ]
    );
    let mut typed = std::collections::HashSet::new();
    for (sheet, file) in [
        ("vCenters", "vcenters.csv"),
        ("Hosts", "hosts.csv"),
        ("VMs", "vms.csv"),
        ("Disks", "disks.csv"),
        ("Datastores", "datastores.csv"),
        ("Findings", "findings.csv"),
    ] {
        let range = wb.worksheet_range(sheet).unwrap();
        let mut csv = csv::Reader::from_path(dir.path().join(file)).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = csv
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let mut sheet_rows = range.rows();
        let got: Vec<String> = sheet_rows
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(got, header, "{sheet}: the CSV's columns in order");
        assert_eq!(
            range.height(),
            rows.len() + 1,
            "{sheet}: one row per CSV row, nothing after"
        );
        assert!(
            range.width() <= header.len(),
            "{sheet}: no cells past the columns"
        );
        for (want, got) in rows.iter().zip(sheet_rows) {
            for (i, name) in header.iter().enumerate() {
                let cell = got.get(i).unwrap_or(&Data::Empty);
                assert!(
                    same(&want[i], cell, name),
                    "{sheet}.{name}: {cell:?} is not the CSV's {:?}",
                    want[i]
                );
                typed.insert((sheet, name.clone(), std::mem::discriminant(cell)));
            }
        }
    }
    // The typed columns really are typed.
    let kind = |sheet: &str, col: &str, d: Data| {
        typed.contains(&(sheet, col.to_string(), std::mem::discriminant(&d)))
    };
    assert!(kind("VMs", "cpus", Data::Float(0.0)), "counts are numbers");
    assert!(
        kind("VMs", "provisioned_gib", Data::Float(0.0)),
        "GiB are numbers"
    );
    assert!(
        kind("VMs", "template", Data::Bool(false)),
        "booleans are booleans"
    );
    assert!(
        kind(
            "vCenters",
            "collected_at",
            Data::DateTime(Default::default())
        ),
        "times are dates"
    );
    assert!(
        kind("VMs", "vm", Data::String(String::new())),
        "text is text"
    );
}

#[test]
fn summary_sheet_names_the_run_counts_and_rules() {
    let dir = audit_demo("csv,xlsx");
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("vcaudit.xlsx")).unwrap();
    let range = wb.worksheet_range("Summary").unwrap();
    let value = |label: &str| -> Data {
        range
            .rows()
            .find(|r| r.first().is_some_and(|c| *c == label))
            .unwrap_or_else(|| panic!("no {label} row"))[1]
            .clone()
    };
    assert_eq!(
        value("vcaudit version").to_string(),
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(value("Profile").to_string(), "asr-vmware-2017");
    assert!(matches!(value("Generated (UTC)"), Data::DateTime(_)));
    // Readiness counts equal vms.csv's readiness column.
    let mut csv = csv::Reader::from_path(dir.path().join("vms.csv")).unwrap();
    let col = csv
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "readiness")
        .unwrap();
    let readiness: Vec<String> = csv.records().map(|r| r.unwrap()[col].to_string()).collect();
    for label in ["ready", "conditionally-ready", "unknown", "not-ready"] {
        let n = readiness.iter().filter(|r| *r == label).count();
        assert_eq!(value(label), Data::Float(n as f64), "{label}");
    }
    // Every summary.csv row is on the sheet under the same header.
    let summary = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    let mut csv = csv::Reader::from_reader(summary.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let start = range
        .rows()
        .position(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>() == header)
        .expect("the summary table's header");
    for (i, rec) in csv.records().enumerate() {
        let rec = rec.unwrap();
        let row = range.rows().nth(start + 1 + i).unwrap();
        for (j, name) in header.iter().enumerate() {
            assert!(
                same(&rec[j], &row[j], name),
                "summary {name}: {:?} vs {:?}",
                row[j],
                &rec[j]
            );
        }
    }
    assert!(range.rows().any(|r| r[0] == "vCenters not collected"));
}

#[test]
fn xlsx_alone_writes_only_the_workbook() {
    let dir = audit_demo("xlsx");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["vcaudit.xlsx"], "no temporary files left behind");
    assert!(
        Path::new(&dir.path().join("vcaudit.xlsx"))
            .metadata()
            .unwrap()
            .len()
            > 0
    );
}
