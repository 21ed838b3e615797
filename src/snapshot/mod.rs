//! Snapshots: the whole collected inventory in one file, to audit later and elsewhere.
//!
//! A snapshot is JSON (zstd-compressed when the file name ends in `.zst`) whose first two keys are
//! `format` (`"vcaudit-snapshot"`) and `schema_version`, so a reader can tell at once whether a
//! file is a snapshot at all and whether it is from a newer vcaudit, before reading the rest.
//! Reading streams from the file and ignores unknown fields, so older vcaudit versions of the same
//! schema version read newer files' extra data without error. Compressed snapshots carry zstd's
//! content checksum, so damage is detected even where it still decompresses to valid JSON; in a
//! plain `.json` file only damage to the JSON structure can be (it stays editable, by jq say).

use crate::bounded::{BoundedJson, Exceeded, Limits};
use crate::model::{Estate, VCenterInventory};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

mod split;

/// The `format` marker.
pub const FORMAT: &str = "vcaudit-snapshot";
/// The snapshot schema this vcaudit writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A snapshot as written: the estate plus when, from where and by what it was collected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub format: String,
    pub schema_version: u32,
    /// The vcaudit version that collected it.
    pub vcaudit_version: String,
    /// RFC 3339 UTC time the collection finished.
    pub collected_at: String,
    /// The vCenters as the user named them, in order.
    pub servers: Vec<String>,
    pub vcenters: Vec<VCenterInventory>,
}

impl Snapshot {
    pub fn new(estate: Estate, collected_at: String) -> Snapshot {
        Snapshot {
            format: FORMAT.to_string(),
            schema_version: SCHEMA_VERSION,
            vcaudit_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at,
            servers: estate.vcenters.iter().map(|v| v.server.clone()).collect(),
            vcenters: estate.vcenters,
        }
    }

    pub fn into_estate(self) -> Estate {
        Estate {
            vcenters: self.vcenters,
        }
    }
}

/// Why a snapshot could not be read or written; one line naming the file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path} is not a vcaudit snapshot")]
    NotASnapshot { path: String },
    #[error(
        "snapshot {path} has schema version {found}, newer than the {supported} this vcaudit reads (upgrade vcaudit)"
    )]
    TooNew {
        path: String,
        found: u32,
        supported: u32,
    },
    #[error("snapshot {path} is truncated or corrupted: {reason}")]
    Corrupt { path: String, reason: String },
    #[error("cannot write snapshot {path}: {reason}")]
    Write { path: String, reason: String },
    #[error(
        "snapshot {path} holds {what}, past vcaudit's cap; if it is genuine, raise the cap with {var}=N"
    )]
    TooLarge {
        path: String,
        what: Exceeded,
        var: &'static str,
    },
    #[error("{var} must be a positive whole number, not {value:?}")]
    BadLimit { var: &'static str, value: String },
}

fn is_zst(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zst"))
}

/// The folder a snapshot file goes to.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Checks, before any collection, that a snapshot can be written to `path`: it is not a folder
/// and a file can be created beside it.
pub fn check_writable(path: &Path) -> Result<(), SnapshotError> {
    let err = |reason: String| SnapshotError::Write {
        path: path.display().to_string(),
        reason,
    };
    if path.is_dir() {
        return Err(err(
            "it is a folder; name a file such as inventory.json.zst".into(),
        ));
    }
    tempfile::Builder::new()
        .prefix(".vcaudit-snapshot-probe-")
        .tempfile_in(folder_of(path))
        .map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// Writes a snapshot to a temporary file beside `path` and renames it into place; the file is
/// readable by its owner only (0600), since it holds the whole inventory.
pub fn write(path: &Path, snapshot: &Snapshot) -> Result<(), SnapshotError> {
    let shown = path.display().to_string();
    let err = |e: &dyn std::fmt::Display| SnapshotError::Write {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let dir = folder_of(path);
    let tmp = tempfile::Builder::new()
        .prefix(".vcaudit-snapshot-")
        .tempfile_in(dir)
        .map_err(|e| err(&e))?;
    {
        let file = BufWriter::new(tmp.as_file());
        if is_zst(path) {
            let mut enc = zstd::stream::Encoder::new(file, 9).map_err(|e| err(&e))?;
            // A content checksum lets the reader tell a corrupted file from a valid one even
            // where the damage still decompresses to well-formed JSON.
            enc.include_checksum(true).map_err(|e| err(&e))?;
            serde_json::to_writer(&mut enc, snapshot).map_err(|e| err(&e))?;
            enc.finish()
                .map_err(|e| err(&e))?
                .flush()
                .map_err(|e| err(&e))?;
        } else {
            let mut file = file;
            serde_json::to_writer_pretty(&mut file, snapshot).map_err(|e| err(&e))?;
            file.write_all(b"\n").map_err(|e| err(&e))?;
            file.flush().map_err(|e| err(&e))?;
        }
    }
    tmp.as_file().sync_all().map_err(|e| err(&e))?;
    tmp.persist(path).map_err(|e| err(&e.error))?;
    Ok(())
}

/// Environment variables raising the caps of [`read`]: decompressed MB, JSON objects, and the
/// longest string in MB.
pub const MAX_MB_VAR: &str = "VCAUDIT_SNAPSHOT_MAX_MB";
pub const MAX_OBJECTS_VAR: &str = "VCAUDIT_SNAPSHOT_MAX_OBJECTS";
pub const MAX_STRING_MB_VAR: &str = "VCAUDIT_SNAPSHOT_MAX_STRING_MB";

/// The caps for reading snapshots: the defaults, raised (or lowered) by the environment.
pub fn limits_from_env() -> Result<Limits, SnapshotError> {
    let mut l = Limits::default();
    let var = |name: &'static str| -> Result<Option<u64>, SnapshotError> {
        match std::env::var(name) {
            Err(_) => Ok(None),
            Ok(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(SnapshotError::BadLimit {
                    var: name,
                    value: v,
                }),
            },
        }
    };
    if let Some(mb) = var(MAX_MB_VAR)? {
        l.max_bytes = mb.saturating_mul(1024 * 1024);
    }
    if let Some(n) = var(MAX_OBJECTS_VAR)? {
        l.max_objects = n;
    }
    if let Some(mb) = var(MAX_STRING_MB_VAR)? {
        l.max_string = mb.saturating_mul(1024 * 1024);
    }
    Ok(l)
}

/// Reads a snapshot, streaming from the file, within the caps of [`limits_from_env`].
pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
    read_with(path, limits_from_env()?)
}

/// Reads a snapshot, streaming from the file, within `limits`, decoding on every core.
pub fn read_with(path: &Path, limits: Limits) -> Result<Snapshot, SnapshotError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    read_on(path, limits, cores)
}

/// [`read`] decoding on the calling thread only: slower, but every allocation of the model is
/// made by this thread. For callers that read several large snapshots one after the other and
/// free each in between: the C allocator keeps each other thread's heap, so memory freed there
/// is not reused here, and the peak grows.
pub fn read_on_this_thread(path: &Path) -> Result<Snapshot, SnapshotError> {
    read_on(path, limits_from_env()?, 1)
}

/// Reads a snapshot within `limits`, decoding VMs on `workers` threads.
fn read_on(path: &Path, limits: Limits, workers: usize) -> Result<Snapshot, SnapshotError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| SnapshotError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic).map_err(io)?;
    let compressed = n == 4 && magic == [0x28, 0xB5, 0x2F, 0xFD];
    if is_zst(path) && !compressed && n > 0 && magic[0] != b'{' {
        return Err(SnapshotError::NotASnapshot { path: shown });
    }
    let open = || -> Result<Box<dyn Read>, SnapshotError> {
        let file = File::open(path).map_err(io)?;
        Ok(if compressed {
            Box::new(zstd::stream::Decoder::new(file).map_err(io)?)
        } else {
            Box::new(file)
        })
    };
    // The fast way for the layout vcaudit writes (it keeps the caps' counts itself); anything
    // else, or any problem, is read again the careful way, which says exactly what is wrong.
    let fast = split::read(
        BufReader::with_capacity(READ_BUFFER, open()?),
        limits,
        workers,
    );
    let mut s = match fast {
        Ok(s) => s,
        Err(split::Fallback) => read_carefully(open()?, limits, &shown, compressed)?,
    };
    // Lists grow by doubling while read; the model is kept for the whole run.
    s.vcenters
        .iter_mut()
        .for_each(VCenterInventory::shrink_to_fit);
    Ok(s)
}

/// Reads a snapshot through the caps' counter, decoding as it reads, and names any problem.
fn read_carefully(
    reader: Box<dyn Read>,
    limits: Limits,
    shown: &str,
    compressed: bool,
) -> Result<Snapshot, SnapshotError> {
    let bounded = BoundedJson::new(reader, limits);
    let tripped = bounded.tripwire();
    // serde_json reads one byte at a time: the buffer goes outside the caps' counter and the
    // decompressor, so both see large blocks (unbuffered, each byte was a zstd call).
    let buffered = BufReader::with_capacity(READ_BUFFER, bounded);
    let mut de = serde_json::Deserializer::from_reader(buffered);
    let result = de
        .deserialize_map(SnapshotVisitor)
        .and_then(|s| de.end().map(|_| s));
    match (result, tripped.get()) {
        (Ok(s), _) => Ok(s),
        (Err(_), Some(what)) => Err(too_large(shown, what)),
        (Err(e), None) => Err(classify(shown, e, compressed)),
    }
}

/// The read buffer in front of the JSON decoder.
const READ_BUFFER: usize = 256 * 1024;

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Turns a deserialization error into the right one-line message.
fn classify(path: &str, e: serde_json::Error, compressed: bool) -> SnapshotError {
    let msg = e.to_string();
    if let Some(rest) = msg.strip_prefix(TOO_NEW) {
        let found = rest
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        return SnapshotError::TooNew {
            path: path.into(),
            found,
            supported: SCHEMA_VERSION,
        };
    }
    if msg.starts_with(NOT_SNAPSHOT) {
        return SnapshotError::NotASnapshot { path: path.into() };
    }
    match e.classify() {
        serde_json::error::Category::Eof => SnapshotError::Corrupt {
            path: path.into(),
            reason: "it ends too early".into(),
        },
        serde_json::error::Category::Io => SnapshotError::Corrupt {
            path: path.into(),
            reason: if compressed {
                format!("zstd: {msg}")
            } else {
                msg
            },
        },
        // The very first value was not a JSON object with our marker: not a snapshot.
        serde_json::error::Category::Syntax if e.line() == 1 && e.column() <= 1 => {
            SnapshotError::NotASnapshot { path: path.into() }
        }
        _ => SnapshotError::Corrupt {
            path: path.into(),
            reason: msg,
        },
    }
}

/// The error for a snapshot beyond a cap, naming the variable that raises it.
fn too_large(path: &str, what: Exceeded) -> SnapshotError {
    SnapshotError::TooLarge {
        path: path.into(),
        what,
        var: match what {
            Exceeded::Bytes(_) => MAX_MB_VAR,
            Exceeded::Objects(_) => MAX_OBJECTS_VAR,
            Exceeded::String(_) => MAX_STRING_MB_VAR,
        },
    }
}

const TOO_NEW: &str = "snapshot schema too new: ";
const NOT_SNAPSHOT: &str = "not a vcaudit snapshot";

/// Reads the map key by key, checking `format` and `schema_version` as soon as they appear. We
/// write them first, so a newer or foreign file is refused before the rest is decoded. A file
/// whose keys were reordered (by `jq -S`, say) still reads: fields seen before the check are
/// decoded as they come (never buffered as generic JSON, which would take several times the
/// memory), and a field that does not decode before the check makes the file "not a snapshot".
struct SnapshotVisitor;

fn field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    verified: bool,
) -> Result<T, A::Error> {
    match map.next_value() {
        Ok(v) => Ok(v),
        Err(e) if verified => Err(e),
        Err(_) => Err(de::Error::custom(NOT_SNAPSHOT)),
    }
}

/// A `format` or `schema_version` value, read without building a generic JSON value.
enum Marker {
    Text(String),
    Number(u64),
    Other,
}

impl<'de> Deserialize<'de> for Marker {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Marker, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Marker;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Marker, E> {
                Ok(Marker::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Marker, E> {
                Ok(Marker::Number(v))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Marker, E> {
                Ok(Marker::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Marker, E> {
                Ok(Marker::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Marker, E> {
                Ok(Marker::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Marker, E> {
                Ok(Marker::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Marker, A::Error> {
                while a.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Marker::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Marker, A::Error> {
                while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Marker::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Visitor<'de> for SnapshotVisitor {
    type Value = Snapshot;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a vcaudit snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Snapshot, A::Error> {
        let mut format: Option<String> = None;
        let mut schema_version: Option<u32> = None;
        let mut vcaudit_version: Option<String> = None;
        let mut collected_at: Option<String> = None;
        let mut servers: Option<Vec<String>> = None;
        let mut vcenters: Option<Vec<VCenterInventory>> = None;
        while let Some(key) = map.next_key::<String>()? {
            let verified = format.is_some() && schema_version.is_some();
            match key.as_str() {
                "format" => {
                    match map.next_value::<Marker>() {
                        Ok(Marker::Text(f)) if f == FORMAT => {}
                        _ => return Err(de::Error::custom(NOT_SNAPSHOT)),
                    }
                    format = Some(FORMAT.to_string());
                }
                "schema_version" => {
                    let Ok(Marker::Number(v)) = map.next_value::<Marker>() else {
                        return Err(de::Error::custom(NOT_SNAPSHOT));
                    };
                    if v > u64::from(SCHEMA_VERSION) {
                        return Err(de::Error::custom(format!("{TOO_NEW}{v}")));
                    }
                    schema_version = Some(v as u32);
                }
                "vcaudit_version" => vcaudit_version = Some(field(&mut map, verified)?),
                "collected_at" => collected_at = Some(field(&mut map, verified)?),
                "servers" => servers = Some(field(&mut map, verified)?),
                "vcenters" => vcenters = Some(field(&mut map, verified)?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let (Some(format), Some(schema_version)) = (format, schema_version) else {
            return Err(de::Error::custom(NOT_SNAPSHOT));
        };
        Ok(Snapshot {
            format,
            schema_version,
            vcaudit_version: vcaudit_version.unwrap_or_default(),
            collected_at: collected_at.unwrap_or_default(),
            servers: servers.unwrap_or_default(),
            vcenters: vcenters.ok_or_else(|| de::Error::missing_field("vcenters"))?,
        })
    }
}

impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SnapshotVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CollectStatus, Vm};
    use std::path::PathBuf;

    fn sample() -> Snapshot {
        let vc = VCenterInventory {
            server: "vc01".into(),
            url: "https://vc01/sdk".into(),
            status: CollectStatus::Ok,
            vms: vec![Vm {
                moref: "vm-1".into(),
                name: "web-01".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        Snapshot::new(Estate { vcenters: vec![vc] }, "2026-11-24T10:00:00Z".into())
    }

    #[test]
    fn round_trip_plain_and_zstd() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["s.json", "s.json.zst"] {
            let p = dir.path().join(name);
            write(&p, &sample()).unwrap();
            assert_eq!(read(&p).unwrap(), sample(), "{name}");
        }
        let raw = std::fs::read(dir.path().join("s.json.zst")).unwrap();
        assert_eq!(&raw[..4], &[0x28, 0xB5, 0x2F, 0xFD], "zstd magic");
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        let mut v = serde_json::to_value(sample()).unwrap();
        v["future_top_level"] = serde_json::json!({"x": 1});
        v["vcenters"][0]["future_field"] = serde_json::json!([1, 2]);
        v["vcenters"][0]["vms"][0]["future_vm_field"] = serde_json::json!("y");
        std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(read(&p).unwrap(), sample());
    }

    #[test]
    fn reordered_keys_read_and_foreign_fields_first_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        // `jq -S`: keys sorted, so collected_at comes before format.
        let sorted = serde_json::to_string(&serde_json::to_value(sample()).unwrap()).unwrap();
        assert!(sorted.starts_with(r#"{"collected_at""#), "{sorted}");
        std::fs::write(&p, &sorted).unwrap();
        assert_eq!(read(&p).unwrap(), sample());
        // The inventory before the marker decodes as it comes.
        let v = serde_json::to_value(sample()).unwrap();
        let text = format!(
            r#"{{"vcenters":{},"format":"vcaudit-snapshot","schema_version":1}}"#,
            v["vcenters"]
        );
        std::fs::write(&p, text).unwrap();
        assert_eq!(read(&p).unwrap().vcenters, sample().vcenters);
        // A foreign document whose first field is not ours is not a snapshot.
        std::fs::write(&p, r#"{"vcenters":"a string","format":"vcaudit-snapshot"}"#).unwrap();
        assert!(matches!(
            read(&p).unwrap_err(),
            SnapshotError::NotASnapshot { .. }
        ));
        std::fs::write(&p, r#"{"format":{"a":[1,2]},"schema_version":1}"#).unwrap();
        assert!(matches!(
            read(&p).unwrap_err(),
            SnapshotError::NotASnapshot { .. }
        ));
    }

    /// A small zstd file that decompresses to far more than it says.
    fn bomb(dir: &Path, name: &str, head: &str, unit: &str, n: usize, tail: &str) -> PathBuf {
        let p = dir.join(name);
        let mut enc = zstd::stream::Encoder::new(File::create(&p).unwrap(), 3).unwrap();
        enc.write_all(head.as_bytes()).unwrap();
        let chunk = unit.repeat(4096);
        for _ in 0..n / 4096 {
            enc.write_all(chunk.as_bytes()).unwrap();
        }
        enc.write_all(tail.as_bytes()).unwrap();
        enc.finish().unwrap();
        p
    }

    #[test]
    fn bombs_stop_at_a_named_cap() {
        let dir = tempfile::tempdir().unwrap();
        let head = r#"{"format":"vcaudit-snapshot","schema_version":1,"vcenters":[{"server":"x","url":"u","status":"ok","vms":["#;
        let limits = Limits {
            max_bytes: 16 * 1024 * 1024,
            max_objects: 10_000,
            max_string: 1024 * 1024,
        };
        let vm = serde_json::to_string(&sample().vcenters[0].vms[0]).unwrap();
        let cases = [
            // A million VMs from a few kilobytes.
            (
                bomb(
                    dir.path(),
                    "objects.json.zst",
                    head,
                    &format!("{vm},"),
                    1 << 17,
                    &format!("{vm}]}}]}}"),
                ),
                MAX_OBJECTS_VAR,
            ),
            // Gigabytes of whitespace.
            (
                bomb(
                    dir.path(),
                    "bytes.json.zst",
                    head,
                    "        ",
                    4 << 20,
                    "]}]}",
                ),
                MAX_MB_VAR,
            ),
            // One endless name.
            (
                bomb(
                    dir.path(),
                    "string.json.zst",
                    &format!("{head}{{\"name\":\""),
                    "aaaaaaaa",
                    1 << 18,
                    "\"}]}]}",
                ),
                MAX_STRING_MB_VAR,
            ),
        ];
        for (p, var) in cases {
            assert!(
                std::fs::metadata(&p).unwrap().len() < 64 * 1024,
                "a small file"
            );
            let e = read_with(&p, limits).unwrap_err();
            assert!(matches!(e, SnapshotError::TooLarge { .. }), "{e}");
            assert!(e.to_string().contains(var), "{e}");
            assert!(!e.to_string().contains('\n'));
        }
    }

    #[test]
    fn compressed_snapshots_are_checksummed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json.zst");
        write(&p, &sample()).unwrap();
        let mut raw = std::fs::read(&p).unwrap();
        // Frame header descriptor: bit 2 is the content checksum flag.
        assert_ne!(raw[4] & 0b100, 0, "content checksum flag set");
        // Damage only the checksum (the frame's last four bytes): the content still decodes to
        // the same valid JSON, and the reader must refuse it all the same.
        let n = raw.len();
        for b in &mut raw[n - 4..] {
            *b ^= 0xFF;
        }
        std::fs::write(&p, &raw).unwrap();
        let e = read(&p).unwrap_err();
        assert!(matches!(e, SnapshotError::Corrupt { .. }), "{e}");
    }

    #[test]
    fn bad_inputs_have_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);

        std::fs::write(
            p("newer.json"),
            r#"{"format":"vcaudit-snapshot","schema_version":99,"vcenters":"whatever new"}"#,
        )
        .unwrap();
        let e = read(&p("newer.json")).unwrap_err();
        assert!(matches!(e, SnapshotError::TooNew { found: 99, .. }), "{e}");
        assert!(e.to_string().contains("upgrade vcaudit"));

        std::fs::write(p("report.csv"), "vcenter,url\nvc01,https://vc01/sdk\n").unwrap();
        assert!(matches!(
            read(&p("report.csv")).unwrap_err(),
            SnapshotError::NotASnapshot { .. }
        ));

        std::fs::write(p("other.json"), r#"{"name":"not ours","vcenters":[]}"#).unwrap();
        assert!(matches!(
            read(&p("other.json")).unwrap_err(),
            SnapshotError::NotASnapshot { .. }
        ));

        write(&p("full.json"), &sample()).unwrap();
        let full = std::fs::read(p("full.json")).unwrap();
        std::fs::write(p("cut.json"), &full[..full.len() / 2]).unwrap();
        let e = read(&p("cut.json")).unwrap_err();
        assert!(matches!(e, SnapshotError::Corrupt { .. }), "{e}");

        write(&p("full.json.zst"), &sample()).unwrap();
        let full = std::fs::read(p("full.json.zst")).unwrap();
        std::fs::write(p("cut.json.zst"), &full[..full.len() - 8]).unwrap();
        let e = read(&p("cut.json.zst")).unwrap_err();
        assert!(matches!(e, SnapshotError::Corrupt { .. }), "{e}");

        std::fs::write(p("garbage.json.zst"), b"PK\x03\x04 a zip file").unwrap();
        assert!(matches!(
            read(&p("garbage.json.zst")).unwrap_err(),
            SnapshotError::NotASnapshot { .. }
        ));

        let e = read(&p("missing.json")).unwrap_err();
        assert!(e.to_string().contains("missing.json"), "{e}");
    }
}
