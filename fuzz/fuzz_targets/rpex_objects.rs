//! A `RetrievePropertiesEx` response through the property-collector page reader and every
//! object decoder the collector applies to VMs, hosts, datastores, clusters and folders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vcaudit::collect::known::Known;
use vcaudit::collect::props;
use vcaudit::model::{Cluster, Datastore, Host, StoragePod, Vm};
use vcaudit::soap::envelope::{Opened, open_body};
use vcaudit::soap::property::read_page;
use vcaudit::soap::types::ObjectContent;
use vcaudit::soap::xml::XmlStream;

/// Every declaration of every type, whatever the object; the VM's datastores known by name so
/// that disks resolve theirs.
fn decode_all(oc: &ObjectContent) {
    let mut known = Known::default();
    let _ = props::entity(oc);
    let _ = props::CLUSTER.fill(oc, &known, &mut Cluster::default());
    let _ = props::HOST.fill(oc, &known, &mut Host::default());
    let _ = props::STORAGE_POD.fill(oc, &known, &mut StoragePod::default());
    let _ = props::DATASTORE.fill(oc, &known, &mut Datastore::default());
    let mut vm = Vm::default();
    let _ = props::VIRTUAL_MACHINE.fill(oc, &known, &mut vm);
    for ds in &vm.datastore_morefs {
        known
            .datastores
            .insert(vcaudit::soap::MoRef::new("Datastore", ds), "ds".into());
    }
    let _ = props::vm(oc, &known);
}

fuzz_target!(|data: &[u8]| {
    // One runtime for every input: building one per input cost most of the time.
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let rt = RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    });
    rt.block_on(async {
        let mut s = XmlStream::new(data);
        if let Ok(Opened::Response) = open_body(&mut s).await {
            let _ = read_page(&mut s, &mut |oc| decode_all(oc)).await;
        }
    });
});
