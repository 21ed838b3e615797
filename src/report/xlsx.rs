//! `--format xlsx`: the audit as one workbook, `vcaudit.xlsx`.
//!
//! - `Summary` first: the run (vcaudit version, profile, time, vCenters), VM readiness counts,
//!   findings, every rule with checked/passed/failed/unknown and the manual checks (the
//!   `summary` table), and the vCenters that could not be collected.
//! - Then one sheet per table of [`super::columns::TABLES`] (vCenters, Hosts, VMs, Disks,
//!   Datastores, Findings), with the CSVs' columns: numbers as numeric cells (GiB with two
//!   decimals, MiB and counts as integers), booleans as booleans, times as dates (UTC), text as
//!   formula-safe strings; bold frozen header, autofilter, fitted widths, readiness and status
//!   cells coloured.
//! - Every sheet is written in constant-memory mode from the report's row iterators, so the
//!   workbook is never held in memory; its temporary files go to the output folder.

use super::columns::{ColumnType, TableSpec};
use super::model::{Report, TableSink};
use super::sheet::{self, SheetError, Styles, Widths};
use super::value::{Value, cells};
use rust_xlsxwriter::{Workbook, Worksheet};
use std::io::Write;
use std::path::Path;

/// The file name of the audit workbook.
pub const FILE_NAME: &str = "vcaudit.xlsx";

/// Writes the workbook of `report` to `w`; temporary sheet files go to `tempdir`.
pub fn write(report: &Report, tempdir: &Path, w: impl Write + Send) -> Result<(), SheetError> {
    let mut wb = Workbook::new();
    wb.set_tempdir(tempdir)?;
    let styles = Styles::default();
    let mut summary = SummarySheet::default();
    {
        let ws = wb.add_worksheet_with_constant_memory();
        ws.set_name("Summary")?;
        summary.run(ws, report, &styles)?;
    }
    let mut sink = Sheets {
        wb: &mut wb,
        styles: &styles,
        summary: &mut summary,
    };
    report.write_tables(&mut sink)?;
    {
        let ws = wb.worksheet_from_index(0)?;
        summary.failed_vcenters(ws, report, &styles)?;
        summary.widths.apply(ws)?;
    }
    wb.save_to_writer(w)?;
    Ok(())
}

/// The `Summary` sheet, written top to bottom (constant-memory sheets cannot go back).
#[derive(Default)]
struct SummarySheet {
    row: u32,
    widths: Widths,
}

impl SummarySheet {
    /// A label and a value on the next row.
    fn pair(
        &mut self,
        ws: &mut Worksheet,
        label: &str,
        value: Value,
        styles: &Styles,
    ) -> Result<(), SheetError> {
        sheet::text(ws, self.row, 0, label, &styles.header, &mut self.widths)?;
        match value {
            Value::Int(n) => {
                sheet::number(ws, self.row, 1, n as f64, &styles.integer, &mut self.widths)?
            }
            Value::Text(s) => sheet::text(ws, self.row, 1, &s, &styles.text, &mut self.widths)?,
            _ => {}
        }
        self.row += 1;
        Ok(())
    }

    /// The run, the readiness counts and the findings.
    fn run(
        &mut self,
        ws: &mut Worksheet,
        report: &Report,
        styles: &Styles,
    ) -> Result<(), SheetError> {
        ws.write_string_with_format(0, 0, "vcaudit audit report", &styles.title)?;
        self.row = 2;
        let run = &report.run;
        self.pair(
            ws,
            "vcaudit version",
            Value::Text(run.vcaudit_version.into()),
            styles,
        )?;
        self.pair(ws, "Profile", Value::Text(run.profile.clone()), styles)?;
        sheet::text(
            ws,
            self.row,
            0,
            "Generated (UTC)",
            &styles.header,
            &mut self.widths,
        )?;
        sheet::timestamp(ws, self.row, 1, &run.generated_at, styles, &mut self.widths)?;
        self.row += 1;
        let names: Vec<&str> = run.vcenters.iter().map(|v| v.vcenter.as_str()).collect();
        self.pair(ws, "vCenters", Value::Text(names.join(", ")), styles)?;
        let c = &report.counts;
        self.pair(ws, "Hosts audited", Value::Int(c.hosts as i64), styles)?;
        self.pair(
            ws,
            "VMs in scope",
            Value::Int(c.vms_in_scope as i64),
            styles,
        )?;
        self.pair(
            ws,
            "VMs out of scope",
            Value::Int(c.vms_out_of_scope as i64),
            styles,
        )?;
        self.row += 1;
        sheet::text(
            ws,
            self.row,
            0,
            "VM readiness",
            &styles.header,
            &mut self.widths,
        )?;
        self.row += 1;
        let r = &report.readiness;
        for (label, n) in [
            ("ready", r.ready),
            ("conditionally-ready", r.conditionally_ready),
            ("unknown", r.unknown),
            ("not-ready", r.not_ready),
        ] {
            let tone = sheet::tone("readiness", label).map(|t| styles.tone(t));
            sheet::text(
                ws,
                self.row,
                0,
                label,
                tone.unwrap_or(&styles.text),
                &mut self.widths,
            )?;
            sheet::number(ws, self.row, 1, n as f64, &styles.integer, &mut self.widths)?;
            self.row += 1;
        }
        self.row += 1;
        let f = &report.findings;
        self.pair(ws, "Findings", Value::Int(f.total as i64), styles)?;
        self.pair(ws, "failed", Value::Int(f.failed as i64), styles)?;
        self.pair(ws, "unknown", Value::Int(f.unknown as i64), styles)?;
        self.row += 1;
        Ok(())
    }

    /// The summary table (rules, then manual checks), with its own autofilter.
    fn table<R: serde::Serialize>(
        &mut self,
        ws: &mut Worksheet,
        spec: &TableSpec,
        rows: impl Iterator<Item = R>,
        styles: &Styles,
    ) -> Result<(), SheetError> {
        sheet::text(
            ws,
            self.row,
            0,
            "Rules and manual checks",
            &styles.header,
            &mut self.widths,
        )?;
        self.row += 1;
        let first = self.row;
        let cols = sheet::header(ws, self.row, spec.header(), styles, &mut self.widths)?;
        for row in rows {
            self.row += 1;
            write_row(ws, self.row, spec, &cells(&row)?, styles, &mut self.widths)?;
        }
        ws.autofilter(first, 0, self.row, cols.saturating_sub(1))?;
        self.row += 2;
        Ok(())
    }

    /// The vCenters that could not be collected, with why.
    fn failed_vcenters(
        &mut self,
        ws: &mut Worksheet,
        report: &Report,
        styles: &Styles,
    ) -> Result<(), SheetError> {
        sheet::text(
            ws,
            self.row,
            0,
            "vCenters not collected",
            &styles.header,
            &mut self.widths,
        )?;
        self.row += 1;
        let mut any = false;
        for v in report.failed_vcenters() {
            sheet::text(
                ws,
                self.row,
                0,
                &v.vcenter,
                styles.tone(sheet::Tone::Bad),
                &mut self.widths,
            )?;
            let why = v.error.as_deref().unwrap_or("");
            sheet::text(ws, self.row, 1, why, &styles.text, &mut self.widths)?;
            self.row += 1;
            any = true;
        }
        if !any {
            sheet::text(ws, self.row, 0, "none", &styles.text, &mut self.widths)?;
        }
        Ok(())
    }
}

/// The table sheets, one per table; the `summary` table goes to the `Summary` sheet.
struct Sheets<'a> {
    wb: &'a mut Workbook,
    styles: &'a Styles,
    summary: &'a mut SummarySheet,
}

impl TableSink for Sheets<'_> {
    type Error = SheetError;

    fn table<R: serde::Serialize>(
        &mut self,
        spec: &'static TableSpec,
        rows: impl Iterator<Item = R>,
    ) -> Result<(), SheetError> {
        if spec.name == super::columns::SUMMARY.name {
            let ws = self.wb.worksheet_from_index(0)?;
            return self.summary.table(ws, spec, rows, self.styles);
        }
        let ws = self.wb.add_worksheet_with_constant_memory();
        ws.set_name(spec.title)?;
        let mut widths = Widths::default();
        let cols = sheet::header(ws, 0, spec.header(), self.styles, &mut widths)?;
        let mut last = 0u32;
        for row in rows {
            last += 1;
            write_row(ws, last, spec, &cells(&row)?, self.styles, &mut widths)?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, last, cols.saturating_sub(1))?;
        widths.apply(ws)?;
        Ok(())
    }
}

/// One row of typed cells, formatted by its columns' types and units.
fn write_row(
    ws: &mut Worksheet,
    row: u32,
    spec: &TableSpec,
    values: &[Value],
    styles: &Styles,
    widths: &mut Widths,
) -> Result<(), SheetError> {
    for (i, (value, column)) in values.iter().zip(spec.columns).enumerate() {
        let col = i as u16;
        match value {
            Value::Null => {}
            Value::Bool(b) => {
                widths.see(col, 5);
                ws.write_boolean(row, col, *b)?;
            }
            Value::Int(n) => {
                let f = number_format(column.kind, column.unit, styles);
                sheet::number(ws, row, col, *n as f64, f, widths)?;
            }
            Value::Number(n) => {
                let f = number_format(column.kind, column.unit, styles);
                sheet::number(ws, row, col, *n, f, widths)?;
            }
            Value::Text(s) if column.kind == ColumnType::Timestamp => {
                sheet::timestamp(ws, row, col, s, styles, widths)?;
            }
            Value::Text(s) => {
                let format = sheet::tone(column.name, s).map_or(&styles.text, |t| styles.tone(t));
                sheet::text(ws, row, col, s, format, widths)?;
            }
        }
    }
    Ok(())
}

/// GiB with two decimals; counts, MiB and bytes as integers.
fn number_format<'s>(
    kind: ColumnType,
    unit: Option<&str>,
    styles: &'s Styles,
) -> &'s rust_xlsxwriter::Format {
    match (kind, unit) {
        (ColumnType::Number, Some("GiB")) => &styles.decimal2,
        (ColumnType::Number, _) => &styles.text,
        _ => &styles.integer,
    }
}
