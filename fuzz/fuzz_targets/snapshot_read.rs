//! `snapshot::read` on any file: the first byte chooses a plain `.json` file, the bytes as a
//! `.json.zst` file (the zstd decoder on hostile frames), or the bytes zstd-compressed (hostile
//! JSON through the decompressor). Caps small enough for the fuzzer's 512 MB. One scratch folder
//! per process (in /dev/shm when there is one), its file written and removed per input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use vcaudit::bounded::Limits;
use vcaudit::snapshot::read_with;

const LIMITS: Limits = Limits {
    max_bytes: 32 * 1024 * 1024,
    max_objects: 200_000,
    max_string: 1024 * 1024,
};

fn scratch() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        if std::path::Path::new("/dev/shm").is_dir() {
            tempfile::tempdir_in("/dev/shm")
        } else {
            tempfile::tempdir()
        }
        .expect("scratch folder")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (name, bytes) = match mode % 3 {
        0 => ("s.json", rest.to_vec()),
        1 => ("s.json.zst", rest.to_vec()),
        _ => ("s.json.zst", zstd::encode_all(rest, 1).unwrap()),
    };
    let p = scratch().path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let _ = read_with(&p, LIMITS);
    let _ = std::fs::remove_file(&p);
});
