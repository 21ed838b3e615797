//! Progress of a collection, told to an [`Observer`] as it happens: which phase each vCenter is
//! in (login, inventory, events, tags; the tags are read alongside the inventory), how many
//! objects it has retrieved so far, and how it ended.
//!
//! The collect layer knows nothing of terminals: the command line implements the observer (a
//! progress display on stderr) or passes [`Silent`].

/// A step of collecting one vCenter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Login,
    Inventory,
    Events,
    Tags,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Login => "login",
            Phase::Inventory => "inventory",
            Phase::Events => "events",
            Phase::Tags => "tags",
        }
    }
}

/// How the collection of one vCenter ended.
#[derive(Debug, Clone, Copy)]
pub enum Finished<'a> {
    Collected { hosts: usize, vms: usize },
    Failed { error: &'a super::VCenterError },
}

/// Receives progress; every method has a do-nothing default. Called from the collecting tasks,
/// so implementations must be cheap and thread-safe.
pub trait Observer: Send + Sync {
    /// `vcenter` entered (`active`) or left `phase`.
    fn phase(&self, _vcenter: &str, _phase: Phase, _active: bool) {}
    /// `vcenter` retrieved `count` more objects.
    fn objects(&self, _vcenter: &str, _count: u64) {}
    /// `vcenter` is done.
    fn finished(&self, _vcenter: &str, _outcome: Finished<'_>) {}
}

/// The observer that shows nothing.
pub struct Silent;

impl Observer for Silent {}

/// One vCenter's view of an observer, handed down the collect layer.
#[derive(Clone, Copy)]
pub struct Progress<'a> {
    pub vcenter: &'a str,
    pub observer: &'a dyn Observer,
}

impl Progress<'_> {
    pub fn start(&self, phase: Phase) {
        self.observer.phase(self.vcenter, phase, true);
    }
    pub fn end(&self, phase: Phase) {
        self.observer.phase(self.vcenter, phase, false);
    }
    pub fn objects(&self, count: u64) {
        self.observer.objects(self.vcenter, count);
    }
    /// Runs `work` as `phase`: started before, ended after, whatever the result.
    pub async fn during<T>(&self, phase: Phase, work: impl Future<Output = T>) -> T {
        self.start(phase);
        let r = work.await;
        self.end(phase);
        r
    }
}
