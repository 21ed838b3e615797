//! `wsdl/vim25-subset.xsd` is the single written description of what vcaudit reads. These tests
//! keep the code and the schema from drifting apart:
//! - every method the client sends is a request element of the schema;
//! - every property path the collector requests resolves through the schema's types;
//! - every element name the decoders look for is described, and every property the decoders
//!   read is one the collector requests.

use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Default, Debug)]
struct Schema {
    /// Top-level elements (method requests and responses).
    top_elements: BTreeSet<String>,
    /// complexType name → (base type, child elements name → type).
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
                    let ty = attr("type").map(|t| local(&t)).unwrap_or_default();
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
        let mut cur = Some(ty.to_string());
        while let Some(t) = cur {
            let (base, children) = self.types.get(&t)?;
            if let Some(c) = children.get(name) {
                return Some(c.clone());
            }
            cur = base.clone();
        }
        None
    }

    fn resolve(&self, ty: &str, path: &str) -> Result<(), String> {
        let mut cur = ty.to_string();
        for seg in path.split('.') {
            cur = self
                .child_type(&cur, seg)
                .ok_or_else(|| format!("{ty}.{path}: no element '{seg}' in type {cur}"))?;
        }
        Ok(())
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
fn every_requested_property_path_resolves_in_the_schema() {
    let schema = load_schema();
    let mut problems = Vec::new();
    for (kind, paths) in vcaudit::collect::paths::QUERIES {
        assert!(
            schema.types.contains_key(*kind),
            "managed object type {kind} is not described"
        );
        for p in *paths {
            if let Err(e) = schema.resolve(kind, p) {
                problems.push(e);
            }
        }
    }
    assert!(
        problems.is_empty(),
        "paths not described in the schema:\n{}",
        problems.join("\n")
    );
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

#[test]
fn every_property_the_decoders_read_is_requested() {
    let requested: BTreeSet<&str> = vcaudit::collect::paths::QUERIES
        .iter()
        .flat_map(|(_, paths)| paths.iter().copied())
        .collect();
    let mut problems = Vec::new();
    for (file, src) in decoder_sources() {
        if file == "src/soap/types.rs" || file == "src/collect/events.rs" {
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
            "(oc, ",
        ] {
            read.extend(literals_after(src, needle, ')'));
        }
        assert!(
            !read.is_empty(),
            "{file}: the scan found no property reads; has the code changed shape?"
        );
        for p in read {
            if !requested.contains(p.as_str()) {
                problems.push(format!(
                    "{file}: reads property '{p}' that is never requested"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_schema_check_can_fail() {
    // Guard against a check that passes vacuously: a made-up path must not resolve.
    let schema = load_schema();
    assert!(
        schema
            .resolve("VirtualMachine", "config.hardware.numCPU")
            .is_ok()
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
