//! The shipped sample: `samples/demo-report/` is exactly what vcaudit writes for
//! `samples/demo-estate.json.zst` (regenerate both with `bash samples/regenerate.sh`), and the
//! README's first command works offline. Damaged, newer and foreign snapshots made from it are
//! each refused with one clear line and exit 2.

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

/// Every kind of bad snapshot, made from the shipped one: one `vcaudit:` line on stderr naming the
/// file and what is wrong, exit 2, and no report folder.
#[test]
fn bad_snapshots_are_clear_errors() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let zst = std::fs::read(format!("{root}/samples/demo-estate.json.zst")).unwrap();
    let plain = zstd::decode_all(zst.as_slice()).unwrap();
    let text = String::from_utf8(plain.clone()).unwrap();
    assert!(text.contains("\"schema_version\":1"), "compact JSON inside");

    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "x.json.zst",
            b"not a snapshot".to_vec(),
            "is not a vcaudit snapshot (make one with `vcaudit collect --snapshot FILE`)",
        ),
        (
            "vcenters.csv",
            b"vcenter,url\nvc01,https://vc01/sdk\n".to_vec(),
            "is not a vcaudit snapshot",
        ),
        (
            "other.json",
            br#"{"name":"not ours","vcenters":[]}"#.to_vec(),
            "is not a vcaudit snapshot",
        ),
        ("empty.json", Vec::new(), "is truncated or corrupted"),
        (
            "newer.json",
            text.replacen("\"schema_version\":1", "\"schema_version\":2", 1)
                .into_bytes(),
            "schema version 2, newer than the 1 this vcaudit reads (upgrade vcaudit)",
        ),
        (
            "cut.json",
            plain[..plain.len() / 2].to_vec(),
            "is truncated or corrupted",
        ),
        (
            "cut.json.zst",
            zst[..zst.len() / 2].to_vec(),
            "is truncated or corrupted",
        ),
    ];
    // Damage the JSON structure halfway through: a VM object's opening brace.
    let at = text[text.len() / 2..].find("{\"moref\"").unwrap() + text.len() / 2;
    let mut broken = plain.clone();
    broken[at] = b'#';
    cases.push(("corrupt.json", broken, "is truncated or corrupted"));
    // Damage the middle of the compressed stream.
    let mut broken = zst.clone();
    let mid = zst.len() / 2;
    for b in &mut broken[mid..mid + 64] {
        *b ^= 0x5A;
    }
    cases.push(("corrupt.json.zst", broken, "is truncated or corrupted"));

    for (name, bytes, want) in cases {
        std::fs::write(p(name), &bytes).unwrap();
        let out = p(&format!("out-{name}"));
        let run = vcaudit(
            &[
                "audit",
                "--snapshot",
                p(name).to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(run.code, 2, "{name}: exit code; stderr: {}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: one line: {}", run.stderr);
        assert!(
            lines[0].starts_with("vcaudit: ") && lines[0].contains(name) && lines[0].contains(want),
            "{name}: {:?} should name the file and say {want:?}",
            lines[0]
        );
        assert!(!out.exists(), "{name}: no reports for a bad snapshot");
    }
}
