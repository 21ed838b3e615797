//! Reading an RVTools export (`vcaudit audit --rvtools FILE.xlsx`) into the inventory model, so
//! the same rules run with no vCenter access.
//!
//! Sheets read, as present: `vInfo` (required: it lists the VMs), `vCPU`, `vMemory`, `vDisk`,
//! `vPartition`, `vNetwork`, `vTools`, `vHost`, `vSource`, `vDatastore`, `vCluster`
//! ([`details`] reads what they carry beyond the audit's needs). VMs are joined across sheets by
//! `VM UUID` (the instance UUID), else by `VM ID` (the moref), else by name. Rows are grouped
//! into vCenters by `VI SDK UUID` (else `VI SDK Server`), so a merged export is several vCenters.
//!
//! What the workbook does not carry stays unknown (`None`), never guessed; every missing sheet
//! or column is named in the vCenter's notes (as a property fault, shown in `vcenters.csv`).
//! RVTools does not export: the configured guest id (the OS names are used instead), the Tools
//! running status (`Tools` is the installation status), a host's connection state, storage DRS
//! on datastore clusters, cross-vCenter migration events and tag categories.

pub mod details;
pub mod map;
pub mod sheet;

use sheet::Sheet;
use std::path::Path;

/// Why a workbook could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RvToolsError {
    #[error(
        "{path} is not an RVTools export ({reason}); give the .xlsx file RVTools exported (File > Export all to Excel)"
    )]
    NotRvTools { path: String, reason: String },
}

/// The sheets read, in the order RVTools writes them.
pub const SHEETS: &[&str] = &[
    "vInfo",
    "vCPU",
    "vMemory",
    "vDisk",
    "vPartition",
    "vNetwork",
    "vTools",
    "vCluster",
    "vHost",
    "vDatastore",
    "vSource",
];

/// The sheets of one workbook that were present.
pub struct Workbook {
    pub path: String,
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

/// Opens `path` and reads the sheets vcaudit maps; refuses a file that is not an RVTools export.
pub fn open(path: &Path) -> Result<Workbook, RvToolsError> {
    use calamine::Reader;
    let shown = path.display().to_string();
    let refuse = |reason: String| RvToolsError::NotRvTools {
        path: shown.clone(),
        reason,
    };
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path)
        .map_err(|e| refuse(format!("not a readable XLSX workbook: {e}")))?;
    let names = wb.sheet_names();
    let mut sheets = Vec::new();
    for want in SHEETS {
        let Some(actual) = names.iter().find(|n| n.eq_ignore_ascii_case(want)) else {
            continue;
        };
        let range = wb
            .worksheet_range(actual)
            .map_err(|e| refuse(format!("sheet {want} cannot be read: {e}")))?;
        sheets.push(Sheet::new(want, range));
    }
    let book = Workbook {
        path: shown.clone(),
        sheets,
    };
    let Some(info) = book.sheet("vInfo") else {
        return Err(refuse("it has no vInfo sheet".into()));
    };
    if !info.has("VM") || !(info.has("VM UUID") || info.has("VI SDK Server") || info.has("VM ID")) {
        return Err(refuse(
            "its vInfo sheet has no VM and VM UUID / VI SDK Server columns".into(),
        ));
    }
    Ok(book)
}

/// Reads every workbook into one estate: each workbook's vCenters in order.
pub fn read_estate(paths: &[impl AsRef<Path>]) -> Result<crate::model::Estate, RvToolsError> {
    let mut estate = crate::model::Estate::default();
    for p in paths {
        let book = open(p.as_ref())?;
        estate.vcenters.extend(map::vcenters(&book));
    }
    Ok(estate)
}
