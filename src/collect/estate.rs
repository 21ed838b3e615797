//! Collecting every named vCenter concurrently into one [`Estate`].
//!
//! A vCenter that cannot be reached, refuses the login or fails mid-collection does not stop the
//! others: it becomes a `status=error` entry with its error, and its objects are absent.

use super::progress::{Finished, Observer, Silent};
use super::{VCenterError, collect_vcenter_with};
use crate::model::{CollectStatus, Estate, VCenterInventory};
use crate::target::Target;
use futures_util::StreamExt;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The estate and the vCenters that failed, in the order named.
pub struct Collected {
    pub estate: Estate,
    pub failures: Vec<(String, VCenterError)>,
    pub interrupted: bool,
}

/// Collects every target, at most `jobs` at a time; Ctrl-C cancels all and logs out.
pub async fn collect_estate(targets: &[Target], jobs: usize) -> Collected {
    collect_estate_with(targets, jobs, Arc::new(Silent)).await
}

/// [`collect_estate`], telling `observer` how each vCenter goes.
///
/// With more than one vCenter at a time, each is collected on a thread of its own, so that
/// their answers are decoded on as many cores as there are (polled together in one task, they
/// would all be decoded on one).
pub async fn collect_estate_with(
    targets: &[Target],
    jobs: usize,
    observer: Arc<dyn Observer>,
) -> Collected {
    let cancel = CancellationToken::new();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("vcaudit: interrupted; logging out");
                cancel.cancel();
            }
        })
    };
    let jobs = jobs.clamp(1, targets.len().max(1));
    let results: Vec<_> = futures_util::stream::iter(targets.iter())
        .map(|t| {
            let cancel = cancel.clone();
            let observer = Arc::clone(&observer);
            async move {
                let result = if jobs == 1 {
                    collect_one(t, &cancel, &*observer).await
                } else {
                    collect_on_thread(t.clone(), cancel, observer).await
                };
                (t, result)
            }
        })
        .buffered(jobs)
        .collect()
        .await;
    watcher.abort();

    let mut estate = Estate::default();
    let mut failures = Vec::new();
    for (t, result) in results {
        match result {
            Ok(inv) => estate.vcenters.push(inv),
            Err(e) => {
                log::info!("{}: {e}", t.label);
                estate.vcenters.push(VCenterInventory {
                    server: t.label.clone(),
                    url: t.url.to_string(),
                    status: CollectStatus::Error,
                    error: Some(e.to_string()),
                    collected_at: Some(super::now_rfc3339()),
                    scope: t.scope.clone(),
                    ..Default::default()
                });
                failures.push((t.label.clone(), e));
            }
        }
    }
    Collected {
        estate,
        failures,
        interrupted: cancel.is_cancelled(),
    }
}

/// [`collect_one`] on a blocking thread with a runtime of its own (its HTTP connections
/// with it), so that vCenters collected at once are decoded on as many cores as there are.
async fn collect_on_thread(
    target: Target,
    cancel: CancellationToken,
    observer: Arc<dyn Observer>,
) -> Result<VCenterInventory, VCenterError> {
    let thread = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let result = match runtime {
            Ok(runtime) => runtime.block_on(collect_one(&target, &cancel, &*observer)),
            Err(e) => told(&target, Err(VCenterError::Setup(e.to_string())), &*observer),
        };
        // The thread's pools of shared values go with the work that filled them: the
        // blocking pool keeps idle threads a while.
        crate::model::clear_pools();
        result
    });
    match thread.await {
        Ok(result) => result,
        // A panic on a vCenter's thread is the program's, as it would be here.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// One vCenter, its outcome told to `observer`.
async fn collect_one(
    t: &Target,
    cancel: &CancellationToken,
    observer: &dyn Observer,
) -> Result<VCenterInventory, VCenterError> {
    told(t, collect_vcenter_with(t, cancel, observer).await, observer)
}

/// `result`, once told to `observer`.
fn told(
    t: &Target,
    result: Result<VCenterInventory, VCenterError>,
    observer: &dyn Observer,
) -> Result<VCenterInventory, VCenterError> {
    let outcome = match &result {
        Ok(inv) => Finished::Collected {
            hosts: inv.hosts.len(),
            vms: inv.vms.len(),
        },
        Err(e) => Finished::Failed { error: e },
    };
    observer.finished(&t.label, outcome);
    result
}
