//! The tree of one XML element as [`super::xml::XmlStream`] reads it: every element of it in one
//! vector (document order, each knowing where its descendants end) and every name, type and
//! text in one string, so that reading an object of a few hundred elements costs two growing
//! buffers instead of a few allocations per element. [`Node`] is a borrowed view of one element
//! with the lookups the decoders use (`child`, `text_at`, `children_named`, ...).

use std::fmt;

/// A range of [`Tree::strings`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// One element: its strings and the index just past its last descendant.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    name: Span,
    xsi_type: Option<Span>,
    type_attr: Option<Span>,
    text: Span,
    /// Index in [`Tree::slots`] past the element's last descendant; its children start at the
    /// next index and each child's `end` is where its next sibling starts.
    end: u32,
}

/// An element with everything inside it. Built by the XML reader; read through [`Tree::root`].
#[derive(Clone, Default)]
pub struct Tree {
    slots: Vec<Slot>,
    strings: String,
}

/// The most bytes of strings or elements one tree holds: spans are 32-bit. The body guards of
/// the client keep answers far below it.
const MAX_TREE: usize = u32::MAX as usize;

/// A tree past `MAX_TREE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl Tree {
    /// Whether the tree has no element yet.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Empties the tree, keeping its buffers.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.strings.clear();
    }

    /// The outermost element. A tree is never read before its root was opened.
    pub fn root(&self) -> Node<'_> {
        assert!(!self.slots.is_empty(), "a tree without a root element");
        Node {
            tree: self,
            index: 0,
        }
    }

    /// The element at `index` (see [`Node::index`]).
    pub fn node(&self, index: u32) -> Node<'_> {
        assert!((index as usize) < self.slots.len(), "no element {index}");
        Node { tree: self, index }
    }

    fn push_str(&mut self, s: &str) -> Result<Span, TooLarge> {
        let start = self.strings.len();
        if start + s.len() > MAX_TREE {
            return Err(TooLarge);
        }
        self.strings.push_str(s);
        Ok(Span {
            start: start as u32,
            len: s.len() as u32,
        })
    }

    /// Opens an element as the last child of the open element(s) before it; returns its index.
    pub fn open(
        &mut self,
        name: &str,
        xsi_type: Option<&str>,
        type_attr: Option<&str>,
    ) -> Result<u32, TooLarge> {
        let index = self.slots.len();
        if index >= MAX_TREE {
            return Err(TooLarge);
        }
        let slot = Slot {
            name: self.push_str(name)?,
            xsi_type: xsi_type.map(|t| self.push_str(t)).transpose()?,
            type_attr: type_attr.map(|t| self.push_str(t)).transpose()?,
            text: Span::default(),
            end: index as u32 + 1,
        };
        self.slots.push(slot);
        Ok(index as u32)
    }

    /// Closes element `index`: everything added since it opened is inside it.
    pub fn close(&mut self, index: u32) {
        self.slots[index as usize].end = self.slots.len() as u32;
    }

    /// Appends text to element `index` (text events of one element concatenate, also when
    /// child elements come between them).
    pub fn append_text(&mut self, index: u32, s: &str) -> Result<(), TooLarge> {
        if s.is_empty() {
            return Ok(());
        }
        let text = self.slots[index as usize].text;
        let at_end = (text.start + text.len) as usize == self.strings.len();
        let joined = if text.len == 0 || at_end {
            let added = self.push_str(s)?;
            Span {
                start: if text.len == 0 {
                    added.start
                } else {
                    text.start
                },
                len: text.len + added.len,
            }
        } else {
            // Mixed content: the earlier text moves to the end, where the new text joins it.
            let (start, end) = (text.start as usize, (text.start + text.len) as usize);
            if self.strings.len() + text.len as usize > MAX_TREE {
                return Err(TooLarge);
            }
            let moved = self.strings.len() as u32;
            self.strings.extend_from_within(start..end);
            let added = self.push_str(s)?;
            Span {
                start: moved,
                len: text.len + added.len,
            }
        };
        self.slots[index as usize].text = joined;
        Ok(())
    }

    fn str(&self, span: Span) -> &str {
        &self.strings[span.start as usize..(span.start + span.len) as usize]
    }

    /// Whether `span` holds `s`: lengths first, then bytes (no UTF-8 boundary checks).
    fn holds(&self, span: Span, s: &str) -> bool {
        span.len as usize == s.len()
            && &self.strings.as_bytes()[span.start as usize..(span.start + span.len) as usize]
                == s.as_bytes()
    }
}

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.slots.is_empty() {
            true => f.write_str("Tree(empty)"),
            false => self.root().fmt(f),
        }
    }
}

impl PartialEq for Tree {
    fn eq(&self, other: &Tree) -> bool {
        match (self.slots.is_empty(), other.slots.is_empty()) {
            (false, false) => self.root() == other.root(),
            (a, b) => a == b,
        }
    }
}

/// One element of a [`Tree`].
#[derive(Clone, Copy)]
pub struct Node<'a> {
    tree: &'a Tree,
    index: u32,
}

impl<'a> Node<'a> {
    fn slot(&self) -> &'a Slot {
        &self.tree.slots[self.index as usize]
    }

    /// Where the element is in its tree (for [`Tree::node`]).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Local name of the element.
    pub fn name(&self) -> &'a str {
        self.tree.str(self.slot().name)
    }

    /// `xsi:type` without its prefix, when present.
    pub fn xsi_type(&self) -> Option<&'a str> {
        self.slot().xsi_type.map(|s| self.tree.str(s))
    }

    /// The unqualified `type` attribute (managed object references carry one).
    pub fn type_attr(&self) -> Option<&'a str> {
        self.slot().type_attr.map(|s| self.tree.str(s))
    }

    /// Concatenated text content (entities resolved), untrimmed.
    pub fn text(&self) -> &'a str {
        self.tree.str(self.slot().text)
    }

    /// Whether the element is named `name` (cheaper than comparing [`Node::name`]).
    pub fn is(&self, name: &str) -> bool {
        self.tree.holds(self.slot().name, name)
    }

    /// Whether the element's text is exactly `text`.
    pub fn text_is(&self, text: &str) -> bool {
        self.tree.holds(self.slot().text, text)
    }

    /// The children, in document order.
    pub fn children(&self) -> Children<'a> {
        Children {
            tree: self.tree,
            next: self.index + 1,
            end: self.slot().end,
        }
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<Node<'a>> {
        self.children().find(|c| c.is(name))
    }

    /// Every child with this local name, in document order.
    pub fn children_named<'n>(&self, name: &'n str) -> impl Iterator<Item = Node<'a>> + 'n
    where
        'a: 'n,
    {
        self.children().filter(move |c| c.is(name))
    }

    /// Follows a path of child names.
    pub fn at(&self, path: &[&str]) -> Option<Node<'a>> {
        self.at_each(path.iter().copied())
    }

    /// Follows the child names `path` yields.
    pub fn at_each<'p>(&self, path: impl IntoIterator<Item = &'p str>) -> Option<Node<'a>> {
        path.into_iter()
            .try_fold(*self, |node, name| node.child(name))
    }

    /// Text of the child at `path`, when present.
    pub fn text_at(&self, path: &[&str]) -> Option<&'a str> {
        self.at(path).map(|n| n.text())
    }

    /// Owned text of the child at `path`, when present.
    pub fn string_at(&self, path: &[&str]) -> Option<String> {
        self.text_at(path).map(str::to_string)
    }

    /// The node's type: `xsi:type` when given, else its element name.
    pub fn type_name(&self) -> &'a str {
        self.xsi_type().unwrap_or_else(|| self.name())
    }
}

/// Two elements are equal when their names, types, texts and children are.
impl PartialEq for Node<'_> {
    fn eq(&self, other: &Node<'_>) -> bool {
        self.name() == other.name()
            && self.xsi_type() == other.xsi_type()
            && self.type_attr() == other.type_attr()
            && self.text() == other.text()
            && self.children().eq(other.children())
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Node");
        d.field("name", &self.name());
        if let Some(t) = self.xsi_type() {
            d.field("xsi_type", &t);
        }
        if let Some(t) = self.type_attr() {
            d.field("type_attr", &t);
        }
        d.field("text", &self.text());
        let children: Vec<Node<'_>> = self.children().collect();
        if !children.is_empty() {
            d.field("children", &children);
        }
        d.finish()
    }
}

/// The children of a [`Node`].
#[derive(Clone)]
pub struct Children<'a> {
    tree: &'a Tree,
    next: u32,
    end: u32,
}

impl<'a> Iterator for Children<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        if self.next >= self.end {
            return None;
        }
        let node = Node {
            tree: self.tree,
            index: self.next,
        };
        self.next = node.slot().end;
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `<r><a t="T">x<b/>y</a><c>z</c></r>`, built as the reader builds it.
    fn sample() -> Tree {
        let mut t = Tree::default();
        let r = t.open("r", None, None).unwrap();
        let a = t.open("a", Some("T"), None).unwrap();
        t.append_text(a, "x").unwrap();
        let b = t.open("b", None, Some("VirtualMachine")).unwrap();
        t.close(b);
        t.append_text(a, "y").unwrap();
        t.append_text(a, "!").unwrap();
        t.close(a);
        let c = t.open("c", None, None).unwrap();
        t.append_text(c, "z").unwrap();
        t.close(c);
        t.close(r);
        t
    }

    #[test]
    fn children_siblings_and_mixed_text() {
        let t = sample();
        let root = t.root();
        let names: Vec<&str> = root.children().map(|c| c.name()).collect();
        assert_eq!(names, ["a", "c"]);
        let a = root.child("a").unwrap();
        assert_eq!(a.text(), "xy!", "text around a child element joins");
        assert_eq!(a.type_name(), "T");
        assert_eq!(a.children().count(), 1);
        assert_eq!(
            root.at(&["a", "b"]).unwrap().type_attr(),
            Some("VirtualMachine")
        );
        assert_eq!(root.text_at(&["c"]), Some("z"));
        assert_eq!(root.text_at(&["a", "c"]), None, "c is not inside a");
        assert_eq!(root.child("b"), None, "b is a grandchild");
        assert_eq!(root.children_named("c").count(), 1);
    }

    #[test]
    fn equality_is_structural() {
        let (one, two) = (sample(), sample());
        assert_eq!(one, two);
        let mut other = Tree::default();
        let r = other.open("r", None, None).unwrap();
        other.close(r);
        assert_ne!(one, other);
        assert_ne!(one.root().child("a"), one.root().child("c"));
    }
}
