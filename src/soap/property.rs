//! Property collector and container view helpers: "every object of type T with these paths",
//! streamed object by object and paged with `ContinueRetrievePropertiesEx` until no token is left.

use super::client::{Client, SoapError};
use super::envelope::{moref_element, text_element};
use super::types::{MoRef, ObjectContent};
use super::xml::XmlStream;

/// Objects per page asked of the property collector.
pub const PAGE_SIZE: u32 = 1000;

/// The `specSet` for "these paths of every object of `kind` in container view `view`".
pub fn view_spec_set(view: &MoRef, kind: &str, paths: &[&str]) -> String {
    let mut s = String::from("<specSet><propSet>");
    s.push_str(&text_element("type", kind));
    for p in paths {
        s.push_str(&text_element("pathSet", p));
    }
    s.push_str("</propSet><objectSet>");
    s.push_str(&moref_element("obj", &view.kind, &view.value));
    s.push_str(
        r#"<skip>true</skip><selectSet xsi:type="TraversalSpec"><name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet>"#,
    );
    s
}

/// Streams every object of a `RetrieveResult` (first page and continuations) to `on_object`.
/// A `NotAuthenticated` in a `missingSet` is a session error, not a missing value.
pub async fn retrieve_all(
    client: &Client,
    collector: &MoRef,
    spec_set: &str,
    page_size: u32,
    mut on_object: impl FnMut(ObjectContent),
) -> Result<u64, SoapError> {
    let mut count = 0u64;
    let mut response = client
        .retrieve_properties_ex(collector, spec_set, page_size)
        .await?;
    loop {
        let token = read_page(response.stream(), &mut |oc| {
            count += 1;
            on_object(oc)
        })
        .await?;
        match token {
            Some(t) => {
                response = client
                    .continue_retrieve_properties_ex(collector, &t)
                    .await?
            }
            None => return Ok(count),
        }
    }
}

/// Reads one page of a `RetrievePropertiesEx` / `ContinueRetrievePropertiesEx` response, from
/// inside the response element (after [`super::envelope::open_body`]): every object to
/// `on_object`, and the continuation token when there are more pages. Unknown elements are
/// skipped; an object refused with `NotAuthenticated` is the session's end.
pub async fn read_page<R: tokio::io::AsyncBufRead + Unpin>(
    xml: &mut XmlStream<R>,
    on_object: &mut impl FnMut(ObjectContent),
) -> Result<Option<String>, SoapError> {
    let mut token: Option<String> = None;
    while let Some(ret) = xml.next_child().await? {
        if ret.name != "returnval" {
            xml.skip(&ret).await?;
            continue;
        }
        if ret.empty {
            continue;
        }
        while let Some(part) = xml.next_child().await? {
            match part.name.as_str() {
                "token" => {
                    let node = xml.read_node(part).await?;
                    let t = node.text.trim();
                    if !t.is_empty() {
                        token = Some(t.to_string());
                    }
                }
                "objects" => {
                    let oc = ObjectContent::from_node(xml.read_node(part).await?);
                    if oc.missing.iter().any(|(_, f)| f == "NotAuthenticated") {
                        return Err(SoapError::NotAuthenticated);
                    }
                    on_object(oc);
                }
                _ => xml.skip(&part).await?,
            }
        }
    }
    Ok(token)
}

/// Every object of `kind` below `root`, with `paths`, through a container view that is destroyed
/// afterwards (also when retrieval fails).
pub async fn retrieve_type(
    client: &Client,
    view_manager: &MoRef,
    collector: &MoRef,
    root: &MoRef,
    kind: &str,
    paths: &[&str],
    on_object: impl FnMut(ObjectContent),
) -> Result<u64, SoapError> {
    let view = client
        .create_container_view(view_manager, root, &[kind])
        .await?;
    let spec = view_spec_set(&view, kind, paths);
    let result = retrieve_all(client, collector, &spec, PAGE_SIZE, on_object).await;
    let destroyed = client.destroy_view(&view).await;
    let count = result?;
    if let Err(e) = destroyed {
        log::debug!("DestroyView {} failed: {e}", view.value);
    }
    Ok(count)
}
