//! A `RetrievePropertiesEx` response through the property-collector page reader and every
//! object decoder the collector applies to VMs, hosts, datastores, clusters and folders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use vcaudit::collect::{decode, paths};
use vcaudit::soap::envelope::{Opened, open_body};
use vcaudit::soap::property::read_page;
use vcaudit::soap::types::ObjectContent;
use vcaudit::soap::xml::XmlStream;

fn decode_all(oc: &ObjectContent) {
    let _ = decode::entity(oc);
    let _ = decode::cluster_drs(oc);
    let _ = decode::host_product(oc);
    let _ = decode::connection_state(oc);
    let _ = decode::power_state(oc);
    let _ = decode::tools_status(oc);
    let _ = decode::tools_running(oc);
    let _ = decode::firmware(oc);
    let _ = decode::guest_disks(oc);
    let mut names = HashMap::new();
    for ds in decode::moref_list(oc, "datastore") {
        names.insert(ds, "ds".to_string());
    }
    let _ = decode::disks(oc, &names);
    for (_, list) in paths::QUERIES {
        for p in *list {
            let _ = decode::text(oc, p);
            let _ = decode::num::<u64>(oc, p);
            let _ = decode::num::<i32>(oc, p);
            let _ = oc.bool(p);
            let _ = oc.moref(p);
        }
    }
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
            let _ = read_page(&mut s, &mut |oc| decode_all(&oc)).await;
        }
    });
});
