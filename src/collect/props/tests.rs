//! The declarations checked against the model, and VMs decoded through them.

use super::*;
use crate::model::{ClusterSummary, HostHardware, Vm, VmDetails};
use crate::soap::xml::parse_document;

/// Whether `field` (`details.cbt`) names a member of `value`'s serialized form.
fn has_field(value: &serde_json::Value, field: &str) -> bool {
    let mut cur = value;
    for seg in field.split('.') {
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return false,
        }
    }
    true
}

fn check<T: serde::Serialize>(table: &Table<T>, sample: &T) -> Vec<String> {
    let value = serde_json::to_value(sample).unwrap();
    let mut wrong = Vec::new();
    for p in table.props {
        for field in p.fills.split(", ") {
            if !has_field(&value, field) {
                wrong.push(format!(
                    "{}.{}: fills unknown '{field}'",
                    table.kind, p.path
                ));
            }
        }
    }
    wrong
}

#[test]
fn every_declaration_fills_a_field_of_the_model() {
    // Optional members present, so that they serialize.
    let vm = Vm {
        details: Some(Box::default()),
        ..Vm::default()
    };
    let host = Host {
        hardware: Some(HostHardware::default()),
        ..Host::default()
    };
    let cluster = Cluster {
        ha_enabled: Some(true),
        summary: Some(ClusterSummary::default()),
        ..Cluster::default()
    };
    let ds = Datastore {
        accessible: Some(true),
        url: Some(String::new()),
        uncommitted_bytes: Some(0),
        ..Datastore::default()
    };
    let mut wrong = check(&VIRTUAL_MACHINE, &vm);
    wrong.extend(check(&HOST, &host));
    wrong.extend(check(&CLUSTER, &cluster));
    wrong.extend(check(&DATASTORE, &ds));
    wrong.extend(check(&STORAGE_POD, &StoragePod::default()));
    assert!(wrong.is_empty(), "{wrong:?}");
    let entity: Vec<&str> = FOLDER.props.iter().map(|p| p.fills).collect();
    assert_eq!(entity, ["name", "parent"]);
    // The check can fail.
    static BAD: Table<Vm> = Table {
        kind: "VirtualMachine",
        props: &[Prop::set(
            "x",
            "xsd:string",
            "details.nonsense",
            |_, _, _| {},
        )],
    };
    let bad = &BAD;
    assert_eq!(check(bad, &vm).len(), 1);
}

#[test]
fn every_type_is_requested_once_with_distinct_paths() {
    let q = queries();
    let kinds: Vec<&str> = q.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            "Folder",
            "Datacenter",
            "ComputeResource",
            "ClusterComputeResource",
            "HostSystem",
            "StoragePod",
            "Datastore",
            "VirtualMachine"
        ]
    );
    for (kind, paths) in &q {
        let mut unique = paths.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), paths.len(), "{kind} declares a path twice");
    }
}

async fn object(props: &str) -> ObjectContent {
    let xml = format!(
        r#"<objects xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><obj type="VirtualMachine">vm-1</obj>{props}</objects>"#
    );
    ObjectContent::from_tree(parse_document(xml.as_bytes()).await.unwrap())
}

fn prop(path: &str, val: &str) -> String {
    format!("<propSet><name>{path}</name><val>{val}</val></propSet>")
}

#[tokio::test]
async fn a_vm_is_filled_by_its_declarations() {
    let oc = object(
        &[
            prop("name", "web%2f01"),
            prop("config.hardware.numCPU", "4"),
            prop("config.hardware.memoryMB", "not a number"),
            prop("config.annotation", ""),
            prop("unknown.property", "ignored"),
        ]
        .concat(),
    )
    .await;
    let vm = super::vm(&oc, &Known::default()).unwrap().unwrap();
    assert_eq!(&*vm.moref, "vm-1");
    assert_eq!(&*vm.name, "web/01", "names unescaped");
    assert_eq!(vm.cpus, Some(4));
    assert_eq!(vm.memory_mb.get(), None, "a malformed number is unknown");
    assert_eq!(vm.disks, None, "absent is unknown");
    assert_eq!(vm.details, None, "no detail sent: none kept");

    let oc = object(
        &[
            prop("name", "db"),
            prop("config.changeTrackingEnabled", "true"),
            prop(
                "config.cpuAllocation",
                "<reservation>0</reservation><limit>-1</limit>",
            ),
        ]
        .concat(),
    )
    .await;
    let vm = super::vm(&oc, &Known::default()).unwrap().unwrap();
    let mut want = VmDetails {
        cbt: Some(true),
        ..VmDetails::default()
    };
    want.set_cpu_reservation(Some(0));
    want.set_cpu_limit(Some(-1));
    assert_eq!(vm.details.as_deref(), Some(&want));
}

#[tokio::test]
async fn an_overflow_names_the_vm() {
    let devices = r#"<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label></deviceInfo><capacityInKB>18446744073709551615</capacityInKB></VirtualDevice>"#;
    let oc = object(&[prop("name", "big"), prop("config.hardware.device", devices)].concat()).await;
    let (object, overflow) = super::vm(&oc, &Known::default()).unwrap_err();
    assert_eq!(object, "VirtualMachine 'big' (vm-1)");
    assert!(overflow.property.contains("Hard disk 1"), "{overflow}");
}
