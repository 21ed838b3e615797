//! The vAPI REST tags client against a mock vCenter (wiremock, plain http): the `/api` flow of
//! 7.0, the fallback to `/rest` of 6.5 with answers captured from vcsim 0.24
//! (`tests/fixtures/rest/vcsim-*.json`), tolerance of `null` lists, refused logins, failures after
//! login (the session is still deleted), and the number of requests not growing with the number
//! of VMs.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;
use vcaudit::rest::{RestError, TagIndex, collect_tags, collect_tags_until};
use wiremock::matchers::{basic_auth, header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const USER: &str = "administrator@vsphere.local";
const PASSWORD: &str = "Pa55-w0rd!secret";
const SID: &str = "b00c5e55-10n0-1d00-5ec7-0123456789ab";

const API_SESSION: &str = "/api/session";
const REST_SESSION: &str = "/rest/com/vmware/cis/session";
const API_ASSOC: &str = "/api/cis/tagging/tag-association";
const REST_ASSOC: &str = "/rest/com/vmware/cis/tagging/tag-association";

fn sdk_url(server: &MockServer) -> Url {
    Url::parse(&format!("{}/sdk", server.uri())).unwrap()
}

fn http() -> reqwest::Client {
    vcaudit::tls::http_client(&vcaudit::tls::TlsMode::Insecure).unwrap()
}

async fn collect(server: &MockServer) -> Result<TagIndex, RestError> {
    collect_with_timeout(server, Duration::from_secs(10)).await
}

async fn collect_with_timeout(
    server: &MockServer,
    timeout: Duration,
) -> Result<TagIndex, RestError> {
    collect_tags(
        http(),
        &sdk_url(server),
        USER,
        &PASSWORD.to_string().into(),
        timeout,
    )
    .await
}

fn fixture(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rest")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

/// vcsim answers JSON as `text/plain`.
fn text_plain(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "text/plain; charset=utf-8")
}

/// Which interface a mock vCenter has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flavor {
    /// 7.0: `/api` and `/rest`.
    Api,
    /// 6.5: `/rest` only.
    Rest,
}

impl Flavor {
    fn wrap(self, v: Value) -> Value {
        match self {
            Flavor::Api => v,
            Flavor::Rest => json!({ "value": v }),
        }
    }
    fn respond(self, v: Value) -> ResponseTemplate {
        match self {
            Flavor::Api => ResponseTemplate::new(200).set_body_json(v),
            Flavor::Rest => text_plain(&self.wrap(v)),
        }
    }
    fn session(self) -> &'static str {
        match self {
            Flavor::Api => API_SESSION,
            Flavor::Rest => REST_SESSION,
        }
    }
    fn category(self) -> &'static str {
        match self {
            Flavor::Api => "/api/cis/tagging/category",
            Flavor::Rest => "/rest/com/vmware/cis/tagging/category",
        }
    }
    fn tag(self) -> &'static str {
        match self {
            Flavor::Api => "/api/cis/tagging/tag",
            Flavor::Rest => "/rest/com/vmware/cis/tagging/tag",
        }
    }
    fn assoc(self) -> &'static str {
        match self {
            Flavor::Api => API_ASSOC,
            Flavor::Rest => REST_ASSOC,
        }
    }
    fn action(self) -> &'static str {
        match self {
            Flavor::Api => "action",
            Flavor::Rest => "~action",
        }
    }
    /// How an id appears as the last path segment.
    fn id_prefix(self) -> &'static str {
        match self {
            Flavor::Api => "",
            Flavor::Rest => "id:",
        }
    }
}

/// Answers `GET .../{id}` (or `.../id:{id}`) from a map of id → object.
struct ById {
    flavor: Flavor,
    objects: HashMap<String, Value>,
}

impl Respond for ById {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let last = req.url.path_segments().unwrap().next_back().unwrap();
        let last = percent_decode(last);
        let Some(id) = last.strip_prefix(self.flavor.id_prefix()) else {
            return ResponseTemplate::new(404);
        };
        match self.objects.get(id) {
            Some(o) => self.flavor.respond(o.clone()),
            None => ResponseTemplate::new(404),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Answers `list-attached-objects-on-tags` for the ids in the request, refusing more than 500.
struct Attached {
    flavor: Flavor,
    objects: HashMap<String, Vec<(String, String)>>,
}

impl Respond for Attached {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body: Value = req.body_json().unwrap();
        let ids: Vec<String> = serde_json::from_value(body["tag_ids"].clone()).unwrap();
        if ids.len() > 500 {
            return ResponseTemplate::new(400);
        }
        let out: Vec<Value> = ids
            .iter()
            .map(|id| {
                let objs: Vec<Value> = self
                    .objects
                    .get(id)
                    .map(|v| v.iter().map(|(t, i)| json!({"type": t, "id": i})).collect())
                    .unwrap_or_default();
                json!({"tag_id": id, "object_ids": objs})
            })
            .collect();
        self.flavor.respond(Value::Array(out))
    }
}

/// A mock estate: categories (id, name), tags (id, name, category id), and attachments
/// (tag id → (type, moref)).
#[derive(Default)]
struct Estate {
    categories: Vec<(String, String)>,
    tags: Vec<(String, String, String)>,
    attached: HashMap<String, Vec<(String, String)>>,
}

fn cat_id(n: &str) -> String {
    format!("urn:vmomi:InventoryServiceCategory:{n}:GLOBAL")
}

fn tag_id(n: &str) -> String {
    format!("urn:vmomi:InventoryServiceTag:{n}:GLOBAL")
}

impl Estate {
    fn category(&mut self, id: &str, name: &str) -> &mut Self {
        self.categories.push((cat_id(id), name.into()));
        self
    }
    fn tag(&mut self, id: &str, name: &str, cat: &str) -> &mut Self {
        self.tags.push((tag_id(id), name.into(), cat_id(cat)));
        self
    }
    fn attach(&mut self, tag: &str, kind: &str, moref: &str) -> &mut Self {
        self.attached
            .entry(tag_id(tag))
            .or_default()
            .push((kind.into(), moref.into()));
        self
    }

    /// The usual one: two categories, three tags, three VMs and a host.
    fn usual() -> Estate {
        let mut e = Estate::default();
        e.category("c1", "dr-tier")
            .category("c2", "owner")
            .tag("t1", "gold", "c1")
            .tag("t2", "silver", "c1")
            .tag("t3", "team-a", "c2")
            .attach("t3", "VirtualMachine", "vm-1")
            .attach("t1", "VirtualMachine", "vm-1")
            .attach("t2", "VirtualMachine", "vm-2")
            .attach("t3", "VirtualMachine", "vm-3")
            .attach("t1", "HostSystem", "host-9")
            .attach("t1", "Datastore", "datastore-4");
        e
    }

    /// Mounts the tagging service (session header required) as `flavor` serves it.
    async fn mount(&self, server: &MockServer, flavor: Flavor) {
        let cat_ids: Vec<&String> = self.categories.iter().map(|c| &c.0).collect();
        let tag_ids: Vec<&String> = self.tags.iter().map(|t| &t.0).collect();
        Mock::given(method("GET"))
            .and(path(flavor.category()))
            .and(header("vmware-api-session-id", SID))
            .respond_with(flavor.respond(json!(cat_ids)))
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(flavor.tag()))
            .and(header("vmware-api-session-id", SID))
            .respond_with(flavor.respond(json!(tag_ids)))
            .mount(server)
            .await;
        let categories = self
            .categories
            .iter()
            .map(|(id, name)| {
                (
                    id.clone(),
                    json!({"id": id, "name": name, "description": "", "cardinality": "SINGLE",
                           "associable_types": [], "used_by": []}),
                )
            })
            .collect();
        Mock::given(method("GET"))
            .and(path_regex(format!("^{}/[^/]+$", flavor.category())))
            .and(header("vmware-api-session-id", SID))
            .respond_with(ById {
                flavor,
                objects: categories,
            })
            .mount(server)
            .await;
        let tags = self
            .tags
            .iter()
            .map(|(id, name, cat)| {
                (
                    id.clone(),
                    json!({"id": id, "name": name, "category_id": cat, "description": "",
                           "used_by": []}),
                )
            })
            .collect();
        Mock::given(method("GET"))
            .and(path_regex(format!("^{}/[^/]+$", flavor.tag())))
            .and(header("vmware-api-session-id", SID))
            .respond_with(ById {
                flavor,
                objects: tags,
            })
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path(flavor.assoc()))
            .and(query_param(
                flavor.action(),
                "list-attached-objects-on-tags",
            ))
            .and(header("vmware-api-session-id", SID))
            .respond_with(Attached {
                flavor,
                objects: self.attached.clone(),
            })
            .mount(server)
            .await;
    }
}

/// Login answering like `flavor` (201 + JSON string, or `{"value": id}` as text/plain); for
/// `Rest`, `/api/session` answers 404 as 6.5 and vcsim do.
async fn mount_login(server: &MockServer, flavor: Flavor) {
    match flavor {
        Flavor::Api => {
            Mock::given(method("POST"))
                .and(path(API_SESSION))
                .and(basic_auth(USER, PASSWORD))
                .respond_with(ResponseTemplate::new(201).set_body_json(json!(SID)))
                .expect(1)
                .mount(server)
                .await;
        }
        Flavor::Rest => {
            Mock::given(method("POST"))
                .and(path(API_SESSION))
                .respond_with(
                    ResponseTemplate::new(404).set_body_raw("404 page not found\n", "text/plain"),
                )
                .expect(1)
                .mount(server)
                .await;
            Mock::given(method("POST"))
                .and(path(REST_SESSION))
                .and(basic_auth(USER, PASSWORD))
                .respond_with(text_plain(&json!({ "value": SID })))
                .expect(1)
                .mount(server)
                .await;
        }
    }
}

/// `DELETE` on the session path, exactly `times` times.
async fn mount_logout(server: &MockServer, flavor: Flavor, times: u64) {
    let ok = match flavor {
        Flavor::Api => ResponseTemplate::new(204),
        Flavor::Rest => ResponseTemplate::new(200),
    };
    Mock::given(method("DELETE"))
        .and(path(flavor.session()))
        .and(header("vmware-api-session-id", SID))
        .respond_with(ok)
        .expect(times)
        .named(format!("logout {}", flavor.session()))
        .mount(server)
        .await;
}

/// Every request after the login carries the session header, and only the login carries the
/// password.
async fn assert_session_header_everywhere(server: &MockServer) {
    let reqs = server.received_requests().await.unwrap();
    for r in &reqs {
        let p = r.url.path();
        let login = r.method.as_str() == "POST" && (p == API_SESSION || p == REST_SESSION);
        if login {
            assert!(
                r.headers.get("authorization").is_some(),
                "login without Basic auth"
            );
            assert!(r.headers.get("vmware-api-session-id").is_none());
        } else {
            assert_eq!(
                r.headers
                    .get("vmware-api-session-id")
                    .map(|v| v.to_str().unwrap()),
                Some(SID),
                "{} {p} without the session header",
                r.method
            );
            assert!(
                r.headers.get("authorization").is_none(),
                "{} {p} resends the password",
                r.method
            );
        }
    }
}

fn assert_secret_free(e: &RestError) {
    let shown = format!("{e} / {e:?}");
    assert!(!shown.contains(PASSWORD), "password in {shown}");
    assert!(!shown.contains(SID), "session id in {shown}");
}

#[tokio::test]
async fn api_flow_of_vsphere_7() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    mount_logout(&server, Flavor::Rest, 0).await;
    Estate::usual().mount(&server, Flavor::Api).await;

    let index = collect(&server).await.unwrap();
    assert_eq!(index.vm("vm-1"), ["dr-tier:gold", "owner:team-a"]);
    assert_eq!(index.vm("vm-2"), ["dr-tier:silver"]);
    assert_eq!(index.vm("vm-3"), ["owner:team-a"]);
    assert_eq!(index.host("host-9"), ["dr-tier:gold"]);
    assert_eq!(index.tags_of("Datastore", "datastore-4"), ["dr-tier:gold"]);
    assert!(index.vm("host-9").is_empty(), "types are kept apart");
    assert!(index.vm("vm-404").is_empty());
    assert_eq!((index.category_count(), index.tag_count()), (2, 3));

    assert_session_header_everywhere(&server).await;
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs.iter().all(|r| !r.url.path().starts_with("/rest")));
    // The association call names every tag in one request.
    let assoc: Vec<&Request> = reqs.iter().filter(|r| r.url.path() == API_ASSOC).collect();
    assert_eq!(assoc.len(), 1);
    let mut sent: Vec<String> =
        serde_json::from_value(assoc[0].body_json::<Value>().unwrap()["tag_ids"].clone()).unwrap();
    sent.sort();
    assert_eq!(sent, [tag_id("t1"), tag_id("t2"), tag_id("t3")]);
    assert_eq!(
        reqs.last().unwrap().method.as_str(),
        "DELETE",
        "logout comes last"
    );
}

#[tokio::test]
async fn falls_back_to_rest_of_6_5_with_vcsim_answers() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Rest).await;
    mount_logout(&server, Flavor::Rest, 1).await;
    mount_logout(&server, Flavor::Api, 0).await;

    // The answers vcsim 0.24 gave after plantTags (tests/vcsim/tags.go), served as it serves
    // them: text/plain.
    let h = || header("vmware-api-session-id", SID);
    for (p, f) in [
        (
            "/rest/com/vmware/cis/tagging/category",
            "vcsim-category-list.json",
        ),
        ("/rest/com/vmware/cis/tagging/tag", "vcsim-tag-list.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .and(h())
            .respond_with(text_plain(&fixture(f)))
            .expect(1)
            .mount(&server)
            .await;
    }
    for (kind, names) in [
        ("category", &["dr-tier", "owner"][..]),
        ("tag", &["gold", "silver", "team-a"][..]),
    ] {
        for name in names {
            let body = fixture(&format!("vcsim-{kind}-{name}.json"));
            let id = body["value"]["id"].as_str().unwrap();
            Mock::given(method("GET"))
                .and(path(format!("/rest/com/vmware/cis/tagging/{kind}/id:{id}")))
                .and(h())
                .respond_with(text_plain(&body))
                .expect(1)
                .mount(&server)
                .await;
        }
    }
    Mock::given(method("POST"))
        .and(path(REST_ASSOC))
        .and(query_param("~action", "list-attached-objects-on-tags"))
        .and(h())
        .respond_with(text_plain(&fixture("vcsim-attached-objects-on-tags.json")))
        .expect(1)
        .mount(&server)
        .await;

    let index = collect(&server).await.unwrap();
    // What plantTags attached in that run.
    assert_eq!(index.vm("vm-57"), ["dr-tier:gold", "owner:team-a"]);
    assert_eq!(index.vm("vm-60"), ["dr-tier:silver"]);
    assert_eq!(index.vm("vm-63"), ["owner:team-a"]);
    assert_eq!(index.vm("vm-66"), ["dr-tier:gold", "owner:team-a"]);
    assert_eq!(index.host("host-21"), ["dr-tier:gold"]);
    assert_eq!(index.len(), 5);
    assert_session_header_everywhere(&server).await;

    // The association body names all three tags.
    let reqs = server.received_requests().await.unwrap();
    let assoc = reqs.iter().find(|r| r.url.path() == REST_ASSOC).unwrap();
    let mut sent: Vec<String> =
        serde_json::from_value(assoc.body_json::<Value>().unwrap()["tag_ids"].clone()).unwrap();
    sent.sort();
    let mut all: Vec<String> =
        serde_json::from_value(fixture("vcsim-tag-list.json")["value"].clone()).unwrap();
    all.sort();
    assert_eq!(sent, all);
}

#[tokio::test]
async fn null_lists_are_empty_lists() {
    // 6.5 / vcsim: `{"value":null}` for no categories and no tags; no association call then.
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Rest).await;
    mount_logout(&server, Flavor::Rest, 1).await;
    for p in [
        "/rest/com/vmware/cis/tagging/category",
        "/rest/com/vmware/cis/tagging/tag",
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(text_plain(&json!({ "value": null })))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(REST_ASSOC))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let index = collect(&server).await.unwrap();
    assert!(index.is_empty());

    // 7.0: `null` lists and `null` object_ids, unknown fields, and a missing `value`.
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/cis/tagging/category"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([cat_id("c1")])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/cis/tagging/category/{}", cat_id("c1"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": cat_id("c1"), "name": "dr-tier", "associable_types": null, "new_field": 7}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/cis/tagging/tag"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([tag_id("t1"), tag_id("t2")])))
        .mount(&server)
        .await;
    for t in ["t1", "t2"] {
        Mock::given(method("GET"))
            .and(path(format!("/api/cis/tagging/tag/{}", tag_id(t))))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"id": tag_id(t), "name": t, "category_id": cat_id("c1"), "used_by": null}),
            ))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(API_ASSOC))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"tag_id": tag_id("t1"), "object_ids": null},
            {"tag_id": tag_id("t2")}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let index = collect(&server).await.unwrap();
    assert!(index.is_empty());
    assert_eq!(index.tag_count(), 2);
}

#[tokio::test]
async fn login_refused_is_a_short_reason_without_the_password() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(API_SESSION))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REST_SESSION))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .named("no fallback after a refusal")
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let e = collect(&server).await.unwrap_err();
    assert!(matches!(e, RestError::LoginRefused(401)), "{e:?}");
    assert_eq!(e.to_string(), "login refused (HTTP 401)");
    assert_secret_free(&e);

    // The same on 6.5, after the 404 on /api/session.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(API_SESSION))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REST_SESSION))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let e = collect(&server).await.unwrap_err();
    assert_eq!(e.to_string(), "login refused (HTTP 401)");
    assert_secret_free(&e);
}

#[tokio::test]
async fn no_rest_interface_at_all() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404))
        .expect(2)
        .mount(&server)
        .await;
    let e = collect(&server).await.unwrap_err();
    assert_eq!(e.to_string(), "HTTP 404 on /rest/com/vmware/cis/session");
    assert_eq!(e.status(), Some(404));
}

#[tokio::test]
async fn association_failure_still_deletes_the_session() {
    for flavor in [Flavor::Api, Flavor::Rest] {
        let server = MockServer::start().await;
        mount_login(&server, flavor).await;
        mount_logout(&server, flavor, 1).await;
        // Mounted first: wiremock answers with the first matching mock.
        Mock::given(method("POST"))
            .and(path(flavor.assoc()))
            .respond_with(ResponseTemplate::new(500).set_body_string(format!("boom {SID}")))
            .expect(1)
            .mount(&server)
            .await;
        Estate::usual().mount(&server, flavor).await;
        let e = collect(&server).await.unwrap_err();
        assert_eq!(e.to_string(), format!("HTTP 500 on {}", flavor.assoc()));
        assert_secret_free(&e);
        assert_session_header_everywhere(&server).await;
        server.verify().await;
    }
}

#[tokio::test]
async fn requests_do_not_grow_with_vms() {
    let mut estate = Estate::default();
    estate
        .category("c1", "dr-tier")
        .category("c2", "owner")
        .tag("t1", "gold", "c1")
        .tag("t2", "silver", "c1")
        .tag("t3", "team-a", "c2");
    let mut want: HashMap<String, Vec<&str>> = HashMap::new();
    for i in 0..200 {
        let vm = format!("vm-{}", 1000 + i);
        let tier = if i % 2 == 0 { "t1" } else { "t2" };
        estate.attach(tier, "VirtualMachine", &vm);
        let mut tags = vec![if i % 2 == 0 {
            "dr-tier:gold"
        } else {
            "dr-tier:silver"
        }];
        if i % 3 == 0 {
            // Attached "out of order" on purpose: the result is sorted anyway.
            estate.attach("t3", "VirtualMachine", &vm);
            tags.push("owner:team-a");
        }
        want.insert(vm, tags);
    }
    for flavor in [Flavor::Api, Flavor::Rest] {
        let server = MockServer::start().await;
        mount_login(&server, flavor).await;
        mount_logout(&server, flavor, 1).await;
        estate.mount(&server, flavor).await;
        let index = collect(&server).await.unwrap();
        for (vm, tags) in &want {
            assert_eq!(index.vm(vm), tags.as_slice(), "{vm}");
        }
        assert_eq!(index.len(), 200);
        let n = server.received_requests().await.unwrap().len();
        // login (+ the 404 on /api for 6.5), 2 lists, 2 categories, 3 tags, 1 association call,
        // logout.
        let expected = 1 + 2 + 2 + 3 + 1 + 1 + usize::from(flavor == Flavor::Rest);
        assert_eq!(n, expected, "{flavor:?}: {n} requests for 200 VMs");
        assert_session_header_everywhere(&server).await;
    }
}

#[tokio::test]
async fn associations_are_read_500_tags_at_a_time() {
    let mut estate = Estate::default();
    estate.category("c1", "app");
    for i in 0..1201 {
        let t = format!("t{i}");
        estate.tag(&t, &format!("app-{i:04}"), "c1").attach(
            &t,
            "VirtualMachine",
            &format!("vm-{i}"),
        );
    }
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    estate.mount(&server, Flavor::Api).await;
    let index = collect(&server).await.unwrap();
    assert_eq!(index.len(), 1201);
    assert_eq!(index.vm("vm-1200"), ["app:app-1200"]);
    let reqs = server.received_requests().await.unwrap();
    let batches: Vec<usize> = reqs
        .iter()
        .filter(|r| r.url.path() == API_ASSOC)
        .map(|r| {
            r.body_json::<Value>().unwrap()["tag_ids"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(batches, [500, 500, 201]);
}

#[tokio::test]
async fn a_tag_deleted_meanwhile_is_skipped() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    let mut estate = Estate::usual();
    estate.tags.retain(|t| t.0 != tag_id("t2")); // gone between the list and its GET
    estate.mount(&server, Flavor::Api).await;
    // ...but still in the list.
    Mock::given(method("GET"))
        .and(path("/api/cis/tagging/tag"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            tag_id("t1"),
            tag_id("t2"),
            tag_id("t3")
        ])))
        .with_priority(1)
        .mount(&server)
        .await;
    let index = collect(&server).await.unwrap();
    assert_eq!(index.vm("vm-1"), ["dr-tier:gold", "owner:team-a"]);
    assert!(index.vm("vm-2").is_empty());
    assert_eq!(index.tag_count(), 2);
}

#[tokio::test]
async fn timeout_is_the_reason_and_the_session_is_deleted() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/cis/tagging/category"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let e = collect_with_timeout(&server, Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(e, RestError::Timeout(1)), "{e:?}");
    assert!(e.to_string().starts_with("timeout"), "{e}");
}

#[tokio::test]
async fn cannot_reach_names_the_server() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = Url::parse(&format!("http://127.0.0.1:{port}/sdk")).unwrap();
    let e = collect_tags(
        http(),
        &url,
        USER,
        &PASSWORD.to_string().into(),
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("cannot reach 127.0.0.1:{port}")),
        "{shown}"
    );
    assert_secret_free(&e);
}

#[tokio::test]
async fn interrupted_work_still_deletes_the_session() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/cis/tagging/category"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        c2.cancel();
    });
    let e = collect_tags_until(
        http(),
        &sdk_url(&server),
        USER,
        &PASSWORD.to_string().into(),
        Duration::from_secs(10),
        1,
        &cancel,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, RestError::Interrupted), "{e:?}");
}

#[tokio::test]
async fn dropped_collection_still_deletes_the_session() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/cis/tagging/category"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    // The caller gives up on the whole future (e.g. its own select! on Ctrl-C).
    let r = tokio::time::timeout(Duration::from_millis(300), collect(&server)).await;
    assert!(r.is_err());
    // The logout runs in the background.
    for _ in 0..50 {
        let reqs = server.received_requests().await.unwrap();
        if reqs.iter().any(|r| r.method.as_str() == "DELETE") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no DELETE on {API_SESSION} after the collection was dropped");
}

/// Against a live vcsim with tags planted by `tests/vcsim/tags.go`:
/// `VCAUDIT_REST_VCSIM=https://user:pass@127.0.0.1:PORT/sdk cargo test --test rest_tags -- --ignored`.
#[tokio::test]
#[ignore = "needs a running vcsim; set VCAUDIT_REST_VCSIM"]
async fn live_vcsim() {
    let Ok(raw) = std::env::var("VCAUDIT_REST_VCSIM") else {
        return;
    };
    let url = Url::parse(&raw).unwrap();
    let user = url.username().to_string();
    let pass = url.password().unwrap_or_default().to_string();
    let index = collect_tags(http(), &url, &user, &pass.into(), Duration::from_secs(10))
        .await
        .unwrap();
    for (kind, moref, tags) in index.iter() {
        println!("{kind} {moref} {tags:?}");
    }
    assert!(!index.is_empty());
}

async fn collect_tries(server: &MockServer, tries: u32) -> Result<TagIndex, RestError> {
    collect_tags_until(
        http(),
        &sdk_url(server),
        USER,
        &PASSWORD.to_string().into(),
        Duration::from_secs(10),
        tries,
        &CancellationToken::new(),
    )
    .await
}

fn requests_to(reqs: &[Request], m: &str, p: &str) -> usize {
    reqs.iter()
        .filter(|r| r.method.as_str() == m && r.url.path() == p)
        .count()
}

#[tokio::test]
async fn a_503_once_is_retried_and_the_tags_are_complete() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    // Mounted first, answering once: the next try reaches the estate.
    Mock::given(method("GET"))
        .and(path(Flavor::Api.category()))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Estate::usual().mount(&server, Flavor::Api).await;

    let index = collect_tries(&server, 4).await.unwrap();
    assert_eq!(index.vm("vm-1"), ["dr-tier:gold", "owner:team-a"]);
    assert_eq!((index.category_count(), index.tag_count()), (2, 3));
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(requests_to(&reqs, "GET", Flavor::Api.category()), 2);
    assert_session_header_everywhere(&server).await;
    server.verify().await;
}

#[tokio::test]
async fn a_503_always_is_tags_unavailable_after_the_tries() {
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    Mock::given(method("GET"))
        .and(path(Flavor::Api.category()))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    Estate::usual().mount(&server, Flavor::Api).await;

    let e = collect_tries(&server, 3).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("HTTP 503 on {}", Flavor::Api.category())
    );
    assert_secret_free(&e);
    server.verify().await;

    // Not transient: one try whatever the tries.
    let server = MockServer::start().await;
    mount_login(&server, Flavor::Api).await;
    mount_logout(&server, Flavor::Api, 1).await;
    Mock::given(method("GET"))
        .and(path(Flavor::Api.category()))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let e = collect_tries(&server, 3).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("HTTP 500 on {}", Flavor::Api.category())
    );
    server.verify().await;
}

/// vcsim and 6.x `/rest` answer an expired session with 401 and the vAPI error.
fn rest_unauthenticated() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({
        "type": "com.vmware.vapi.std.errors.unauthenticated",
        "value": {"messages": [], "challenge": "Basic realm=\"VAPI endpoint\""}
    }))
}

#[tokio::test]
async fn a_session_expiry_logs_in_once_more_and_resumes() {
    const OLD: &str = "0ld-5e55-10n0-0000-expired";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(API_SESSION))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    // The first login's session expires before the first tagging call.
    Mock::given(method("POST"))
        .and(path(REST_SESSION))
        .and(basic_auth(USER, PASSWORD))
        .respond_with(text_plain(&json!({ "value": OLD })))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REST_SESSION))
        .and(basic_auth(USER, PASSWORD))
        .respond_with(text_plain(&json!({ "value": SID })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(REST_SESSION))
        .and(header("vmware-api-session-id", OLD))
        .respond_with(rest_unauthenticated())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("vmware-api-session-id", OLD))
        .respond_with(rest_unauthenticated())
        .expect(1)
        .mount(&server)
        .await;
    mount_logout(&server, Flavor::Rest, 1).await;
    Estate::usual().mount(&server, Flavor::Rest).await;

    let index = collect_tries(&server, 4).await.unwrap();
    assert_eq!(index.vm("vm-1"), ["dr-tier:gold", "owner:team-a"]);
    assert_eq!(index.host("host-9"), ["dr-tier:gold"]);
    assert_eq!((index.category_count(), index.tag_count()), (2, 3));
    server.verify().await;
}

#[tokio::test]
async fn a_second_session_expiry_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(API_SESSION))
        .and(basic_auth(USER, PASSWORD))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!(SID)))
        .expect(2)
        .mount(&server)
        .await;
    // 7.0's `/api` form of the error.
    Mock::given(method("GET"))
        .and(path(Flavor::Api.category()))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error_type": "UNAUTHENTICATED", "messages": []})),
        )
        .expect(2)
        .mount(&server)
        .await;
    // The expired session and the new one are both deleted.
    mount_logout(&server, Flavor::Api, 2).await;

    let e = collect_tries(&server, 4).await.unwrap_err();
    assert!(matches!(e, RestError::Expired { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("the REST session expired (on {})", Flavor::Api.category())
    );
    assert_secret_free(&e);
    assert_session_header_everywhere(&server).await;
    server.verify().await;
}
