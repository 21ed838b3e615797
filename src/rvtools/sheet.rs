//! One worksheet of an RVTools export, read by header name.
//!
//! Headers are matched ignoring case and surrounding spaces, and the size headers of both
//! RVTools generations are accepted (`Capacity MiB` from 4.1.2 on, `Capacity MB` before: both
//! mean MiB). Column order does not matter and unknown columns (custom attributes, tags, newer
//! columns) are ignored. Cells are read as RVTools writes them: numbers as numbers or text,
//! booleans as text in the export's language (`True`, `TRUE`, `Yes`, `Wahr`, `Vrai` ...).

use calamine::Data;
use std::collections::HashMap;

/// A worksheet: its header positions and its data rows.
pub struct Sheet {
    pub name: &'static str,
    columns: HashMap<String, usize>,
    rows: Vec<Vec<Data>>,
}

fn norm(h: &str) -> String {
    h.trim().to_ascii_lowercase()
}

impl Sheet {
    pub fn new(name: &'static str, range: calamine::Range<Data>) -> Sheet {
        let mut rows = range.rows();
        let columns = rows
            .next()
            .map(|h| {
                h.iter()
                    .enumerate()
                    .filter_map(|(i, c)| match c {
                        Data::String(s) => Some((norm(s), i)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rows = rows
            .filter(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
            .map(<[Data]>::to_vec)
            .collect();
        Sheet {
            name,
            columns,
            rows,
        }
    }

    /// The column of the first of `names` present (with `MiB` also tried as `MB`).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| {
            let n = norm(n);
            self.columns
                .get(&n)
                .or_else(|| self.columns.get(&n.replace("mib", "mb")))
                .copied()
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.column(&[name]).is_some()
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows
            .iter()
            .map(move |cells| Row { sheet: self, cells })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One data row.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    sheet: &'a Sheet,
    cells: &'a [Data],
}

impl Row<'_> {
    fn cell(&self, name: &str) -> Option<&Data> {
        let i = self.sheet.column(&[name])?;
        self.cells.get(i).filter(|c| !matches!(c, Data::Empty))
    }

    /// The cell as text (numbers without a trailing `.0`); `None` when empty or missing.
    pub fn text(&self, name: &str) -> Option<String> {
        let s = match self.cell(name)? {
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => (*f as i64).to_string(),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => d.as_f64().to_string(),
            Data::Error(_) | Data::Empty => return None,
        };
        (!s.is_empty()).then(|| unguard(s))
    }

    /// The cell as a whole number (text cells holding digits too).
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.cell(name)? {
            Data::Int(i) => Some(*i),
            Data::Float(f) => Some(f.round() as i64),
            Data::String(s) => {
                let s = s.trim().replace([',', ' ', '\u{a0}'], "");
                s.parse::<i64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().map(|f| f.round() as i64))
            }
            _ => None,
        }
    }

    /// A size column in MiB, as bytes.
    pub fn mib_bytes(&self, name: &str) -> Option<u64> {
        let v = self.int(name)?;
        u64::try_from(v).ok().map(|m| m * 1024 * 1024)
    }

    /// A boolean in any language RVTools writes; `None` when empty or not a boolean.
    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.cell(name)? {
            Data::Bool(b) => Some(*b),
            Data::Int(i) => Some(*i != 0),
            Data::String(s) => parse_bool(s),
            _ => None,
        }
    }
}

/// Text as written before OWASP's formula guard: exports that guard against CSV injection
/// (vcaudit's own among them) prefix `'` to text starting with `=`, `+`, `-`, `@`, TAB or CR.
fn unguard(s: String) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some('\''), Some('=' | '+' | '-' | '@' | '\t' | '\r')) => s[1..].to_string(),
        _ => s,
    }
}

/// `True`/`False` and their translations in the languages RVTools' exports are seen in.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "wahr" | "ja" | "vrai" | "oui" | "verdadero" | "sí" | "si"
        | "vero" | "waar" | "sim" | "verdadeiro" | "prawda" | "tak" | "sant" | "kyllä" => {
            Some(true)
        }
        "false" | "no" | "0" | "falsch" | "nein" | "faux" | "non" | "falso" | "onwaar" | "nee"
        | "não" | "nao" | "fałsz" | "nie" | "falskt" | "nej" | "epätosi" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_in_the_languages_of_exports() {
        for t in [
            "True",
            "TRUE",
            "Yes",
            "Wahr",
            "vrai",
            "Verdadero",
            "Waar",
            "1",
        ] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in [
            "False", "FALSE", "No", "Falsch", "Faux", "falso", "Onwaar", "0",
        ] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn formula_guards_are_undone_and_other_quotes_kept() {
        assert_eq!(unguard("'-leading".into()), "-leading");
        assert_eq!(unguard("'=1+2".into()), "=1+2");
        assert_eq!(unguard("'quoted".into()), "'quoted");
        assert_eq!(unguard("web-01".into()), "web-01");
    }
}
