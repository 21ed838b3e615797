//! Bounded reading of untrusted JSON streams (snapshots): a reader that counts what passes
//! through it and stops the decoder, with an error naming the cap, once the stream exceeds its
//! [`Limits`]. A few kilobytes of zstd can decompress to gigabytes, and a few bytes of JSON
//! (`{},`) become a whole model object, so the caps are on the decompressed bytes, on the number
//! of JSON objects and on the length of one string: together they bound the memory a decoded
//! document can take, whatever its shape.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// The caps; [`Limits::default`] fits an estate of a few million VMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes.
    pub max_bytes: u64,
    /// JSON objects (`{`), each at most one model object (a VM, a disk, a host...).
    pub max_objects: u64,
    /// Bytes of one JSON string.
    pub max_string: u64,
}

/// Default cap on decompressed bytes: 16 GiB.
pub const DEFAULT_MAX_MB: u64 = 16 * 1024;
/// Default cap on JSON objects: 50 million (a million VMs take about 10 million).
pub const DEFAULT_MAX_OBJECTS: u64 = 50_000_000;
/// Default cap on one string: 16 MiB (names are at most 80 characters, notes a few KB).
pub const DEFAULT_MAX_STRING: u64 = 16 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_MB * 1024 * 1024,
            max_objects: DEFAULT_MAX_OBJECTS,
            max_string: DEFAULT_MAX_STRING,
        }
    }
}

/// Which cap a stream exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Bytes(u64),
    Objects(u64),
    String(u64),
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Bytes(n) => write!(f, "more than {} MB decompressed", n / (1024 * 1024)),
            Exceeded::Objects(n) => write!(f, "more than {n} JSON objects"),
            Exceeded::String(n) => write!(f, "a string longer than {n} bytes"),
        }
    }
}

impl std::error::Error for Exceeded {}

/// Wraps a reader of JSON, failing with an [`Exceeded`] (inside an `io::Error`) past the caps.
pub struct BoundedJson<R> {
    inner: R,
    limits: Limits,
    bytes: u64,
    objects: u64,
    in_string: bool,
    escaped: bool,
    string_len: u64,
    tripped: Rc<Cell<Option<Exceeded>>>,
}

impl<R: Read> BoundedJson<R> {
    pub fn new(inner: R, limits: Limits) -> Self {
        BoundedJson {
            inner,
            limits,
            bytes: 0,
            objects: 0,
            in_string: false,
            escaped: false,
            string_len: 0,
            tripped: Rc::default(),
        }
    }

    /// The cap this reader exceeded, if any, readable after the reader moved into a decoder
    /// (whose own error may no longer say why the stream stopped).
    pub fn tripwire(&self) -> Rc<Cell<Option<Exceeded>>> {
        self.tripped.clone()
    }

    /// Counts `buf`, jumping from one quote, backslash or brace to the next (memchr), since
    /// every byte of a snapshot passes here.
    fn scan(&mut self, buf: &[u8]) -> Result<(), Exceeded> {
        self.bytes += buf.len() as u64;
        if self.bytes > self.limits.max_bytes {
            return Err(Exceeded::Bytes(self.limits.max_bytes));
        }
        let mut rest = buf;
        while !rest.is_empty() {
            if self.in_string {
                if self.escaped {
                    // The escaped character counts as one, whatever it is.
                    self.escaped = false;
                    self.string_len += 1;
                    rest = &rest[1..];
                } else {
                    match memchr::memchr2(b'"', b'\\', rest) {
                        None => {
                            self.string_len += rest.len() as u64;
                            rest = &[];
                        }
                        Some(i) => {
                            self.string_len += i as u64;
                            if rest[i] == b'\\' {
                                self.escaped = true;
                                self.string_len += 1;
                            } else {
                                self.in_string = false;
                            }
                            rest = &rest[i + 1..];
                        }
                    }
                }
                if self.string_len > self.limits.max_string {
                    return Err(Exceeded::String(self.limits.max_string));
                }
            } else {
                let Some(i) = memchr::memchr2(b'"', b'{', rest) else {
                    break;
                };
                if rest[i] == b'"' {
                    self.in_string = true;
                    self.string_len = 0;
                } else {
                    self.objects += 1;
                    if self.objects > self.limits.max_objects {
                        return Err(Exceeded::Objects(self.limits.max_objects));
                    }
                }
                rest = &rest[i + 1..];
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for BoundedJson<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Err(e) = self.scan(&buf[..n]) {
            self.tripped.set(Some(e));
            return Err(io::Error::other(e));
        }
        Ok(n)
    }
}

/// The cap an I/O error reports, when it is one of ours.
pub fn exceeded(e: &io::Error) -> Option<Exceeded> {
    e.get_ref()?.downcast_ref::<Exceeded>().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &[u8], limits: Limits) -> Result<(), Option<Exceeded>> {
        let mut r = BoundedJson::new(text, limits);
        let mut sink = Vec::new();
        r.read_to_end(&mut sink).map(drop).map_err(|e| exceeded(&e))
    }

    #[test]
    fn each_cap_stops_the_stream() {
        let l = Limits {
            max_bytes: 100,
            max_objects: 3,
            max_string: 5,
        };
        assert_eq!(read_all(br#"[{},{},{"a":"12345"}]"#, l), Ok(()));
        assert_eq!(
            read_all(br#"[{},{},{},{}]"#, l),
            Err(Some(Exceeded::Objects(3)))
        );
        // Braces and escaped quotes inside strings are text, not objects.
        assert_eq!(
            read_all(br#"["{{\"{{","{{{{"]"#, l),
            Err(Some(Exceeded::String(5)))
        );
        let l = Limits {
            max_string: 50,
            ..l
        };
        assert_eq!(read_all(br#"["{{\"{{{","{{{{"]"#, l), Ok(()));
        assert_eq!(read_all(&[b' '; 101], l), Err(Some(Exceeded::Bytes(100))));
    }

    /// The byte-at-a-time counter the scanner replaced: the oracle for the one in use.
    fn naive(text: &[u8], limits: Limits) -> Result<(), Exceeded> {
        let (mut objects, mut in_string, mut escaped, mut len) = (0u64, false, false, 0u64);
        for &b in text {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    continue;
                }
                len += 1;
                if len > limits.max_string {
                    return Err(Exceeded::String(limits.max_string));
                }
            } else if b == b'"' {
                in_string = true;
                len = 0;
            } else if b == b'{' {
                objects += 1;
                if objects > limits.max_objects {
                    return Err(Exceeded::Objects(limits.max_objects));
                }
            }
        }
        Ok(())
    }

    /// Fed in blocks of every size (a quote, a backslash or an escape split across reads), the
    /// scanner stops exactly where the byte-at-a-time counter does.
    #[test]
    fn scanner_agrees_with_the_byte_counter_across_block_boundaries() {
        let alphabet = br#"{}"\a :,["#;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..400 {
            let len = 1 + round % 60;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let limits = Limits {
                max_bytes: 1 << 20,
                max_objects: 1 + (round as u64 % 7),
                max_string: 1 + (round as u64 % 9),
            };
            let want = naive(&text, limits);
            for block in 1..=text.len() {
                let mut r = BoundedJson::new(&text[..], limits);
                let got = text.chunks(block).try_for_each(|c| r.scan(c));
                assert_eq!(
                    got,
                    want,
                    "text {:?} in blocks of {block}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }
}
