//! Collecting one vCenter's inventory into the domain model.
//!
//! One container view and one paged `RetrievePropertiesEx` per managed object type, in an order
//! that lets every later object be resolved by name (folders and datacenters, then clusters and
//! hosts, then datastores, then VMs). VMs are decoded object by object as the answer streams in.

pub mod decode;
pub mod devices;
pub mod estate;
pub mod events;
pub mod known;
pub mod progress;
pub mod props;

use crate::model::{
    Cluster, CollectStatus, Datacenter, Datastore, Host, PropertyFault, Shared, StoragePod,
    VCenterInventory,
};
use crate::soap::property::retrieve_type;
use crate::soap::session::{Session, SessionError, with_session};
use crate::soap::{Client, ObjectContent, SoapError};
use crate::target::Target;
use known::Known;
use progress::{Phase, Progress};
use std::collections::BTreeMap;
use tokio_util::sync::CancellationToken;

/// Why a vCenter could not be collected; `Display` is the one-line message, to which the command
/// adds the advice naming its flags (`cmd::advice::vcenter_error`).
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
    #[error("cannot reach {server}: {reason}")]
    Unreachable { server: String, reason: String },
    /// An HTTP status that is no SOAP answer (not 502-504, which are [`VCenterError::Busy`]).
    #[error("cannot reach {server}: {}", crate::soap::client::http_status_text(*.code))]
    Http { server: String, code: u16 },
    #[error("{server} did not answer within {secs} s")]
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
    #[error("{server} was not done within its deadline of {secs} s")]
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
        SoapError::Http(code) => VCenterError::Http { server, code },
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
        vm.tags = index.vm(&vm.moref).iter().map(Shared::from).collect();
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
    let mut known = Known::default();
    let mut inv = VCenterInventory::default();

    let fetch = async |kind: &str,
                       paths: &[&str],
                       faults: &mut Faults,
                       sink: &mut dyn FnMut(&ObjectContent)| {
        retrieve_type(client, &views, &pc, &root, kind, paths, |oc| {
            p.objects(1);
            faults.note(kind, oc);
            sink(oc)
        })
        .await
    };

    for table in [&props::FOLDER, &props::DATACENTER, &props::COMPUTE_RESOURCE] {
        fetch(table.kind, &table.paths(), &mut faults, &mut |oc| {
            if let Some(obj) = oc.obj.clone() {
                known.entities.insert(obj, props::entity(oc));
            }
        })
        .await?;
    }
    // Kept as sent until all four are in: each resolves names through the others.
    let mut raw = async |kind: &str, paths: Vec<&str>| {
        let mut objects = Vec::new();
        fetch(kind, &paths, &mut faults, &mut |oc| {
            objects.push(oc.clone())
        })
        .await
        .map(|_| objects)
    };
    let infrastructure = Infrastructure {
        clusters: raw(props::CLUSTER.kind, props::CLUSTER.paths()).await?,
        hosts: raw(props::HOST.kind, props::HOST.paths()).await?,
        pods: raw(props::STORAGE_POD.kind, props::STORAGE_POD.paths()).await?,
        datastores: raw(props::DATASTORE.kind, props::DATASTORE.paths()).await?,
    };
    infrastructure.decode(&mut known, &mut inv)?;
    let overflow = |(object, overflow)| WorkError::Overflow { object, overflow };

    let mut vms = Vec::new();
    let mut first_overflow = None;
    let vm_table = &props::VIRTUAL_MACHINE;
    fetch(
        vm_table.kind,
        &vm_table.paths(),
        &mut faults,
        &mut |oc| match props::vm(oc, &known) {
            Ok(Some(vm)) => vms.push(vm),
            Ok(None) => {}
            Err(e) => {
                first_overflow.get_or_insert(overflow(e));
            }
        },
    )
    .await?;
    if let Some(e) = first_overflow {
        return Err(e);
    }
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

/// The objects of the types retrieved before VMs, as sent.
struct Infrastructure {
    clusters: Vec<ObjectContent>,
    hosts: Vec<ObjectContent>,
    pods: Vec<ObjectContent>,
    datastores: Vec<ObjectContent>,
}

impl Infrastructure {
    /// Into `inv` (datacenters, clusters, hosts, datastore clusters, datastores), and into
    /// `known` what VMs are resolved by: the tree, the hosts and the datastores.
    fn decode(self, known: &mut Known, inv: &mut VCenterInventory) -> Result<(), WorkError> {
        for oc in self
            .clusters
            .iter()
            .chain(&self.hosts)
            .chain(&self.pods)
            .chain(&self.datastores)
        {
            if let Some(obj) = oc.obj.clone() {
                known.entities.insert(obj, props::entity(oc));
            }
        }

        for (obj, e) in &known.entities {
            if obj.kind == "Datacenter" {
                inv.datacenters.push(Datacenter {
                    moref: obj.value.clone(),
                    name: e.name.clone(),
                });
            }
        }
        inv.datacenters
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.moref.cmp(&b.moref)));

        let overflow = |(object, overflow)| WorkError::Overflow { object, overflow };
        for oc in &self.clusters {
            let Some(obj) = &oc.obj else { continue };
            let cluster = Cluster {
                moref: obj.value.clone(),
                ..Cluster::default()
            };
            let cluster = props::CLUSTER.decoded(oc, known, cluster);
            inv.clusters.push(cluster.map_err(overflow)?);
        }

        // Hosts, and what VMs need to know of them: name and cluster.
        for oc in &self.hosts {
            let Some(obj) = &oc.obj else { continue };
            let host = Host {
                moref: obj.value.clone(),
                ..Host::default()
            };
            let host = props::HOST.decoded(oc, known, host).map_err(overflow)?;
            known.hosts.insert(
                obj.clone(),
                (
                    Shared::from(&host.name),
                    host.cluster.as_deref().map(Shared::from),
                ),
            );
            inv.hosts.push(host);
        }

        for oc in &self.pods {
            let Some(obj) = &oc.obj else { continue };
            let pod = StoragePod {
                moref: obj.value.clone(),
                ..StoragePod::default()
            };
            let pod = props::STORAGE_POD.decoded(oc, known, pod);
            inv.storage_pods.push(pod.map_err(overflow)?);
        }

        for oc in &self.datastores {
            let Some(obj) = &oc.obj else { continue };
            let ds = Datastore {
                moref: obj.value.clone(),
                ..Datastore::default()
            };
            let ds = props::DATASTORE.decoded(oc, known, ds).map_err(overflow)?;
            known.datastores.insert(obj.clone(), Shared::from(&ds.name));
            inv.datastores.push(ds);
        }
        Ok(())
    }
}
