//! The result of the tag collection: which `category:tag` names each managed object carries.

use std::collections::BTreeMap;

/// Managed object type of virtual machines, as the vAPI names it.
pub const VIRTUAL_MACHINE: &str = "VirtualMachine";
/// Managed object type of hosts, as the vAPI names it.
pub const HOST_SYSTEM: &str = "HostSystem";

/// (managed object type, moref value) → sorted, distinct `category:tag` names (category name and
/// tag name, not ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagIndex {
    objects: BTreeMap<(String, String), Vec<String>>,
    categories: usize,
    tags: usize,
}

impl TagIndex {
    /// An empty index.
    pub fn new() -> TagIndex {
        TagIndex::default()
    }

    /// Records that the object `kind`/`moref` carries `tag` (`category:tag`); keeps the list
    /// sorted and without duplicates.
    pub fn insert(&mut self, kind: &str, moref: &str, tag: &str) {
        let list = self
            .objects
            .entry((kind.to_string(), moref.to_string()))
            .or_default();
        if let Err(at) = list.binary_search_by(|t| t.as_str().cmp(tag)) {
            list.insert(at, tag.to_string());
        }
    }

    /// Records how many categories and tags the vCenter has, for the log.
    pub fn set_counts(&mut self, categories: usize, tags: usize) {
        self.categories = categories;
        self.tags = tags;
    }

    /// Number of categories read.
    pub fn category_count(&self) -> usize {
        self.categories
    }

    /// Number of tags read (with a known category).
    pub fn tag_count(&self) -> usize {
        self.tags
    }

    /// The sorted `category:tag` names on the object `kind`/`moref`; empty when it has none.
    pub fn tags_of(&self, kind: &str, moref: &str) -> &[String] {
        self.objects
            .get(&(kind.to_string(), moref.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The tags on the virtual machine `moref` (e.g. `vm-42`).
    pub fn vm(&self, moref: &str) -> &[String] {
        self.tags_of(VIRTUAL_MACHINE, moref)
    }

    /// The tags on the host `moref` (e.g. `host-21`).
    pub fn host(&self, moref: &str) -> &[String] {
        self.tags_of(HOST_SYSTEM, moref)
    }

    /// Number of tagged objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether no object carries a tag.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Every tagged object as (type, moref, sorted tags), by type then moref.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &[String])> {
        self.objects
            .iter()
            .map(|((k, m), t)| (k.as_str(), m.as_str(), t.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_and_distinct() {
        let mut i = TagIndex::new();
        i.insert("VirtualMachine", "vm-1", "owner:team-a");
        i.insert("VirtualMachine", "vm-1", "dr-tier:gold");
        i.insert("VirtualMachine", "vm-1", "owner:team-a");
        i.insert("HostSystem", "host-1", "dr-tier:silver");
        assert_eq!(i.vm("vm-1"), ["dr-tier:gold", "owner:team-a"]);
        assert_eq!(i.host("host-1"), ["dr-tier:silver"]);
        assert!(i.vm("host-1").is_empty());
        assert!(i.vm("vm-2").is_empty());
        assert_eq!(i.len(), 2);
    }
}
