//! The tagging service (`com.vmware.cis.tagging`): wire types and one function per call.
//!
//! | call | `/api` (7.0+) | `/rest` (6.5, 6.7, vcsim) |
//! |---|---|---|
//! | list categories | `GET /api/cis/tagging/category` → `["id", ...]` | `GET /rest/com/vmware/cis/tagging/category` → `{"value":[...]}` |
//! | one category | `GET /api/cis/tagging/category/{id}` → [`CategoryModel`] | `GET /rest/com/vmware/cis/tagging/category/id:{id}` → `{"value":{...}}` |
//! | list tags | `GET /api/cis/tagging/tag` | `GET /rest/com/vmware/cis/tagging/tag` |
//! | one tag | `GET /api/cis/tagging/tag/{id}` → [`TagModel`] | `GET /rest/com/vmware/cis/tagging/tag/id:{id}` |
//! | objects on tags | `POST /api/cis/tagging/tag-association?action=list-attached-objects-on-tags` | `POST /rest/com/vmware/cis/tagging/tag-association?~action=list-attached-objects-on-tags` |
//!
//! The association call takes `{"tag_ids":[...]}` and answers, per tag, the objects carrying it:
//! `[{"tag_id":"...","object_ids":[{"type":"VirtualMachine","id":"vm-42"}]}]` (wrapped in
//! `{"value": ...}` for `/rest`). It is sent with at most [`TAG_IDS_PER_REQUEST`] ids, so the
//! number of requests never depends on the number of VMs.
//!
//! Tolerance: unknown fields are ignored, an empty list may come as `null` or be missing, and a
//! category or tag deleted between the list and its `GET` (HTTP 404) is skipped.

use super::error::RestError;
use super::index::TagIndex;
use super::session::{Flavor, RestSession};
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;

/// Tag ids per `list-attached-objects-on-tags` request.
pub const TAG_IDS_PER_REQUEST: usize = 500;

/// Category and tag `GET`s in flight at once.
const CONCURRENT_GETS: usize = 8;

/// A tag category (`com.vmware.cis.tagging.category_model`); only what vcaudit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CategoryModel {
    pub id: String,
    pub name: String,
    /// `SINGLE` or `MULTIPLE`.
    #[serde(default)]
    pub cardinality: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub associable_types: Vec<String>,
}

/// A tag (`com.vmware.cis.tagging.tag_model`); only what vcaudit reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TagModel {
    pub id: String,
    pub name: String,
    pub category_id: String,
}

/// A managed object as the vAPI names it (`com.vmware.vapi.std.dynamic_ID`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DynamicId {
    /// The managed object type, e.g. `VirtualMachine`, `HostSystem`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The moref value, e.g. `vm-42`.
    pub id: String,
}

/// One tag and the objects carrying it (`tag_association.tag_to_objects`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TagToObjects {
    pub tag_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub object_ids: Vec<DynamicId>,
}

/// The body of `list-attached-objects-on-tags`.
#[derive(Debug, Serialize)]
pub struct TagIdsSpec<'a> {
    pub tag_ids: &'a [String],
}

/// `null` or a list.
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A list answer that may be `null`.
#[derive(Deserialize)]
#[serde(transparent, bound(deserialize = "T: Deserialize<'de>"))]
struct List<T>(#[serde(deserialize_with = "null_as_empty")] Vec<T>);

fn category_path(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Api => "/api/cis/tagging/category",
        Flavor::Rest => "/rest/com/vmware/cis/tagging/category",
    }
}

fn tag_path(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Api => "/api/cis/tagging/tag",
        Flavor::Rest => "/rest/com/vmware/cis/tagging/tag",
    }
}

/// The path segment naming one object: `{id}` for `/api`, `id:{id}` for `/rest`.
fn id_segment(flavor: Flavor, id: &str) -> String {
    match flavor {
        Flavor::Api => id.to_string(),
        Flavor::Rest => format!("id:{id}"),
    }
}

/// Every category id.
pub async fn list_categories(s: &RestSession<'_>) -> Result<Vec<String>, RestError> {
    let url = s.client().url(category_path(s.flavor()), None, None);
    Ok(s.get::<List<String>>(url).await?.0)
}

/// Every tag id.
pub async fn list_tags(s: &RestSession<'_>) -> Result<Vec<String>, RestError> {
    let url = s.client().url(tag_path(s.flavor()), None, None);
    Ok(s.get::<List<String>>(url).await?.0)
}

/// One category; `None` when it no longer exists (HTTP 404).
pub async fn get_category(
    s: &RestSession<'_>,
    id: &str,
) -> Result<Option<CategoryModel>, RestError> {
    let seg = id_segment(s.flavor(), id);
    let url = s.client().url(category_path(s.flavor()), Some(&seg), None);
    absent_on_404(s.get(url).await)
}

/// One tag; `None` when it no longer exists (HTTP 404).
pub async fn get_tag(s: &RestSession<'_>, id: &str) -> Result<Option<TagModel>, RestError> {
    let seg = id_segment(s.flavor(), id);
    let url = s.client().url(tag_path(s.flavor()), Some(&seg), None);
    absent_on_404(s.get(url).await)
}

fn absent_on_404<T>(r: Result<T, RestError>) -> Result<Option<T>, RestError> {
    match r {
        Ok(t) => Ok(Some(t)),
        Err(RestError::Http { status: 404, path }) => {
            log::debug!("{path} is gone (HTTP 404); skipped");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// For each of `tag_ids`, the objects carrying it: one request per [`TAG_IDS_PER_REQUEST`] ids.
pub async fn list_attached_objects_on_tags(
    s: &RestSession<'_>,
    tag_ids: &[String],
) -> Result<Vec<TagToObjects>, RestError> {
    let (path, query) = match s.flavor() {
        Flavor::Api => (
            "/api/cis/tagging/tag-association",
            "action=list-attached-objects-on-tags",
        ),
        Flavor::Rest => (
            "/rest/com/vmware/cis/tagging/tag-association",
            "~action=list-attached-objects-on-tags",
        ),
    };
    let mut out = Vec::new();
    for chunk in tag_ids.chunks(TAG_IDS_PER_REQUEST) {
        let url = s.client().url(path, None, Some(query));
        let answer: List<TagToObjects> = s.post(url, &TagIdsSpec { tag_ids: chunk }).await?;
        out.extend(answer.0);
    }
    Ok(out)
}

/// Reads categories, tags and associations into a [`TagIndex`].
pub async fn read_index(s: &RestSession<'_>) -> Result<TagIndex, RestError> {
    let category_ids = list_categories(s).await?;
    let tag_ids = list_tags(s).await?;

    let categories: HashMap<String, String> = futures_util::stream::iter(category_ids)
        .map(|id| async move { get_category(s, &id).await })
        .buffer_unordered(CONCURRENT_GETS)
        .try_filter_map(|c| async move { Ok(c.map(|c| (c.id, c.name))) })
        .try_collect()
        .await?;
    let tags: Vec<TagModel> = futures_util::stream::iter(tag_ids)
        .map(|id| async move { get_tag(s, &id).await })
        .buffer_unordered(CONCURRENT_GETS)
        .try_filter_map(|t| async move { Ok(t) })
        .try_collect()
        .await?;

    // Tag id → `category:tag`, for tags whose category is known.
    let mut names: HashMap<String, String> = HashMap::new();
    for tag in tags {
        match categories.get(&tag.category_id) {
            Some(cat) => {
                names.insert(tag.id, format!("{cat}:{}", tag.name));
            }
            None => log::debug!(
                "tag {} is in category {}, which could not be read; skipped",
                tag.name,
                tag.category_id
            ),
        }
    }
    let mut ids: Vec<String> = names.keys().cloned().collect();
    ids.sort();

    let mut index = TagIndex::new();
    index.set_counts(categories.len(), names.len());
    for assoc in list_attached_objects_on_tags(s, &ids).await? {
        let Some(name) = names.get(&assoc.tag_id) else {
            continue;
        };
        for obj in assoc.object_ids {
            index.insert(&obj.kind, &obj.id, name);
        }
    }
    Ok(index)
}
