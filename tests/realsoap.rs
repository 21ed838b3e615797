//! The decoders held to what real vCenters send (5.5, 6.0, 6.7): every `RetrieveServiceContent`
//! and `RetrievePropertiesEx` response recorded by pyVmomi's test suite (tests/fixtures/realsoap,
//! Apache-2.0) is opened and decoded through the same code the collector uses, and the values
//! they hold come out: the vCenter's about, the VM's disks and capacities, Tools running status,
//! guest disks, the host's product.

use std::collections::HashMap;
use std::path::PathBuf;
use vcaudit::collect::known::Known;
use vcaudit::collect::props;
use vcaudit::model::{Cluster, Datastore, Host, StoragePod, Vm};
use vcaudit::model::{DiskBacking, ToolsRunning};
use vcaudit::soap::envelope::{Opened, open_body};
use vcaudit::soap::property::read_page;
use vcaudit::soap::types::{MoRef, ObjectContent, ServiceContent};
use vcaudit::soap::xml::XmlStream;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realsoap")
}

fn body(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Opens the envelope as the client does and returns the stream inside the response element.
async fn open(bytes: &[u8]) -> XmlStream<&[u8]> {
    let mut s = XmlStream::new(bytes);
    match open_body(&mut s).await {
        Ok(Opened::Response) => s,
        Ok(Opened::Fault(f)) => panic!("a fault: {f}"),
        Err(e) => panic!("not opened: {e}"),
    }
}

async fn service_content(name: &str) -> ServiceContent {
    let bytes = body(name);
    let mut s = open(&bytes).await;
    let start = s.next_child().await.unwrap().expect("a returnval");
    assert_eq!(start.name, "returnval");
    ServiceContent::from_node(s.read_node(start).await.unwrap().root())
}

async fn objects(name: &str) -> Vec<ObjectContent> {
    let bytes = body(name);
    let mut s = open(&bytes).await;
    let mut out = Vec::new();
    let token = read_page(&mut s, &mut |oc| out.push(oc.clone()))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(token.is_none(), "{name}: one page");
    out
}

#[tokio::test]
async fn every_recorded_response_decodes() {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    let (mut contents, mut pages, mut objs) = (0, 0, 0);
    for name in &names {
        if name.ends_with("-RetrieveServiceContent.xml") {
            let sc = service_content(name).await;
            let v = sc.about.version.as_deref().unwrap_or_default();
            assert!(
                ["5.5.0", "6.0.0", "6.5.0", "6.7.0"].contains(&v),
                "{name}: {v}"
            );
            assert!(sc.about.full_name.unwrap().contains(v), "{name}");
            assert!(sc.about.instance_uuid.is_some(), "{name}");
            for (what, m) in [
                ("rootFolder", &sc.root_folder),
                ("propertyCollector", &sc.property_collector),
                ("viewManager", &sc.view_manager),
                ("sessionManager", &sc.session_manager),
                ("eventManager", &sc.event_manager),
            ] {
                assert!(m.is_some(), "{name}: {what}");
            }
            contents += 1;
        } else {
            for oc in objects(name).await {
                assert!(oc.obj.is_some(), "{name}: every object has its reference");
                assert!(oc.missing.is_empty(), "{name}: {:?}", oc.missing);
                // Every decoder the collector applies, whatever the object.
                decode_all(&oc);
                objs += 1;
            }
            pages += 1;
        }
    }
    assert!(
        contents >= 4 && pages >= 100 && objs >= pages,
        "{contents} {pages} {objs}"
    );
}

/// Every declaration, whatever the object: none may panic, and only disks may overflow.
fn decode_all(oc: &ObjectContent) {
    let known = Known::default();
    let _ = props::entity(oc);
    props::CLUSTER
        .fill(oc, &known, &mut Cluster::default())
        .unwrap();
    props::HOST.fill(oc, &known, &mut Host::default()).unwrap();
    props::STORAGE_POD
        .fill(oc, &known, &mut StoragePod::default())
        .unwrap();
    props::DATASTORE
        .fill(oc, &known, &mut Datastore::default())
        .unwrap();
    let _ = props::VIRTUAL_MACHINE.fill(oc, &known, &mut Vm::default());
}

/// A VM decoded as the collector does, with `datastore_names` known.
fn vm(oc: &ObjectContent, datastore_names: HashMap<MoRef, vcaudit::model::Shared>) -> Vm {
    let known = Known {
        datastores: datastore_names,
        ..Known::default()
    };
    props::vm(oc, &known).expect("no overflow").expect("a VM")
}

/// A host decoded as the collector does.
fn host(oc: &ObjectContent) -> Host {
    props::HOST
        .decoded(oc, &Known::default(), Host::default())
        .expect("no overflow")
}

#[tokio::test]
async fn vcenter_about_of_6_0_and_6_7() {
    let a = service_content("basic_connection-00-RetrieveServiceContent.xml")
        .await
        .about;
    assert_eq!(
        (
            a.version.as_deref(),
            a.build.as_deref(),
            a.api_version.as_deref()
        ),
        (Some("6.0.0"), Some("3018523"), Some("6.0"))
    );
    assert_eq!(
        a.instance_uuid.as_deref(),
        Some("6cbd40cc-1416-4b2d-ba7c-ae53a166d00a")
    );
    let a = service_content("test_json_datacenter_explode-01-RetrieveServiceContent.xml")
        .await
        .about;
    assert_eq!(
        a.full_name.as_deref(),
        Some("VMware vCenter Server 6.7.0 build-9433931")
    );
}

#[tokio::test]
async fn vm_disks_and_capacities_from_a_whole_config() {
    // The client asked for `config` whole: the devices are `<device>` elements of
    // `config.hardware`, not an `ArrayOfVirtualDevice`.
    let oc = objects("test_json_vm_explode_default-21-RetrievePropertiesEx.xml").await;
    let refs = vm(&oc[0], HashMap::new()).datastore_morefs;
    let ds: HashMap<MoRef, vcaudit::model::Shared> = refs
        .iter()
        .map(|m| (MoRef::new("Datastore", m), "datastore1".into()))
        .collect();
    let decoded = vm(&oc[0], ds);
    let disks = decoded.disks.clone().expect("devices sent");
    let caps: Vec<(Option<&str>, Option<u64>)> = disks
        .iter()
        .map(|d| (d.label.as_deref(), d.capacity_bytes()))
        .take(3)
        .collect();
    assert_eq!(
        caps,
        vec![
            (Some("Hard disk 1"), Some(12884901888)),
            (Some("Hard disk 2"), Some(1980760064)),
            (Some("Hard disk 3"), Some(26843545600)),
        ]
    );
    assert!(disks.len() >= 6, "{}", disks.len());
    assert!(disks.iter().all(|d| d.backing == Some(DiskBacking::Flat)));
    assert!(
        disks.iter().all(|d| d.controller.is_some()),
        "controllers named"
    );
    assert!(decoded.firmware.is_some(), "config.firmware inside config");
}

#[tokio::test]
async fn tools_and_guest_disks_from_a_whole_guest() {
    let oc = objects("test_json_vm_explode_default-30-RetrievePropertiesEx.xml").await;
    let decoded = vm(&oc[0], HashMap::new());
    assert_eq!(decoded.tools_running, Some(ToolsRunning::Running));
    let disks = decoded.guest_disks;
    assert!(disks.len() >= 6, "{disks:?}");
    assert_eq!(disks[0].path, "/");
    assert_eq!(disks[0].capacity_bytes(), Some(11355283456));
    assert_eq!(disks[0].free_bytes(), Some(4716077056));
    assert_eq!(disks[1].path, "/storage/imagebuilder");

    // vCenter 5.5: a VM whose Tools are not running.
    let oc = objects("vm_nic_data-08-RetrievePropertiesEx.xml").await;
    assert_eq!(oc[0].obj.as_ref().unwrap().value, "vm-744");
    assert_eq!(
        vm(&oc[0], HashMap::new()).tools_running,
        Some(ToolsRunning::NotRunning)
    );
}

#[tokio::test]
async fn host_product_from_a_whole_summary() {
    let oc = objects("test_json_host_explode-21-RetrievePropertiesEx.xml").await;
    let h = host(&oc[0]);
    assert_eq!(
        (h.version, h.build, h.full_name),
        (
            Some("6.7.0".to_string()),
            Some("8169922".to_string()),
            Some("VMware ESXi 6.7.0 build-8169922".to_string())
        )
    );
}
