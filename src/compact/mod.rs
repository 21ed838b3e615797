//! Compact forms of the strings each VM owns: its UUIDs and its disks' file paths.
//!
//! A million VMs keep their model for the whole run, and the strings unique to each VM were the
//! largest part of it after interning (bench/RESULTS.md): two 36-character UUIDs and a
//! `[datastore] vm/vm_1.vmdk` path per disk, each its own allocation. The types here keep the
//! usual shapes of those strings in a few bytes or in shared pieces, and anything else as sent:
//!
//! - [`Uuid`]: a canonical UUID text (`8-4-4-4-12` hex digits, all lower or all upper case) as
//!   its 16 bytes and its case; any other text kept as it is.
//! - [`DatastorePath`]: a disk's `[<datastore>] <dir>/<dir>.vmdk` or `.../<dir>_<n>.vmdk`, or a
//!   VM's `[<datastore>] <dir>/<dir>.vmx`, as the interned datastore name, the interned folder
//!   name (usually the VM's name, so the VM, its disks and its configuration file hold one
//!   allocation between them), the extension and `n`; any other path kept as it is.
//! - [`Mac`]: a MAC address `xx:xx:xx:xx:xx:xx` (all lower or all upper case) as its 6 bytes.
//!
//! Both render back to exactly the text they were made from (case, form and all), so reports
//! and snapshots are unchanged; both serialize as that text.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::intern::Shared;
use crate::word::Word;

/// The impls every compact form shares, through its `new(&str)` and `with_str`: it is made
/// from text, compares equal to the text it was made from, and debugs and (de)serializes as
/// that text.
macro_rules! text_form {
    ($t:ident) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.with_str(|s| fmt::Debug::fmt(s, f))
            }
        }
        impl From<&str> for $t {
            fn from(s: &str) -> Self {
                $t::new(s)
            }
        }
        impl From<String> for $t {
            fn from(s: String) -> Self {
                $t::new(&s)
            }
        }
        impl From<&String> for $t {
            fn from(s: &String) -> Self {
                $t::new(s)
            }
        }
        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.with_str(|s| s == other)
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self == *other
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.with_str(|text| s.serialize_str(text))
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(StrVisitor($t::new))
            }
        }
    };
}

/// Length of a UUID's canonical text.
const UUID_LEN: usize = 36;
/// Where the canonical text has its hyphens.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// A UUID as vCenter sent it (see the module documentation): 17 bytes aligned to one byte, so
/// that a VM's two fill the space its smallest fields leave (16 bytes a VM less than when they
/// were 24 bytes aligned to 8); no allocation when the text is canonical.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Uuid(UuidRepr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum UuidRepr {
    /// Canonical, hex letters (if any) in lower case.
    Lower([u8; 16]),
    /// Canonical, hex letters in upper case (at least one).
    Upper([u8; 16]),
    /// Anything else, as sent: the bytes of its [`Word`] (a `Word` itself would align the whole
    /// form to 4). The same text is always the same word, so the derived comparison and hash are
    /// those of the text. vCenter sends canonical UUIDs: these are the rare odd ones (e.g.
    /// hand-edited snapshots), kept for the whole run like every word.
    Text([u8; 4]),
}

fn hex_value(b: u8) -> Option<(u8, Option<bool>)> {
    match b {
        b'0'..=b'9' => Some((b - b'0', None)),
        b'a'..=b'f' => Some((b - b'a' + 10, Some(false))),
        b'A'..=b'F' => Some((b - b'A' + 10, Some(true))),
        _ => None,
    }
}

/// The bytes and case of a canonical UUID text; `None` for anything else (mixed case too).
fn parse_canonical(s: &str) -> Option<([u8; 16], bool)> {
    let s = s.as_bytes();
    if s.len() != UUID_LEN || HYPHENS.iter().any(|&i| s[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    let mut upper: Option<bool> = None;
    let mut digits = s.iter().enumerate().filter(|(i, _)| !HYPHENS.contains(i));
    for byte in &mut out {
        let mut pair = [0u8; 2];
        for half in &mut pair {
            let (_, &b) = digits.next()?;
            let (v, case) = hex_value(b)?;
            if let Some(c) = case {
                if upper.is_some_and(|u| u != c) {
                    return None;
                }
                upper = Some(c);
            }
            *half = v;
        }
        *byte = pair[0] << 4 | pair[1];
    }
    Some((out, upper.unwrap_or(false)))
}

/// Writes the canonical text of `bytes` into `buf`.
fn render_canonical<'a>(bytes: &[u8; 16], upper: bool, buf: &'a mut [u8; UUID_LEN]) -> &'a str {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut at = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            buf[at] = b'-';
            at += 1;
        }
        buf[at] = digits[usize::from(b >> 4)];
        buf[at + 1] = digits[usize::from(b & 0xf)];
        at += 2;
    }
    std::str::from_utf8(buf).expect("hex digits and hyphens are ASCII")
}

impl Uuid {
    /// The compact form of `s`; never fails (non-canonical text is kept as sent).
    pub fn new(s: &str) -> Uuid {
        Uuid(match parse_canonical(s) {
            Some((bytes, false)) => UuidRepr::Lower(bytes),
            Some((bytes, true)) => UuidRepr::Upper(bytes),
            None => UuidRepr::Text(Word::new(s).to_bytes()),
        })
    }

    /// The text, written into `buf` when it is held compact.
    pub fn as_str_in<'a>(&'a self, buf: &'a mut [u8; UUID_LEN]) -> &'a str {
        match &self.0 {
            UuidRepr::Lower(b) => render_canonical(b, false, buf),
            UuidRepr::Upper(b) => render_canonical(b, true, buf),
            UuidRepr::Text(n) => Word::from_bytes(*n).as_str(),
        }
    }

    /// The text with a canonical UUID's hex letters in lower case (others as sent), written
    /// into `buf` when it is held compact: for comparing UUIDs whatever their case.
    pub fn as_lower_str_in<'a>(&'a self, buf: &'a mut [u8; UUID_LEN]) -> &'a str {
        match &self.0 {
            UuidRepr::Lower(b) | UuidRepr::Upper(b) => render_canonical(b, false, buf),
            UuidRepr::Text(n) => Word::from_bytes(*n).as_str(),
        }
    }

    /// The text, owned when it is held compact (a report cell).
    pub fn to_cow(&self) -> Cow<'_, str> {
        match &self.0 {
            UuidRepr::Text(n) => Cow::Borrowed(Word::from_bytes(*n).as_str()),
            _ => Cow::Owned(self.to_string()),
        }
    }

    /// Whether the text is held compact (16 bytes, no allocation).
    pub fn is_compact(&self) -> bool {
        !matches!(self.0, UuidRepr::Text(_))
    }

    /// Calls `f` with the text, rendered on the stack.
    fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self.as_str_in(&mut [0; UUID_LEN]))
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str_in(&mut [0; UUID_LEN]))
    }
}

text_form!(Uuid);

/// Length of a MAC address's text.
const MAC_LEN: usize = 17;

/// A MAC address as sent (see the module documentation): 16 bytes, no allocation when the text
/// is `xx:xx:xx:xx:xx:xx` in one case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mac(MacRepr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum MacRepr {
    Lower([u8; 6]),
    Upper([u8; 6]),
    /// Anything else, as sent (shared: one pointer, so the whole is 16 bytes).
    Text(Shared),
}

fn parse_mac(s: &str) -> Option<([u8; 6], bool)> {
    let s = s.as_bytes();
    if s.len() != MAC_LEN {
        return None;
    }
    let mut out = [0u8; 6];
    let mut upper: Option<bool> = None;
    for (i, byte) in out.iter_mut().enumerate() {
        let at = i * 3;
        if i > 0 && s[at - 1] != b':' {
            return None;
        }
        let (hi, c1) = hex_value(s[at])?;
        let (lo, c2) = hex_value(s[at + 1])?;
        for c in [c1, c2].into_iter().flatten() {
            if upper.is_some_and(|u| u != c) {
                return None;
            }
            upper = Some(c);
        }
        *byte = hi << 4 | lo;
    }
    Some((out, upper.unwrap_or(false)))
}

impl Mac {
    /// The compact form of `s`; never fails (other text is kept as sent).
    pub fn new(s: &str) -> Mac {
        Mac(match parse_mac(s) {
            Some((bytes, false)) => MacRepr::Lower(bytes),
            Some((bytes, true)) => MacRepr::Upper(bytes),
            None => MacRepr::Text(Shared::new(s)),
        })
    }

    /// The text, written into `buf` when it is held compact.
    pub fn as_str_in<'a>(&'a self, buf: &'a mut [u8; MAC_LEN]) -> &'a str {
        let (bytes, digits): (_, &[u8; 16]) = match &self.0 {
            MacRepr::Lower(b) => (b, b"0123456789abcdef"),
            MacRepr::Upper(b) => (b, b"0123456789ABCDEF"),
            MacRepr::Text(t) => return t,
        };
        for (i, b) in bytes.iter().enumerate() {
            let at = i * 3;
            if i > 0 {
                buf[at - 1] = b':';
            }
            buf[at] = digits[usize::from(b >> 4)];
            buf[at + 1] = digits[usize::from(b & 0xf)];
        }
        std::str::from_utf8(buf).expect("hex digits and colons are ASCII")
    }

    /// Whether the text is held compact (6 bytes, no allocation).
    pub fn is_compact(&self) -> bool {
        !matches!(self.0, MacRepr::Text(_))
    }

    /// Calls `f` with the text, rendered on the stack.
    fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self.as_str_in(&mut [0; MAC_LEN]))
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str_in(&mut [0; MAC_LEN]))
    }
}

text_form!(Mac);

/// Deserializes a string through a constructor from `&str` (no intermediate `String` when the
/// input lends the text).
pub(crate) struct StrVisitor<T>(pub(crate) fn(&str) -> T);

impl<T> serde::de::Visitor<'_> for StrVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(v))
    }
}

/// A file path on a datastore, of a virtual disk or a VM's configuration file (see the module
/// documentation): 24 bytes, and for the usual `[ds] vm/vm_1.vmdk` no allocation of its own.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DatastorePath(FileRepr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum FileRepr {
    /// `[{datastore}] {dir}/{dir}{tail}`, `tail` as [`Tail`] encodes it.
    Parts {
        datastore: Shared,
        dir: Shared,
        tail: Tail,
    },
    /// Anything else, as sent.
    Text(Box<str>),
}

/// The end of a path after the folder's name: `.vmx` (the top bit), `.vmdk` (the low bits 0)
/// or `_{n}.vmdk` (the low bits `n + 1`, `n` at most 9 digits).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Tail(u32);

const VMX: u32 = 1 << 31;

/// The pieces of `[ds] dir/dir(_n).vmdk` or `[ds] dir/dir.vmx`.
fn parse_parts(s: &str) -> Option<(&str, &str, Tail)> {
    let rest = s.strip_prefix('[')?;
    let close = rest.find("] ")?;
    let (datastore, rest) = (&rest[..close], &rest[close + 2..]);
    let (body, vmx) = match rest.strip_suffix(".vmdk") {
        Some(body) => (body, false),
        None => (rest.strip_suffix(".vmx")?, true),
    };
    let (dir, file) = body.split_once('/')?;
    if dir.is_empty() {
        return None;
    }
    let tail = file.strip_prefix(dir)?;
    if tail.is_empty() {
        return Some((datastore, dir, Tail(if vmx { VMX } else { 0 })));
    }
    let n = tail.strip_prefix('_').filter(|_| !vmx)?;
    // Digits only, at most 9 (n + 1 fits below the top bit), no leading zero: the number prints
    // back as sent.
    let plain = !n.is_empty()
        && n.len() <= 9
        && n.bytes().all(|b| b.is_ascii_digit())
        && (n == "0" || !n.starts_with('0'));
    plain.then(|| {
        (
            datastore,
            dir,
            Tail(n.parse::<u32>().expect("checked digits") + 1),
        )
    })
}

impl DatastorePath {
    /// The compact form of `s`; never fails (other shapes are kept as sent).
    pub fn new(s: &str) -> DatastorePath {
        DatastorePath(match parse_parts(s) {
            Some((datastore, dir, tail)) => FileRepr::Parts {
                datastore: Shared::new(datastore),
                dir: Shared::new(dir),
                tail,
            },
            None => FileRepr::Text(s.into()),
        })
    }

    /// The path, owned when it is held in pieces (a report cell).
    pub fn to_cow(&self) -> Cow<'_, str> {
        match &self.0 {
            FileRepr::Text(t) => Cow::Borrowed(t),
            FileRepr::Parts { .. } => Cow::Owned(self.to_string()),
        }
    }

    /// Whether the path is held in shared pieces (no allocation of its own).
    pub fn is_compact(&self) -> bool {
        matches!(self.0, FileRepr::Parts { .. })
    }

    /// Calls `f` with the path.
    fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(&self.to_cow())
    }
}

impl fmt::Display for DatastorePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (datastore, dir, Tail(tail)) = match &self.0 {
            FileRepr::Text(t) => return f.write_str(t),
            FileRepr::Parts {
                datastore,
                dir,
                tail,
            } => (datastore, dir, *tail),
        };
        write!(f, "[{datastore}] {dir}/{dir}")?;
        match tail {
            VMX => f.write_str(".vmx"),
            0 => f.write_str(".vmdk"),
            n => write!(f, "_{}.vmdk", n - 1),
        }
    }
}

text_form!(DatastorePath);

#[cfg(test)]
mod tests;
