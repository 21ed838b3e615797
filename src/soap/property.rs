//! Property collector and container view helpers: "every object of type T with these paths",
//! streamed object by object and paged with `ContinueRetrievePropertiesEx` until no token is left.

use super::client::{Client, SoapError};
use super::envelope::{moref_element, text_element};
use super::types::{MoRef, ObjectContent};
use super::xml::XmlStream;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// Objects per page asked of the property collector.
pub const PAGE_SIZE: u32 = 1000;

/// The most continuation pages read for one object type: 10 million objects at [`PAGE_SIZE`].
pub const MAX_PAGES: u32 = 10_000;

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
    mut on_object: impl FnMut(&ObjectContent),
) -> Result<u64, SoapError> {
    let mut count = 0u64;
    let mut pages = 1u32;
    let mut last_token: Option<String> = None;
    let mut response = client
        .retrieve_properties_ex(collector, spec_set, page_size)
        .await?;
    loop {
        let before = count;
        // vSphere sends the token before the page's objects: the next page is asked for as
        // soon as it is read, so the server prepares it while this one is read and decoded.
        let (tell, told) = tokio::sync::oneshot::channel::<String>();
        let last = last_token.as_deref();
        let next = async {
            let Ok(t) = told.await else {
                return Ok(None);
            };
            // Only a token the checks below can accept is followed before the page ends.
            if last == Some(t.as_str()) || pages >= MAX_PAGES {
                return Ok(None);
            }
            let asked = client.continue_retrieve_properties_ex(collector, &t).await;
            Ok::<_, SoapError>(Some((asked, t)))
        };
        let mut counted = |oc: &ObjectContent| {
            count += 1;
            on_object(oc)
        };
        let read = read_page_telling(response.stream(), &mut counted, Some(tell));
        // A page that fails ends the retrieval at once: the early request is dropped.
        let (token, next) = tokio::try_join!(read, next)?;
        if let Some(t) = &token {
            // A token that comes back, a page with a token but no object, or more pages than
            // any estate has: an endless continuation, from a broken or hostile server.
            let why = if last_token.as_ref() == Some(t) {
                Some("repeated the same continuation token")
            } else if count == before {
                Some("sent a continuation token with an empty page")
            } else if pages >= MAX_PAGES {
                Some("sent more than 10000 continuation pages")
            } else {
                None
            };
            if let Some(why) = why {
                return Err(SoapError::Limit(format!(
                    "the property collector {why}: not a vSphere answer"
                )));
            }
            pages += 1;
            last_token = token.clone();
        }
        match (token, next) {
            (Some(t), Some((asked, sent))) if sent == t => response = asked?,
            (Some(t), _) => {
                response = client
                    .continue_retrieve_properties_ex(collector, &t)
                    .await?
            }
            (None, _) => return Ok(count),
        }
    }
}

/// Reads one page of a `RetrievePropertiesEx` / `ContinueRetrievePropertiesEx` response, from
/// inside the response element (after [`super::envelope::open_body`]): every object to
/// `on_object`, and the continuation token when there are more pages. Unknown elements are
/// skipped; an object refused with `NotAuthenticated` is the session's end.
pub async fn read_page<R: tokio::io::AsyncBufRead + Unpin>(
    xml: &mut XmlStream<R>,
    on_object: &mut impl FnMut(&ObjectContent),
) -> Result<Option<String>, SoapError> {
    read_page_telling(xml, on_object, None).await
}

/// [`read_page`], sending the token to `tell` as soon as it is read.
async fn read_page_telling<R: tokio::io::AsyncBufRead + Unpin>(
    xml: &mut XmlStream<R>,
    on_object: &mut impl FnMut(&ObjectContent),
    mut tell: Option<tokio::sync::oneshot::Sender<String>>,
) -> Result<Option<String>, SoapError> {
    let mut token: Option<String> = None;
    // One object's buffers for the whole page.
    let mut oc = ObjectContent::default();
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
                    let tree = xml.read_node(part).await?;
                    let t = tree.root().text().trim();
                    if !t.is_empty() {
                        if let Some(tell) = tell.take() {
                            // Nobody listening is no error: the page is read all the same.
                            let _ = tell.send(t.to_string());
                        }
                        token = Some(t.to_string());
                    }
                }
                "objects" => {
                    oc.read_from(xml, part).await?;
                    if oc.missing.iter().any(|(_, f)| f == "NotAuthenticated") {
                        return Err(SoapError::NotAuthenticated);
                    }
                    on_object(&oc);
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
    mut on_object: impl FnMut(&ObjectContent),
) -> Result<u64, SoapError> {
    let mut attempt = 1;
    // Objects already handed to `on_object` (by a hash of their moref): a restart skips them,
    // so that none is seen twice.
    let mut delivered: HashSet<u64> = HashSet::new();
    loop {
        // Continuation tokens are single use and tied to the session: a retry restarts the
        // type's retrieval, with a new view.
        let result = retrieve_type_once(client, view_manager, collector, root, kind, paths, |oc| {
            if oc.obj.is_none() || delivered.insert(moref_hash(oc)) {
                on_object(oc)
            }
        })
        .await;
        match result {
            Err(SoapError::NotAuthenticated) => {
                client.relogin().await?;
                log::info!("restarting the retrieval of {kind} in the new session");
            }
            Err(e) if e.is_transient() && attempt < client.tries() => {
                let pause = super::client::backoff(attempt);
                log::info!(
                    "retrieving {kind} failed ({e}); restarting it, try {} of {} in {} ms",
                    attempt + 1,
                    client.tries(),
                    pause.as_millis()
                );
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
            Ok(_) => return Ok(delivered.len() as u64),
        }
    }
}

fn moref_hash(oc: &ObjectContent) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(obj) = &oc.obj {
        (&obj.kind, &obj.value).hash(&mut h);
    }
    h.finish()
}

async fn retrieve_type_once(
    client: &Client,
    view_manager: &MoRef,
    collector: &MoRef,
    root: &MoRef,
    kind: &str,
    paths: &[&str],
    on_object: impl FnMut(&ObjectContent),
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
