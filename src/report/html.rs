//! `report.html`: one self-contained page for people (managers, migration teams) who will not
//! open the CSVs: readiness at a glance, what blocks it and where, and every VM.
//!
//! - Everything is inline: the stylesheet (`html/report.css`), the script (`html/report.js`) and
//!   the charts, which the script draws as SVG. No request leaves the page: no CDN, no font, no
//!   image; it opens from a file share or an e-mail attachment.
//! - The data is embedded once, as JSON in a `<script type="application/json">` element that the
//!   script parses: `{"run":{...},"tables":{"vms":{"columns":[..],"rows":[[..],..]},..}}`, made
//!   from the one [`Report`]: `run` is its [`super::RunInfo`] (version, profile, time, vCenters
//!   with their errors) and each table the page shows (`PAGE_TABLES`) holds the cells of its
//!   CSV as text (same rows; an empty
//!   string is an unknown value; raw values, not the spreadsheet's formula-safe ones), written
//!   through [`Report::write_tables`] like every other format, so the page cannot disagree with
//!   the CSVs.
//! - Every `<`, `>` and `&` in the JSON is written as `\u003c`, `\u003e`, `\u0026`, so no text
//!   of the estate (a VM named `</script><script>...`) can end the data element; the script puts
//!   text in the page only through `textContent`, never as markup.
//! - Written streaming, row by row; staged and renamed with the other reports.

use super::{Report, TableSink, TableSpec};
use serde::Serialize;
use std::io::Write;

/// The file name of the HTML report.
pub const FILE_NAME: &str = "report.html";

const TEMPLATE: &str = include_str!("html/report.html");
const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");
/// Where the template takes the data element.
const DATA_MARK: &str = "<!--vcaudit:data-->";

/// The tables the page shows; the others (disks, datastores) stay in the CSVs, which keeps the
/// file small enough to mail (at 100k VMs the disks alone would double it).
const PAGE_TABLES: &[&str] = &["vcenters", "hosts", "vms", "findings", "summary"];

/// How many rows are serialised to CSV cells at a time.
const CHUNK: usize = 2048;

/// Writes the page of `report`: the template with the style, script and data filled in.
pub fn write<W: Write>(w: &mut W, report: &Report) -> std::io::Result<()> {
    write_page(w, &report.run, |sink| report.write_tables(sink))
}

/// The page with `run` and the tables that `tables` sends to the sink.
fn write_page<W: Write, R: Serialize>(
    w: &mut W,
    run: &R,
    tables: impl FnOnce(&mut HtmlTables<'_, W>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (head, tail) = TEMPLATE
        .split_once(DATA_MARK)
        .expect("the template has a data mark");
    let head = head.replace("/*vcaudit:style*/", STYLE);
    w.write_all(head.as_bytes())?;
    w.write_all(b"<script type=\"application/json\" id=\"vcaudit-data\">{\"run\":")?;
    serde_json::to_writer(ScriptSafe(&mut *w), run)?;
    w.write_all(b",\"tables\":{")?;
    let mut sink = HtmlTables { w, first: true };
    tables(&mut sink)?;
    w.write_all(b"}}</script>\n<script>\n")?;
    w.write_all(SCRIPT.as_bytes())?;
    w.write_all(b"</script>")?;
    w.write_all(tail.as_bytes())
}

/// The table sink of the page: each table as `"name":{"columns":[..],"rows":[[..],..]}`.
pub struct HtmlTables<'w, W: Write> {
    w: &'w mut W,
    first: bool,
}

impl<W: Write> HtmlTables<'_, W> {
    fn begin(&mut self, name: &str, header: &[&str]) -> std::io::Result<()> {
        if !std::mem::take(&mut self.first) {
            self.w.write_all(b",")?;
        }
        serde_json::to_writer(ScriptSafe(&mut *self.w), name)?;
        self.w.write_all(b":{\"columns\":")?;
        serde_json::to_writer(ScriptSafe(&mut *self.w), header)?;
        self.w.write_all(b",\"rows\":[")
    }

    /// Writes the rows as arrays of their CSV cells, a chunk at a time.
    fn rows<R: Serialize>(&mut self, rows: impl IntoIterator<Item = R>) -> std::io::Result<()> {
        let mut first = true;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut csv = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
            for row in rows.by_ref().take(CHUNK) {
                csv.serialize(row).map_err(std::io::Error::other)?;
            }
            let bytes = csv.into_inner().map_err(|e| e.into_error())?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let mut record = csv::StringRecord::new();
            while reader
                .read_record(&mut record)
                .map_err(std::io::Error::other)?
            {
                if !std::mem::take(&mut first) {
                    self.w.write_all(b",\n")?;
                }
                let cells: Vec<&str> = record.iter().collect();
                serde_json::to_writer(ScriptSafe(&mut *self.w), &cells)?;
            }
        }
        self.w.write_all(b"]}")
    }
}

impl<W: Write> TableSink for HtmlTables<'_, W> {
    type Error = std::io::Error;

    fn table<R: Serialize>(
        &mut self,
        spec: &'static TableSpec,
        rows: impl Iterator<Item = R>,
    ) -> std::io::Result<()> {
        if !PAGE_TABLES.contains(&spec.name) {
            return Ok(());
        }
        let header: Vec<&str> = spec.header().collect();
        self.begin(spec.name, &header)?;
        self.rows(rows)
    }
}

/// Writes JSON with `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`: the same JSON value, and
/// no `</script>` or `<!--` inside the data element. (They can only occur inside JSON strings,
/// where the escapes mean the same characters.)
struct ScriptSafe<W>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for (i, b) in buf.iter().enumerate() {
            let esc: &[u8] = match b {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.0.write_all(&buf[start..i])?;
            self.0.write_all(esc)?;
            start = i + 1;
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Row {
        vm: String,
        size: Option<f64>,
    }

    fn page(rows: Vec<Row>) -> String {
        let mut out = Vec::new();
        let run = serde_json::json!({"vcaudit_version": "0.1.0", "profile": "p</script>"});
        write_page(&mut out, &run, |t| {
            t.begin("vms", &["vm", "size"])?;
            t.rows(rows)
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn data(page: &str) -> serde_json::Value {
        let start = page.find("id=\"vcaudit-data\">").unwrap() + "id=\"vcaudit-data\">".len();
        let len = page[start..].find("</script>").unwrap();
        serde_json::from_str(&page[start..start + len]).unwrap()
    }

    #[test]
    fn no_text_can_leave_the_data_element() {
        let evil = "</script><script>alert(1)</script><!-- & \u{2028}";
        let p = page(vec![Row {
            vm: evil.into(),
            size: Some(1.5),
        }]);
        // Exactly the page's own script elements: the data and the code.
        assert_eq!(p.matches("</script>").count(), 2, "{p}");
        assert!(!p.contains("alert(1)</"));
        let d = data(&p);
        assert_eq!(
            d["tables"]["vms"]["rows"][0][0], evil,
            "the same text after parsing"
        );
        assert_eq!(d["run"]["profile"], "p</script>");
    }

    #[test]
    fn tables_hold_the_csv_cells() {
        let rows: Vec<Row> = (0..CHUNK + 3)
            .map(|i| Row {
                vm: format!("vm-{i}, \"quoted\"\nline"),
                size: (i % 2 == 0).then_some(i as f64 / 4.0),
            })
            .collect();
        let d = data(&page(rows));
        let t = &d["tables"]["vms"];
        assert_eq!(t["columns"], serde_json::json!(["vm", "size"]));
        let r = t["rows"].as_array().unwrap();
        assert_eq!(r.len(), CHUNK + 3);
        assert_eq!(r[2], serde_json::json!(["vm-2, \"quoted\"\nline", "0.5"]));
        assert_eq!(r[CHUNK + 1][1], "", "unknown is an empty cell");
        let empty = data(&page(Vec::new()));
        assert_eq!(empty["tables"]["vms"]["rows"], serde_json::json!([]));
    }

    #[test]
    fn the_page_is_self_contained() {
        // The SVG namespace name is an identifier, not a request.
        let p = page(Vec::new()).replace("http://www.w3.org/2000/svg", "");
        for remote in ["http://", "https://", "src=", "@import", "url(", "<link"] {
            assert!(!p.contains(remote), "the page refers to {remote}");
        }
        assert!(p.contains("prefers-color-scheme: dark") && p.contains("@media print"));
    }
}
