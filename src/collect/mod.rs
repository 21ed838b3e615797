//! Collecting one vCenter's inventory into the domain model.
//!
//! One container view and one paged `RetrievePropertiesEx` per managed object type, in an order
//! that lets every later object be resolved by name (folders and datacenters, then clusters and
//! hosts, then datastores, then VMs). VMs are decoded object by object as the answer streams in.

pub mod decode;
pub mod devices;
pub mod estate;
pub mod events;
pub mod paths;
pub mod progress;

use crate::model::{
    Cluster, CollectStatus, Datacenter, Datastore, Host, PropertyFault, Shared, StoragePod,
    VCenterInventory, Vm,
};
use crate::soap::property::retrieve_type;
use crate::soap::session::{Session, SessionError, with_session};
use crate::soap::{Client, MoRef, ObjectContent, SoapError};
use crate::target::Target;
use decode::Entity;
use progress::{Phase, Progress};
use std::collections::{BTreeMap, HashMap};
use tokio_util::sync::CancellationToken;

/// Why a vCenter could not be collected; `Display` is the one-line message users see.
#[derive(Debug, thiserror::Error)]
pub enum VCenterError {
    #[error("{0}")]
    Setup(String),
    /// The advice naming flags is the command's to add (`cmd::advice`).
    #[error("TLS certificate of {server} is not accepted: {problem}")]
    Certificate {
        server: String,
        problem: crate::tls::CertProblem,
    },
    #[error("cannot reach {server}: {reason} (check --server and the network)")]
    Unreachable { server: String, reason: String },
    #[error("{server} did not answer within {secs} s (raise --timeout if the vCenter is slow)")]
    Timeout { server: String, secs: u64 },
    #[error("login failed for {user} at {server}: {fault}{hint}")]
    Login {
        user: String,
        server: String,
        fault: String,
        hint: &'static str,
    },
    #[error("lost the connection to {server} during collection: {reason}")]
    ConnectionLost { server: String, reason: String },
    #[error("collecting from {server} failed: {reason}")]
    Collect { server: String, reason: String },
    #[error("interrupted while collecting from {0}")]
    Interrupted(String),
    #[error("{server}: {reason}; try again later")]
    Busy { server: String, reason: String },
    #[error("{server} was not done within --deadline {secs} s")]
    Deadline { server: String, secs: u64 },
    #[error("{server}: {object}: {overflow} (a broken answer; the vCenter was not audited)")]
    Overflow {
        server: String,
        object: String,
        overflow: decode::Overflow,
    },
    #[error(
        "tags unavailable at {server}: {reason} (needed for {why}; check that the user may use the vSphere Automation REST API)"
    )]
    Tags {
        server: String,
        reason: String,
        why: &'static str,
    },
}

/// Why collecting through a logged-in session failed: a SOAP call, or an answer the model
/// cannot hold.
#[derive(Debug, thiserror::Error)]
enum WorkError {
    #[error("{0}")]
    Soap(#[from] SoapError),
    #[error("{object}: {overflow}")]
    Overflow {
        object: String,
        overflow: decode::Overflow,
    },
}

fn describe(target: &Target, e: SoapError) -> VCenterError {
    let server = target.label.clone();
    match e {
        SoapError::Certificate(problem) => VCenterError::Certificate { server, problem },
        SoapError::Connect(reason) => VCenterError::Unreachable { server, reason },
        SoapError::Timeout(secs) => VCenterError::Timeout { server, secs },
        SoapError::Http(code @ 502..=504) => VCenterError::Busy {
            server,
            reason: crate::soap::client::http_status_text(code),
        },
        SoapError::Http(code) => VCenterError::Unreachable {
            server,
            reason: format!(
                "{} (--server takes host, host:port or https://host[:port]/sdk)",
                crate::soap::client::http_status_text(code)
            ),
        },
        other => VCenterError::Collect {
            server,
            reason: other.to_string(),
        },
    }
}

/// Collects one vCenter: the inventory over SOAP and, once the SOAP login has succeeded (so a
/// wrong password costs one failed login, not two), at the same time its vSphere tags over the
/// vAPI REST interface. Both sessions are logged out however collection ends.
///
/// When the tags cannot be read the inventory is still returned, with `tags_error` saying why;
/// unless the target needs them (`--require-tags`, or a tag scope), which makes it an error.
pub async fn collect_vcenter(
    target: &Target,
    cancel: &CancellationToken,
) -> Result<VCenterInventory, VCenterError> {
    collect_vcenter_with(target, cancel, &progress::Silent).await
}

/// [`collect_vcenter`], telling `observer` how it goes.
pub async fn collect_vcenter_with(
    target: &Target,
    cancel: &CancellationToken,
    observer: &dyn progress::Observer,
) -> Result<VCenterInventory, VCenterError> {
    let Some(deadline) = target.deadline else {
        return collect_vcenter_until(target, cancel, observer).await;
    };
    // The deadline cancels this vCenter's work like Ctrl-C would, so its sessions are still
    // logged out; the other vCenters are not touched.
    let local = cancel.child_token();
    let timer = {
        let local = local.clone();
        tokio::spawn(async move {
            tokio::time::sleep(deadline).await;
            local.cancel();
        })
    };
    let result = collect_vcenter_until(target, &local, observer).await;
    timer.abort();
    match result {
        Err(VCenterError::Interrupted(server)) if !cancel.is_cancelled() => {
            Err(VCenterError::Deadline {
                server,
                secs: deadline.as_secs(),
            })
        }
        other => other,
    }
}

async fn collect_vcenter_until(
    target: &Target,
    cancel: &CancellationToken,
    observer: &dyn progress::Observer,
) -> Result<VCenterInventory, VCenterError> {
    let p = Progress {
        vcenter: &target.label,
        observer,
    };
    let http = crate::tls::http_client_timed(&target.tls, Some(target.timeout))
        .map_err(|e| VCenterError::Setup(e.to_string()))?;
    let client =
        Client::new(http.clone(), target.url.clone(), target.timeout).with_tries(target.tries);
    p.start(Phase::Login);
    let result = with_session(
        &client,
        &target.user,
        &target.password,
        cancel,
        |s| async move {
            p.end(Phase::Login);
            let tags = p.during(
                Phase::Tags,
                crate::rest::collect_tags_until(
                    http,
                    &target.url,
                    &target.user,
                    &target.password,
                    target.timeout,
                    target.tries,
                    cancel,
                ),
            );
            let (inv, tags) = tokio::join!(collect_with_events(&s, target.events_days, p), tags);
            Ok((inv?, tags))
        },
    )
    .await;
    p.end(Phase::Login);
    let (content, (mut inv, tags)) = result.map_err(|e| session_error(target, e))?;
    inv.server = target.label.clone();
    inv.url = target.url.to_string();
    inv.about = content.about;
    inv.status = CollectStatus::Ok;
    inv.scope = target.scope.clone();
    inv.collected_at = Some(now_rfc3339());
    match tags {
        Ok(index) => apply_tags(&mut inv, &index),
        Err(crate::rest::RestError::Interrupted) => {
            return Err(VCenterError::Interrupted(target.label.clone()));
        }
        Err(e) => {
            if let Some(why) = target.tags_needed() {
                return Err(VCenterError::Tags {
                    server: target.label.clone(),
                    reason: e.to_string(),
                    why,
                });
            }
            log::warn!(
                "{}: tags unavailable: {e}; auditing without tags",
                target.label
            );
            inv.tags_error = Some(format!("tags unavailable: {e}"));
        }
    }
    Ok(inv)
}

/// The inventory, then the migration events of the last `events_days` days (none when 0).
async fn collect_with_events(
    s: &Session<'_>,
    events_days: u32,
    p: Progress<'_>,
) -> Result<VCenterInventory, WorkError> {
    let mut inv = p.during(Phase::Inventory, collect_inventory(s, p)).await?;
    match (&s.content.event_manager, events_days) {
        (_, 0) => {}
        (None, _) => inv.events_error = Some("events unavailable: no event manager".into()),
        (Some(em), days) => {
            let now = time::OffsetDateTime::now_utc();
            let read = events::read_migration_events(s.client, em, days, now);
            match p.during(Phase::Events, read).await? {
                Ok(list) => inv.migration_events = Some(list),
                Err(reason) => inv.events_error = Some(format!("events unavailable: {reason}")),
            }
        }
    }
    Ok(inv)
}

/// The user-facing error of a SOAP session that failed.
fn session_error(target: &Target, e: SessionError<WorkError>) -> VCenterError {
    match e {
        // Logged in, then the connection dropped: the server was reachable, so say what happened.
        SessionError::Work(WorkError::Soap(SoapError::Connect(reason))) => {
            VCenterError::ConnectionLost {
                server: target.label.clone(),
                reason,
            }
        }
        SessionError::Work(WorkError::Overflow { object, overflow }) => VCenterError::Overflow {
            server: target.label.clone(),
            object,
            overflow,
        },
        SessionError::Connect(e) | SessionError::Work(WorkError::Soap(e)) => describe(target, e),
        SessionError::Login(SoapError::Fault(f)) => {
            let hint = if f.kind == "InvalidLogin" {
                " (check the user and password)"
            } else {
                ""
            };
            let fault = if f.kind.is_empty() { f.message } else { f.kind };
            VCenterError::Login {
                user: target.user.clone(),
                server: target.label.clone(),
                fault,
                hint,
            }
        }
        SessionError::Login(e) => describe(target, e),
        SessionError::Interrupted => VCenterError::Interrupted(target.label.clone()),
    }
}

/// Fills the `tags` of every VM and host from the index.
fn apply_tags(inv: &mut VCenterInventory, index: &crate::rest::TagIndex) {
    for vm in &mut inv.vms {
        vm.tags = index.vm(&vm.moref).to_vec();
    }
    for host in &mut inv.hosts {
        host.tags = index.host(&host.moref).to_vec();
    }
}

/// The current UTC time, RFC 3339, whole seconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Tallies `missingSet` entries: (type, path, fault) → objects.
#[derive(Default)]
struct Faults(BTreeMap<(String, String, String), u64>);

impl Faults {
    fn note(&mut self, kind: &str, oc: &ObjectContent) {
        for (path, fault) in &oc.missing {
            *self
                .0
                .entry((kind.to_string(), path.clone(), fault.clone()))
                .or_default() += 1;
        }
    }

    fn into_list(self) -> Vec<PropertyFault> {
        self.0
            .into_iter()
            .map(|((object_type, path, fault), objects)| PropertyFault {
                object_type,
                path,
                fault,
                objects,
            })
            .collect()
    }
}

/// The whole inventory through a logged-in session.
async fn collect_inventory(
    session: &Session<'_>,
    p: Progress<'_>,
) -> Result<VCenterInventory, WorkError> {
    let client = session.client;
    let c = &session.content;
    let missing = |what: &str| {
        SoapError::Xml(crate::soap::xml::XmlError::Malformed(format!(
            "service content has no {what}"
        )))
    };
    let root = c.root_folder.clone().ok_or_else(|| missing("rootFolder"))?;
    let views = c
        .view_manager
        .clone()
        .ok_or_else(|| missing("viewManager"))?;
    let pc = c
        .property_collector
        .clone()
        .ok_or_else(|| missing("propertyCollector"))?;
    let mut faults = Faults::default();
    let mut entities: HashMap<MoRef, Entity> = HashMap::new();
    let mut inv = VCenterInventory::default();

    let fetch = async |kind: &str,
                       paths: &[&str],
                       faults: &mut Faults,
                       sink: &mut dyn FnMut(ObjectContent)| {
        retrieve_type(client, &views, &pc, &root, kind, paths, |oc| {
            p.objects(1);
            faults.note(kind, &oc);
            sink(oc)
        })
        .await
    };

    for (kind, paths) in [
        ("Folder", paths::FOLDER),
        ("Datacenter", paths::DATACENTER),
        ("ComputeResource", paths::COMPUTE_RESOURCE),
    ] {
        fetch(kind, paths, &mut faults, &mut |oc| {
            if let Some(obj) = oc.obj.clone() {
                entities.insert(obj, decode::entity(&oc));
            }
        })
        .await?;
    }
    let mut clusters_raw = Vec::new();
    fetch(
        "ClusterComputeResource",
        paths::CLUSTER,
        &mut faults,
        &mut |oc| clusters_raw.push(oc),
    )
    .await?;
    let mut hosts_raw = Vec::new();
    fetch("HostSystem", paths::HOST, &mut faults, &mut |oc| {
        hosts_raw.push(oc)
    })
    .await?;
    let mut pods_raw = Vec::new();
    fetch("StoragePod", paths::STORAGE_POD, &mut faults, &mut |oc| {
        pods_raw.push(oc)
    })
    .await?;
    let mut ds_raw = Vec::new();
    fetch("Datastore", paths::DATASTORE, &mut faults, &mut |oc| {
        ds_raw.push(oc)
    })
    .await?;

    for oc in clusters_raw
        .iter()
        .chain(&hosts_raw)
        .chain(&pods_raw)
        .chain(&ds_raw)
    {
        if let Some(obj) = oc.obj.clone() {
            entities.insert(obj, decode::entity(oc));
        }
    }
    let tree = Tree {
        entities: &entities,
    };

    for (obj, e) in &entities {
        if obj.kind == "Datacenter" {
            inv.datacenters.push(Datacenter {
                moref: obj.value.clone(),
                name: e.name.clone(),
            });
        }
    }
    inv.datacenters
        .sort_by(|a, b| a.name.cmp(&b.name).then(a.moref.cmp(&b.moref)));

    for oc in &clusters_raw {
        let Some(obj) = &oc.obj else { continue };
        let (drs_enabled, drs_automation) = decode::cluster_drs(oc);
        inv.clusters.push(Cluster {
            moref: obj.value.clone(),
            name: decode::entity(oc).name,
            datacenter: tree.datacenter(obj),
            drs_enabled,
            drs_automation,
            ha_enabled: decode::cluster_ha(oc),
            summary: decode::cluster_summary(oc),
        });
    }

    // Hosts, and what VMs need to know of them: name and cluster.
    let mut host_info: HashMap<MoRef, (Shared, Option<Shared>)> = HashMap::new();
    for oc in &hosts_raw {
        let Some(obj) = &oc.obj else { continue };
        let (version, build, full_name) = decode::host_product(oc);
        let cluster = oc
            .moref("parent")
            .filter(|p| p.kind == "ClusterComputeResource")
            .and_then(|p| entities.get(&p).map(|e| e.name.clone()));
        let host = Host {
            moref: obj.value.clone(),
            name: decode::entity(oc).name,
            datacenter: tree.datacenter(obj),
            cluster,
            version,
            build,
            full_name,
            connection_state: decode::connection_state(oc),
            maintenance_mode: oc.bool("runtime.inMaintenanceMode"),
            tags: Vec::new(),
            hardware: decode::host_hardware(oc),
        };
        host_info.insert(
            obj.clone(),
            (
                Shared::from(&host.name),
                host.cluster.as_deref().map(Shared::from),
            ),
        );
        inv.hosts.push(host);
    }

    for oc in &pods_raw {
        let Some(obj) = &oc.obj else { continue };
        inv.storage_pods.push(StoragePod {
            moref: obj.value.clone(),
            name: decode::entity(oc).name,
            datacenter: tree.datacenter(obj),
            storage_drs: oc.bool("podStorageDrsEntry.storageDrsConfig.podConfig.enabled"),
        });
    }

    let mut ds_names: HashMap<MoRef, Shared> = HashMap::new();
    for oc in &ds_raw {
        let Some(obj) = &oc.obj else { continue };
        let name = decode::entity(oc).name;
        ds_names.insert(obj.clone(), Shared::from(&name));
        inv.datastores.push(Datastore {
            moref: obj.value.clone(),
            name,
            datacenter: tree.datacenter(obj),
            kind: decode::text(oc, "summary.type"),
            capacity_bytes: decode::num(oc, "summary.capacity"),
            free_bytes: decode::num(oc, "summary.freeSpace"),
            storage_pod: oc
                .moref("parent")
                .filter(|p| p.kind == "StoragePod")
                .map(|p| p.value),
            accessible: oc.bool("summary.accessible"),
            url: decode::text(oc, "summary.url"),
            uncommitted_bytes: decode::num(oc, "summary.uncommitted"),
        });
    }
    drop((clusters_raw, hosts_raw, pods_raw, ds_raw));

    let mut vms = Vec::new();
    let mut overflow = None;
    fetch(
        "VirtualMachine",
        paths::VIRTUAL_MACHINE,
        &mut faults,
        &mut |oc| match decode_vm(&oc, &tree, &host_info, &ds_names) {
            Ok(Some(vm)) => vms.push(vm),
            Ok(None) => {}
            Err(e) => {
                overflow.get_or_insert(e);
            }
        },
    )
    .await?;
    if let Some(e) = overflow {
        return Err(e);
    }
    // Kept for the whole run: no spare capacity.
    vms.shrink_to_fit();
    inv.vms = vms;
    inv.property_faults = faults.into_list();
    for f in &inv.property_faults {
        log::warn!(
            "{}: {} of {} {} objects could not be read: {} (reported as unknown)",
            session.client.url().host_str().unwrap_or_default(),
            f.path,
            f.objects,
            f.object_type,
            f.fault
        );
    }
    Ok(inv)
}

fn decode_vm(
    oc: &ObjectContent,
    tree: &Tree<'_>,
    hosts: &HashMap<MoRef, (Shared, Option<Shared>)>,
    ds_names: &HashMap<MoRef, Shared>,
) -> Result<Option<Vm>, WorkError> {
    let Some(obj) = oc.obj.as_ref() else {
        return Ok(None);
    };
    let disks = decode::disks(oc, ds_names).map_err(|overflow| WorkError::Overflow {
        object: format!("VirtualMachine '{}' ({})", decode::name(oc), obj.value),
        overflow,
    })?;
    let host_ref = oc.moref("runtime.host");
    let (host, cluster) = match host_ref.as_ref().and_then(|h| hosts.get(h)) {
        Some((name, cluster)) => (Some(name.clone()), cluster.clone()),
        None => (None, None),
    };
    let ds_refs = decode::moref_list(oc, "datastore");
    let (boot_order, secure_boot) = devices::boot_options(oc);
    let mut vm = Vm {
        moref: obj.value.clone(),
        name: decode::name(oc),
        datacenter: tree.datacenter_from(oc.moref("parent")).map(Shared::from),
        cluster,
        host,
        host_moref: host_ref.map(|h| Shared::from(h.value)),
        folder: oc
            .moref("parent")
            .and_then(|p| tree.path(&p))
            .map(Shared::from),
        bios_uuid: decode::text(oc, "config.uuid"),
        instance_uuid: decode::text(oc, "config.instanceUuid"),
        power_state: decode::power_state(oc),
        template: oc.bool("config.template"),
        guest_id: decode::shared(oc, "config.guestId"),
        guest_os_config: decode::shared(oc, "config.guestFullName"),
        guest_id_tools: decode::shared(oc, "guest.guestId"),
        guest_os_tools: decode::shared(oc, "guest.guestFullName"),
        tools_status: decode::tools_status(oc),
        tools_running: decode::tools_running(oc),
        tools_version: decode::shared(oc, "guest.toolsVersion"),
        tools_version_status: decode::shared(oc, "guest.toolsVersionStatus2"),
        firmware: decode::firmware(oc),
        cpus: decode::num(oc, "config.hardware.numCPU"),
        memory_mb: decode::num(oc, "config.hardware.memoryMB"),
        datastores: ds_refs
            .iter()
            .map(|d| {
                ds_names
                    .get(d)
                    .cloned()
                    .unwrap_or_else(|| Shared::from(&d.value))
            })
            .collect(),
        // Not `into_iter`: collecting in place would keep the larger `MoRef` buffer.
        datastore_morefs: ds_refs.iter().map(|d| Shared::from(&d.value)).collect(),
        disks,
        guest_disks: decode::guest_disks(oc),
        tags: Vec::new(),
        nics: devices::nics(oc),
        boot_order,
        secure_boot,
        key_id: devices::vm_key_id(oc),
        managed_by: devices::managed_by(oc).map(Box::new),
        details: decode::vm_details(oc).map(Box::new),
    };
    // Kept for the whole run, a million of them: no spare capacity in the per-VM lists.
    vm.shrink_to_fit();
    Ok(Some(vm))
}

/// The containment tree, for datacenters and inventory paths.
struct Tree<'a> {
    entities: &'a HashMap<MoRef, Entity>,
}

impl Tree<'_> {
    /// The name of the datacenter above `obj` (which must be in the tree).
    fn datacenter(&self, obj: &MoRef) -> Option<String> {
        self.datacenter_from(self.entities.get(obj)?.parent.clone())
    }

    /// The name of the first datacenter at or above `start`.
    fn datacenter_from(&self, start: Option<MoRef>) -> Option<String> {
        let mut cur = start;
        for _ in 0..64 {
            let p = cur?;
            let e = self.entities.get(&p)?;
            if p.kind == "Datacenter" {
                return Some(e.name.clone());
            }
            cur = e.parent.clone();
        }
        None
    }

    /// Inventory path of an entity, govc style (`/DC0/vm/Prod`); the root folder is not named.
    fn path(&self, obj: &MoRef) -> Option<String> {
        let mut names = Vec::new();
        let mut cur = Some(obj.clone());
        for _ in 0..64 {
            let Some(p) = cur else { break };
            let Some(e) = self.entities.get(&p) else {
                break;
            };
            names.push(e.name.as_str());
            cur = e.parent.clone();
        }
        if names.is_empty() {
            return None;
        }
        names.reverse();
        Some(format!("/{}", names.join("/")))
    }
}
