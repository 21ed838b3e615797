//! The synchronous half of [`super::xml::XmlStream`]: quick-xml's borrowing slice reader run over
//! the bytes of a response received so far, and what the stream carries from one such reader to
//! the next (namespace bindings, the names of the open elements).
//!
//! quick-xml's async reader costs a future poll and a copy into a buffer for every event; over a
//! slice, events borrow the bytes and the event loop is plain code. The price is that a slice
//! may end inside an event: [`Window::next`] then says so (`Ok(None)`) instead of reporting an
//! error, the stream fetches more bytes and a new window starts again at the end of the last
//! complete event. An event is never handed out twice, so what the stream built from the events
//! before stays valid.

use super::xml::XmlError;
use quick_xml::Reader;
use quick_xml::errors::{Error, IllFormedError, SyntaxError};
use quick_xml::events::{BytesText, Event};
use quick_xml::name::{NamespaceResolver, QName, ResolveResult};

/// The UTF-8 byte order mark, which quick-xml drops at the start of every reader it creates.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The longest start of a `<!` markup quick-xml needs to tell what it is (`<!DOCTYPE`).
const BANG_PREFIX: usize = 9;

/// A reader over the received bytes from one position on.
pub(super) struct Window<'d> {
    reader: Reader<&'d [u8]>,
    bytes: &'d [u8],
    /// Whether the body ended: the bytes are all there is.
    eof: bool,
    /// Where in `bytes` the last complete event ended (the next one starts).
    resume: usize,
    /// Bytes of `bytes` before the window's start (see [`Window::new`]).
    back: usize,
    /// Bytes of the data skipped at the window's start (a byte order mark at offset 0).
    skip: usize,
}

impl<'d> Window<'d> {
    /// A window over `data[start..]`. At offset 0, a byte order mark is dropped (as quick-xml
    /// does); elsewhere a text starting with one must keep it, so the window starts one byte
    /// earlier (the `>` or `;` that ended the event before) and that byte is cut off the text
    /// again ([`Window::next`] says so).
    pub(super) fn new(data: &'d [u8], start: usize, eof: bool) -> Window<'d> {
        let bom = data[start..].starts_with(BOM);
        let skip = if bom && start == 0 { BOM.len() } else { 0 };
        let back = usize::from(bom && start > 0);
        let bytes = &data[start + skip - back..];
        let mut reader = Reader::from_reader(bytes);
        let config = reader.config_mut();
        config.expand_empty_elements = false;
        // A window may start inside elements opened in an earlier one: end tags are matched
        // by the stream (see [`Scope`]).
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        Window {
            reader,
            bytes,
            eof,
            resume: back,
            back,
            skip,
        }
    }

    /// How far the data was read: up to the end of the last complete event.
    pub(super) fn consumed(&self) -> usize {
        self.skip + self.resume - self.back
    }

    /// The next complete event, and whether its text starts with a byte before the window's
    /// start; `None` when the bytes end inside it (and the body has not ended).
    pub(super) fn next(&mut self) -> Result<Option<(Event<'d>, bool)>, XmlError> {
        let event = match self.reader.read_event() {
            Ok(event) => event,
            Err(e) if !self.eof && self.incomplete(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let at = self.reader.buffer_position() as usize;
        let first = self.resume == self.back;
        match event {
            Event::Eof if !self.eof => return Ok(None),
            // A text is read with the `<` after it, which starts the next event.
            Event::Text(_) if at > 0 && self.bytes[at - 1] == b'<' => self.resume = at - 1,
            // A text up to the end of the bytes may go on in the next ones.
            Event::Text(_) if at == self.bytes.len() && !self.eof => return Ok(None),
            _ => self.resume = at,
        }
        let cut = first && self.back > 0;
        Ok(Some((event, cut)))
    }

    /// Whether `e` is the bytes ending inside an event rather than a malformed one.
    fn incomplete(&self, e: &Error) -> bool {
        let rest = self.bytes.get(self.resume..).unwrap_or_default();
        match e {
            Error::Syntax(SyntaxError::InvalidBangMarkup) => rest.len() < BANG_PREFIX,
            Error::Syntax(_) => true,
            // `&` without its `;` yet, nothing after it.
            Error::IllFormed(IllFormedError::UnclosedReference) => {
                memchr::memchr2(b'<', b'&', rest.get(1..).unwrap_or_default()).is_none()
            }
            _ => false,
        }
    }
}

/// What one element's start tag says to the client.
pub(super) struct Tag<'e> {
    pub(super) local: &'e [u8],
    /// `xsi:type`, prefix included (the caller strips it).
    pub(super) xsi_type: Option<std::borrow::Cow<'e, str>>,
    /// The unqualified `type` attribute of managed object references.
    pub(super) type_attr: Option<std::borrow::Cow<'e, str>>,
}

/// The state that outlives a window: namespace bindings in scope and the open elements' names.
pub(super) struct Scope {
    /// Finds `xmlns` in a tag's attributes (built once: a search's setup costs more than it).
    xmlns: memchr::memmem::Finder<'static>,
    namespaces: NamespaceResolver,
    /// The open elements' qualified names, one after the other.
    names: Vec<u8>,
    /// Where each open element's name starts in `names`.
    starts: Vec<usize>,
    /// Whether each open element declared namespaces (opened a scope of `namespaces`).
    scoped: Vec<bool>,
}

impl Default for Scope {
    fn default() -> Scope {
        Scope {
            xmlns: memchr::memmem::Finder::new(b"xmlns"),
            namespaces: NamespaceResolver::default(),
            names: Vec::new(),
            starts: Vec::new(),
            scoped: Vec::new(),
        }
    }
}

impl Scope {
    /// Enters a start tag (`empty`: `<x/>`, left again at once) and reads its types.
    pub(super) fn start<'e>(
        &mut self,
        e: &'e quick_xml::events::BytesStart<'_>,
        empty: bool,
    ) -> Result<Tag<'e>, XmlError> {
        let name = e.name();
        let mut tag = Tag {
            local: e.local_name().into_inner(),
            xsi_type: None,
            type_attr: None,
        };
        // Most tags have no attribute: nothing to iterate (an iteration over XML blanks yields
        // nothing and no error either), and few declare a namespace: only those open a scope.
        let raw = e.attributes_raw();
        let blank = raw
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        let binds = !blank && self.xmlns.find(raw).is_some();
        if binds {
            self.namespaces
                .push(e)
                .map_err(|e| XmlError::Malformed(e.to_string()))?;
        }
        if !blank {
            for attr in e.attributes().with_checks(false) {
                let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
                let (ns, local) = self.namespaces.resolve_attribute(attr.key);
                if local.as_ref() != b"type" {
                    continue;
                }
                let value = attr.unescape_value()?;
                match ns {
                    ResolveResult::Bound(ns) if ns.as_ref() == super::xml::XSI_NS => {
                        tag.xsi_type = Some(value);
                    }
                    ResolveResult::Unbound => tag.type_attr = Some(value),
                    _ => {}
                }
            }
        }
        if empty {
            if binds {
                self.namespaces.pop();
            }
        } else {
            self.starts.push(self.names.len());
            self.names.extend_from_slice(name.as_ref());
            self.scoped.push(binds);
        }
        Ok(tag)
    }

    /// Leaves the element an end tag closes; its name must be the open element's.
    pub(super) fn end(&mut self, name: QName<'_>) -> Result<(), XmlError> {
        let Some(start) = self.starts.pop() else {
            return Err(XmlError::Malformed(format!(
                "ill-formed document: close tag `</{}>` does not match any open tag",
                String::from_utf8_lossy(name.as_ref())
            )));
        };
        if &self.names[start..] != name.as_ref() {
            return Err(XmlError::Malformed(format!(
                "ill-formed document: expected `</{}>`, but `</{}>` was found",
                String::from_utf8_lossy(&self.names[start..]),
                String::from_utf8_lossy(name.as_ref())
            )));
        }
        self.names.truncate(start);
        if self.scoped.pop() == Some(true) {
            self.namespaces.pop();
        }
        Ok(())
    }
}

/// A text event's content, unescaped and with normalized line ends; `cut`: without its first
/// byte (see [`Window::new`]).
pub(super) fn text<'e>(
    t: &'e BytesText<'_>,
    cut: bool,
) -> Result<std::borrow::Cow<'e, str>, XmlError> {
    if !cut {
        return Ok(t.xml10_content()?);
    }
    let rest = std::str::from_utf8(&t[1..]).map_err(|e| XmlError::Malformed(e.to_string()))?;
    Ok(std::borrow::Cow::Owned(
        BytesText::from_escaped(rest).xml10_content()?.into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::xml::{Step, Tree, XmlError, XmlStream, parse_document};
    use tokio::io::BufReader;

    /// A document with what may be cut between two chunks: namespaces declared on an outer
    /// element, entities, character references, CDATA, comments, a processing instruction,
    /// attributes holding `>`, texts starting with a byte order mark, mixed content.
    const DOC: &str = concat!(
        "\u{feff}<?xml version=\"1.0\"?><!-- head --><r xmlns:x=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:f=\"urn:f\">",
        "<a x:type=\"xsd:string\">one &amp; two &#233;&lt;</a><b f:type=\"No\" type=\"Vm\" c=\"a>b\">vm-1</b>",
        "<c><![CDATA[x<y>]]>z<!-- c --><?pi x?>w</c><d/><e x:type=\"vim25:Virtual&amp;Disk\"/>",
        "<g>\u{feff}bom</g><h>&amp;\u{feff}</h><m>t1<n>u</n>t2</m><p xmlns:x=\"urn:other\"><q x:type=\"Q\"/></p><t x:type=\"T\"/>",
        "<s x:type=\"S\">\r\nline\r\n</s></r>"
    );

    /// The document read through chunks of at most `size` bytes.
    async fn chunked(doc: &[u8], size: usize) -> Result<Tree, XmlError> {
        let mut s = XmlStream::new(BufReader::with_capacity(size, doc));
        loop {
            match s.next().await? {
                Step::Start(start) => return s.read_node(start).await,
                Step::Eof => return Err(XmlError::Truncated),
                _ => continue,
            }
        }
    }

    #[tokio::test]
    async fn every_split_of_the_bytes_reads_the_same_tree() {
        let whole = parse_document(DOC.as_bytes()).await.unwrap();
        let root = whole.root();
        // What the whole read must find, so that the comparison below means something.
        assert_eq!(root.child("a").unwrap().xsi_type(), Some("string"));
        assert_eq!(root.child("a").unwrap().text(), "one & two \u{e9}<");
        assert_eq!(root.child("b").unwrap().xsi_type(), None);
        assert_eq!(root.child("b").unwrap().type_attr(), Some("Vm"));
        assert_eq!(root.text_at(&["c"]), Some("x<y>zw"));
        assert_eq!(root.child("e").unwrap().xsi_type(), Some("Virtual&Disk"));
        assert_eq!(root.text_at(&["g"]), Some("\u{feff}bom"));
        assert_eq!(root.text_at(&["h"]), Some("&\u{feff}"));
        assert_eq!(root.text_at(&["m"]), Some("t1t2"));
        assert_eq!(root.at(&["p", "q"]).unwrap().xsi_type(), None);
        assert_eq!(
            root.child("t").unwrap().xsi_type(),
            Some("T"),
            "x is xsi again"
        );
        assert_eq!(root.text_at(&["s"]), Some("\nline\n"));
        let expected = format!("{whole:?}");
        for size in 1..=DOC.len() {
            let tree = chunked(DOC.as_bytes(), size).await.unwrap();
            assert_eq!(format!("{tree:?}"), expected, "chunks of {size} bytes");
        }
    }

    #[tokio::test]
    async fn a_cut_document_fails_alike_whatever_the_chunks() {
        for end in 0..DOC.len() {
            let doc = &DOC.as_bytes()[..end];
            let whole = parse_document(doc).await.map(|_| ());
            for size in [1, 2, 3, 5, 8, 64] {
                let split = chunked(doc, size).await.map(|_| ());
                assert_eq!(
                    format!("{split:?}"),
                    format!("{whole:?}"),
                    "the first {end} bytes in chunks of {size}"
                );
                assert!(split.is_err(), "the first {end} bytes are not a document");
            }
        }
    }

    #[tokio::test]
    async fn end_tags_must_match_across_chunks() {
        for size in [1, 4, 1024] {
            let err = chunked(b"<r><a><b></a></b></r>", size).await.unwrap_err();
            assert!(matches!(err, XmlError::Malformed(_)), "{err:?}");
            let err = chunked(b"<r></a></r>", size).await.unwrap_err();
            assert!(matches!(err, XmlError::Malformed(_)), "{err:?}");
        }
    }

    #[tokio::test]
    async fn a_long_text_over_many_chunks_is_read_whole() {
        let text = "a&amp;b".repeat(100_000);
        let doc = format!("<r>{text}</r>");
        let tree = chunked(doc.as_bytes(), 100).await.unwrap();
        assert_eq!(tree.root().text(), "a&b".repeat(100_000));
    }
}
