//! `--format rvtools` and `--format rvtools-csv`: the estate as an RVTools 4.x export, for the
//! tools that read RVTools workbooks (Azure Migrate's import, merge tools, analyzers).
//!
//! - [`sheets`]: the 27 sheets in RVTools' order with their header rows;
//! - [`rows`]: the rows (VM sheets in `rows/vm.rs`, infrastructure sheets in `rows/infra.rs`),
//!   by RVTools' conventions (MiB integers, `True`/`False`, vSphere enum spellings, dates as
//!   dates, unknown as empty), with `vcaudit readiness` and `vcaudit findings` where RVTools
//!   puts custom attributes on vInfo and vHost;
//! - [`plan`]: `--rvtools-max-vms` splits the estate along vCenter and cluster boundaries into
//!   `vcaudit-rvtools-1.xlsx`, `-2`, ...; one file `vcaudit-rvtools.xlsx` when it fits.
//!
//! Every sheet is written in constant-memory mode; the CSV form is one `RVTools_tab<sheet>.csv`
//! per sheet, all staged and renamed with the other reports.

pub mod plan;
pub mod rows;
pub mod sheets;

use super::Report;
use super::sheet::{self, SheetError, Styles, Widths};
use rows::{Cell, RowSink};
use rust_xlsxwriter::{Workbook, Worksheet};
use sheets::{SHEETS, SheetId};
use std::io::Write;
use std::path::Path;

/// The workbook's name when the estate fits in one.
pub const FILE_NAME: &str = "vcaudit-rvtools.xlsx";

/// Azure Migrate's import takes fewer than 20,000 VMs per file.
pub const DEFAULT_MAX_VMS: usize = 20_000;

/// The workbook names for `parts` parts: one plain name, or numbered from 1.
pub fn file_names(parts: usize) -> Vec<String> {
    if parts <= 1 {
        vec![FILE_NAME.to_string()]
    } else {
        (1..=parts)
            .map(|i| format!("vcaudit-rvtools-{i}.xlsx"))
            .collect()
    }
}

/// The CSV file of a sheet.
pub fn csv_name(sheet: &str) -> String {
    format!("RVTools_tab{sheet}.csv")
}

/// Writes one workbook of `part` to `w`; sheet temporary files go to `tempdir`.
pub fn write_xlsx(
    report: &Report,
    part: &plan::Part,
    tempdir: &Path,
    w: impl Write + Send,
) -> Result<(), SheetError> {
    let mut wb = Workbook::new();
    wb.set_tempdir(tempdir)?;
    let styles = Styles::default();
    let mut widths: Vec<Widths> = Vec::new();
    for s in SHEETS {
        let ws = wb.add_worksheet_with_constant_memory();
        ws.set_name(s.name)?;
        let mut wd = Widths::default();
        sheet::header(ws, 0, s.header.iter().copied(), &styles, &mut wd)?;
        ws.set_freeze_panes(1, 0)?;
        widths.push(wd);
    }
    let mut sink = XlsxSink {
        wb: &mut wb,
        styles: &styles,
        rows: vec![0; SHEETS.len()],
        widths,
    };
    let created = report.run.generated_at.clone();
    rows::write_part(&mut sink, report.estate(), report.result(), part, &created)?;
    let XlsxSink { rows, widths, .. } = sink;
    for (i, s) in SHEETS.iter().enumerate() {
        let ws = wb.worksheet_from_index(i)?;
        ws.autofilter(0, 0, rows[i], (s.header.len() - 1) as u16)?;
        widths[i].apply(ws)?;
    }
    wb.save_to_writer(w)?;
    Ok(())
}

struct XlsxSink<'a> {
    wb: &'a mut Workbook,
    styles: &'a Styles,
    /// The last row written, per sheet.
    rows: Vec<u32>,
    widths: Vec<Widths>,
}

impl RowSink for XlsxSink<'_> {
    type Error = SheetError;

    fn row(&mut self, sheet: SheetId, cells: &[Cell]) -> Result<(), SheetError> {
        let i = sheet as usize;
        self.rows[i] += 1;
        let row = self.rows[i];
        let ws: &mut Worksheet = self.wb.worksheet_from_index(i)?;
        let widths = &mut self.widths[i];
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => sheet::text(ws, row, col, s, &self.styles.text, widths)?,
                Cell::Int(n) => {
                    sheet::number(ws, row, col, *n as f64, &self.styles.integer, widths)?
                }
                Cell::Date(s) => sheet::timestamp(ws, row, col, s, self.styles, widths)?,
            }
        }
        Ok(())
    }
}

/// The CSV form: one writer per sheet.
pub struct CsvSink<W: Write> {
    writers: Vec<csv::Writer<W>>,
}

impl<W: Write> CsvSink<W> {
    /// Writers for every sheet in [`SHEETS`] order; writes the headers.
    pub fn new(files: Vec<W>) -> Result<Self, csv::Error> {
        let mut writers = Vec::new();
        for (f, s) in files.into_iter().zip(SHEETS) {
            let mut w = csv::Writer::from_writer(f);
            w.write_record(s.header)?;
            writers.push(w);
        }
        Ok(CsvSink { writers })
    }

    pub fn finish(self) -> Result<(), csv::Error> {
        for mut w in self.writers {
            w.flush()?;
        }
        Ok(())
    }
}

impl<W: Write> RowSink for CsvSink<W> {
    type Error = csv::Error;

    fn row(&mut self, sheet: SheetId, cells: &[Cell]) -> Result<(), csv::Error> {
        let text = cells.iter().map(|c| match c {
            Cell::Empty => String::new(),
            Cell::Text(s) => super::cell::formula_safe(s).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(s) => csv_date(s),
        });
        self.writers[sheet as usize].write_record(text)
    }
}

/// A date in the CSV form: `2026-01-02 03:04:05` (UTC).
fn csv_date(s: &str) -> String {
    match time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => s.to_string(),
    }
}
