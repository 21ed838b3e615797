//! `wsdl/vim25-subset.xsd` is the single written description of what vcaudit reads. These tests
//! keep the code and the schema from drifting apart:
//! - every method the client sends is a request element of the schema;
//! - every property declared in `collect::props` (which is what the collector requests) resolves
//!   through the schema's types to the type the declaration names;
//! - every element name the decoders look for is described, and every property the decoders
//!   read is one the collector requests.

use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use vcaudit::collect::props::{self, Declared, Declares, Prop, Table};
use vcaudit::model::Vm;

#[derive(Default, Debug)]
struct Schema {
    /// Top-level elements (method requests and responses).
    top_elements: BTreeSet<String>,
    /// complexType name → (base type, child elements name → type as written, `xsd:long`).
    types: BTreeMap<String, (Option<String>, BTreeMap<String, String>)>,
    /// Every element name declared anywhere.
    all_elements: BTreeSet<String>,
}

fn local(v: &str) -> String {
    v.rsplit(':').next().unwrap_or(v).to_string()
}

fn load_schema() -> Schema {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/vim25-subset.xsd");
    let text = std::fs::read_to_string(path).expect("wsdl/vim25-subset.xsd is readable");
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut schema = Schema::default();
    // Stack of open elements: (local name, complexType name if this is a named complexType).
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    loop {
        let ev = reader.read_event().expect("schema is well-formed XML");
        let (e, empty) = match &ev {
            Event::Start(e) => (e.clone(), false),
            Event::Empty(e) => (e.clone(), true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let tag = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let attr = |n: &str| {
            e.attributes()
                .flatten()
                .find(|a| a.key.as_ref() == n.as_bytes())
                .map(|a| String::from_utf8_lossy(&a.value).into_owned())
        };
        let named_type = stack.iter().rev().find_map(|(_, t)| t.clone());
        let mut opened_type = None;
        match tag.as_str() {
            "element" => {
                let name = attr("name").expect("element has a name");
                schema.all_elements.insert(name.clone());
                if stack.len() == 1 {
                    schema.top_elements.insert(name.clone());
                }
                if let Some(t) = &named_type {
                    let ty = attr("type").unwrap_or_default();
                    schema
                        .types
                        .get_mut(t)
                        .expect("type opened")
                        .1
                        .insert(name, ty);
                }
            }
            "complexType" => {
                if let Some(name) = attr("name") {
                    schema.types.insert(name.clone(), (None, BTreeMap::new()));
                    opened_type = Some(name);
                }
            }
            "extension" => {
                if let (Some(t), Some(base)) = (&named_type, attr("base")) {
                    schema.types.get_mut(t).expect("type opened").0 = Some(local(&base));
                }
            }
            _ => {}
        }
        if !empty {
            stack.push((tag, opened_type));
        }
    }
    schema
}

impl Schema {
    /// The type of child `name` of `ty`, looking through base types.
    fn child_type(&self, ty: &str, name: &str) -> Option<String> {
        let mut cur = Some(local(ty));
        while let Some(t) = cur {
            let (base, children) = self.types.get(&t)?;
            if let Some(c) = children.get(name) {
                return Some(c.clone());
            }
            cur = base.clone();
        }
        None
    }

    /// The type of `path` from `ty`, as the schema writes it (`xsd:int`).
    fn resolve(&self, ty: &str, path: &str) -> Result<String, String> {
        let mut cur = ty.to_string();
        for seg in path.split('.') {
            cur = self
                .child_type(&cur, seg)
                .ok_or_else(|| format!("{ty}.{path}: no element '{seg}' in type {cur}"))?;
        }
        Ok(cur)
    }

    /// What is wrong with the declarations of one managed object type: a path the schema does
    /// not describe, or describes with another type than declared.
    fn check(&self, kind: &str, declared: &[Declared]) -> Vec<String> {
        if !self.types.contains_key(kind) {
            return vec![format!("managed object type {kind} is not described")];
        }
        declared
            .iter()
            .filter_map(|d| match self.resolve(kind, d.path) {
                Err(e) => Some(e),
                Ok(t) if t != d.xsd => Some(format!(
                    "{kind}.{}: declared {} but the schema says {t}",
                    d.path, d.xsd
                )),
                Ok(_) => None,
            })
            .collect()
    }
}

#[test]
fn every_method_called_is_described() {
    let schema = load_schema();
    for m in vcaudit::soap::methods::METHODS {
        assert!(
            schema.top_elements.contains(*m),
            "method {m} is not in wsdl/vim25-subset.xsd"
        );
    }
}

#[test]
fn every_declared_property_resolves_in_the_schema_to_its_declared_type() {
    let schema = load_schema();
    let mut problems = Vec::new();
    for table in props::TABLES {
        problems.extend(schema.check(table.kind(), &table.declared()));
    }
    assert!(
        problems.is_empty(),
        "declarations the schema does not bear out:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_declaration_added_or_removed_is_requested_and_checked_accordingly() {
    let schema = load_schema();
    // The VM table without `config.annotation`, with a made-up path and a mistyped one.
    let mut decls: Vec<Prop<Vm>> = props::VIRTUAL_MACHINE
        .props
        .iter()
        .copied()
        .filter(|p| p.path != "config.annotation")
        .collect();
    decls.push(Prop::set(
        "config.hardware.nonsense",
        "xsd:string",
        "name",
        |_, _, _| {},
    ));
    decls.push(Prop::set("config.version", "xsd:int", "name", |_, _, _| {}));
    let table = Table {
        kind: "VirtualMachine",
        props: Box::leak(decls.into_boxed_slice()),
    };
    let paths = table.paths();
    assert!(paths.contains(&"config.hardware.nonsense"));
    assert!(!paths.contains(&"config.annotation"));
    assert_eq!(paths.len(), props::VIRTUAL_MACHINE.paths().len() + 1);
    let problems = schema.check(table.kind, &table.declared());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("no element 'nonsense'"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("declared xsd:int but the schema says xsd:string"),
        "{problems:?}"
    );
    // The collector requests exactly the declared paths, type by type.
    let queries = props::queries();
    let vm = queries
        .iter()
        .find(|(k, _)| *k == "VirtualMachine")
        .unwrap();
    assert_eq!(vm.1, props::VIRTUAL_MACHINE.paths());
    assert!(vm.1.contains(&"config.annotation"));
}

/// The string literals that follow `needle` in `src`, up to `end` (e.g. the names in
/// `text_at(&["a", "b"])`).
fn literals_after(src: &str, needle: &str, end: char) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in src.match_indices(needle) {
        let rest = &src[i + needle.len()..];
        let stop = rest.find(end).unwrap_or(rest.len());
        let mut chunk = &rest[..stop];
        while let Some(q) = chunk.find('"') {
            let after = &chunk[q + 1..];
            let Some(close) = after.find('"') else { break };
            out.push(after[..close].to_string());
            chunk = &after[close + 1..];
        }
    }
    out
}

fn decoder_sources() -> Vec<(String, String)> {
    [
        "src/collect/decode.rs",
        "src/collect/devices.rs",
        "src/collect/mod.rs",
        "src/collect/known.rs",
        "src/collect/props/mod.rs",
        "src/collect/props/vm.rs",
        "src/soap/types.rs",
    ]
    .iter()
    .map(|f| {
        let p = format!("{}/{f}", env!("CARGO_MANIFEST_DIR"));
        (
            f.to_string(),
            std::fs::read_to_string(&p).expect("source readable"),
        )
    })
    .collect()
}

/// Everything before the first `#[cfg(test)]`: test fixtures may use any element names.
fn non_test(src: &str) -> &str {
    src.split("#[cfg(test)]").next().unwrap_or(src)
}

#[test]
fn every_element_the_decoders_read_is_described() {
    let schema = load_schema();
    let mut problems = Vec::new();
    for (file, src) in decoder_sources() {
        let src = non_test(&src);
        let mut names = Vec::new();
        for needle in ["_at(&[", ".at(&["] {
            names.extend(literals_after(src, needle, ']'));
        }
        names.extend(literals_after(src, ".child(", ')'));
        names.extend(literals_after(src, ".children_named(", ')'));
        for n in names {
            if !schema.all_elements.contains(&n) {
                problems.push(format!(
                    "{file}: element '{n}' is read but not in the schema"
                ));
            }
        }
        // xsi:type names matched by the decoders must be described types.
        for lit in literals_after(src, "type_name() {", '}')
            .into_iter()
            .chain(literals_after(src, "match b.type_name()", '}'))
        {
            if lit.starts_with("VirtualDisk") && !schema.types.contains_key(&lit) {
                problems.push(format!(
                    "{file}: type '{lit}' is matched but not in the schema"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Decoders read their own declared value; the few that read another property of the object
/// (`guest.net` beside `config.hardware.device`) name it, and it must be declared too.
#[test]
fn every_property_the_decoders_read_is_requested() {
    let queries = props::queries();
    let requested: BTreeSet<&str> = queries
        .iter()
        .flat_map(|(_, paths)| paths.iter().copied())
        .collect();
    let mut problems = Vec::new();
    let mut read_any = false;
    for (file, src) in decoder_sources() {
        if file == "src/soap/types.rs" {
            continue;
        }
        let src = non_test(&src);
        let mut read = Vec::new();
        for needle in [
            "oc.text(",
            "oc.string(",
            "oc.bool(",
            "oc.moref(",
            "oc.get(",
            ".get_all(",
            "(oc, ",
        ] {
            read.extend(literals_after(src, needle, ')'));
        }
        read_any |= !read.is_empty();
        for p in read {
            if !requested.contains(p.as_str()) {
                problems.push(format!(
                    "{file}: reads property '{p}' that is never requested"
                ));
            }
        }
    }
    assert!(
        read_any,
        "the scan found no property reads; has the code changed shape?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_schema_check_can_fail() {
    // Guard against a check that passes vacuously: a made-up path must not resolve.
    let schema = load_schema();
    assert_eq!(
        schema.resolve("VirtualMachine", "config.hardware.numCPU"),
        Ok("xsd:int".to_string())
    );
    assert!(
        schema
            .resolve("VirtualMachine", "config.hardware.nonsense")
            .is_err()
    );
    assert!(
        schema.resolve("HostSystem", "name").is_ok(),
        "inherited from ManagedEntity"
    );
    assert!(!schema.all_elements.contains("nonsenseElement"));
}
