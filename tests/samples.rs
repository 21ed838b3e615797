//! The shipped sample: `samples/demo-report/` is exactly what vcaudit writes for
//! `samples/demo-estate.json.zst` (regenerate both with `bash samples/regenerate.sh`), and the
//! README's first command works offline.

mod support;

use support::vcaudit;

#[test]
fn demo_report_is_in_sync_with_the_demo_snapshot() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo-report");
    let snap = format!("{root}/samples/demo-estate.json.zst");
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            &snap,
            "--out",
            out.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("VM readiness:"),
        "prints the summary: {}",
        run.stdout
    );
    let shipped = std::path::Path::new(root).join("samples/demo-report");
    let mut names: Vec<_> = std::fs::read_dir(&shipped)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "seven reports shipped");
    for name in names {
        let want = std::fs::read(shipped.join(&name)).unwrap();
        let got = std::fs::read(out.join(&name)).unwrap();
        assert!(
            want == got,
            "{} differs from a fresh audit of the snapshot; run `bash samples/regenerate.sh`",
            name.to_string_lossy()
        );
    }
    // The default profile finds failing errors in the demo estate: exit 1 without --fail-on.
    let run = vcaudit(
        &["audit", "--snapshot", &snap, "--out", out.to_str().unwrap()],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn bad_snapshots_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("x.json.zst");
    std::fs::write(&bad, b"not a snapshot").unwrap();
    let out = dir.path().join("out");
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is not a vcaudit snapshot"),
        "{}",
        run.stderr
    );
    assert!(!out.exists(), "no reports for a bad snapshot");
}
