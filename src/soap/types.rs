//! The vim25 data objects the client itself needs (references, service content, property
//! collector results), decoded from [`Node`] trees. Inventory objects are decoded elsewhere
//! (`collect::decode`), so this layer stays about the protocol.

use super::xml::{Node, Start, Tree, XmlError, XmlStream};

/// A managed object reference (`type` attribute plus the opaque value).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MoRef {
    pub kind: String,
    pub value: String,
}

impl MoRef {
    pub fn new(kind: &str, value: &str) -> MoRef {
        MoRef {
            kind: kind.to_string(),
            value: value.to_string(),
        }
    }

    /// Decodes an element holding a reference; `None` when it has no `type`.
    pub fn from_node(node: Node<'_>) -> Option<MoRef> {
        let kind = node.type_attr()?.to_string();
        Some(MoRef {
            kind,
            value: node.text().trim().to_string(),
        })
    }
}

/// The parts of `ServiceContent` the client uses.
#[derive(Debug, Clone, Default)]
pub struct ServiceContent {
    pub about: crate::model::About,
    pub root_folder: Option<MoRef>,
    pub property_collector: Option<MoRef>,
    pub view_manager: Option<MoRef>,
    pub session_manager: Option<MoRef>,
    pub event_manager: Option<MoRef>,
}

impl ServiceContent {
    pub fn from_node(node: Node<'_>) -> ServiceContent {
        let mo = |name: &str| node.child(name).and_then(MoRef::from_node);
        let about = |name: &str| node.string_at(&["about", name]);
        ServiceContent {
            about: crate::model::About {
                name: about("name"),
                full_name: about("fullName"),
                version: about("version"),
                build: about("build"),
                api_version: about("apiVersion"),
                instance_uuid: about("instanceUuid"),
            },
            root_folder: mo("rootFolder"),
            property_collector: mo("propertyCollector"),
            view_manager: mo("viewManager"),
            session_manager: mo("sessionManager"),
            event_manager: mo("eventManager"),
        }
    }
}

/// One object of a `RetrieveResult`: its reference, the values found and the paths refused.
#[derive(Debug, Clone, Default)]
pub struct ObjectContent {
    pub obj: Option<MoRef>,
    /// The `objects` element as sent; `props` point into it.
    tree: Tree,
    /// `(path, val)` of every property sent, in the order sent: indexes of the `name` and `val`
    /// elements in `tree`.
    props: Vec<(u32, u32)>,
    /// `(path, fault type)` for every path the server did not give a value for.
    pub missing: Vec<(String, String)>,
}

impl ObjectContent {
    /// Decodes an `objects` element (`ObjectContent`).
    pub fn from_tree(tree: Tree) -> ObjectContent {
        let mut oc = ObjectContent {
            tree,
            ..ObjectContent::default()
        };
        oc.index();
        oc
    }

    /// Reads the `objects` element just started into `self`, reusing its buffers: a page of a
    /// thousand objects is read without an allocation per object.
    pub async fn read_from<R: tokio::io::AsyncBufRead + Unpin>(
        &mut self,
        xml: &mut XmlStream<R>,
        start: Start,
    ) -> Result<(), XmlError> {
        let read = xml.read_node_into(start, &mut self.tree).await;
        if let Err(e) = read {
            *self = ObjectContent::default();
            return Err(e);
        }
        self.index();
        Ok(())
    }

    /// `obj`, `props` and `missing` from the tree.
    fn index(&mut self) {
        self.obj = None;
        self.props.clear();
        self.missing.clear();
        if self.tree.is_empty() {
            return;
        }
        for child in self.tree.root().children() {
            match child.name() {
                "obj" => self.obj = MoRef::from_node(child),
                "propSet" => {
                    let mut name = None;
                    let mut val = None;
                    for part in child.children() {
                        match part.name() {
                            "name" => name = Some(part.index()),
                            "val" => val = Some(part.index()),
                            _ => {}
                        }
                    }
                    if let (Some(name), Some(val)) = (name, val) {
                        self.props.push((name, val));
                    }
                }
                "missingSet" => {
                    let path = child.string_at(&["path"]).unwrap_or_default();
                    let fault = child
                        .at(&["fault", "fault"])
                        .map(|f| f.type_name().to_string())
                        .unwrap_or_else(|| "unknown fault".to_string());
                    self.missing.push((path, fault));
                }
                _ => {}
            }
        }
    }

    /// Every `(path, val)` sent, in the order sent.
    pub fn props(&self) -> impl Iterator<Item = (&str, Node<'_>)> + '_ {
        self.props
            .iter()
            .map(|&(name, val)| (self.tree.node(name).text(), self.tree.node(val)))
    }

    /// The value of the property sent as `path` itself.
    fn exact(&self, path: &str) -> Option<Node<'_>> {
        self.props
            .iter()
            .find(|&&(name, _)| self.tree.node(name).text_is(path))
            .map(|&(_, val)| self.tree.node(val))
    }

    /// The value of a property path, when sent: as its own property, or inside a parent
    /// property sent whole (`summary` for `summary.config.product`, as real vCenters answer a
    /// client that asked for `summary`).
    pub fn get(&self, path: &str) -> Option<Node<'_>> {
        if let Some(v) = self.exact(path) {
            return Some(v);
        }
        self.props().find_map(|(p, v)| {
            let rest = path.strip_prefix(p)?.strip_prefix('.')?;
            v.at_each(rest.split('.'))
        })
    }

    /// The elements of an array-valued property path: the children of its `ArrayOf...` value
    /// when sent as its own property, or, inside a parent sent whole, every element named like
    /// the path's last segment (a whole `guest` holds one `<disk>` per disk).
    pub fn get_all(&self, path: &str) -> Option<Vec<Node<'_>>> {
        if let Some(v) = self.exact(path) {
            return Some(v.children().collect());
        }
        self.props().find_map(|(p, v)| {
            let rest = path.strip_prefix(p)?.strip_prefix('.')?;
            let (parents, last) = match rest.rsplit_once('.') {
                Some((parents, last)) => (Some(parents), last),
                None => (None, rest),
            };
            let holder = match parents {
                Some(parents) => v.at_each(parents.split('.'))?,
                None => v,
            };
            Some(holder.children_named(last).collect())
        })
    }

    /// The text of a simple property, when sent.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.get(path).map(|n| n.text())
    }

    /// The owned text of a simple property, when sent.
    pub fn string(&self, path: &str) -> Option<String> {
        self.text(path).map(str::to_string)
    }

    /// A boolean property; `None` when absent or not `true`/`false`.
    pub fn bool(&self, path: &str) -> Option<bool> {
        parse_bool(self.text(path)?)
    }

    /// A reference-valued property.
    pub fn moref(&self, path: &str) -> Option<MoRef> {
        self.get(path).and_then(MoRef::from_node)
    }
}

/// `xsd:boolean`: `true`, `false`, `1`, `0`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// An integer that may be absent or malformed; malformed is treated as unknown.
pub fn parse_num<T: std::str::FromStr>(s: Option<&str>) -> Option<T> {
    s?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml::parse_document;

    #[tokio::test]
    async fn object_content_with_missing_set() {
        let doc = br#"<objects xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <obj type="VirtualMachine">vm-42</obj>
            <propSet><name>name</name><val xsi:type="xsd:string">web&amp;1</val></propSet>
            <missingSet><path>config.hardware.device</path>
              <fault><fault xsi:type="NoPermission"><object type="VirtualMachine">vm-42</object><privilegeId>System.Read</privilegeId></fault><localizedMessage></localizedMessage></fault>
            </missingSet>
            <futureElement><nested>ignored</nested></futureElement>
        </objects>"#;
        let oc = ObjectContent::from_tree(parse_document(doc).await.unwrap());
        assert_eq!(oc.obj, Some(MoRef::new("VirtualMachine", "vm-42")));
        assert_eq!(oc.text("name"), Some("web&1"));
        assert_eq!(
            oc.missing,
            vec![("config.hardware.device".into(), "NoPermission".into())]
        );
        assert_eq!(oc.get("config.hardware.device"), None);
    }

    #[tokio::test]
    async fn an_object_read_into_a_used_one_keeps_nothing_of_it() {
        let doc = br#"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <objects><obj type="VirtualMachine">vm-1</obj>
              <propSet><name>name</name><val xsi:type="xsd:string">one</val></propSet>
              <propSet><name>config.uuid</name><val>u-1</val></propSet>
              <missingSet><path>guest.disk</path><fault><fault xsi:type="NoPermission"/></fault></missingSet>
            </objects>
            <objects><obj type="VirtualMachine">vm-2</obj>
              <propSet><name>name</name><val>two</val></propSet>
            </objects>
        </r>"#;
        let mut s = XmlStream::new(&doc[..]);
        s.next_child().await.unwrap().expect("the root");
        let mut oc = ObjectContent::default();
        let first = s.next_child().await.unwrap().expect("first object");
        oc.read_from(&mut s, first).await.unwrap();
        assert_eq!(oc.text("config.uuid"), Some("u-1"));
        assert_eq!(oc.missing.len(), 1);
        let second = s.next_child().await.unwrap().expect("second object");
        oc.read_from(&mut s, second).await.unwrap();
        assert_eq!(oc.obj, Some(MoRef::new("VirtualMachine", "vm-2")));
        assert_eq!(oc.text("name"), Some("two"));
        assert_eq!(oc.text("config.uuid"), None);
        assert!(oc.missing.is_empty());
        assert_eq!(oc.props().count(), 1);
        // A truncated object leaves an empty one, not indexes into a half-read tree.
        let mut t =
            XmlStream::new(&b"<objects><obj type=\"VirtualMachine\">vm-3</obj><propSet>"[..]);
        let start = t.next_child().await.unwrap().expect("object");
        assert!(oc.read_from(&mut t, start).await.is_err());
        assert_eq!(oc.obj, None);
        assert_eq!(oc.get("name"), None);
    }

    #[test]
    fn booleans_and_numbers_tolerate_junk() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(parse_num::<u64>(Some(" 42 ")), Some(42));
        assert_eq!(parse_num::<u64>(Some("-1")), None);
        assert_eq!(parse_num::<u64>(None), None);
    }
}
