//! Shared pieces of the XLSX writers ([`super::xlsx`], [`super::rvtools`]): cell styles, typed
//! cell writing, fitted column widths.
//!
//! Worksheets are written in rust_xlsxwriter's constant-memory mode: each row goes to a
//! temporary file as soon as the next one starts, so a 100k-VM sheet never sits in memory. That
//! mode cannot autofit, so [`Widths`] measures the cells as they are written and sets the widths
//! at the end. Text always goes through [`super::cell::formula_safe`] and is written as a string,
//! never as a formula.

use super::cell::formula_safe;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Worksheet, XlsxError};

/// A colour for a status-like cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Unknown,
    Bad,
}

/// The tone of a readiness, status or severity value; `None` for anything else.
pub fn tone(column: &str, text: &str) -> Option<Tone> {
    match (column, text) {
        ("readiness", "ready") | ("status", "ok" | "checked") => Some(Tone::Good),
        ("readiness", "conditionally-ready") | ("severity", "warning") => Some(Tone::Warn),
        ("readiness", "unknown") | ("status", "unknown" | "manual") => Some(Tone::Unknown),
        ("readiness", "not-ready") | ("status", "error" | "fail") | ("severity", "error") => {
            Some(Tone::Bad)
        }
        _ => None,
    }
}

/// The cell formats of a workbook.
pub struct Styles {
    pub header: Format,
    pub title: Format,
    pub text: Format,
    pub integer: Format,
    pub decimal2: Format,
    pub datetime: Format,
    good: Format,
    warn: Format,
    unknown: Format,
    bad: Format,
}

impl Default for Styles {
    fn default() -> Self {
        let fill = |bg: u32, fg: u32| {
            Format::new()
                .set_background_color(Color::RGB(bg))
                .set_font_color(Color::RGB(fg))
        };
        Styles {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(14),
            text: Format::new(),
            integer: Format::new().set_num_format("0"),
            decimal2: Format::new().set_num_format("0.00"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            good: fill(0xC6EFCE, 0x006100),
            warn: fill(0xFFEB9C, 0x9C5700),
            unknown: fill(0xEDEDED, 0x505050),
            bad: fill(0xFFC7CE, 0x9C0006),
        }
    }
}

impl Styles {
    pub fn tone(&self, tone: Tone) -> &Format {
        match tone {
            Tone::Good => &self.good,
            Tone::Warn => &self.warn,
            Tone::Unknown => &self.unknown,
            Tone::Bad => &self.bad,
        }
    }
}

/// Column widths measured from the cells written, in characters.
#[derive(Debug, Default)]
pub struct Widths(Vec<usize>);

/// Widest a fitted column gets.
const MAX_WIDTH: usize = 60;

impl Widths {
    pub fn see(&mut self, col: u16, chars: usize) {
        let col = col as usize;
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(chars.min(MAX_WIDTH));
    }

    /// Sets the widths on the sheet: the widest cell plus a margin for the filter button.
    pub fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, w) in self.0.iter().enumerate() {
            ws.set_column_width(col as u16, (*w + 3) as f64)?;
        }
        Ok(())
    }
}

/// Writes `text` as a formula-safe string cell.
pub fn text(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    format: &Format,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    let safe = formula_safe(s);
    widths.see(col, safe.chars().count());
    ws.write_string_with_format(row, col, safe.as_ref(), format)?;
    Ok(())
}

/// Writes a number cell.
pub fn number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    n: f64,
    format: &Format,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    // Two decimals at most are shown.
    widths.see(col, format!("{n:.2}").trim_end_matches(".00").len());
    ws.write_number_with_format(row, col, n, format)?;
    Ok(())
}

/// Writes an RFC 3339 time as a date cell (UTC); text when it does not parse.
pub fn timestamp(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    styles: &Styles,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    match parse_rfc3339(s) {
        Some(dt) => {
            widths.see(col, 19);
            ws.write_datetime_with_format(row, col, &dt, &styles.datetime)?;
            Ok(())
        }
        None => text(ws, row, col, s, &styles.text, widths),
    }
}

/// An RFC 3339 time as an Excel date-time in UTC.
pub fn parse_rfc3339(s: &str) -> Option<ExcelDateTime> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    ExcelDateTime::from_timestamp(t.unix_timestamp()).ok()
}

/// A header row in bold, measured.
pub fn header<'h>(
    ws: &mut Worksheet,
    row: u32,
    names: impl IntoIterator<Item = &'h str>,
    styles: &Styles,
    widths: &mut Widths,
) -> Result<u16, XlsxError> {
    let mut n = 0u16;
    for name in names {
        widths.see(n, name.chars().count());
        ws.write_string_with_format(row, n, name, &styles.header)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_follow_readiness_and_status() {
        assert_eq!(tone("readiness", "ready"), Some(Tone::Good));
        assert_eq!(tone("readiness", "not-ready"), Some(Tone::Bad));
        assert_eq!(tone("readiness", "out-of-scope"), None);
        assert_eq!(tone("status", "fail"), Some(Tone::Bad));
        assert_eq!(tone("severity", "warning"), Some(Tone::Warn));
        assert_eq!(tone("vm", "ready"), None, "only status-like columns");
    }

    #[test]
    fn rfc3339_becomes_a_date() {
        let dt = parse_rfc3339("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(
            dt.to_excel(),
            ExcelDateTime::from_ymd(2026, 1, 2)
                .unwrap()
                .and_hms(3, 4, 5)
                .unwrap()
                .to_excel()
        );
        assert!(parse_rfc3339("yesterday").is_none());
    }
}

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
    #[error(transparent)]
    Cell(#[from] super::value::CellError),
}
