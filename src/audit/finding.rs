//! A finding: one failing or unknown check of one object, a row of `findings.csv`.
//!
//! A large estate has a finding or two per VM (a million VMs: over a million findings, kept for
//! the whole run), but only a handful of distinct verdicts: a vCenter, a rule, its severity and
//! status, and a message with its values, which many objects share (every VM on the same old
//! guest OS fails `guest-os` with the same words). So a [`Finding`] holds what is its own (the
//! object's name and moref, both shared with the model) and one pointer to a pooled [`Verdict`]:
//! 24 bytes per finding, where ten handles took 64.
//!
//! The pool is per thread and bounded like the string pool ([`crate::intern`]): when verdicts
//! turn out to be mostly unique it starts afresh, so it never keeps more than a bounded number
//! alive beyond the findings' own references. A finding reads and writes exactly the columns it
//! always had (`vcenter,object_type,object,moref,rule,severity,status,message,actual,expected`).

use crate::intern::ArcPool;
use std::ops::Deref;
use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::{ObjectKind, Severity, Status};
use crate::model::Shared;

/// Most distinct verdicts a thread's pool holds before it starts afresh.
const POOL_LIMIT: usize = 1 << 12;

thread_local! {
    static VERDICTS: ArcPool<Verdict> = ArcPool::default();
}

/// Empties this thread's verdict pool (see [`crate::model::clear_pools`]).
pub(crate) fn clear_pool() {
    crate::intern::clear(&VERDICTS);
}

/// What a finding says, apart from which object it is about: shared by every finding that says
/// the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Verdict {
    /// The vCenter as the user named it.
    pub vcenter: Shared,
    pub object_type: ObjectKind,
    /// The rule's id.
    pub rule: Shared,
    /// The severity the profile gives the rule.
    pub severity: Severity,
    /// `fail` or `unknown`, never `pass`.
    pub status: Status,
    pub message: Shared,
    pub actual: Shared,
    pub expected: Shared,
}

impl Verdict {
    /// The pooled copy of this verdict, created when it is new to this thread.
    fn pooled(self) -> Arc<Verdict> {
        crate::intern::pooled(&VERDICTS, self, POOL_LIMIT)
    }
}

/// One failing or unknown check: a row of `findings.csv` (serialize it with the csv crate; the
/// field names are the column names). It also reads a row of `report.json`'s `findings` back
/// (`vcaudit diff`).
///
/// The verdict's fields read through the finding (`finding.rule`, `finding.severity`, ...:
/// it dereferences to its [`Verdict`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "Row")]
pub struct Finding {
    /// vCenter: the server as named by the user; host and VM: their names.
    pub object: Shared,
    /// Host and VM: the moref; vCenter: `about.instanceUuid`, empty when unknown.
    pub moref: Shared,
    verdict: Arc<Verdict>,
}

impl Finding {
    /// The finding of `verdict` about the object `object` (`moref`); the verdict is pooled.
    pub fn new(object: Shared, moref: Shared, verdict: Verdict) -> Self {
        Finding {
            object,
            moref,
            verdict: verdict.pooled(),
        }
    }

    /// What it says.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }
}

impl Deref for Finding {
    type Target = Verdict;

    fn deref(&self) -> &Verdict {
        &self.verdict
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = &*self.verdict;
        let mut row = s.serialize_struct("Finding", 10)?;
        row.serialize_field("vcenter", &v.vcenter)?;
        row.serialize_field("object_type", &v.object_type)?;
        row.serialize_field("object", &self.object)?;
        row.serialize_field("moref", &self.moref)?;
        row.serialize_field("rule", &v.rule)?;
        row.serialize_field("severity", &v.severity)?;
        row.serialize_field("status", &v.status)?;
        row.serialize_field("message", &v.message)?;
        row.serialize_field("actual", &v.actual)?;
        row.serialize_field("expected", &v.expected)?;
        row.end()
    }
}

/// A finding as written: the columns, for reading one back.
#[derive(Deserialize)]
struct Row {
    vcenter: Shared,
    object_type: ObjectKind,
    object: Shared,
    moref: Shared,
    rule: Shared,
    severity: Severity,
    status: Status,
    #[serde(default)]
    message: Shared,
    #[serde(default)]
    actual: Shared,
    #[serde(default)]
    expected: Shared,
}

impl From<Row> for Finding {
    fn from(r: Row) -> Self {
        Finding::new(
            r.object,
            r.moref,
            Verdict {
                vcenter: r.vcenter,
                object_type: r.object_type,
                rule: r.rule,
                severity: r.severity,
                status: r.status,
                message: r.message,
                actual: r.actual,
                expected: r.expected,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(message: &str) -> Verdict {
        Verdict {
            vcenter: "vc1".into(),
            object_type: ObjectKind::Vm,
            rule: "guest-os".into(),
            severity: Severity::Error,
            status: Status::Fail,
            message: message.into(),
            actual: "a".into(),
            expected: "b".into(),
        }
    }

    #[test]
    fn findings_with_the_same_verdict_share_it() {
        let a = Finding::new("web-1".into(), "vm-1".into(), verdict("old OS"));
        let b = Finding::new("web-2".into(), "vm-2".into(), verdict("old OS"));
        let c = Finding::new("web-3".into(), "vm-3".into(), verdict("other"));
        assert!(std::ptr::eq(a.verdict(), b.verdict()));
        assert!(!std::ptr::eq(a.verdict(), c.verdict()));
        assert_eq!(a.message.as_ref() as &str, "old OS");
        assert_eq!(c.message.as_ref() as &str, "other");
        assert_eq!(&*b.object, "web-2");
        assert_ne!(a, b);
    }

    #[test]
    fn clearing_the_pools_forgets_the_verdicts() {
        let a = Finding::new("web-1".into(), "vm-1".into(), verdict("to forget"));
        crate::model::clear_pools();
        let b = Finding::new("web-1".into(), "vm-1".into(), verdict("to forget"));
        assert!(
            !std::ptr::eq(a.verdict(), b.verdict()),
            "a new verdict after clearing"
        );
        assert_eq!(a, b);
    }

    #[test]
    fn a_finding_round_trips_through_json_with_its_columns_in_order() {
        let f = Finding::new("web-1".into(), "vm-1".into(), verdict("too \"old\""));
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"vcenter":"vc1","object_type":"vm","object":"web-1","moref":"vm-1","rule":"guest-os","severity":"error","status":"fail","message":"too \"old\"","actual":"a","expected":"b"}"#
        );
        let back: Finding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, f);
        let short: Finding = serde_json::from_str(
            r#"{"vcenter":"vc1","object_type":"host","object":"h","moref":"host-1","rule":"r","severity":"warning","status":"unknown"}"#,
        )
        .unwrap();
        assert_eq!(short.object_type, ObjectKind::Host);
        assert_eq!(&*short.message, "");
    }
}
