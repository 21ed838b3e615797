//! Every vSphere property vcaudit collects, declared once: per managed object type, a [`Table`]
//! of [`Prop`]s, each naming its property path, the vim25 type `wsdl/vim25-subset.xsd` gives
//! that path, the model field(s) it fills and how its value decodes into them.
//!
//! The tables drive everything else: the paths each `RetrievePropertiesEx` asks for
//! ([`queries`], in the order of [`TABLES`]), the filling of the model as objects stream in
//! ([`Table::fill`]), and the checks of `tests/wsdl_schema.rs` (every declared path resolves in
//! the schema to the declared type; every declared field is a field of the model).
//!
//! # Adding a column
//! 1. The declaration: one [`Prop`] in the table of its type here (path, `xsd` type as
//!    `wsdl/vim25-subset.xsd` describes it, the field it fills, the decoder). If the schema does
//!    not describe the path yet, add it there (vim25's own names); the test says what is missing.
//! 2. The model: the field in `src/model.rs` (`Option`, `None` when not sent).
//! 3. The row: for a report column, the field of its row (`src/report/rows.rs`) and its
//!    descriptor (`src/report/columns.rs`); for an RVTools column, its cell in
//!    `src/report/rvtools/` (and, when a workbook can carry it back, `src/rvtools/map.rs`).
//!
//! Decoding keeps vSphere's rules: a property not sent leaves its field unknown (`None`),
//! unknown elements are skipped, a malformed number is unknown, inventory names are unescaped
//! ([`decode::unescape_name`]) and a capacity past `u64` is an [`Overflow`] error.

use super::decode::{self, Entity, Overflow};
use super::known::Known;
use crate::model::{Cluster, ConnectionState, Datastore, Host, Shared, StoragePod};
use crate::soap::types::{MoRef, ObjectContent, parse_num};
use crate::soap::xml::Node;

/// One collected property.
pub struct Prop<T: 'static> {
    /// The property path requested (`config.hardware.numCPU`).
    pub path: &'static str,
    /// The type the schema gives the path (`xsd:int`, `vim25:HostHardwareSummary`).
    pub xsd: &'static str,
    /// The model field(s) it fills, comma-separated (`cpus`; `details.cbt`).
    pub fills: &'static str,
    pub decode: Decode<T>,
}

// Not derived: a derive would ask `T: Clone`.
impl<T> Clone for Prop<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Prop<T> {}

/// How a property's value fills its target; `Known` resolves references to names.
pub enum Decode<T: 'static> {
    Set(fn(Value<'_>, &Known, &mut T)),
    /// A decoder whose arithmetic can overflow.
    Try(fn(Value<'_>, &Known, &mut T) -> Result<(), Overflow>),
}

impl<T> Clone for Decode<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Decode<T> {}

impl<T> Prop<T> {
    pub const fn set(
        path: &'static str,
        xsd: &'static str,
        fills: &'static str,
        f: fn(Value<'_>, &Known, &mut T),
    ) -> Prop<T> {
        Prop {
            path,
            xsd,
            fills,
            decode: Decode::Set(f),
        }
    }

    pub const fn try_set(
        path: &'static str,
        xsd: &'static str,
        fills: &'static str,
        f: fn(Value<'_>, &Known, &mut T) -> Result<(), Overflow>,
    ) -> Prop<T> {
        Prop {
            path,
            xsd,
            fills,
            decode: Decode::Try(f),
        }
    }
}

/// The value of one declared property in an object (absent when not sent).
#[derive(Clone, Copy)]
pub struct Value<'a> {
    oc: &'a ObjectContent,
    path: &'static str,
}

impl<'a> Value<'a> {
    pub fn node(self) -> Option<Node<'a>> {
        self.oc.get(self.path)
    }
    /// The elements of an array-valued property.
    pub fn nodes(self) -> Option<Vec<Node<'a>>> {
        self.oc.get_all(self.path)
    }
    pub fn raw(self) -> Option<&'a str> {
        self.oc.text(self.path)
    }
    pub fn trimmed(self) -> Option<&'a str> {
        self.raw().map(str::trim)
    }
    /// A non-empty trimmed string.
    pub fn text(self) -> Option<String> {
        decode::text(self.raw())
    }
    /// A non-empty trimmed string that many objects repeat (a guest OS name, a version),
    /// shared rather than copied per object.
    pub fn shared(self) -> Option<Shared> {
        self.trimmed().filter(|s| !s.is_empty()).map(Shared::from)
    }
    pub fn bool(self) -> Option<bool> {
        self.oc.bool(self.path)
    }
    pub fn num<N: std::str::FromStr>(self) -> Option<N> {
        parse_num(self.raw())
    }
    pub fn moref(self) -> Option<MoRef> {
        self.oc.moref(self.path)
    }
    /// The whole object, for a decoder that combines its value with another declared one.
    pub fn object(self) -> &'a ObjectContent {
        self.oc
    }
}

/// The declarations of one managed object type, in the order they are requested.
pub struct Table<T: 'static> {
    pub kind: &'static str,
    pub props: &'static [Prop<T>],
}

impl<T> Table<T> {
    /// The property paths requested for this type.
    pub fn paths(&self) -> Vec<&'static str> {
        self.props.iter().map(|p| p.path).collect()
    }

    /// `target` (its reference set) filled from `oc`; an overflow comes with the object named
    /// (`VirtualMachine 'web01' (vm-42)`).
    pub fn decoded(
        &self,
        oc: &ObjectContent,
        known: &Known,
        mut target: T,
    ) -> Result<T, (String, Overflow)> {
        match self.fill(oc, known, &mut target) {
            Ok(()) => Ok(target),
            Err(overflow) => {
                let name = entity(oc).name;
                let moref = oc.obj.as_ref().map(|o| o.value.as_str()).unwrap_or("?");
                Err((format!("{} '{name}' ({moref})", self.kind), overflow))
            }
        }
    }

    /// Every declared property of `oc` into `target`.
    pub fn fill(&self, oc: &ObjectContent, known: &Known, target: &mut T) -> Result<(), Overflow> {
        for p in self.props {
            let v = Value { oc, path: p.path };
            match p.decode {
                Decode::Set(f) => f(v, known, target),
                Decode::Try(f) => f(v, known, target)?,
            }
        }
        Ok(())
    }
}

/// A declaration without its decoder, for the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    pub path: &'static str,
    pub xsd: &'static str,
    pub fills: &'static str,
}

/// A table of any target type.
pub trait Declares: Sync {
    fn kind(&self) -> &'static str;
    fn declared(&self) -> Vec<Declared>;
}

impl<T> Declares for Table<T> {
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn declared(&self) -> Vec<Declared> {
        self.props
            .iter()
            .map(|p| Declared {
                path: p.path,
                xsd: p.xsd,
                fills: p.fills,
            })
            .collect()
    }
}

/// Every table, in the order the collector retrieves them (folders and datacenters first, so
/// that later objects resolve by name; VMs last).
pub static TABLES: [&dyn Declares; 8] = [
    &FOLDER,
    &DATACENTER,
    &COMPUTE_RESOURCE,
    &CLUSTER,
    &HOST,
    &STORAGE_POD,
    &DATASTORE,
    &VIRTUAL_MACHINE,
];

/// `(managed object type, property paths)` in the order they are collected: the whole of what
/// vcaudit asks vCenter for.
pub fn queries() -> Vec<(&'static str, Vec<&'static str>)> {
    TABLES
        .iter()
        .map(|t| (t.kind(), t.declared().iter().map(|d| d.path).collect()))
        .collect()
}

/// `name` and `parent`, which every managed entity has.
const ENTITY_PROPS: &[Prop<Entity>] = &[
    Prop::set("name", "xsd:string", "name", |v, _, e| {
        e.name = decode::name(v.raw())
    }),
    Prop::set(
        "parent",
        "vim25:ManagedObjectReference",
        "parent",
        |v, _, e| e.parent = v.moref(),
    ),
];

pub static FOLDER: Table<Entity> = Table {
    kind: "Folder",
    props: ENTITY_PROPS,
};
pub static DATACENTER: Table<Entity> = Table {
    kind: "Datacenter",
    props: ENTITY_PROPS,
};
/// Standalone hosts and clusters alike (a cluster is a `ComputeResource`).
pub static COMPUTE_RESOURCE: Table<Entity> = Table {
    kind: "ComputeResource",
    props: ENTITY_PROPS,
};

/// Name and parent of an object of any type, for the containment tree.
pub fn entity(oc: &ObjectContent) -> Entity {
    let mut e = Entity::default();
    let table = Table {
        kind: "ManagedEntity",
        props: ENTITY_PROPS,
    };
    // Neither declaration can overflow.
    let _ = table.fill(oc, &Known::default(), &mut e);
    e
}

pub static CLUSTER: Table<Cluster> = Table {
    kind: "ClusterComputeResource",
    props: &[
        Prop::set("name", "xsd:string", "name", |v, _, c| {
            c.name = decode::name(v.raw())
        }),
        Prop::set(
            "parent",
            "vim25:ManagedObjectReference",
            "datacenter",
            |v, k, c| c.datacenter = k.datacenter_from(v.moref()),
        ),
        Prop::set(
            "configurationEx",
            "vim25:ClusterConfigInfoEx",
            "drs_enabled, drs_automation, ha_enabled",
            |v, _, c| {
                (c.drs_enabled, c.drs_automation) = decode::cluster_drs(v.node());
                c.ha_enabled = decode::cluster_ha(v.node());
            },
        ),
        Prop::set(
            "summary",
            "vim25:ComputeResourceSummary",
            "summary",
            |v, _, c| c.summary = decode::cluster_summary(v.node()),
        ),
    ],
};

pub static HOST: Table<Host> = Table {
    kind: "HostSystem",
    props: &[
        Prop::set("name", "xsd:string", "name", |v, _, h| {
            h.name = decode::name(v.raw())
        }),
        Prop::set(
            "parent",
            "vim25:ManagedObjectReference",
            "datacenter, cluster",
            |v, k, h| {
                let parent = v.moref();
                h.cluster = parent
                    .as_ref()
                    .filter(|p| p.kind == "ClusterComputeResource")
                    .and_then(|p| k.name(p));
                h.datacenter = k.datacenter_from(parent);
            },
        ),
        Prop::set(
            "summary.config.product",
            "vim25:AboutInfo",
            "version, build, full_name",
            |v, _, h| (h.version, h.build, h.full_name) = decode::host_product(v.node()),
        ),
        Prop::set(
            "runtime.connectionState",
            "xsd:string",
            "connection_state",
            |v, _, h| h.connection_state = v.trimmed().map(ConnectionState::from_wire),
        ),
        Prop::set(
            "runtime.inMaintenanceMode",
            "xsd:boolean",
            "maintenance_mode",
            |v, _, h| h.maintenance_mode = v.bool(),
        ),
        Prop::set(
            "summary.hardware",
            "vim25:HostHardwareSummary",
            "hardware",
            |v, _, h| h.hardware = decode::host_hardware(v.node()),
        ),
    ],
};

pub static STORAGE_POD: Table<StoragePod> = Table {
    kind: "StoragePod",
    props: &[
        Prop::set("name", "xsd:string", "name", |v, _, p| {
            p.name = decode::name(v.raw())
        }),
        Prop::set(
            "parent",
            "vim25:ManagedObjectReference",
            "datacenter",
            |v, k, p| p.datacenter = k.datacenter_from(v.moref()),
        ),
        Prop::set(
            "podStorageDrsEntry.storageDrsConfig.podConfig.enabled",
            "xsd:boolean",
            "storage_drs",
            |v, _, p| p.storage_drs = v.bool(),
        ),
    ],
};

pub static DATASTORE: Table<Datastore> = Table {
    kind: "Datastore",
    props: &[
        Prop::set("name", "xsd:string", "name", |v, _, d| {
            d.name = decode::name(v.raw())
        }),
        Prop::set(
            "parent",
            "vim25:ManagedObjectReference",
            "datacenter, storage_pod",
            |v, k, d| {
                let parent = v.moref();
                d.storage_pod = parent
                    .as_ref()
                    .filter(|p| p.kind == "StoragePod")
                    .map(|p| p.value.clone());
                d.datacenter = k.datacenter_from(parent);
            },
        ),
        Prop::set("summary.type", "xsd:string", "kind", |v, _, d| {
            d.kind = v.text()
        }),
        Prop::set(
            "summary.capacity",
            "xsd:long",
            "capacity_bytes",
            |v, _, d| d.capacity_bytes = v.num(),
        ),
        Prop::set("summary.freeSpace", "xsd:long", "free_bytes", |v, _, d| {
            d.free_bytes = v.num()
        }),
        Prop::set(
            "summary.accessible",
            "xsd:boolean",
            "accessible",
            |v, _, d| d.accessible = v.bool(),
        ),
        Prop::set("summary.url", "xsd:string", "url", |v, _, d| {
            d.url = v.text()
        }),
        Prop::set(
            "summary.uncommitted",
            "xsd:long",
            "uncommitted_bytes",
            |v, _, d| d.uncommitted_bytes = v.num(),
        ),
    ],
};

mod vm;
pub use vm::{VIRTUAL_MACHINE, vm};

#[cfg(test)]
mod tests;
