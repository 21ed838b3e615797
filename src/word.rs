//! Values of vCenter enumerations that this version of vcaudit does not know, held as 4-byte ids.
//!
//! The model's wire enumerations (`PowerState`, `ToolsStatus`, `DiskBacking`, ...) keep a value
//! they do not know as sent, so that a newer vCenter still audits. Holding it as a string (even a
//! one-pointer [`crate::intern::Shared`]) made each of those enums 16 bytes, and a VM holds four
//! of them and a disk one. A [`Word`] is an id into one table for the whole process, so the
//! enums take 8 bytes, `Option` included.
//!
//! Such values are rare (a handful of distinct spellings from newer vCenters), so the table
//! keeps each distinct value for the rest of the process. A snapshot made up to carry many
//! distinct ones costs about what a model holding them as strings would, but that memory is only
//! given back when the process ends.
//!
//! A disk's mode and sharing (`persistent`, `sharingMultiWriter`, ...) are words too: a handful
//! of values across an estate, held in 4 bytes each instead of a pointer; so is a UUID text that
//! is not canonical ([`crate::compact::Uuid`]), which vCenter does not send.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::{LazyLock, RwLock};

/// The distinct unknown values the process keeps.
struct Table {
    ids: HashMap<&'static str, NonZeroU32>,
    /// The value of id `n` at `n - 1`.
    words: Vec<&'static str>,
}

static TABLE: LazyLock<RwLock<Table>> = LazyLock::new(|| {
    RwLock::new(Table {
        ids: HashMap::new(),
        words: Vec::new(),
    })
});

/// An interned value of a wire enumeration (see the module documentation). Ids start at 1, so
/// an `Option<Word>` is 4 bytes too. It reads as the text it holds (`Deref<Target = str>`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Word(NonZeroU32);

impl Word {
    /// The id of `s`, added to the table when new.
    pub fn new(s: &str) -> Word {
        if let Some(&id) = read().ids.get(s) {
            return Word(id);
        }
        let mut table = TABLE.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = table.ids.get(s) {
            return Word(id);
        }
        let id = u32::try_from(table.words.len() + 1)
            .ok()
            .and_then(NonZeroU32::new)
            .expect("fewer than 2^32 distinct values");
        let s: &'static str = Box::leak(s.into());
        table.words.push(s);
        table.ids.insert(s, id);
        Word(id)
    }

    /// The id as bytes, for a form that must stay aligned to one byte.
    pub fn to_bytes(self) -> [u8; 4] {
        self.0.get().to_le_bytes()
    }

    /// The word whose [`Word::to_bytes`] gave `bytes` (only such bytes: others panic here or
    /// when read).
    pub fn from_bytes(bytes: [u8; 4]) -> Word {
        Word(NonZeroU32::new(u32::from_le_bytes(bytes)).expect("a word's bytes"))
    }

    /// The value as sent.
    pub fn as_str(self) -> &'static str {
        read().words[self.0.get() as usize - 1]
    }
}

/// The table, for reading: readers (report writers on every core) do not wait on each other.
fn read() -> std::sync::RwLockReadGuard<'static, Table> {
    TABLE.read().unwrap_or_else(|e| e.into_inner())
}

impl Deref for Word {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Word {
    fn from(s: &str) -> Self {
        Word::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_one_id_and_read_back() {
        let a = Word::new("hibernating");
        assert_eq!(a, Word::new(&String::from("hibernating")));
        assert_ne!(a, Word::new("hibernating2"));
        assert_eq!(a.as_str(), "hibernating");
        assert_eq!(format!("{a:?}"), "\"hibernating\"");
        assert_eq!(std::mem::size_of::<Option<Word>>(), 4);
        assert_eq!(&*a, "hibernating");
        assert_eq!(Word::from_bytes(a.to_bytes()), a);
    }
}
