//! A small streaming XML layer over quick-xml for SOAP responses.
//!
//! Responses are read as a stream of events and only the pieces the client needs are built into a
//! [`Tree`] (see [`super::tree`]), one object at a time: a 300 MB `RetrievePropertiesEx` answer is
//! never held whole.
//! Element names are compared by local name. `xsi:type` is resolved by namespace URI, not by prefix
//! (vcsim and vCenter use different prefixes), and its value loses its prefix (`xsd:string` →
//! `string`, `vim25:VirtualDisk` → `VirtualDisk`). Unknown elements are kept in the tree and
//! simply never looked at, so newer servers still parse.

use super::scan::{self, Scope, Window};
use quick_xml::events::Event;
use std::borrow::Cow;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// The XML Schema instance namespace, which owns the `type` attribute of polymorphic values.
pub const XSI_NS: &[u8] = b"http://www.w3.org/2001/XMLSchema-instance";

/// A decoding error: malformed XML or a document that ends too early.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("the response ended before the document was complete")]
    Truncated,
    /// Reading the body failed (connection reset, timeout while streaming).
    #[error("reading the response failed: {0}")]
    Io(String),
    /// Elements nested deeper than [`MAX_DEPTH`]: not a vSphere answer.
    #[error("XML nested deeper than {MAX_DEPTH} elements: not a vSphere answer")]
    TooDeep,
}

/// The deepest element nesting read into a [`Tree`]. vSphere answers nest a few dozen levels; a
/// bound keeps a hostile answer from piling up open elements.
pub const MAX_DEPTH: usize = 256;

impl From<quick_xml::Error> for XmlError {
    fn from(e: quick_xml::Error) -> Self {
        match e {
            // Data the body guard refused (see soap::client) is not a transport failure.
            quick_xml::Error::Io(io) => io_error(&io),
            other => XmlError::Malformed(other.to_string()),
        }
    }
}

impl From<quick_xml::encoding::EncodingError> for XmlError {
    fn from(e: quick_xml::encoding::EncodingError) -> Self {
        XmlError::Malformed(e.to_string())
    }
}

pub use super::tree::{Children, Node, Tree};

/// A start tag as seen by the streaming reader.
#[derive(Debug, Clone)]
pub struct Start {
    pub name: String,
    pub xsi_type: Option<String>,
    pub type_attr: Option<String>,
    /// `true` for `<x/>`: there is no content and no end tag to read.
    pub empty: bool,
}

/// What the streaming reader yields.
#[derive(Debug)]
pub enum Step {
    Start(Start),
    End,
    Text(String),
    Eof,
}

/// One event as read, borrowed from the received bytes: what [`Step`] owns.
enum Raw<'e> {
    Start {
        name: Cow<'e, str>,
        xsi_type: Option<Cow<'e, str>>,
        type_attr: Option<Cow<'e, str>>,
        empty: bool,
    },
    End,
    Text(Cow<'e, str>),
    Eof,
    /// Declarations, comments, processing instructions: nothing the client reads.
    Skipped,
}

/// The response bytes received and not yet parsed, and where they come from.
struct Source<R> {
    inner: R,
    data: Vec<u8>,
    /// Where in `data` the next event starts.
    pos: usize,
    /// Whether `inner` has no more bytes.
    eof: bool,
}

/// A namespace-aware streaming reader. The bytes of the body are parsed from memory as they
/// arrive (see `soap::scan`); one object is never held beyond the bytes it came in.
pub struct XmlStream<R> {
    src: Source<R>,
    scope: Scope,
    /// The open elements of the tree being read, innermost last (kept for its capacity).
    open: Vec<u32>,
}

/// `value` without its namespace prefix.
fn strip_prefix(value: Cow<'_, str>) -> Cow<'_, str> {
    match value {
        Cow::Borrowed(v) => Cow::Borrowed(v.rsplit_once(':').map_or(v, |(_, local)| local)),
        Cow::Owned(v) => match v.rsplit_once(':') {
            Some((_, local)) => Cow::Owned(local.to_string()),
            None => Cow::Owned(v),
        },
    }
}

/// `bytes` as text, invalid UTF-8 replaced; borrowed when valid (checked the fast way first:
/// names are ASCII).
fn utf8(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Decodes one event, borrowing what it can from it; `cut`: its text starts with a byte that
/// is not its own (see [`super::scan::Window::new`]).
fn decode<'e>(scope: &mut Scope, event: &'e Event<'_>, cut: bool) -> Result<Raw<'e>, XmlError> {
    Ok(match event {
        Event::Start(e) | Event::Empty(e) => {
            let empty = matches!(event, Event::Empty(_));
            let tag = scope.start(e, empty)?;
            Raw::Start {
                name: utf8(tag.local),
                xsi_type: tag.xsi_type.map(strip_prefix),
                type_attr: tag.type_attr,
                empty,
            }
        }
        Event::End(e) => {
            scope.end(e.name())?;
            Raw::End
        }
        Event::Text(t) => Raw::Text(scan::text(t, cut)?),
        Event::CData(t) => Raw::Text(utf8(t)),
        Event::GeneralRef(r) => {
            if let Some(c) = r.resolve_char_ref()? {
                Raw::Text(Cow::Owned(c.to_string()))
            } else {
                let name = r.decode()?;
                Raw::Text(Cow::Borrowed(
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| XmlError::Malformed(format!("unknown entity &{name};")))?,
                ))
            }
        }
        Event::Eof => Raw::Eof,
        Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => Raw::Skipped,
    })
}

/// A tree that outgrew its 32-bit spans.
fn too_large(_: super::tree::TooLarge) -> XmlError {
    XmlError::Malformed("one element holds over 4 GiB: not a vSphere answer".into())
}

/// An I/O error of the body as the client reports it: data the body guard refused (see
/// soap::client) is not a transport failure.
fn io_error(io: &std::io::Error) -> XmlError {
    if io.kind() == std::io::ErrorKind::InvalidData {
        XmlError::Malformed(crate::soap::client::describe_io(io))
    } else {
        XmlError::Io(crate::soap::client::describe_io(io))
    }
}

impl<R: AsyncBufRead + Unpin> Source<R> {
    /// Receives more bytes: at least as many as the unparsed ones (so that an event over many
    /// chunks is parsed again only a few times), or up to the end of the body.
    async fn fill(&mut self) -> Result<(), XmlError> {
        // One byte before the next event stays (see scan::Window::new).
        if self.pos > 1 {
            self.data.drain(..self.pos - 1);
            self.pos = 1;
        }
        let want = (self.data.len() - self.pos).max(1);
        let mut added = 0;
        while added < want {
            let chunk = self.inner.fill_buf().await.map_err(|e| io_error(&e))?;
            if chunk.is_empty() {
                self.eof = true;
                break;
            }
            let n = chunk.len();
            self.data.extend_from_slice(chunk);
            self.inner.consume(n);
            added += n;
        }
        Ok(())
    }

    /// Hands every complete event, decoded, to `step` until it returns a value, receiving more
    /// bytes whenever the ones at hand end inside an event.
    async fn drive<T>(
        &mut self,
        scope: &mut Scope,
        mut step: impl FnMut(Raw<'_>) -> Result<Option<T>, XmlError>,
    ) -> Result<T, XmlError> {
        loop {
            // A byte order mark is dropped only when whole.
            if self.pos == 0 && self.data.len() < 3 && !self.eof {
                self.fill().await?;
                continue;
            }
            let done = {
                let mut window = Window::new(&self.data, self.pos, self.eof);
                let done = loop {
                    let (event, cut) = match window.next() {
                        Ok(Some(next)) => next,
                        Ok(None) => break Ok(None),
                        Err(e) => break Err(e),
                    };
                    match decode(scope, &event, cut).and_then(&mut step) {
                        Ok(None) => {}
                        other => break other,
                    }
                };
                self.pos += window.consumed();
                done?
            };
            match done {
                Some(out) => return Ok(out),
                None => self.fill().await?,
            }
        }
    }
}

impl<R: AsyncBufRead + Unpin> XmlStream<R> {
    pub fn new(inner: R) -> Self {
        XmlStream {
            src: Source {
                inner,
                data: Vec::with_capacity(16 * 1024),
                pos: 0,
                eof: false,
            },
            scope: Scope::default(),
            open: Vec::new(),
        }
    }

    /// The next meaningful step: start and end tags and text. Declarations, comments and
    /// processing instructions are skipped.
    pub async fn next(&mut self) -> Result<Step, XmlError> {
        self.src
            .drive(&mut self.scope, |raw| {
                Ok(Some(match raw {
                    Raw::Start {
                        name,
                        xsi_type,
                        type_attr,
                        empty,
                    } => Step::Start(Start {
                        name: name.into_owned(),
                        xsi_type: xsi_type.map(Cow::into_owned),
                        type_attr: type_attr.map(Cow::into_owned),
                        empty,
                    }),
                    Raw::End => Step::End,
                    Raw::Text(t) => Step::Text(t.into_owned()),
                    Raw::Eof => Step::Eof,
                    Raw::Skipped => return Ok(None),
                }))
            })
            .await
    }

    /// Reads the content of an element whose start tag was just returned, as a [`Tree`]: names
    /// and texts are copied from the received bytes into the tree's, never allocated one by one.
    pub async fn read_node(&mut self, start: Start) -> Result<Tree, XmlError> {
        let mut tree = Tree::default();
        self.read_node_into(start, &mut tree).await?;
        Ok(tree)
    }

    /// [`XmlStream::read_node`] into `tree`, emptied first: a reader of many objects reuses one
    /// tree's buffers instead of allocating (and fragmenting the heap) per object.
    pub async fn read_node_into(&mut self, start: Start, tree: &mut Tree) -> Result<(), XmlError> {
        tree.clear();
        let root = tree
            .open(
                &start.name,
                start.xsi_type.as_deref(),
                start.type_attr.as_deref(),
            )
            .map_err(too_large)?;
        if start.empty {
            return Ok(());
        }
        let open = &mut self.open;
        open.clear();
        open.push(root);
        self.src
            .drive(&mut self.scope, |raw| {
                match raw {
                    Raw::Start {
                        name,
                        xsi_type,
                        type_attr,
                        empty,
                    } => {
                        if !empty && open.len() >= MAX_DEPTH {
                            return Err(XmlError::TooDeep);
                        }
                        let node = tree
                            .open(&name, xsi_type.as_deref(), type_attr.as_deref())
                            .map_err(too_large)?;
                        if !empty {
                            open.push(node);
                        }
                    }
                    Raw::Text(t) => {
                        let node = *open.last().expect("open node");
                        tree.append_text(node, &t).map_err(too_large)?;
                    }
                    Raw::End => {
                        tree.close(open.pop().expect("open node"));
                        if open.is_empty() {
                            return Ok(Some(()));
                        }
                    }
                    Raw::Eof => return Err(XmlError::Truncated),
                    Raw::Skipped => {}
                }
                Ok(None)
            })
            .await
    }

    /// Skips the content of an element whose start tag was just returned.
    pub async fn skip(&mut self, start: &Start) -> Result<(), XmlError> {
        if start.empty {
            return Ok(());
        }
        let mut depth = 1usize;
        self.src
            .drive(&mut self.scope, |raw| {
                match raw {
                    Raw::Start { empty: false, .. } => depth += 1,
                    Raw::End => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(Some(()));
                        }
                    }
                    Raw::Eof => return Err(XmlError::Truncated),
                    _ => {}
                }
                Ok(None)
            })
            .await
    }

    /// Advances to the next child start tag of the current element; `None` at its end tag.
    pub async fn next_child(&mut self) -> Result<Option<Start>, XmlError> {
        loop {
            match self.next().await? {
                Step::Start(s) => return Ok(Some(s)),
                Step::End => return Ok(None),
                Step::Text(_) => continue,
                Step::Eof => return Err(XmlError::Truncated),
            }
        }
    }
}

/// Parses a whole (small) document into a [`Tree`] of its root; used by tests and tiny responses.
pub async fn parse_document(bytes: &[u8]) -> Result<Tree, XmlError> {
    let mut stream = XmlStream::new(bytes);
    loop {
        match stream.next().await? {
            Step::Start(s) => return stream.read_node(s).await,
            Step::Eof => return Err(XmlError::Truncated),
            _ => continue,
        }
    }
}

/// Escapes text for an XML element or attribute.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn nesting_is_bounded_and_a_deep_document_does_not_overflow() {
        let depth = 1_000_000;
        let doc = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let err = parse_document(doc.as_bytes()).await.unwrap_err();
        assert!(matches!(err, XmlError::TooDeep), "{err}");
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse_document(ok.as_bytes()).await.is_ok());
    }

    use super::*;

    #[tokio::test]
    async fn xsi_type_is_resolved_by_namespace_uri_not_prefix() {
        // vcsim's prefix, vCenter's prefix, and a lookalike prefix bound to another namespace.
        let doc = br#"<r xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xmlns:fake="urn:not-xsi">
            <a XMLSchema-instance:type="xsd:string">one</a>
            <b xsi:type="vim25:VirtualDisk"/>
            <c fake:type="Nope" type="VirtualMachine">vm-1</c>
            <d xsi:type="vim25:Virtual&amp;Disk" type="a&lt;b"/>
        </r>"#;
        let tree = parse_document(doc).await.unwrap();
        let root = tree.root();
        assert_eq!(root.child("a").unwrap().xsi_type(), Some("string"));
        assert_eq!(root.child("a").unwrap().text(), "one");
        assert_eq!(root.child("b").unwrap().xsi_type(), Some("VirtualDisk"));
        let c = root.child("c").unwrap();
        assert_eq!(c.xsi_type(), None);
        assert_eq!(c.type_attr(), Some("VirtualMachine"));
        // Values with entities (unescaped into a new string) lose their prefix too.
        let d = root.child("d").unwrap();
        assert_eq!(d.xsi_type(), Some("Virtual&Disk"));
        assert_eq!(d.type_attr(), Some("a<b"));
    }

    #[tokio::test]
    async fn entities_and_empty_elements() {
        let doc = b"<r><n>a &amp; b &lt;c&gt; &#233;</n><e/><f></f><g><![CDATA[x<y]]>z</g></r>";
        let tree = parse_document(doc).await.unwrap();
        let root = tree.root();
        assert_eq!(root.text_at(&["n"]), Some("a & b <c> \u{e9}"));
        assert_eq!(root.text_at(&["e"]), Some(""));
        assert_eq!(root.text_at(&["f"]), Some(""));
        assert_eq!(root.text_at(&["g"]), Some("x<yz"));
        assert_eq!(root.children().count(), 4);
    }

    #[tokio::test]
    async fn unknown_elements_are_skipped_whole() {
        let doc = b"<r><skip><x a='1'><y/></x>t</skip><keep>k</keep></r>";
        let mut s = XmlStream::new(&doc[..]);
        let Step::Start(r) = s.next().await.unwrap() else {
            panic!("no root")
        };
        assert_eq!(r.name, "r");
        let skip = s.next_child().await.unwrap().unwrap();
        assert_eq!(skip.name, "skip");
        s.skip(&skip).await.unwrap();
        let keep = s.next_child().await.unwrap().unwrap();
        assert_eq!(keep.name, "keep");
        assert_eq!(s.read_node(keep).await.unwrap().root().text(), "k");
        assert!(s.next_child().await.unwrap().is_none(), "the end of <r>");
    }

    #[tokio::test]
    async fn truncated_document_is_an_error() {
        let err = parse_document(b"<r><a>1</a><b>").await.unwrap_err();
        assert!(matches!(err, XmlError::Truncated), "{err:?}");
    }

    #[test]
    fn escape_escapes_markup() {
        assert_eq!(escape("a<b&\"c'"), "a&lt;b&amp;&quot;c&apos;");
    }
}
