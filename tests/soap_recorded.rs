//! The SOAP client and the collector against recorded / synthesized vCenter responses, for what
//! vcsim 0.24 cannot show: paging with `ContinueRetrievePropertiesEx`, `missingSet` faults,
//! vCenter's `xsi:` spelling beside vcsim's `XMLSchema-instance:`, empty results without a
//! `returnval`, SOAP faults on HTTP 500, the session cookie and `SOAPAction`, logout on every
//! exit path, secrets, and streaming of a large response.
//!
//! A fake vCenter is served by wiremock over plain http; every response body is a fixture under
//! `tests/fixtures/soap/`, written as vCenter 7.0 writes it (`soapenv:` envelope, `xsi:` prefix,
//! no `returnval` on empty results), except the `*_vcsim.xml` ones, which are spelled as vcsim
//! spells them.

use secrecy::SecretString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use url::Url;
use vcaudit::collect::known::Known;
use vcaudit::collect::{VCenterError, collect_vcenter, props};
use vcaudit::model::{DiskBacking, PowerState, PropertyFault, ToolsStatus, VCenterInventory};
use vcaudit::soap::property::{retrieve_all, view_spec_set};
use vcaudit::soap::{Client, MoRef, ObjectContent, SoapError};
use vcaudit::target::Target;
use vcaudit::tls::{TlsMode, http_client};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

const USER: &str = "auditor";
/// Markup characters on purpose: the request must escape them, and no error may show them.
const PASSWORD: &str = "Zq7&<pW-c0rrect-h0rse";
/// The session cookie as vCenter sets it (quoted value) and as it must come back.
const COOKIE: &str = r#"vmware_soap_session="52abc9e1f7d3b5a2c4e6f8091a2b3c4d5e6f7a8b""#;
const SET_COOKIE: &str =
    r#"vmware_soap_session="52abc9e1f7d3b5a2c4e6f8091a2b3c4d5e6f7a8b"; Path=/; HttpOnly; Secure"#;
/// `SOAPAction` once the service content (apiVersion 7.0.3.0) has been read.
const SOAP_ACTION: &str = r#""urn:vim25/7.0.3.0""#;
/// The container view every `CreateContainerView` of the fixtures answers.
const VIEW: &str =
    "session[52e4c2a1-7d1b-3a6f-0c9e-8f2b1d4a6e73]52f1a0c4-9b3e-8d27-6a15-c0e9d8b7a654";

// ---------------------------------------------------------------------------------------------
// Helpers

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/soap")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
}

/// A SOAP response with a fixture body, as vCenter sends it.
fn soap(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "text/xml; charset=utf-8")
}

/// A POST to `/sdk` whose body contains `needle`.
fn sdk(needle: &str) -> MockBuilder {
    Mock::given(method("POST"))
        .and(path("/sdk"))
        .and(body_string_contains(needle))
}

/// A `RetrievePropertiesEx` for `kind` asking for exactly the collector's paths of that type.
fn retrieve(kind: &str) -> MockBuilder {
    let paths = props::queries()
        .into_iter()
        .find(|(k, _)| *k == kind)
        .unwrap_or_else(|| panic!("no paths for {kind}"))
        .1;
    let mut m = sdk("<RetrievePropertiesEx ").and(body_string_contains(format!(
        "<propSet><type>{kind}</type>"
    )));
    for p in paths {
        m = m.and(body_string_contains(format!("<pathSet>{p}</pathSet>")));
    }
    m.and(body_string_contains(format!(
        r#"<obj type="ContainerView">{VIEW}</obj>"#
    )))
}

/// The fixture answering `RetrievePropertiesEx` for each collected type.
fn inventory_fixture(kind: &str) -> &'static str {
    match kind {
        "Folder" => "rpex_folder.xml",
        "Datacenter" => "rpex_datacenter.xml",
        "ComputeResource" => "rpex_compute_resource.xml",
        "ClusterComputeResource" => "rpex_cluster.xml",
        "HostSystem" => "rpex_host.xml",
        "StoragePod" => "rpex_storage_pod.xml",
        "Datastore" => "rpex_datastore.xml",
        "VirtualMachine" => "rpex_vm.xml",
        other => panic!("no fixture for {other}"),
    }
}

/// `RetrieveServiceContent`, `Login` (setting the session cookie) and `Logout`, each expected
/// exactly once.
async fn mount_session(server: &MockServer) {
    mount_session_logins(server, 1).await;
}

/// [`mount_session`] with `logins` logins (a session that expires is logged into anew).
async fn mount_session_logins(server: &MockServer, logins: u64) {
    sdk("<RetrieveServiceContent ")
        .respond_with(soap(200, "service_content.xml"))
        .expect(1)
        .named("RetrieveServiceContent")
        .mount(server)
        .await;
    sdk("<Login ")
        .respond_with(soap(200, "login.xml").insert_header("set-cookie", SET_COOKIE))
        .expect(logins)
        .named("Login")
        .mount(server)
        .await;
    mount_logout(server, 1).await;
}

async fn mount_logout(server: &MockServer, times: u64) {
    sdk("<Logout ")
        .and(body_string_contains(
            r#"<_this type="SessionManager">SessionManager</_this>"#,
        ))
        .respond_with(soap(200, "logout.xml"))
        .expect(times)
        .named("Logout")
        .mount(server)
        .await;
}

/// `CreateContainerView` on the root folder and `DestroyView`, each expected `times` times.
async fn mount_views(server: &MockServer, times: u64) {
    sdk("<CreateContainerView ")
        .and(body_string_contains(
            r#"<container type="Folder">group-d1</container>"#,
        ))
        .and(body_string_contains("<recursive>true</recursive>"))
        .respond_with(soap(200, "create_container_view.xml"))
        .expect(times)
        .named("CreateContainerView")
        .mount(server)
        .await;
    sdk("<DestroyView ")
        .and(body_string_contains(format!(
            r#"<_this type="ContainerView">{VIEW}</_this>"#
        )))
        .respond_with(soap(200, "destroy_view.xml"))
        .expect(times)
        .named("DestroyView")
        .mount(server)
        .await;
}

/// A fake vCenter answering every call a full collection makes, each type from its fixture.
async fn mount_full_vcenter(server: &MockServer) {
    mount_session(server).await;
    mount_views(server, props::TABLES.len() as u64).await;
    for kind in props::TABLES.map(|t| t.kind()) {
        retrieve(kind)
            .respond_with(soap(200, inventory_fixture(kind)))
            .expect(1)
            .named(format!("RetrievePropertiesEx {kind}"))
            .mount(server)
            .await;
    }
}

fn sdk_url(server: &MockServer) -> Url {
    Url::parse(&format!("{}/sdk", server.uri())).expect("mock server URL")
}

/// `127.0.0.1:PORT`, as the CLI labels a server given as host:port.
fn label(server: &MockServer) -> String {
    let url = sdk_url(server);
    format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().expect("port")
    )
}

fn target(server: &MockServer) -> Target {
    Target {
        label: label(server),
        url: sdk_url(server),
        user: USER.to_string(),
        password: SecretString::from(PASSWORD),
        tls: TlsMode::Insecure,
        timeout: Duration::from_secs(20),
        deadline: None,
        tries: 1,
        events_days: 0,
        scope: None,
        require_tags: false,
    }
}

fn client_for(url: Url, timeout: Duration) -> Client {
    Client::new(
        http_client(&TlsMode::Insecure).expect("http client"),
        url,
        timeout,
    )
}

fn collector() -> MoRef {
    MoRef::new("PropertyCollector", "propertyCollector")
}

fn vm_spec() -> String {
    view_spec_set(
        &MoRef::new("ContainerView", VIEW),
        "VirtualMachine",
        &props::VIRTUAL_MACHINE.paths(),
    )
}

/// Every object of one `RetrievePropertiesEx` answered with `fixture_name`.
async fn retrieve_fixture(fixture_name: &str) -> Result<Vec<ObjectContent>, SoapError> {
    let server = MockServer::start().await;
    sdk("<RetrievePropertiesEx ")
        .respond_with(soap(200, fixture_name))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(sdk_url(&server), Duration::from_secs(20));
    let mut out = Vec::new();
    let n = retrieve_all(&client, &collector(), &vm_spec(), 1000, |oc| {
        out.push(oc.clone())
    })
    .await?;
    assert_eq!(n, out.len() as u64, "count returned vs objects seen");
    Ok(out)
}

fn body(r: &Request) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD),
        "{what} shows the password: {text}"
    );
    assert!(
        !text.contains("Zq7&amp;&lt;pW"),
        "{what} shows the escaped password: {text}"
    );
    assert!(
        !text.contains("52abc9e1f7d3b5a2"),
        "{what} shows the session cookie: {text}"
    );
}

// ---------------------------------------------------------------------------------------------
// 1. Paging

/// A first page with a token, a continuation with another token, and a last page without one:
/// every object arrives once and in order, and each continuation carries the previous token.
#[tokio::test]
async fn paging_follows_tokens_until_none_is_left() {
    let server = MockServer::start().await;
    let this = r#"<_this type="PropertyCollector">propertyCollector</_this>"#;
    sdk("<RetrievePropertiesEx ")
        .and(body_string_contains(this))
        .and(body_string_contains("<maxObjects>3</maxObjects>"))
        .respond_with(soap(200, "rpex_page1.xml"))
        .expect(1)
        .named("first page")
        .mount(&server)
        .await;
    sdk("<ContinueRetrievePropertiesEx ")
        .and(body_string_contains(this))
        .and(body_string_contains("<token>1</token>"))
        .respond_with(soap(200, "continue_page2.xml"))
        .expect(1)
        .named("second page (token 1)")
        .mount(&server)
        .await;
    sdk("<ContinueRetrievePropertiesEx ")
        .and(body_string_contains(this))
        .and(body_string_contains("<token>2</token>"))
        .respond_with(soap(200, "continue_page3.xml"))
        .expect(1)
        .named("last page (token 2)")
        .mount(&server)
        .await;

    let client = client_for(sdk_url(&server), Duration::from_secs(20));
    let mut seen = Vec::new();
    let n = retrieve_all(&client, &collector(), &vm_spec(), 3, |oc| {
        let obj = oc.obj.clone().expect("obj");
        assert_eq!(obj.kind, "VirtualMachine");
        assert_eq!(oc.text("runtime.powerState"), Some("poweredOn"));
        seen.push((obj.value, oc.string("name").expect("name")));
    })
    .await
    .expect("paged retrieval");

    let expected: Vec<(String, String)> = (1..=7)
        .map(|i| (format!("vm-20{i}"), format!("app-0{i}")))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(n, 7);

    // Exactly three calls, in this order: no extra continuation after the token-less page.
    let requests = server.received_requests().await.expect("recording");
    let kinds: Vec<&str> = requests
        .iter()
        .map(|r| {
            let b = body(r);
            if b.contains("<ContinueRetrievePropertiesEx ") {
                if b.contains("<token>1</token>") {
                    "continue 1"
                } else if b.contains("<token>2</token>") {
                    "continue 2"
                } else {
                    "continue ?"
                }
            } else if b.contains("<RetrievePropertiesEx ") {
                "retrieve"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(kinds, ["retrieve", "continue 1", "continue 2"]);
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------
// 1b. Session expiry between pages

/// A fake vCenter whose VirtualMachine retrieval pages (3 + 3 + 1 VMs, tokens 1 and 2) and whose
/// session expires at the first `ContinueRetrievePropertiesEx` (`expiries` times: a
/// `NotAuthenticated` fault on HTTP 500, as vCenter answers a continuation in an expired
/// session). Every other type answers from its fixture.
async fn mount_vcenter_expiring_between_pages(server: &MockServer, expiries: u64) {
    mount_session_logins(server, 2).await;
    for kind in props::TABLES.map(|t| t.kind()) {
        if kind == "VirtualMachine" {
            continue;
        }
        retrieve(kind)
            .respond_with(soap(200, inventory_fixture(kind)))
            .expect(1)
            .named(format!("RetrievePropertiesEx {kind}"))
            .mount(server)
            .await;
    }
    let this = r#"<_this type="PropertyCollector">propertyCollector</_this>"#;
    // Tokens are single use: after the new login the type is retrieved again from its start.
    retrieve("VirtualMachine")
        .respond_with(soap(200, "rpex_page1.xml"))
        .expect(2)
        .named("RetrievePropertiesEx VirtualMachine (first page)")
        .mount(server)
        .await;
    sdk("<ContinueRetrievePropertiesEx ")
        .and(body_string_contains(this))
        .and(body_string_contains("<token>1</token>"))
        .respond_with(soap(500, "fault_not_authenticated.xml"))
        .up_to_n_times(expiries)
        .expect(expiries.min(2))
        .with_priority(1)
        .named("second page: the session expired")
        .mount(server)
        .await;
    if expiries < 2 {
        sdk("<ContinueRetrievePropertiesEx ")
            .and(body_string_contains("<token>1</token>"))
            .respond_with(soap(200, "continue_page2.xml"))
            .expect(1)
            .named("second page (token 1), new session")
            .mount(server)
            .await;
        sdk("<ContinueRetrievePropertiesEx ")
            .and(body_string_contains("<token>2</token>"))
            .respond_with(soap(200, "continue_page3.xml"))
            .expect(1)
            .named("last page (token 2), new session")
            .mount(server)
            .await;
    }
}

/// What a request was, for asserting the order of calls.
fn call(r: &Request) -> &'static str {
    let b = body(r);
    for (needle, name) in [
        ("<Login ", "Login"),
        ("<Logout ", "Logout"),
        ("<CreateContainerView ", "CreateContainerView"),
        ("<DestroyView ", "DestroyView"),
        ("<ContinueRetrievePropertiesEx ", "Continue"),
        (
            "<type>VirtualMachine</type>",
            "RetrievePropertiesEx VirtualMachine",
        ),
    ] {
        if b.contains(needle) {
            return name;
        }
    }
    "other"
}

/// The session expires between two pages of the VM retrieval: vcaudit logs in once more,
/// retrieves the VMs again from the first page in the new session (with a new view), and the
/// inventory holds every VM exactly once, in order, beside every other type.
#[tokio::test]
async fn session_expiry_between_pages_logs_in_again_and_restarts_the_type() {
    let server = MockServer::start().await;
    mount_vcenter_expiring_between_pages(&server, 1).await;
    // One view per type, plus the VM type's second view after the new login.
    mount_views(&server, props::TABLES.len() as u64 + 1).await;
    let inv = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("collection failed: {e}"));

    let vms: Vec<(&str, &str)> = inv
        .vms
        .iter()
        .map(|vm| (vm.moref.as_ref(), vm.name.as_ref()))
        .collect();
    let expected: Vec<(String, String)> = (1..=7)
        .map(|i| (format!("vm-20{i}"), format!("app-0{i}")))
        .collect();
    let expected: Vec<(&str, &str)> = expected
        .iter()
        .map(|(m, n)| (m.as_str(), n.as_str()))
        .collect();
    assert_eq!(vms, expected, "every VM once, none twice after the restart");
    assert!(
        inv.vms
            .iter()
            .all(|vm| vm.power_state == Some(PowerState::PoweredOn))
    );
    // The other types were collected from the first session's answers.
    assert_eq!(find_host(&inv, "host-10"), "esx01.corp.local");

    // The calls around the expiry, in order: the refused continuation, a new login, a new view,
    // the type from its first page, then its remaining pages.
    let calls: Vec<&str> = server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .map(call)
        .filter(|c| *c != "other")
        .collect();
    let at = calls
        .iter()
        .position(|c| *c == "Continue")
        .expect("a continuation");
    assert_eq!(
        &calls[at..],
        [
            "Continue",
            "DestroyView",
            "Login",
            "CreateContainerView",
            "RetrievePropertiesEx VirtualMachine",
            "Continue",
            "Continue",
            "DestroyView",
            "Logout",
        ]
    );
    server.verify().await;
}

/// The session expires between pages again after the new login: the vCenter ends with the
/// session error (one new login, never a loop), after logging out.
#[tokio::test]
async fn session_expiry_between_pages_twice_is_an_error() {
    let server = MockServer::start().await;
    mount_vcenter_expiring_between_pages(&server, u64::MAX).await;
    mount_views(&server, props::TABLES.len() as u64 + 1).await;
    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("a second expiry must fail");
    assert!(matches!(err, VCenterError::Collect { .. }), "{err:?}");
    assert!(err.to_string().contains("NotAuthenticated"), "{err}");
    server.verify().await;
}

fn find_host<'a>(inv: &'a VCenterInventory, moref: &str) -> &'a str {
    inv.hosts
        .iter()
        .find(|h| h.moref == moref)
        .unwrap_or_else(|| panic!("no host {moref}"))
        .name
        .as_ref()
}

// ---------------------------------------------------------------------------------------------
// 2. A full collection with a NoPermission missingSet

fn find_vm<'a>(inv: &'a VCenterInventory, moref: &str) -> &'a vcaudit::model::Vm {
    inv.vms
        .iter()
        .find(|v| *v.moref == *moref)
        .unwrap_or_else(|| panic!("{moref} not collected: {:?}", inv.vms))
}

/// Every call the collector makes, answered as vCenter 7.0 answers; one VM's device list is
/// refused with `NoPermission`. The collection succeeds, that VM's disks are unknown (not
/// empty), the fault is tallied, and everything else decodes and resolves.
#[tokio::test]
async fn collection_reports_no_permission_as_unknown_disks() {
    let server = MockServer::start().await;
    mount_full_vcenter(&server).await;
    let t = target(&server);
    let inv = collect_vcenter(&t, &CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("collection failed: {e}"));

    // The faulted VM: disks unknown, everything else of it still read.
    let db01 = find_vm(&inv, "vm-102");
    assert_eq!(&*db01.name, "db01");
    assert_eq!(db01.disks, None, "refused device list must be unknown");
    assert_eq!(db01.provisioned_bytes(), None);
    assert_eq!(db01.cpus, Some(8));
    assert_eq!(db01.host.as_deref(), Some("esx03.corp.local"));
    assert_eq!(db01.cluster, None, "standalone host has no cluster");
    assert_eq!(db01.folder.as_deref(), Some("/DC-Paris/vm"));
    assert_eq!(db01.tools_status, Some(ToolsStatus::Old));
    assert_eq!(db01.guest_disks.len(), 1);
    assert_eq!(db01.guest_disks[0].path, "C:\\");

    assert_eq!(
        inv.property_faults,
        vec![PropertyFault {
            object_type: "VirtualMachine".into(),
            path: "config.hardware.device".into(),
            fault: "NoPermission".into(),
            objects: 1,
        }]
    );

    // The other VMs have their disks.
    let web01 = find_vm(&inv, "vm-101");
    assert_eq!(&*web01.name, "web01");
    assert_eq!(web01.datacenter.as_deref(), Some("DC-Paris"));
    assert_eq!(web01.cluster.as_deref(), Some("Cluster-A"));
    assert_eq!(web01.host.as_deref(), Some("esx01.corp.local"));
    assert_eq!(web01.host_moref.as_deref(), Some("host-10"));
    assert_eq!(web01.folder.as_deref(), Some("/DC-Paris/vm/Prod"));
    assert_eq!(web01.power_state, Some(PowerState::PoweredOn));
    assert_eq!(web01.memory_mb.get(), Some(8192));
    assert_eq!(
        web01.bios_uuid.as_ref().map(ToString::to_string).as_deref(),
        Some("421a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8")
    );
    assert_eq!(*web01.datastores, ["vsanDatastore", "ds-gold-01"]);
    assert_eq!(*web01.datastore_morefs, ["datastore-11", "datastore-12"]);
    let disks = web01.disks.as_ref().expect("web01 disks");
    assert_eq!(disks.len(), 3, "three VirtualDisks among six devices");
    // capacityInBytes wins when both are sent.
    assert_eq!(disks[0].key, 2000);
    assert_eq!(disks[0].label.as_deref(), Some("Hard disk 1"));
    assert_eq!(disks[0].capacity_bytes(), Some(42_949_672_960));
    assert_eq!(disks[0].backing, Some(DiskBacking::Flat));
    assert_eq!(disks[0].thin(), Some(true));
    assert_eq!(disks[0].datastore.as_deref(), Some("vsanDatastore"));
    assert_eq!(disks[0].controller.as_deref(), Some("SCSI controller 0"));
    assert_eq!(disks[0].unit(), Some(0));
    // Only capacityInKB: bytes = KB x 1024.
    assert_eq!(disks[1].key, 2001);
    assert_eq!(disks[1].capacity_bytes(), Some(1_048_576 * 1024));
    assert_eq!(disks[1].thin(), Some(false));
    assert_eq!(
        disks[1].disk_mode.as_deref(),
        Some("independent_persistent")
    );
    assert_eq!(disks[1].datastore.as_deref(), Some("ds-gold-01"));
    // RDM in physical compatibility mode, on the second controller.
    assert_eq!(disks[2].key, 2016);
    assert_eq!(disks[2].backing, Some(DiskBacking::RdmPhysical));
    assert_eq!(disks[2].capacity_bytes(), Some(107_374_182_400));
    assert_eq!(disks[2].controller.as_deref(), Some("SCSI controller 1"));
    assert_eq!(
        disks[2].file.as_ref().map(ToString::to_string).as_deref(),
        Some("[ds-gold-01] web01/web01_2.vmdk")
    );
    assert_eq!(
        web01.provisioned_bytes(),
        Some(42_949_672_960 + 1_073_741_824 + 107_374_182_400)
    );
    assert_eq!(web01.guest_disks.len(), 2);
    assert_eq!(web01.guest_disks[1].path, "/data");
    assert_eq!(web01.guest_disks[1].capacity_bytes(), Some(1_063_256_064));
    assert_eq!(web01.guest_disks[1].free_bytes(), Some(1_006_632_960));

    // A template in a folder whose name holds an entity.
    let tmpl = find_vm(&inv, "vm-103");
    assert_eq!(tmpl.template, Some(true));
    assert_eq!(tmpl.folder.as_deref(), Some("/DC-Paris/vm/Prod/Web & App"));
    assert_eq!(tmpl.power_state, Some(PowerState::PoweredOff));
    assert_eq!(
        tmpl.disks.as_ref().map(|d| d.len()),
        Some(1),
        "template disks"
    );
    assert!(tmpl.guest_disks.is_empty(), "unset guest.disk is no disks");
    assert_eq!(tmpl.tools_version, None, "unset is unknown");
    assert_eq!(inv.vms.len(), 3);

    // The rest of the estate, names resolved through the containment tree.
    assert_eq!(inv.datacenters.len(), 1);
    assert_eq!(inv.datacenters[0].name, "DC-Paris");
    assert_eq!(inv.clusters.len(), 1);
    let cl = &inv.clusters[0];
    assert_eq!(
        (cl.name.as_str(), cl.datacenter.as_deref()),
        ("Cluster-A", Some("DC-Paris"))
    );
    assert_eq!(cl.drs_enabled, Some(true));
    assert_eq!(cl.drs_automation.as_deref(), Some("fullyAutomated"));
    let h10 = inv
        .hosts
        .iter()
        .find(|h| h.moref == "host-10")
        .expect("h10");
    assert_eq!(h10.cluster.as_deref(), Some("Cluster-A"));
    assert_eq!(h10.datacenter.as_deref(), Some("DC-Paris"));
    assert_eq!(h10.version.as_deref(), Some("7.0.3"));
    assert_eq!(h10.build.as_deref(), Some("21424296"));
    assert_eq!(h10.maintenance_mode, Some(false));
    let h21 = inv
        .hosts
        .iter()
        .find(|h| h.moref == "host-21")
        .expect("h21");
    assert_eq!(h21.cluster, None);
    assert_eq!(h21.datacenter.as_deref(), Some("DC-Paris"));
    assert_eq!(h21.maintenance_mode, Some(true));
    assert_eq!(inv.storage_pods.len(), 1);
    assert_eq!(inv.storage_pods[0].storage_drs, Some(true));
    assert_eq!(inv.storage_pods[0].datacenter.as_deref(), Some("DC-Paris"));
    let gold = inv
        .datastores
        .iter()
        .find(|d| d.name == "ds-gold-01")
        .expect("ds-gold-01");
    assert_eq!(gold.storage_pod.as_deref(), Some("group-p30"));
    assert_eq!(gold.datacenter.as_deref(), Some("DC-Paris"));
    assert_eq!(gold.kind.as_deref(), Some("VMFS"));
    assert_eq!(gold.capacity_bytes, Some(4_397_778_075_648));

    // What the collection adds about the vCenter itself.
    assert_eq!(inv.server, t.label);
    assert_eq!(inv.about.api_version.as_deref(), Some("7.0.3.0"));
    assert_eq!(inv.about.build.as_deref(), Some("21477706"));
    assert_eq!(inv.migration_events, None, "events_days = 0 reads none");
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------
// 3. vCenter's xsi: prefix beside vcsim's XMLSchema-instance: prefix

/// The same VM, spelled with `xsi:type` (vCenter) and with a per-element
/// `XMLSchema-instance:type` (vcsim), decodes to identical values and types.
#[tokio::test]
async fn xsi_prefix_spellings_decode_identically() {
    let vcenter = retrieve_fixture("rpex_devices_xsi.xml")
        .await
        .expect("vCenter");
    let vcsim = retrieve_fixture("rpex_devices_vcsim.xml")
        .await
        .expect("vcsim");
    assert_eq!(vcenter.len(), 1);
    assert_eq!(vcsim.len(), 1);
    let (a, b) = (&vcenter[0], &vcsim[0]);
    assert_eq!(a.obj, b.obj);
    assert!(a.props().count() > 0);
    assert!(a.props().eq(b.props()));
    assert_eq!(a.missing, b.missing);

    // And the types are really there, not equally absent.
    let devices = a.get("config.hardware.device").expect("devices");
    assert_eq!(devices.xsi_type(), Some("ArrayOfVirtualDevice"));
    let types: Vec<&str> = devices.children().map(|d| d.type_name()).collect();
    assert_eq!(
        types,
        [
            "VirtualLsiLogicController",
            "VirtualDisk",
            "VirtualDisk",
            "VirtualE1000"
        ]
    );
    assert_eq!(
        devices
            .children()
            .nth(1)
            .unwrap()
            .child("backing")
            .unwrap()
            .xsi_type(),
        Some("VirtualDiskFlatVer2BackingInfo")
    );
    assert_eq!(a.get("name").unwrap().xsi_type(), Some("string"));
    assert_eq!(a.text("name"), Some("DC0_H0_VM0"));
    assert_eq!(
        a.moref("runtime.host"),
        Some(MoRef::new("HostSystem", "host-21"))
    );
    assert_eq!(a.missing, [("guest.disk".into(), "NoPermission".into())]);

    let known = Known {
        datastores: std::collections::HashMap::from([(
            MoRef::new("Datastore", "datastore-51"),
            "LocalDS_0".into(),
        )]),
        ..Known::default()
    };
    let disks = |oc| props::vm(oc, &known).unwrap().unwrap().disks;
    let da = disks(a).expect("disks");
    let db = disks(b).expect("disks");
    assert_eq!(da, db);
    assert_eq!(da.len(), 2);
    assert_eq!(da[0].capacity_bytes(), Some(1024 * 1024 * 1024));
    assert_eq!(da[0].backing, Some(DiskBacking::Flat));
    assert_eq!(da[0].datastore.as_deref(), Some("LocalDS_0"));
    assert_eq!(da[1].backing, Some(DiskBacking::RdmVirtual));
    assert_eq!(da[1].controller.as_deref(), Some("SCSI controller 0"));
}

// ---------------------------------------------------------------------------------------------
// 4. Empty results

#[tokio::test]
async fn empty_results_in_both_spellings_are_no_objects() {
    for name in ["rpex_empty_vcenter.xml", "rpex_empty_vcsim.xml"] {
        let objects = retrieve_fixture(name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(objects.is_empty(), "{name}: {} objects", objects.len());
    }
}

/// A vCenter with one datacenter and nothing in it: empty lists, not an error.
#[tokio::test]
async fn collection_of_an_empty_estate_is_empty_lists() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_views(&server, props::TABLES.len() as u64).await;
    for kind in props::TABLES.map(|t| t.kind()) {
        let name = match kind {
            "Datacenter" => "rpex_datacenter.xml",
            // vcsim's spelling of "nothing" for one type, vCenter's for the others.
            "HostSystem" => "rpex_empty_vcsim.xml",
            _ => "rpex_empty_vcenter.xml",
        };
        retrieve(kind)
            .respond_with(soap(200, name))
            .expect(1)
            .mount(&server)
            .await;
    }
    let inv = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("collection failed: {e}"));
    assert_eq!(inv.datacenters.len(), 1);
    assert!(inv.vms.is_empty());
    assert!(inv.hosts.is_empty());
    assert!(inv.clusters.is_empty());
    assert!(inv.datastores.is_empty());
    assert!(inv.storage_pods.is_empty());
    assert!(inv.property_faults.is_empty());
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------
// 5. Faults

/// `InvalidLogin` (HTTP 500 with a SOAP fault): a login error naming user and server, with the
/// hint, and without the password. No session was set, so no Logout is sent.
#[tokio::test]
async fn invalid_login_is_a_login_error_without_the_password() {
    let server = MockServer::start().await;
    sdk("<RetrieveServiceContent ")
        .respond_with(soap(200, "service_content.xml"))
        .expect(1)
        .mount(&server)
        .await;
    sdk("<Login ")
        .respond_with(soap(500, "login_invalid.xml"))
        .expect(1)
        .mount(&server)
        .await;
    mount_logout(&server, 0).await;
    let t = target(&server);
    let err = collect_vcenter(&t, &CancellationToken::new())
        .await
        .expect_err("login must fail");
    assert!(matches!(err, VCenterError::Login { .. }), "{err:?}");
    let shown = err.to_string();
    assert_eq!(
        shown,
        format!(
            "login failed for auditor at {}: InvalidLogin (check the user and password)",
            label(&server)
        )
    );
    assert_no_secret("login error", &shown);
    assert_no_secret("login error (Debug)", &format!("{err:?}"));
    // The REST tag session starts only after the SOAP login succeeded: a wrong password costs
    // one failed login, not two (account lockout policies count them).
    let requests = server.received_requests().await.expect("recording");
    assert!(
        requests.iter().all(|r| r.url.path() == "/sdk"),
        "no REST request after a refused login: {:?}",
        requests.iter().map(|r| r.url.path()).collect::<Vec<_>>()
    );
    server.verify().await;
}

/// vCenter opens an (unauthenticated) session on any call without a cookie, so the
/// `InvalidLogin` answer may set one: the error stays the login error, and that session is
/// logged out (once) rather than left behind.
#[tokio::test]
async fn invalid_login_that_sets_a_cookie_is_still_a_login_error() {
    let server = MockServer::start().await;
    sdk("<RetrieveServiceContent ")
        .respond_with(soap(200, "service_content.xml"))
        .expect(1)
        .mount(&server)
        .await;
    sdk("<Login ")
        .respond_with(soap(500, "login_invalid.xml").insert_header("set-cookie", SET_COOKIE))
        .expect(1)
        .mount(&server)
        .await;
    sdk("<Logout ")
        .and(header("cookie", COOKIE))
        .respond_with(soap(500, "fault_not_authenticated.xml"))
        .expect(1)
        .mount(&server)
        .await;
    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("login must fail");
    assert_eq!(
        err.to_string(),
        format!(
            "login failed for auditor at {}: InvalidLogin (check the user and password)",
            label(&server)
        )
    );
    server.verify().await;
}

/// `NotAuthenticated` in a `missingSet` (vcsim answers an unauthenticated call that way) is a
/// session error, not a property to report as unknown.
#[tokio::test]
async fn not_authenticated_missing_set_is_a_session_error() {
    let err = retrieve_fixture("rpex_folder_not_authenticated.xml")
        .await
        .expect_err("must fail");
    assert!(matches!(err, SoapError::NotAuthenticated), "{err:?}");

    // Inside a collection: one login anew and a restart of the type, then, expired again, an
    // error (after logging out), not an inventory with unknown names.
    let server = MockServer::start().await;
    mount_session_logins(&server, 2).await;
    mount_views(&server, 2).await;
    retrieve("Folder")
        .respond_with(soap(200, "rpex_folder_not_authenticated.xml"))
        .expect(2)
        .mount(&server)
        .await;
    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("must fail");
    assert!(matches!(err, VCenterError::Collect { .. }), "{err:?}");
    assert!(err.to_string().contains("NotAuthenticated"), "{err}");
    server.verify().await;
}

/// A `NotAuthenticated` SOAP fault (HTTP 500) is the session error too.
#[tokio::test]
async fn not_authenticated_fault_is_a_session_error() {
    let server = MockServer::start().await;
    sdk("<RetrievePropertiesEx ")
        .respond_with(soap(500, "fault_not_authenticated.xml"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(sdk_url(&server), Duration::from_secs(20));
    let err = retrieve_all(&client, &collector(), &vm_spec(), 1000, |_| {})
        .await
        .expect_err("must fail");
    assert!(matches!(err, SoapError::NotAuthenticated), "{err:?}");
}

/// An HTTP 500 whose body is an HTML error page: an HTTP error, not a panic or an XML error.
#[tokio::test]
async fn http_500_with_an_html_body_is_an_http_error() {
    let server = MockServer::start().await;
    sdk("<RetrieveServiceContent ")
        .respond_with(ResponseTemplate::new(500).set_body_raw(
            "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>",
            "text/html",
        ))
        .mount(&server)
        .await;
    let client = client_for(sdk_url(&server), Duration::from_secs(20));
    let err = client.retrieve_service_content().await.expect_err("500");
    assert!(matches!(err, SoapError::Http(500)), "{err:?}");

    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("500");
    assert!(
        matches!(err, VCenterError::Http { code: 500, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("HTTP 500"), "{err}");
}

/// An HTTP 500 whose body is not XML at all (plain text, as a reverse proxy may send) or is
/// empty must be an HTTP 500 error too.
#[tokio::test]

async fn http_500_with_a_text_or_empty_body_is_an_http_error() {
    for body in ["Internal Server Error", ""] {
        let server = MockServer::start().await;
        sdk("<RetrieveServiceContent ")
            .respond_with(ResponseTemplate::new(500).set_body_raw(body, "text/plain"))
            .mount(&server)
            .await;
        let client = client_for(sdk_url(&server), Duration::from_secs(20));
        let err = client.retrieve_service_content().await.expect_err("500");
        assert!(
            matches!(err, SoapError::Http(500)),
            "body {body:?}: {err:?}"
        );
    }
}

/// A 404 (not the SDK endpoint): unreachable, naming the status.
#[tokio::test]
async fn http_404_is_unreachable_naming_the_status() {
    let server = MockServer::start().await; // nothing mounted: every request gets a 404
    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("404");
    assert!(
        matches!(err, VCenterError::Http { code: 404, .. }),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains("404"), "{shown}");
    assert!(shown.contains(&label(&server)), "{shown}");
}

/// A full collection whose VirtualMachine answer is `fixture`, all else as recorded.
async fn mount_vcenter_with_vms(server: &MockServer, fixture: &str) {
    mount_session(server).await;
    mount_views(server, props::TABLES.len() as u64).await;
    for kind in props::TABLES.map(|t| t.kind()) {
        let body = if kind == "VirtualMachine" {
            fixture
        } else {
            inventory_fixture(kind)
        };
        retrieve(kind)
            .respond_with(soap(200, body))
            .expect(1)
            .mount(server)
            .await;
    }
}

/// A disk's `capacityInKB` of 2^64 - 1 (a 5.5-style disk without `capacityInBytes`) cannot be
/// bytes: the vCenter ends with an error naming the VM and the property, not an unknown size.
#[tokio::test]
async fn a_capacity_past_u64_ends_the_vcenter_naming_the_object() {
    let server = MockServer::start().await;
    mount_vcenter_with_vms(&server, "rpex_vm_capacity_overflow.xml").await;
    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("an overflowing capacity must fail");
    assert!(matches!(err, VCenterError::Overflow { .. }), "{err:?}");
    let shown = err.to_string();
    assert_eq!(
        shown,
        format!(
            "{}: VirtualMachine 'web01' (vm-101): disk 'Hard disk 2' capacityInKB \
             (18446744073709551615) is past 2^64 bytes, which no disk can hold \
             (a broken answer; the vCenter was not audited)",
            label(&server)
        )
    );
    assert!(!shown.contains('\n'));
    server.verify().await;
}

/// Disks that each fit but whose sum does not: the same error, naming the sum.
#[tokio::test]
async fn a_sum_of_disks_past_u64_ends_the_vcenter() {
    let server = MockServer::start().await;
    mount_vcenter_with_vms(&server, "rpex_vm_capacity_sum_overflow.xml").await;
    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("an overflowing sum must fail");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: VirtualMachine 'web01' (vm-101): the sum of the disks' capacities is past \
             2^64 bytes, which no disk can hold (a broken answer; the vCenter was not audited)",
            label(&server)
        )
    );
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------
// 6. Logout on every exit path

/// A fault in the middle of the collection: the error is reported, the view of the failed
/// retrieval is still destroyed, and Logout is sent exactly once.
#[tokio::test]
async fn logout_is_sent_when_a_retrieval_faults() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    mount_views(&server, 3).await;
    for kind in ["Folder", "Datacenter"] {
        retrieve(kind)
            .respond_with(soap(200, inventory_fixture(kind)))
            .expect(1)
            .mount(&server)
            .await;
    }
    retrieve("ComputeResource")
        .respond_with(soap(500, "fault_system_error.xml"))
        .expect(1)
        .mount(&server)
        .await;
    let err = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .expect_err("must fail");
    match &err {
        VCenterError::Collect { server: s, reason } => {
            assert_eq!(s, &label(&server));
            assert_eq!(
                reason,
                "SystemError: A general system error occurred: Internal error"
            );
        }
        other => panic!("expected a collect error, got {other:?}"),
    }
    server.verify().await;
}

/// Cancelled while a RetrievePropertiesEx answer is delayed: Interrupted, promptly, and Logout
/// is still sent once.
#[tokio::test]
async fn logout_is_sent_when_cancelled_mid_retrieval() {
    let server = MockServer::start().await;
    mount_session(&server).await;
    sdk("<CreateContainerView ")
        .respond_with(soap(200, "create_container_view.xml"))
        .mount(&server)
        .await;
    sdk("<DestroyView ")
        .respond_with(soap(200, "destroy_view.xml"))
        .mount(&server)
        .await;
    for kind in props::TABLES.map(|t| t.kind()) {
        let mut response = soap(200, inventory_fixture(kind));
        if kind == "HostSystem" {
            response = response.set_delay(Duration::from_secs(60));
        }
        retrieve(kind).respond_with(response).mount(&server).await;
    }
    let t = target(&server);
    let cancel = CancellationToken::new();
    let started = Instant::now();
    // Cancel once the delayed HostSystem retrieval has reached the server.
    let trigger = async {
        loop {
            let requests = server.received_requests().await.expect("recording");
            if requests
                .iter()
                .any(|r| body(r).contains("<propSet><type>HostSystem</type>"))
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the HostSystem retrieval was never sent"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
        Instant::now()
    };
    let (result, cancelled_at) = tokio::join!(collect_vcenter(&t, &cancel), trigger);
    let err = result.expect_err("cancelled");
    assert!(
        matches!(&err, VCenterError::Interrupted(s) if *s == t.label),
        "{err:?}"
    );
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(5),
        "collection ended {:?} after the cancel",
        cancelled_at.elapsed()
    );
    let requests = server.received_requests().await.expect("recording");
    assert!(
        requests
            .iter()
            .any(|r| body(r).contains("<propSet><type>HostSystem</type>")),
        "cancelled before the delayed retrieval was sent"
    );
    server.verify().await; // Logout exactly once
}

// ---------------------------------------------------------------------------------------------
// 7. Session cookie and SOAPAction

/// The cookie set by Login comes back byte for byte on every later call, and `SOAPAction`
/// carries the apiVersion of the service content from Login on. A call without them would get
/// wiremock's 404 and fail the collection.
#[tokio::test]
async fn session_cookie_and_soap_action_are_sent_back() {
    let server = MockServer::start().await;
    sdk("<RetrieveServiceContent ")
        .and(|r: &Request| !r.headers.contains_key("cookie"))
        .and(header("soapaction", r#""urn:vim25/6.0""#))
        .respond_with(soap(200, "service_content.xml"))
        .expect(1)
        .mount(&server)
        .await;
    sdk("<Login ")
        .and(|r: &Request| !r.headers.contains_key("cookie"))
        .and(header("soapaction", SOAP_ACTION))
        .and(header("content-type", "text/xml; charset=utf-8"))
        .and(body_string_contains("<userName>auditor</userName>"))
        .and(body_string_contains(
            "<password>Zq7&amp;&lt;pW-c0rrect-h0rse</password>",
        ))
        .respond_with(soap(200, "login.xml").insert_header("set-cookie", SET_COOKIE))
        .expect(1)
        .mount(&server)
        .await;
    let with_session = |m: MockBuilder| {
        m.and(header("cookie", COOKIE))
            .and(header("soapaction", SOAP_ACTION))
    };
    with_session(sdk("<Logout "))
        .respond_with(soap(200, "logout.xml"))
        .expect(1)
        .mount(&server)
        .await;
    with_session(sdk("<CreateContainerView "))
        .respond_with(soap(200, "create_container_view.xml"))
        .expect(8)
        .mount(&server)
        .await;
    with_session(sdk("<DestroyView "))
        .respond_with(soap(200, "destroy_view.xml"))
        .expect(8)
        .mount(&server)
        .await;
    for kind in props::TABLES.map(|t| t.kind()) {
        with_session(retrieve(kind))
            .respond_with(soap(200, inventory_fixture(kind)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let inv = collect_vcenter(&target(&server), &CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("collection failed: {e}"));
    assert_eq!(inv.vms.len(), 3);

    // Byte for byte, read off the wire: the quotes of the value are kept.
    let requests = server.received_requests().await.expect("recording");
    // The REST tag session (tried at /api, then /rest; both 404 here) never gets the SOAP cookie.
    let (soap_requests, rest): (Vec<_>, Vec<_>) =
        requests.iter().partition(|r| r.url.path() == "/sdk");
    assert_eq!(rest.len(), 2, "the two REST session attempts");
    assert!(rest.iter().all(|r| !r.headers.contains_key("cookie")));
    let after_login: Vec<_> = soap_requests
        .into_iter()
        .filter(|r| !body(r).contains("<RetrieveServiceContent ") && !body(r).contains("<Login "))
        .collect();
    assert_eq!(after_login.len(), 1 + 8 + 8 + 8);
    for r in after_login {
        let cookies: Vec<&[u8]> = r
            .headers
            .get_all("cookie")
            .iter()
            .map(|v| v.as_bytes())
            .collect();
        assert_eq!(cookies, [COOKIE.as_bytes()]);
    }
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------
// 8. Secrets

#[tokio::test]
async fn debug_output_and_errors_hold_no_secrets() {
    let server = MockServer::start().await;
    sdk("<RetrieveServiceContent ")
        .respond_with(soap(200, "service_content.xml"))
        .mount(&server)
        .await;
    sdk("<Login ")
        .respond_with(soap(200, "login.xml").insert_header("set-cookie", SET_COOKIE))
        .expect(1)
        .mount(&server)
        .await;
    let t = target(&server);
    assert_no_secret("Target Debug", &format!("{t:?}"));

    // A logged-in client holds the cookie; its Debug shows neither it nor the password.
    let client = client_for(sdk_url(&server), Duration::from_secs(20));
    let content = client.retrieve_service_content().await.expect("content");
    let sm = content.session_manager.clone().expect("session manager");
    client
        .login(&sm, USER, &t.password)
        .await
        .expect("login succeeds");
    assert!(client.has_session());
    assert_no_secret("Client Debug", &format!("{client:?}"));
    assert_no_secret("ServiceContent Debug", &format!("{content:?}"));

    // Every way a login can fail.
    let refusing = MockServer::start().await;
    sdk("<RetrieveServiceContent ")
        .respond_with(soap(200, "service_content.xml"))
        .mount(&refusing)
        .await;
    sdk("<Login ")
        .respond_with(soap(500, "login_invalid.xml"))
        .mount(&refusing)
        .await;
    let c2 = client_for(sdk_url(&refusing), Duration::from_secs(20));
    let e = c2.login(&sm, USER, &t.password).await.expect_err("refused");
    assert_no_secret("login SoapError", &e.to_string());
    assert_no_secret("login SoapError (Debug)", &format!("{e:?}"));
    let e = collect_vcenter(&target(&refusing), &CancellationToken::new())
        .await
        .expect_err("refused");
    assert_no_secret("login VCenterError", &e.to_string());

    // Login answered with a 404 or with garbage.
    let broken = MockServer::start().await;
    sdk("<RetrieveServiceContent ")
        .respond_with(soap(200, "service_content.xml"))
        .mount(&broken)
        .await;
    let e = collect_vcenter(&target(&broken), &CancellationToken::new())
        .await
        .expect_err("404 on Login");
    assert!(e.to_string().contains("404"), "{e}");
    assert_no_secret("login 404 error", &e.to_string());
    sdk("<Login ")
        .respond_with(ResponseTemplate::new(200).set_body_raw("<nope/>", "text/xml"))
        .mount(&broken)
        .await;
    let e = collect_vcenter(&target(&broken), &CancellationToken::new())
        .await
        .expect_err("garbage on Login");
    assert_no_secret("login garbage error", &e.to_string());
    assert_no_secret("login garbage error (Debug)", &format!("{e:?}"));
}

// ---------------------------------------------------------------------------------------------
// 9. Streaming a large response

/// Peak resident set size of this process, in bytes.
fn vm_hwm() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// One VM of the large response: ~1 KB, with a device list.
fn big_object(i: u64) -> String {
    format!(
        r#"<objects><obj type="VirtualMachine">vm-{i}</obj><propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice"><VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1000</key><deviceInfo><label>SCSI controller 0</label><summary>VMware paravirtual SCSI</summary></deviceInfo><controllerKey>100</controllerKey><unitNumber>3</unitNumber><busNumber>0</busNumber></VirtualDevice><VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label><summary>41,943,040 KB</summary></deviceInfo><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[vsanDatastore] vm-{i}/vm-{i}.vmdk</fileName><datastore type="Datastore">datastore-11</datastore><diskMode>persistent</diskMode><thinProvisioned>true</thinProvisioned></backing><controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>41943040</capacityInKB><capacityInBytes>42949672960</capacityInBytes></VirtualDevice></val></propSet><propSet><name>name</name><val xsi:type="xsd:string">big-{i}</val></propSet><propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet></objects>
"#
    )
}

/// Serves one `RetrievePropertiesEx` answer of `objects` VMs, chunked and generated as it is
/// written (never whole in memory), counting the bytes written.
async fn serve_big_response(
    listener: tokio::net::TcpListener,
    objects: u64,
    written: Arc<AtomicU64>,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut sock, _) = listener.accept().await?;
    // Read the request: headers, then Content-Length bytes of body.
    let mut req = Vec::new();
    let mut buf = [0u8; 8192];
    let header_end = loop {
        let n = sock.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::Error::other("request ended early"));
        }
        req.extend_from_slice(&buf[..n]);
        if let Some(p) = req.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&req[..header_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while req.len() < header_end + len {
        let n = sock.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        req.extend_from_slice(&buf[..n]);
    }
    sock.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    )
    .await?;
    let mut chunk = String::with_capacity(80 * 1024);
    let send = async |sock: &mut tokio::net::TcpStream, data: &str| -> std::io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        sock.write_all(format!("{:x}\r\n", data.len()).as_bytes())
            .await?;
        sock.write_all(data.as_bytes()).await?;
        sock.write_all(b"\r\n").await?;
        written.fetch_add(data.len() as u64, Ordering::SeqCst);
        Ok(())
    };
    chunk.push_str(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
        "\n<soapenv:Body>\n",
        r#"<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>"#,
    ));
    for i in 0..objects {
        chunk.push_str(&big_object(i));
        if chunk.len() >= 64 * 1024 {
            send(&mut sock, &chunk).await?;
            chunk.clear();
        }
    }
    chunk.push_str(
        "</returnval></RetrievePropertiesExResponse>\n</soapenv:Body>\n</soapenv:Envelope>\n",
    );
    send(&mut sock, &chunk).await?;
    sock.write_all(b"0\r\n\r\n").await?;
    sock.flush().await?;
    Ok(())
}

/// Set in the child process that runs [`streaming_child`].
const STREAM_CHILD: &str = "SOAP_RECORDED_STREAMING_CHILD";

/// A ~50 MB answer is decoded object by object while it is still being written: when the first
/// object reaches the callback, the server has written only a small part of the body, and the
/// peak RSS grows by far less than the body size.
///
/// Runs [`streaming_child`] in a process of its own, so that the peak RSS is this test's alone
/// (a panicking test elsewhere in the binary symbolizes a backtrace and raises it by 150 MB).
#[test]
fn large_response_is_streamed_not_buffered() {
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "streaming_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(STREAM_CHILD, "1")
        .output()
        .expect("run the streaming child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "streaming child failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    eprintln!("{}", stderr.trim());
}

/// The work of [`large_response_is_streamed_not_buffered`]; does nothing unless run by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_child() {
    if std::env::var_os(STREAM_CHILD).is_none() {
        return;
    }
    const OBJECTS: u64 = 50_000;
    let body_estimate = OBJECTS * big_object(OBJECTS).len() as u64;
    assert!(body_estimate > 45_000_000, "{body_estimate}");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let written = Arc::new(AtomicU64::new(0));
    let server = tokio::spawn(serve_big_response(listener, OBJECTS, written.clone()));

    let url = Url::parse(&format!("http://{addr}/sdk")).expect("url");
    let client = client_for(url, Duration::from_secs(300));
    let hwm_before = vm_hwm();
    let mut next = 0u64;
    let mut written_at_first = None;
    let mut disks_bytes = 0u64;
    let known = Known::default();
    let n = retrieve_all(&client, &collector(), &vm_spec(), 1000, |oc| {
        if written_at_first.is_none() {
            written_at_first = Some(written.load(Ordering::SeqCst));
        }
        let expected = format!("vm-{next}");
        assert_eq!(oc.obj.as_ref().map(|o| o.value.as_str()), Some(&*expected));
        assert_eq!(oc.string("name").as_deref(), Some(&*format!("big-{next}")));
        let vm = props::vm(oc, &known).unwrap().expect("a VM");
        let disks = vm.disks.expect("disks");
        disks_bytes += disks.iter().filter_map(|d| d.capacity_bytes()).sum::<u64>();
        next += 1;
    })
    .await
    .expect("large retrieval");
    server.await.expect("server task").expect("server I/O");

    assert_eq!(n, OBJECTS);
    assert_eq!(next, OBJECTS);
    assert_eq!(disks_bytes, OBJECTS * 42_949_672_960);
    let total = written.load(Ordering::SeqCst);
    assert!(total > 45_000_000, "body was {total} bytes");
    let at_first = written_at_first.expect("an object was seen");
    eprintln!(
        "streamed {total} bytes; {at_first} written when the first object arrived; VmHWM {hwm_before:?} -> {:?}",
        vm_hwm()
    );
    assert!(
        at_first < total / 3,
        "first object seen only after {at_first} of {total} bytes were written: the body is buffered"
    );
    if let (Some(before), Some(after)) = (hwm_before, vm_hwm()) {
        let growth = after.saturating_sub(before);
        assert!(
            growth < total / 3,
            "peak RSS grew by {growth} bytes for a {total}-byte body"
        );
    }
}
