//! Interned strings for the values a model repeats across objects.
//!
//! A large estate repeats a few hundred distinct values (datacenter, cluster and host names,
//! folder paths, guest ids and OS names, Tools versions, datastore names, disk and NIC labels)
//! over a million VMs. [`Shared`] holds such a value as a reference-counted string: every VM
//! with the same host name points at one allocation instead of owning a copy. The handle is
//! `arcstr::ArcStr`, one pointer wide (the length lives in the allocation beside the count), so a
//! model field `Option<Shared>` costs 8 bytes where `Option<Arc<str>>` cost 16; a million VMs
//! hold tens of millions of them.
//!
//! Interning happens on construction (`Shared::from(&str)`, `.into()`), through a small pool
//! per thread, so collect decoding, snapshot reading and the RVTools reader all share values
//! without passing a pool around. The pool is bounded (`POOL_LIMIT` values): when values turn out to
//! be mostly unique it starts afresh, so it never holds more than a bounded number of strings
//! alive beyond the model's own references.
//!
//! `Shared` serializes as a plain string, so snapshots and reports are unchanged.
//!
//! [`SharedList`] does the same for whole lists that repeat: a VM's datastore names and morefs
//! (VMs on the same datastores hold one list between them).

use foldhash::HashSet;
use std::borrow::Borrow;
use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use arcstr::ArcStr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Most distinct strings a thread's pool holds before it starts afresh.
const POOL_LIMIT: usize = 1 << 16;

thread_local! {
    /// foldhash rather than SipHash: every string of a snapshot or of a SOAP page is looked up
    /// here (tens of millions for a million VMs), and foldhash's per-process seed still keeps
    /// crafted inputs from choosing collisions.
    static POOL: RefCell<HashSet<ArcStr>> = RefCell::new(HashSet::default());
}

/// Most distinct lists a thread's list pool holds before it starts afresh.
const LIST_POOL_LIMIT: usize = 1 << 12;

thread_local! {
    static LISTS: RefCell<HashSet<Pooled>> = RefCell::new(HashSet::default());
}

/// An immutable, interned list of [`Shared`] strings (see the module documentation): one
/// pointer (8 bytes, where a boxed slice is 16; the pooled list pays the second allocation
/// once), and no allocation of its own when an equal list was made before.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SharedList(Arc<Box<[Shared]>>);

/// A pooled list, looked up by its items.
#[derive(PartialEq, Eq, Hash)]
struct Pooled(Arc<Box<[Shared]>>);

impl Borrow<[Shared]> for Pooled {
    fn borrow(&self) -> &[Shared] {
        &self.0
    }
}

impl SharedList {
    /// The pooled copy of `items`, created when it is new to this thread.
    pub fn new(items: &[Shared]) -> SharedList {
        LISTS.with(|pool| {
            let mut pool = pool.borrow_mut();
            if let Some(v) = pool.get(items) {
                return SharedList(v.0.clone());
            }
            if pool.len() >= LIST_POOL_LIMIT {
                pool.clear();
            }
            let v: Arc<Box<[Shared]>> = Arc::new(items.into());
            pool.insert(Pooled(v.clone()));
            SharedList(v)
        })
    }
}

impl Default for SharedList {
    /// The empty list (pooled too: an empty `Arc` still allocates).
    fn default() -> Self {
        SharedList::new(&[])
    }
}

impl Deref for SharedList {
    type Target = [Shared];
    fn deref(&self) -> &[Shared] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a SharedList {
    type Item = &'a Shared;
    type IntoIter = std::slice::Iter<'a, Shared>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Debug for SharedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<Vec<Shared>> for SharedList {
    fn from(v: Vec<Shared>) -> Self {
        SharedList::new(&v)
    }
}

impl FromIterator<Shared> for SharedList {
    fn from_iter<I: IntoIterator<Item = Shared>>(iter: I) -> Self {
        SharedList::new(&iter.into_iter().collect::<Vec<_>>())
    }
}

impl Serialize for SharedList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for SharedList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Shared>::deserialize(d).map(SharedList::from)
    }
}

/// An immutable, interned, cheaply cloned string (see the module documentation).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shared(ArcStr);

impl Shared {
    /// The pooled copy of `s`, created when it is new to this thread.
    pub fn new(s: &str) -> Shared {
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            if let Some(v) = pool.get(s) {
                return Shared(v.clone());
            }
            if pool.len() >= POOL_LIMIT {
                pool.clear();
            }
            let v = ArcStr::from(s);
            pool.insert(v.clone());
            Shared(v)
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A thread's pool of shared values of one type (see [`pooled`]).
pub type ArcPool<T> = RefCell<HashSet<Arc<T>>>;

/// The pooled copy of `value` in `pool`, created when it is new to this thread. Models keep
/// many equal values (a disk's controller, a finding's verdict), so each holds one pointer to
/// a shared one. The pool starts afresh beyond `limit` distinct values, like the string pool.
pub fn pooled<T: Eq + std::hash::Hash>(
    pool: &'static std::thread::LocalKey<ArcPool<T>>,
    value: T,
    limit: usize,
) -> Arc<T> {
    pool.with(|pool| {
        let mut pool = pool.borrow_mut();
        if let Some(v) = pool.get(&value) {
            return v.clone();
        }
        if pool.len() >= limit {
            pool.clear();
        }
        let v = Arc::new(value);
        pool.insert(v.clone());
        v
    })
}

/// Empties `pool` and frees its table.
pub fn clear<T>(pool: &'static std::thread::LocalKey<ArcPool<T>>) {
    pool.with(|pool| *pool.borrow_mut() = Default::default());
}

/// Empties this thread's pool and frees its table. Values stay alive as long as something
/// else holds them; for a caller that frees one large model before it builds the next (`diff`
/// reads one side, then the other), so the first side's strings are not kept for the second.
pub fn clear_pool() {
    POOL.with(|pool| *pool.borrow_mut() = Default::default());
    LISTS.with(|pool| *pool.borrow_mut() = Default::default());
}

impl Default for Shared {
    /// The empty string, which allocates nothing.
    fn default() -> Self {
        Shared(ArcStr::new())
    }
}

impl Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Shared {
    fn from(s: &str) -> Self {
        Shared::new(s)
    }
}

impl From<String> for Shared {
    fn from(s: String) -> Self {
        Shared::new(&s)
    }
}

impl From<&String> for Shared {
    fn from(s: &String) -> Self {
        Shared::new(s)
    }
}

impl From<Shared> for String {
    fn from(s: Shared) -> Self {
        s.0.as_str().to_string()
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Shared {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Shared> for str {
    fn eq(&self, other: &Shared) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Shared> for &str {
    fn eq(&self, other: &Shared) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Shared> for String {
    fn eq(&self, other: &Shared) -> bool {
        **self == *other.0
    }
}

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Shared;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Shared, E> {
                Ok(Shared::new(v))
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_one_allocation() {
        let a = Shared::from("esx-01.example.com");
        let b = Shared::from(String::from("esx-01.example.com"));
        assert!(ArcStr::ptr_eq(&a.0, &b.0));
        let c: Shared = serde_json::from_str("\"esx-01.example.com\"").unwrap();
        assert!(ArcStr::ptr_eq(&a.0, &c.0));
        assert!(!ArcStr::ptr_eq(&a.0, &Shared::from("esx-02").0));
    }

    #[test]
    fn serializes_and_compares_as_the_string() {
        let s = Shared::from("DC0");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"DC0\"");
        assert_eq!(s, "DC0");
        assert_eq!("DC0", s);
        assert_eq!(s, String::from("DC0"));
        assert_eq!(format!("{s} {s:?}"), "DC0 \"DC0\"");
        assert_eq!(Some(s).as_deref(), Some("DC0"));
    }

    #[test]
    fn one_pointer_wide_even_when_optional() {
        assert_eq!(std::mem::size_of::<Shared>(), 8);
        assert_eq!(std::mem::size_of::<Option<Shared>>(), 8);
        assert_eq!(&*Shared::default(), "");
    }

    #[test]
    fn the_pool_stays_bounded() {
        for i in 0..POOL_LIMIT + 10 {
            Shared::new(&format!("unique-{i}"));
        }
        POOL.with(|p| assert!(p.borrow().len() <= POOL_LIMIT));
        // Values still intern after the pool started afresh.
        let a = Shared::new("again");
        assert!(ArcStr::ptr_eq(&a.0, &Shared::new("again").0));
    }

    #[test]
    fn equal_lists_share_one_allocation() {
        let list = |l: &[&str]| l.iter().map(|s| Shared::from(*s)).collect::<SharedList>();
        let a = list(&["ds1", "ds2"]);
        let b: SharedList = serde_json::from_str(r#"["ds1","ds2"]"#).unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(!Arc::ptr_eq(&a.0, &list(&["ds2", "ds1"]).0));
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"["ds1","ds2"]"#);
        assert_eq!(a.join("; "), "ds1; ds2");
        assert!(Arc::ptr_eq(&SharedList::default().0, &list(&[]).0));
        assert_eq!(std::mem::size_of::<SharedList>(), 8);
    }

    #[test]
    fn clearing_the_pool_lets_its_strings_go() {
        let kept = Shared::new("kept-by-the-model");
        Shared::new("held-by-the-pool-only");
        clear_pool();
        POOL.with(|p| {
            assert!(p.borrow().is_empty());
            assert_eq!(p.borrow().capacity(), 0, "the table is freed too");
        });
        // What the model holds stays valid; the next value is a fresh allocation.
        assert_eq!(kept, "kept-by-the-model");
        assert!(!ArcStr::ptr_eq(
            &kept.0,
            &Shared::new("kept-by-the-model").0
        ));
    }
}
