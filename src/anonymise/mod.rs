//! Keyed, deterministic pseudonyms for sharing a snapshot without its names
//! (`vcaudit anonymise`).
//!
//! Every identifying string is replaced by a pseudonym derived with HMAC-SHA-256 under a key the
//! user keeps, so the same string gets the same pseudonym everywhere in a snapshot and in every
//! snapshot anonymised with the same key (diffs keep working). A pseudonym keeps what the rules
//! judge of a name: its length in characters and the class of every character (lower-case and
//! upper-case ASCII letters, digits and hyphens are replaced within their class; ASCII
//! punctuation such as `.`, `_`, `:` or `/` is kept, as it carries structure, not identity;
//! any non-ASCII character becomes `_`, which the name rules judge the same). Strings of hex
//! digits and hyphens (UUIDs) stay hex. Pseudonyms are distinct (a collision is re-derived), never
//! equal to the original, and never one of the well-known path components the rules read.
//!
//! [`estate`] walks a snapshot and says which fields are identifying.

pub mod estate;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Why a key could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read --key-file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "--key-file {path} is not a vcaudit key (64 hex digits on one line); give the file `vcaudit anonymise` wrote, or a new path to create one"
    )]
    Invalid { path: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("cannot get random bytes for a key: {0}")]
    Random(String),
}

/// An anonymisation key: 32 random bytes, stored as 64 hex digits.
pub struct Key([u8; 32]);

impl Key {
    /// A fresh random key.
    pub fn random() -> Result<Key, KeyError> {
        let mut k = [0u8; 32];
        getrandom::getrandom(&mut k).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Key(k))
    }

    /// Reads the key in `path`.
    pub fn read(path: &Path) -> Result<Key, KeyError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let hex = text.trim();
        let invalid = || KeyError::Invalid {
            path: shown.clone(),
        };
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let mut k = [0u8; 32];
        for (i, byte) in k.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| invalid())?;
        }
        Ok(Key(k))
    }

    /// Writes the key to a new file, readable by the owner alone.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        write_private(path, format!("{hex}\n").as_bytes())
    }
}

/// Writes `bytes` to `path` atomically, mode 0600 (owner only) from the start.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let err = |e: &dyn std::fmt::Display| KeyError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile creates files 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".vcaudit-")
        .tempfile_in(dir)
        .map_err(|e| err(&e))?;
    tmp.write_all(bytes).map_err(|e| err(&e))?;
    tmp.as_file().sync_all().map_err(|e| err(&e))?;
    tmp.persist(path).map_err(|e| err(&e.error))?;
    Ok(())
}

/// Path components the rules read (install-space): never produced as a pseudonym.
const RESERVED: &[&str] = &[
    "usr", "local", "boot", "efi", "var", "opt", "home", "tmp", "vm",
];

/// Well-known guest filesystem paths, kept as they are.
pub const WELL_KNOWN_PATHS: &[&str] = &[
    "/",
    "/usr",
    "/usr/local",
    "/boot",
    "/boot/efi",
    "/var",
    "/var/log",
    "/opt",
    "/home",
    "/tmp",
    "/srv",
];

/// Derives pseudonyms under one key and remembers them (both ways).
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
    forward: HashMap<String, String>,
    reverse: HashMap<String, String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Lower,
    Upper,
    Digit,
    Keep,
    NonAscii,
}

fn class(c: char) -> Class {
    match c {
        'a'..='z' => Class::Lower,
        'A'..='Z' => Class::Upper,
        '0'..='9' => Class::Digit,
        _ if c.is_ascii() => Class::Keep,
        _ => Class::NonAscii,
    }
}

impl Pseudonymiser {
    pub fn new(key: &Key) -> Self {
        Pseudonymiser {
            mac: Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length"),
            forward: HashMap::new(),
            reverse: HashMap::new(),
        }
    }

    /// The pseudonym of `s` (the same every time for the same key).
    pub fn name(&mut self, s: &str) -> String {
        if let Some(p) = self.forward.get(s) {
            return p.clone();
        }
        let changeable = s.chars().any(|c| !matches!(class(c), Class::Keep));
        if !changeable {
            return s.to_string();
        }
        let mut attempt = 0u32;
        let p = loop {
            let p = self.derive(s, attempt);
            let taken = self.reverse.get(&p).is_some_and(|o| o != s);
            let bad = (p == s && s.chars().any(|c| class(c) != Class::NonAscii))
                || RESERVED.contains(&p.as_str());
            if (!taken && !bad) || attempt >= 1000 {
                break p;
            }
            attempt += 1;
        };
        self.forward.insert(s.to_string(), p.clone());
        self.reverse.insert(p.clone(), s.to_string());
        p
    }

    /// The pseudonym of an optional string.
    pub fn opt<S: From<String> + std::ops::Deref<Target = str>>(&mut self, s: &mut Option<S>) {
        if let Some(v) = s {
            *v = S::from(self.name(v));
        }
    }

    /// Replaces `s` by its pseudonym.
    pub fn replace<S: From<String> + std::ops::Deref<Target = str>>(&mut self, s: &mut S) {
        *s = S::from(self.name(s));
    }

    fn derive(&self, s: &str, attempt: u32) -> String {
        // UUIDs, and addresses (MAC, IPv6): hex letters stay hex letters.
        let hex = (s.len() >= 8 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
            || (s.contains([':', '.'])
                && s.chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'));
        let mut bytes: Vec<u8> = Vec::new();
        let mut block = 0u32;
        let mut out = String::with_capacity(s.len());
        for (i, c) in s.chars().enumerate() {
            if i >= bytes.len() {
                let mut mac = self.mac.clone();
                mac.update(&attempt.to_le_bytes());
                mac.update(&block.to_le_bytes());
                mac.update(s.as_bytes());
                bytes.extend_from_slice(&mac.finalize().into_bytes());
                block += 1;
            }
            let b = bytes[i];
            let letters = if hex { 6 } else { 26 };
            out.push(match class(c) {
                Class::Lower => (b'a' + b % letters) as char,
                Class::Upper => (b'A' + b % letters) as char,
                Class::Digit => (b'0' + b % 10) as char,
                Class::Keep => c,
                Class::NonAscii => '_',
            });
        }
        out
    }

    /// An IP or MAC address (`guest.net`, NICs): digits and hex letters are replaced, separators
    /// kept, so it still reads as an address. What a rule judges of an address stays: an IPv6
    /// address keeps its first group (link-local `fe80::/10` or not, see `guest-ipv6`), loopback
    /// and unspecified addresses are kept whole, and a `%zone` suffix (an interface name) is kept.
    pub fn address(&mut self, a: &str) -> String {
        let (addr, zone) = match a.split_once('%') {
            Some((x, z)) => (x, Some(z)),
            None => (a, None),
        };
        let out = match addr.parse::<std::net::Ipv6Addr>() {
            Ok(ip) if ip.is_loopback() || ip.is_unspecified() => addr.to_string(),
            Ok(_) => match addr.split_once(':') {
                Some((first, rest)) => format!("{first}:{}", self.name(rest)),
                None => self.name(addr),
            },
            Err(_) => self.name(addr),
        };
        match zone {
            Some(z) => format!("{out}%{z}"),
            None => out,
        }
    }

    /// `category:tag` with each half pseudonymised.
    pub fn tag(&mut self, t: &str) -> String {
        match t.split_once(':') {
            Some((c, n)) => format!("{}:{}", self.name(c), self.name(n)),
            None => self.name(t),
        }
    }

    /// A moref keeps its type prefix (`vm-`, `host-`, `datastore-`, `domain-`); the rest is
    /// pseudonymised.
    pub fn moref(&mut self, m: &str) -> String {
        match m.rfind('-') {
            Some(i) if m[..i].bytes().all(|b| b.is_ascii_lowercase() || b == b'-') => {
                format!("{}{}", &m[..=i], self.name(&m[i + 1..]))
            }
            _ => self.name(m),
        }
    }

    /// A slash-separated path with every component pseudonymised.
    pub fn path(&mut self, p: &str) -> String {
        p.split('/')
            .map(|c| {
                if c.is_empty() {
                    String::new()
                } else {
                    self.name(c)
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// A datastore path `[ds] dir/file.vmdk`: the datastore name as everywhere else, the
    /// directories and file stems pseudonymised, the extensions kept.
    pub fn datastore_path(&mut self, p: &str) -> String {
        let (ds, rest) = match p.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((ds, rest)) => (Some(ds), rest),
            None => (None, p),
        };
        let lead = rest.len() - rest.trim_start().len();
        let files: Vec<String> = rest
            .trim_start()
            .split('/')
            .map(|c| match c.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() => format!("{}.{ext}", self.name(stem)),
                _ if c.is_empty() => String::new(),
                _ => self.name(c),
            })
            .collect();
        let rest = format!("{}{}", &rest[..lead], files.join("/"));
        match ds {
            Some(ds) => format!("[{}]{rest}", self.name(ds)),
            None => rest,
        }
    }

    /// A guest filesystem path: well-known ones and drive roots (`C:\`) kept, others
    /// pseudonymised component by component.
    pub fn guest_path(&mut self, p: &str) -> String {
        let b = p.as_bytes();
        let drive_root = b.len() <= 3 && b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
        if drive_root || WELL_KNOWN_PATHS.contains(&p.trim_end_matches('/')) || p == "/" {
            return p.to_string();
        }
        if b.len() > 3 && b[1] == b':' {
            let rest: Vec<String> = p[3..]
                .split('\\')
                .map(|c| {
                    if c.is_empty() {
                        String::new()
                    } else {
                        self.name(c)
                    }
                })
                .collect();
            return format!("{}{}", &p[..3], rest.join("\\"));
        }
        self.path(p)
    }

    /// Every pseudonym with its original, sorted by pseudonym.
    pub fn reverse_map(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = self
            .reverse
            .iter()
            .map(|(p, o)| (p.as_str(), o.as_str()))
            .collect();
        v.sort();
        v
    }

    /// The pseudonyms given so far, original -> pseudonym, for replacing inside free text.
    pub fn forward(&self) -> &HashMap<String, String> {
        &self.forward
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_keep_their_shape_and_what_guest_ipv6_judges() {
        let mut p = Pseudonymiser::new(&Key([7; 32]));
        let mac = p.address("00:50:56:ab:cd:ef");
        assert_ne!(mac, "00:50:56:ab:cd:ef");
        assert_eq!(mac.len(), 17);
        assert!(
            mac.chars().all(|c| c.is_ascii_hexdigit() || c == ':'),
            "{mac}"
        );
        let v4 = p.address("192.168.10.21");
        assert_ne!(v4, "192.168.10.21");
        assert_eq!(v4.matches('.').count(), 3);
        let ll = p.address("fe80::250:56ff:fe01:2%ens192");
        assert!(ll.starts_with("fe80:") && ll.ends_with("%ens192"), "{ll}");
        assert_ne!(ll, "fe80::250:56ff:fe01:2%ens192");
        let routable = p.address("2001:db8::1234");
        assert!(routable.parse::<std::net::Ipv6Addr>().is_ok(), "{routable}");
        assert_ne!(routable, "2001:db8::1234");
        assert_eq!(p.address("::1"), "::1");
        assert_eq!(p.address("2001:db8::1234"), routable, "deterministic");
    }

    fn p() -> Pseudonymiser {
        Pseudonymiser::new(&Key([7; 32]))
    }

    #[test]
    fn pseudonyms_keep_length_and_classes_and_are_deterministic() {
        let mut a = p();
        for s in [
            "web-01",
            "SQL_Prod.corp.example",
            "x",
            "Db-9",
            "réseau-1",
            "a%2fb",
        ] {
            let n = a.name(s);
            assert_eq!(n.chars().count(), s.chars().count(), "{s} -> {n}");
            for (x, y) in s.chars().zip(n.chars()) {
                let cx = class(x);
                let cy = class(y);
                if cx == Class::NonAscii {
                    assert_eq!(y, '_');
                } else {
                    assert!(cx == cy, "{s} -> {n}");
                }
                if cx == Class::Keep {
                    assert_eq!(x, y);
                }
            }
            assert_ne!(n, s);
            assert_eq!(p().name(s), n, "same key, same pseudonym");
        }
        let other = Pseudonymiser::new(&Key([8; 32])).name("web-01");
        assert_ne!(other, a.name("web-01"), "another key, another pseudonym");
    }

    #[test]
    fn uuids_stay_hex_and_pseudonyms_are_distinct() {
        let mut a = p();
        let u = a.name("4213e4b5-0c3f-9f2e-aaaa-0123456789ab");
        assert!(u.chars().all(|c| c.is_ascii_hexdigit() || c == '-'), "{u}");
        let all: std::collections::HashSet<String> =
            (0..10).map(|i| a.name(&i.to_string())).collect();
        assert_eq!(
            all.len(),
            10,
            "one-digit strings still get distinct pseudonyms"
        );
    }

    #[test]
    fn structured_strings_keep_their_structure() {
        let mut a = p();
        let ds = a.name("ds01");
        let vm = a.name("web01");
        assert_eq!(
            a.datastore_path("[ds01] web01/web01.vmx"),
            format!("[{ds}] {vm}/{vm}.vmx")
        );
        assert!(a.moref("vm-123").starts_with("vm-"));
        assert!(a.moref("domain-c7").starts_with("domain-"));
        assert_eq!(a.guest_path("C:\\"), "C:\\");
        assert_eq!(a.guest_path("/usr/local"), "/usr/local");
        let data = a.guest_path("/data/projects");
        assert!(
            data.starts_with('/') && !data.contains("projects"),
            "{data}"
        );
        let tag = a.tag("dr-tier:gold");
        assert_eq!(tag.split(':').count(), 2);
        assert_eq!(
            a.path("/DC0/vm/Prod"),
            format!("/{}/{}/{}", a.name("DC0"), a.name("vm"), a.name("Prod"))
        );
    }
}
