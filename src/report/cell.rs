//! Spreadsheet cell safety: text that a spreadsheet would take for a formula.
//!
//! OWASP's CSV-injection advice: a cell whose text starts with `=`, `+`, `-`, `@`, a TAB or a CR
//! can be run as a formula when opened in Excel or LibreOffice; prefixing it with `'` keeps it
//! text. VM names, annotations and guest data come from the estate, so any of them may be hostile.

use std::borrow::Cow;

/// `s`, with a leading `'` when it starts like a formula.
pub fn formula_safe(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_quoted_and_the_rest_is_untouched() {
        for s in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(formula_safe(s), format!("'{s}"));
        }
        for s in ["", "web-01", "a=b", "1-2", "'quoted"] {
            assert!(matches!(formula_safe(s), Cow::Borrowed(t) if t == s));
        }
    }
}
