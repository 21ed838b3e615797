//! A small streaming XML layer over quick-xml for SOAP responses.
//!
//! Responses are read as a stream of events and only the pieces the client needs are built into a
//! [`Node`] tree, one object at a time: a 300 MB `RetrievePropertiesEx` answer is never held whole.
//! Element names are compared by local name. `xsi:type` is resolved by namespace URI, not by prefix
//! (vcsim and vCenter use different prefixes), and its value loses its prefix (`xsd:string` →
//! `string`, `vim25:VirtualDisk` → `VirtualDisk`). Unknown elements are kept in the tree and
//! simply never looked at, so newer servers still parse.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use tokio::io::AsyncBufRead;

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

/// The deepest element nesting read into a [`Node`] tree. vSphere answers nest a few dozen
/// levels; a bound keeps a hostile answer from exhausting memory or the stack (a tree is
/// dropped recursively).
pub const MAX_DEPTH: usize = 256;

impl From<quick_xml::Error> for XmlError {
    fn from(e: quick_xml::Error) -> Self {
        match e {
            // Data the body guard refused (see soap::client) is not a transport failure.
            quick_xml::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
                XmlError::Malformed(crate::soap::client::describe_io(&io))
            }
            quick_xml::Error::Io(io) => XmlError::Io(crate::soap::client::describe_io(&io)),
            other => XmlError::Malformed(other.to_string()),
        }
    }
}

impl From<quick_xml::encoding::EncodingError> for XmlError {
    fn from(e: quick_xml::encoding::EncodingError) -> Self {
        XmlError::Malformed(e.to_string())
    }
}

/// One element with its text and children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    /// Local name of the element.
    pub name: String,
    /// `xsi:type` without its prefix, when present.
    pub xsi_type: Option<String>,
    /// The unqualified `type` attribute (managed object references carry one).
    pub type_attr: Option<String>,
    /// Concatenated text content (entities resolved), untrimmed.
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of child names.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// Text of the child at `path`, when present.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).map(|n| n.text.as_str())
    }

    /// Owned text of the child at `path`, when present.
    pub fn string_at(&self, path: &[&str]) -> Option<String> {
        self.text_at(path).map(str::to_string)
    }

    /// The node's type: `xsi:type` when given, else its element name.
    pub fn type_name(&self) -> &str {
        self.xsi_type.as_deref().unwrap_or(&self.name)
    }
}

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

/// A namespace-aware streaming reader.
pub struct XmlStream<R> {
    reader: NsReader<R>,
    buf: Vec<u8>,
}

fn strip_prefix(v: &str) -> &str {
    v.rsplit_once(':').map_or(v, |(_, local)| local)
}

impl<R: AsyncBufRead + Unpin> XmlStream<R> {
    pub fn new(inner: R) -> Self {
        let mut reader = NsReader::from_reader(inner);
        reader.config_mut().expand_empty_elements = false;
        XmlStream {
            reader,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// The next meaningful step: start and end tags and text. Declarations, comments and
    /// processing instructions are skipped.
    pub async fn next(&mut self) -> Result<Step, XmlError> {
        loop {
            self.buf.clear();
            let event = self.reader.read_event_into_async(&mut self.buf).await?;
            let step = match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    let mut xsi_type = None;
                    let mut type_attr = None;
                    for attr in e.attributes().with_checks(false) {
                        let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
                        let (ns, local) = self.reader.resolve_attribute(attr.key);
                        if local.as_ref() != b"type" {
                            continue;
                        }
                        // One allocation per value: the unescaped text is borrowed from the
                        // buffer unless it held an entity.
                        let value = attr.unescape_value()?;
                        match ns {
                            ResolveResult::Bound(ns) if ns.as_ref() == XSI_NS => {
                                xsi_type = Some(strip_prefix(&value).to_string());
                            }
                            ResolveResult::Unbound => type_attr = Some(value.into_owned()),
                            _ => {}
                        }
                    }
                    Step::Start(Start {
                        name,
                        xsi_type,
                        type_attr,
                        empty,
                    })
                }
                Event::End(_) => Step::End,
                Event::Text(t) => Step::Text(t.xml10_content()?.into_owned()),
                Event::CData(t) => {
                    Step::Text(String::from_utf8_lossy(&t.into_inner()).into_owned())
                }
                Event::GeneralRef(r) => {
                    let resolved = if let Some(c) = r.resolve_char_ref()? {
                        c.to_string()
                    } else {
                        let name = r.decode()?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| XmlError::Malformed(format!("unknown entity &{name};")))?
                            .to_string()
                    };
                    Step::Text(resolved)
                }
                Event::Eof => Step::Eof,
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => continue,
            };
            return Ok(step);
        }
    }

    /// Reads the content of an element whose start tag was just returned, as a [`Node`].
    pub async fn read_node(&mut self, start: Start) -> Result<Node, XmlError> {
        let mut stack = vec![Node {
            name: start.name,
            xsi_type: start.xsi_type,
            type_attr: start.type_attr,
            ..Default::default()
        }];
        if start.empty {
            return Ok(stack.pop().expect("one node"));
        }
        loop {
            match self.next().await? {
                Step::Start(s) => {
                    let node = Node {
                        name: s.name,
                        xsi_type: s.xsi_type,
                        type_attr: s.type_attr,
                        ..Default::default()
                    };
                    if s.empty {
                        stack.last_mut().expect("open node").children.push(node);
                    } else if stack.len() >= MAX_DEPTH {
                        return Err(XmlError::TooDeep);
                    } else {
                        stack.push(node);
                    }
                }
                Step::Text(t) => {
                    // Most elements have one text event: move it in rather than copy it.
                    let node = stack.last_mut().expect("open node");
                    if node.text.is_empty() {
                        node.text = t;
                    } else {
                        node.text.push_str(&t);
                    }
                }
                Step::End => {
                    let done = stack.pop().expect("open node");
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Step::Eof => return Err(XmlError::Truncated),
            }
        }
    }

    /// Skips the content of an element whose start tag was just returned.
    pub async fn skip(&mut self, start: &Start) -> Result<(), XmlError> {
        if start.empty {
            return Ok(());
        }
        let mut depth = 1usize;
        loop {
            match self.next().await? {
                Step::Start(s) if !s.empty => depth += 1,
                Step::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Step::Eof => return Err(XmlError::Truncated),
                _ => {}
            }
        }
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

/// Parses a whole (small) document into its root [`Node`]; used by tests and tiny responses.
pub async fn parse_document(bytes: &[u8]) -> Result<Node, XmlError> {
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
        </r>"#;
        let root = parse_document(doc).await.unwrap();
        assert_eq!(root.child("a").unwrap().xsi_type.as_deref(), Some("string"));
        assert_eq!(root.child("a").unwrap().text, "one");
        assert_eq!(
            root.child("b").unwrap().xsi_type.as_deref(),
            Some("VirtualDisk")
        );
        let c = root.child("c").unwrap();
        assert_eq!(c.xsi_type, None);
        assert_eq!(c.type_attr.as_deref(), Some("VirtualMachine"));
    }

    #[tokio::test]
    async fn entities_and_empty_elements() {
        let doc = b"<r><n>a &amp; b &lt;c&gt; &#233;</n><e/><f></f></r>";
        let root = parse_document(doc).await.unwrap();
        assert_eq!(root.text_at(&["n"]), Some("a & b <c> \u{e9}"));
        assert_eq!(root.text_at(&["e"]), Some(""));
        assert_eq!(root.text_at(&["f"]), Some(""));
        assert_eq!(root.children.len(), 3);
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
