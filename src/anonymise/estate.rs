//! Which fields of a snapshot are identifying, and how each is pseudonymised.
//!
//! Replaced: vCenter servers and URLs (host and port), instance UUIDs, the names and morefs of
//! datacenters, clusters, hosts, datastores, datastore clusters and VMs, folder paths, BIOS and
//! instance UUIDs, datastore file paths, tags and tag categories, guest filesystem paths other
//! than the well-known ones the rules read, and the identifiers found inside free text (error
//! messages, event messages), VM DNS names (`guest.hostName`), `.vmx` paths and datastore URLs;
//! VM annotations (free text an admin typed) are dropped. Kept: versions, builds, product names,
//! guest ids and OS names, Tools states, sizes, counts, firmware, power states, disk labels and modes, property faults.

use super::Pseudonymiser;
use crate::model::{Disk, Host, VCenterInventory, Vm};
use crate::snapshot::Snapshot;

/// Pseudonymises every identifying string of `snap` in place.
pub fn anonymise(snap: &mut Snapshot, p: &mut Pseudonymiser) {
    for s in &mut snap.servers {
        p.replace(s);
    }
    for vc in &mut snap.vcenters {
        vcenter(vc, p);
    }
    // Free text last, once every identifier has its pseudonym.
    let forward: Vec<(String, String)> = {
        let mut v: Vec<(String, String)> = p
            .forward()
            .iter()
            .filter(|(o, _)| o.chars().count() >= 3)
            .map(|(o, n)| (o.clone(), n.clone()))
            .collect();
        // Longest first, so `web-01.corp` is replaced before `web-01`.
        v.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let scrub = |t: &mut String| {
        for (o, n) in &forward {
            if t.contains(o.as_str()) {
                *t = t.replace(o.as_str(), n);
            }
        }
    };
    for vc in &mut snap.vcenters {
        for t in [&mut vc.error, &mut vc.events_error, &mut vc.tags_error]
            .into_iter()
            .flatten()
        {
            scrub(t);
        }
        for e in vc.migration_events.iter_mut().flatten() {
            if let Some(m) = &mut e.message {
                scrub(m);
            }
        }
    }
}

fn vcenter(vc: &mut VCenterInventory, p: &mut Pseudonymiser) {
    p.replace(&mut vc.server);
    vc.url = url(&vc.url, p);
    p.opt(&mut vc.about.instance_uuid);
    for dc in &mut vc.datacenters {
        dc.moref = p.moref(&dc.moref);
        p.replace(&mut dc.name);
    }
    for c in &mut vc.clusters {
        c.moref = p.moref(&c.moref);
        p.replace(&mut c.name);
        p.opt(&mut c.datacenter);
    }
    for h in &mut vc.hosts {
        host(h, p);
    }
    for d in &mut vc.datastores {
        d.moref = p.moref(&d.moref);
        p.replace(&mut d.name);
        p.opt(&mut d.datacenter);
        if let Some(m) = &mut d.storage_pod {
            *m = p.moref(m);
        }
        p.opt(&mut d.url);
    }
    for s in &mut vc.storage_pods {
        s.moref = p.moref(&s.moref);
        p.replace(&mut s.name);
        p.opt(&mut s.datacenter);
    }
    for vm in &mut vc.vms {
        self::vm(vm, p);
    }
    for e in vc.migration_events.iter_mut().flatten() {
        e.vm_moref = p.moref(&e.vm_moref);
        p.opt(&mut e.vm_name);
    }
    if let Some(scope) = &mut vc.scope {
        for t in scope.include.iter_mut().chain(scope.exclude.iter_mut()) {
            *t = p.tag(t);
        }
    }
}

/// `https://host:port/sdk` with `host:port` pseudonymised like the server.
fn url(u: &str, p: &mut Pseudonymiser) -> String {
    let Some((scheme, rest)) = u.split_once("://") else {
        return p.name(u);
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    format!("{scheme}://{}{path}", p.name(authority))
}

fn host(h: &mut Host, p: &mut Pseudonymiser) {
    h.moref = p.moref(&h.moref);
    p.replace(&mut h.name);
    p.opt(&mut h.datacenter);
    p.opt(&mut h.cluster);
    for t in &mut h.tags {
        *t = p.tag(t);
    }
}

fn vm(vm: &mut Vm, p: &mut Pseudonymiser) {
    vm.moref = p.moref(&vm.moref).into();
    p.replace(&mut vm.name);
    p.opt(&mut vm.datacenter);
    p.opt(&mut vm.cluster);
    p.opt(&mut vm.host);
    if let Some(m) = &mut vm.host_moref {
        *m = p.moref(m).into();
    }
    if let Some(f) = &mut vm.folder {
        *f = p.path(f).into();
    }
    for u in [&mut vm.bios_uuid, &mut vm.instance_uuid]
        .into_iter()
        .flatten()
    {
        *u = p.name(&u.to_cow()).into();
    }
    vm.datastores = vm.datastores.iter().map(|d| p.name(d).into()).collect();
    vm.datastore_morefs = (vm.datastore_morefs.iter())
        .map(|m| p.moref(m).into())
        .collect();
    for d in vm.disks.iter_mut().flatten() {
        disk(d, p);
    }
    for g in &mut vm.guest_disks {
        g.path = p.guest_path(&g.path).into();
    }
    vm.tags = vm.tags.iter().map(|t| p.tag(t).into()).collect();
    for n in vm.nics.iter_mut().flatten() {
        p.opt(&mut n.network);
        if let Some(m) = &mut n.mac {
            *m = p.address(&m.to_string()).into();
        }
        for ip in &mut n.ip_addresses {
            *ip = p.address(ip);
        }
    }
    if let Some(d) = vm.details.as_deref_mut() {
        p.opt(&mut d.dns_name);
        if let Some(ip) = &mut d.primary_ip {
            *ip = p.address(ip).into();
        }
        if let Some(f) = &mut d.vmx_path {
            *f = p.datastore_path(&f.to_cow()).into();
        }
        d.annotation = None;
    }
}

fn disk(d: &mut Disk, p: &mut Pseudonymiser) {
    p.opt(&mut d.datastore);
    if let Some(f) = &mut d.file {
        *f = p.datastore_path(&f.to_cow()).into();
    }
}
