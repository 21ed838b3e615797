//! `report.json`: every report table in one JSON document, for tools that consume the audit.
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "vcaudit_version": "0.1.0",
//!   "profile": "asr-vmware-2017",
//!   "vcenters": [
//!     {"vcenter":"vc01","url":"https://vc01/sdk",...,"notes":null},
//!     ...
//!   ],
//!   "hosts": [...], "vms": [...], "disks": [...], "datastores": [...],
//!   "findings": [...], "summary": [...]
//! }
//! ```
//!
//! - One array per table, in the order of [`super::write_tables`], which also writes the CSVs: the
//!   same tables from the same row types, so the two formats cannot drift apart.
//! - Each element is one row: an object whose keys are exactly the CSV's column names, in column
//!   order (the row type's serde field names, as for the CSV header).
//! - Values are typed: text as strings, counts and sizes as numbers, booleans as booleans, and an
//!   unknown value (an empty CSV cell) as `null`. Known but empty text stays `""`, which the CSV
//!   cannot tell from unknown.
//! - Columns whose name ends in `_gib` hold GiB that the row types carry pre-formatted as text
//!   (at most two decimals, see [`super::gib`]); they are written as JSON numbers with the same
//!   digits as the CSV (`1.5`, `2048`). Should such a value not be a number it stays a string.
//! - `schema_version` ([`SCHEMA_VERSION`]) changes when a key is removed or renamed or a value's
//!   type changes; new columns and tables may appear within the same version, so readers should
//!   ignore keys they do not know.
//! - Written streaming, one row per line, from the same row iterators as the CSVs: memory does
//!   not grow with the estate. Staged and renamed with the other reports.

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::io::Write;

/// The `report.json` schema this vcaudit writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The file name of the JSON report.
pub const FILE_NAME: &str = "report.json";

/// Writes `report.json` to `W`: [`JsonReport::begin`], one [`JsonReport::table`] per table, then
/// [`JsonReport::finish`].
pub struct JsonReport<W: Write> {
    w: W,
}

impl<W: Write> JsonReport<W> {
    /// Writes the opening brace and the header keys.
    pub fn begin(mut w: W, profile: &str) -> serde_json::Result<Self> {
        write!(
            w,
            "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"vcaudit_version\": "
        )
        .map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut w, env!("CARGO_PKG_VERSION"))?;
        w.write_all(b",\n  \"profile\": ")
            .map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut w, profile)?;
        Ok(JsonReport { w })
    }

    /// Writes one table as an array of row objects, one row per line.
    pub fn table<R: Serialize>(
        &mut self,
        name: &str,
        rows: impl IntoIterator<Item = R>,
    ) -> serde_json::Result<()> {
        self.w.write_all(b",\n  ").map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut self.w, name)?;
        self.w.write_all(b": [").map_err(serde_json::Error::io)?;
        let mut first = true;
        for row in rows {
            let sep: &[u8] = if first { b"\n    " } else { b",\n    " };
            self.w.write_all(sep).map_err(serde_json::Error::io)?;
            row.serialize(RowSerializer { w: &mut self.w })?;
            first = false;
        }
        let close: &[u8] = if first { b"]" } else { b"\n  ]" };
        self.w.write_all(close).map_err(serde_json::Error::io)
    }

    /// Closes the document and flushes; returns the writer.
    pub fn finish(mut self) -> serde_json::Result<W> {
        self.w.write_all(b"\n}\n").map_err(serde_json::Error::io)?;
        self.w.flush().map_err(serde_json::Error::io)?;
        Ok(self.w)
    }
}

impl<W: Write> super::TableSink for JsonReport<W> {
    type Error = serde_json::Error;

    fn table<R: Serialize + Default>(
        &mut self,
        name: &str,
        rows: impl IntoIterator<Item = R>,
    ) -> serde_json::Result<()> {
        JsonReport::table(self, name, rows)
    }

    fn table_with_header<R: Serialize>(
        &mut self,
        name: &str,
        _header: &[&str],
        rows: impl IntoIterator<Item = R>,
    ) -> serde_json::Result<()> {
        JsonReport::table(self, name, rows)
    }
}

fn not_flat(what: &str) -> serde_json::Error {
    ser::Error::custom(format!(
        "a report row must be a struct of plain values, not {what}"
    ))
}

/// Serializes one flat row struct as a JSON object, its fields through [`CellSerializer`].
/// Anything but a struct is refused, as the CSV writer refuses nested values.
struct RowSerializer<'a, W> {
    w: &'a mut W,
}

/// The fields of one row object.
struct RowFields<'a, W> {
    w: &'a mut W,
    first: bool,
}

impl<W: Write> ser::SerializeStruct for RowFields<'_, W> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        if !self.first {
            self.w.write_all(b",").map_err(serde_json::Error::io)?;
        }
        self.first = false;
        serde_json::to_writer(&mut *self.w, key)?;
        self.w.write_all(b":").map_err(serde_json::Error::io)?;
        value.serialize(CellSerializer {
            w: &mut *self.w,
            number_text: key.ends_with("_gib"),
        })
    }

    fn end(self) -> serde_json::Result<()> {
        self.w.write_all(b"}").map_err(serde_json::Error::io)
    }
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> serde_json::Result<$ret> {
            Err(not_flat(stringify!($method)))
        })*
    };
}

impl<'a, W: Write> ser::Serializer for RowSerializer<'a, W> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<(), serde_json::Error>;
    type SerializeTuple = Impossible<(), serde_json::Error>;
    type SerializeTupleStruct = Impossible<(), serde_json::Error>;
    type SerializeTupleVariant = Impossible<(), serde_json::Error>;
    type SerializeMap = Impossible<(), serde_json::Error>;
    type SerializeStruct = RowFields<'a, W>;
    type SerializeStructVariant = Impossible<(), serde_json::Error>;

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<RowFields<'a, W>> {
        self.w.write_all(b"{").map_err(serde_json::Error::io)?;
        Ok(RowFields {
            w: self.w,
            first: true,
        })
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> serde_json::Result<()> {
        Err(not_flat("an enum"))
    }

    refuse! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

/// Serializes one cell: scalars as JSON scalars (via serde_json), `None` and unit as `null`, a
/// unit enum variant as its (serde-renamed) name, as the CSV writer does. With `number_text`,
/// text that is a JSON number is written as that number.
struct CellSerializer<'a, W> {
    w: &'a mut W,
    number_text: bool,
}

impl<W: Write> CellSerializer<'_, W> {
    fn scalar<T: ?Sized + Serialize>(self, v: &T) -> serde_json::Result<()> {
        serde_json::to_writer(self.w, v)
    }
}

macro_rules! scalars {
    ($($method:ident($ty:ty);)*) => {
        $(fn $method(self, v: $ty) -> serde_json::Result<()> {
            self.scalar(&v)
        })*
    };
}

impl<W: Write> ser::Serializer for CellSerializer<'_, W> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<(), serde_json::Error>;
    type SerializeTuple = Impossible<(), serde_json::Error>;
    type SerializeTupleStruct = Impossible<(), serde_json::Error>;
    type SerializeTupleVariant = Impossible<(), serde_json::Error>;
    type SerializeMap = Impossible<(), serde_json::Error>;
    type SerializeStruct = Impossible<(), serde_json::Error>;
    type SerializeStructVariant = Impossible<(), serde_json::Error>;

    scalars! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
    }

    fn serialize_str(self, v: &str) -> serde_json::Result<()> {
        if self.number_text
            && let Ok(n) = v.parse::<serde_json::Number>()
        {
            return self.scalar(&n);
        }
        self.scalar(v)
    }

    fn serialize_none(self) -> serde_json::Result<()> {
        self.scalar(&())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> serde_json::Result<()> {
        self.scalar(&())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<()> {
        self.scalar(&())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> serde_json::Result<()> {
        self.scalar(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> serde_json::Result<()> {
        Err(not_flat("an enum with data"))
    }

    refuse! {
        serialize_bytes(&[u8]) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Finding, ObjectKind, Severity, Status, SummaryRow};
    use crate::report::rows::*;
    use crate::report::{FINDINGS_HEADER, SUMMARY_HEADER, header_of};
    use serde_json::Value;

    /// One table of one row written as a whole document, and that row's line.
    fn one<R: Serialize>(row: R) -> (Value, String) {
        let mut report = JsonReport::begin(Vec::new(), "p").unwrap();
        report.table("t", [row]).unwrap();
        let text = String::from_utf8(report.finish().unwrap()).unwrap();
        let doc: Value = serde_json::from_str(&text).expect("valid JSON");
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with('{') && l.contains(':'))
            .unwrap()
            .trim()
            .to_string();
        (doc, line)
    }

    /// The keys of a row object in the order written.
    fn keys(line: &str, doc: &Value) -> Vec<String> {
        let obj = doc["t"][0].as_object().expect("row object");
        let mut keys: Vec<(usize, String)> = obj
            .keys()
            .map(|k| {
                (
                    line.find(&format!("\"{k}\":")).expect("key in line"),
                    k.clone(),
                )
            })
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }

    fn assert_keys_are_columns<R: Serialize + Default>() {
        let (doc, line) = one(R::default());
        assert_eq!(keys(&line, &doc), header_of::<R>().unwrap(), "{line}");
    }

    #[test]
    fn row_keys_are_the_csv_columns_in_order() {
        assert_keys_are_columns::<VCenterRow>();
        assert_keys_are_columns::<HostRow>();
        assert_keys_are_columns::<VmRow>();
        assert_keys_are_columns::<DiskRow>();
        assert_keys_are_columns::<DatastoreRow>();
        let finding = Finding {
            vcenter: "vc1".into(),
            object_type: ObjectKind::Vm,
            object: "web-01".into(),
            moref: "vm-1".into(),
            rule: "disk-size",
            severity: Severity::Error,
            status: Status::Fail,
            message: "too big".into(),
            actual: "2048".into(),
            expected: "<= 1023".into(),
        };
        let (doc, line) = one(&finding);
        assert_eq!(keys(&line, &doc), FINDINGS_HEADER);
        assert_eq!(doc["t"][0]["object_type"], "vm");
        assert_eq!(doc["t"][0]["severity"], "error");
        assert_eq!(doc["t"][0]["status"], "fail");
        assert_eq!(doc["t"][0]["actual"], "2048", "text stays text");
        let summary = SummaryRow {
            rule: "manual-port",
            object_type: ObjectKind::Vm,
            severity: None,
            status: "manual",
            checked: 3,
            passed: None,
            failed: None,
            unknown: None,
            applies_to: "all VMs",
            description: "d",
            source: "s".into(),
        };
        let (doc, line) = one(&summary);
        assert_eq!(keys(&line, &doc), SUMMARY_HEADER);
        assert_eq!(doc["t"][0]["severity"], Value::Null);
        assert_eq!(doc["t"][0]["checked"], 3);
    }

    #[test]
    fn values_are_typed() {
        let (doc, _) = one(VmRow {
            vm: "web-01".into(),
            template: Some(false),
            cpus: Some(4),
            memory_mb: None,
            provisioned_gib: Some(crate::report::gib(3 * 1024 * 1024 * 1024 / 2)),
            largest_disk_gib: Some("2048".into()),
            readiness: "ready",
            ..Default::default()
        });
        let row = &doc["t"][0];
        assert_eq!(row["vm"], "web-01");
        assert_eq!(row["template"], false);
        assert_eq!(row["cpus"], 4);
        assert_eq!(row["memory_mb"], Value::Null);
        assert_eq!(row["provisioned_gib"].as_f64(), Some(1.5));
        assert_eq!(row["largest_disk_gib"].as_u64(), Some(2048));
        assert_eq!(row["datastores"], "", "known but empty text");
        let (doc, _) = one(DatastoreRow {
            capacity_gib: Some("n/a".into()),
            ..Default::default()
        });
        assert_eq!(
            doc["t"][0]["capacity_gib"], "n/a",
            "not a number: kept as text"
        );
    }

    #[test]
    fn document_has_its_header_and_every_table() {
        let mut report = JsonReport::begin(Vec::new(), "my \"profile\".toml").unwrap();
        report.table("empty", Vec::<HostRow>::new()).unwrap();
        report
            .table("hosts", [HostRow::default(), HostRow::default()])
            .unwrap();
        let text = String::from_utf8(report.finish().unwrap()).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["schema_version"], SCHEMA_VERSION);
        assert_eq!(doc["vcaudit_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(doc["profile"], "my \"profile\".toml");
        assert_eq!(doc["empty"], serde_json::json!([]));
        assert_eq!(doc["hosts"].as_array().unwrap().len(), 2);
        assert_eq!(text.lines().count(), 10, "one row per line:\n{text}");
    }

    #[test]
    fn nested_values_are_refused() {
        #[derive(Serialize)]
        struct Nested {
            list: Vec<u32>,
        }
        let mut report = JsonReport::begin(Vec::new(), "p").unwrap();
        let e = report.table("t", [Nested { list: vec![1] }]).unwrap_err();
        assert!(e.to_string().contains("plain values"), "{e}");
        assert!(report.table("t", [1u32]).is_err(), "a row must be a struct");
    }
}
