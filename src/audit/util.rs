//! Small parsing and formatting helpers shared by the rules.

/// Bytes in one GiB.
pub const GIB: u64 = 1 << 30;

/// `major.minor` of a version such as `6.0.0` or `5.5`; `None` when it does not start with two
/// numeric components.
pub fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts.next()?.trim().parse().ok()?;
    Some((major, minor))
}

/// `major.minor` as written in profiles and messages.
pub fn fmt_major_minor((major, minor): (u32, u32)) -> String {
    format!("{major}.{minor}")
}

/// A numeric build such as `3620759`.
pub fn parse_build(build: &str) -> Option<u64> {
    build.trim().parse().ok()
}

/// A size in GiB: `2048 GiB` when whole, else two decimals and the exact byte count, so that a
/// value just over a limit never prints as the limit itself.
pub fn fmt_gib(bytes: u64) -> String {
    if bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else {
        format!("{:.2} GiB ({bytes} bytes)", bytes as f64 / GIB as f64)
    }
}

/// `a, b, c`.
pub fn join<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> String {
    let mut s = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(item.as_ref());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_builds() {
        assert_eq!(major_minor("6.0.0"), Some((6, 0)));
        assert_eq!(major_minor("5.5"), Some((5, 5)));
        assert_eq!(major_minor("6"), None);
        assert_eq!(major_minor("six.0"), None);
        assert_eq!(parse_build("3620759"), Some(3_620_759));
        assert_eq!(parse_build("abc"), None);
    }

    #[test]
    fn gib_formatting_never_rounds_onto_a_limit() {
        assert_eq!(fmt_gib(1023 * GIB), "1023 GiB");
        assert_eq!(
            fmt_gib(1023 * GIB + 1),
            format!("1023.00 GiB ({} bytes)", 1023 * GIB + 1)
        );
        assert_eq!(fmt_gib(GIB + GIB / 2), "1.50 GiB (1610612736 bytes)");
    }
}
