//! `vcaudit diff` keeps each side in an unlinked temporary file (in `TMPDIR`) while the other is
//! read: nothing is left behind there, and a temporary folder it cannot use is a clear error
//! with exit code 2 that writes no diff.

mod support;

use support::*;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/demo-estate.json.zst");

#[test]
fn the_temporary_files_leave_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("d");
    let run = vcaudit_env(
        &["diff", SAMPLE, SAMPLE, "--out", out_dir.to_str().unwrap()],
        &[("TMPDIR", tmp.path().to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("No changes."), "{}", run.stdout);
    assert!(out_dir.join("diff.csv").is_file() && out_dir.join("diff.json").is_file());
    assert_no_reports(tmp.path());
}

#[test]
fn an_unusable_temporary_folder_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-folder");
    let out_dir = tmp.path().join("d");
    let run = vcaudit_env(
        &["diff", SAMPLE, SAMPLE, "--out", out_dir.to_str().unwrap()],
        &[("TMPDIR", missing.to_str().unwrap())],
    );
    assert_one_line_error(&run, "TMPDIR");
    assert!(run.stderr.contains("no-such-folder"), "{}", run.stderr);
    assert!(!out_dir.join("diff.csv").exists() && !out_dir.join("diff.json").exists());
}
