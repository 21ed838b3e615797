//! All-or-nothing report folders: every report file of a run is written into a fresh staging
//! folder beside `--out` and moved into place only once all of them are complete.
//!
//! - [`OutputLock::acquire`] (at start, before any login) creates `--out` when missing, proves it
//!   writable and takes an advisory lock on `--out/.vcaudit.lock`, so a second run into the same
//!   folder fails at once instead of interleaving its files with ours.
//! - [`Stage`] holds the staging folder: [`Stage::file`] creates one named report file in it (with
//!   the process umask, like any file the user creates), [`Stage::commit`] moves every staged
//!   file into `--out` and removes the files of formats not written this time, so a folder never
//!   mixes two runs. A failure before the commit (disk full, Ctrl-C, a folder where a file
//!   should be) leaves the previous reports exactly as they were; a failure during the commit
//!   puts the previous files back.
//!
//! Every format (CSV, JSON, and later ones) writes through [`Stage::file`]; only the names of
//! files vcaudit may write ([`Stage::commit`]'s `owned`) decide what counts as stale, so a
//! user's own files in `--out` are never touched.

use super::{ReportError, out_err};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The lock file's name inside `--out`.
pub const LOCK_FILE: &str = ".vcaudit.lock";

/// An exclusive advisory lock on a report folder, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    dir: PathBuf,
    file: File,
}

impl Drop for OutputLock {
    /// Removes the lock file while still holding the lock, so no report folder keeps it.
    fn drop(&mut self) {
        let path = self.dir.join(LOCK_FILE);
        if same_file(&self.file, &path) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Whether `path` names the open `file` (same device and inode).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere an open file cannot be removed, so the path always names it.
#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl OutputLock {
    /// Creates `dir` when missing, checks that it is a writable folder and locks it; fails with
    /// one line when another vcaudit run holds it.
    pub fn acquire(dir: &Path) -> Result<OutputLock, ReportError> {
        std::fs::create_dir_all(dir).map_err(|e| out_err(dir, e))?;
        let probe = tempfile::Builder::new()
            .prefix(".vcaudit-probe-")
            .tempfile_in(dir)
            .map_err(|e| out_err(dir, e))?;
        drop(probe);
        let path = dir.join(LOCK_FILE);
        // The lock file is removed when the run ends; a run that opened it just before was
        // removed must not lock the orphan, so the lock counts only while the path still names
        // the locked file.
        loop {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| out_err(&path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(ReportError::Busy {
                        path: dir.display().to_string(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(out_err(&path, e)),
            }
            if same_file(&file, &path) {
                return Ok(OutputLock {
                    dir: dir.to_path_buf(),
                    file,
                });
            }
        }
    }

    /// The locked report folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A staging folder for one run's report files.
pub struct Stage<'a> {
    lock: &'a OutputLock,
    staging: tempfile::TempDir,
    /// The names staged so far; behind a lock so formats can be written side by side.
    files: std::sync::Mutex<Vec<String>>,
}

impl<'a> Stage<'a> {
    /// A fresh staging folder beside the locked `--out` (inside it when its parent is not
    /// writable); both are on the same filesystem, so the commit is made of renames.
    pub fn new(lock: &'a OutputLock) -> Result<Stage<'a>, ReportError> {
        let dir = lock.dir();
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "vcaudit-report".into());
        let beside = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let staging_in = |prefix: &str, at: &Path| {
            tempfile::Builder::new()
                .prefix(prefix)
                .suffix(".staging")
                .tempdir_in(at)
        };
        let staging = staging_in(&format!(".{name}.vcaudit-"), &beside)
            .or_else(|_| staging_in(".vcaudit-", dir))
            .map_err(|e| out_err(dir, e))?;
        Ok(Stage {
            lock,
            staging,
            files: Default::default(),
        })
    }

    /// Creates the staged file that becomes `--out/name` at the commit, and returns it with the
    /// path to name in errors. The file is created with the umask, like any other.
    pub fn file(&self, name: &str) -> Result<(File, PathBuf), ReportError> {
        let shown = self.lock.dir().join(name);
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if name.contains(['/', '\\']) || files.iter().any(|f| f == name) {
            return Err(out_err(&shown, "invalid or repeated report file name"));
        }
        let file =
            File::create_new(self.staging.path().join(name)).map_err(|e| out_err(&shown, e))?;
        files.push(name.to_string());
        Ok((file, shown))
    }

    /// Writes one staged file through `write`, given a buffered writer on it.
    pub fn write_with<E: std::fmt::Display>(
        &self,
        name: &str,
        write: impl FnOnce(&mut std::io::BufWriter<&File>) -> Result<(), E>,
    ) -> Result<(), ReportError> {
        use std::io::Write;
        let (file, path) = self.file(name)?;
        // Large blocks: a million-VM report.json is 2.3 GB, 8 KiB a write call was 280k calls.
        let mut w = std::io::BufWriter::with_capacity(256 * 1024, &file);
        write(&mut w).map_err(|e| out_err(&path, e))?;
        w.flush().map_err(|e| out_err(&path, e))?;
        drop(w);
        file.sync_all().map_err(|e| out_err(&path, e))?;
        Ok(())
    }

    /// Moves every staged file into `--out` and removes the files of `--out` that `owned` says a
    /// report format may write there and that this run did not write. When a step fails, the files
    /// already moved are replaced by the previous ones again. Returns the final paths.
    pub fn commit(self, owned: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, ReportError> {
        let files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        let out = self.lock.dir();
        let stale: Vec<String> = std::fs::read_dir(out)
            .map_err(|e| out_err(out, e))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| owned(n) && !files.contains(n))
            .collect();
        let backup = self.staging.path().join(".previous");
        std::fs::create_dir(&backup).map_err(|e| out_err(out, e))?;
        // Previous files are kept as hard links until the end, to be put back on failure.
        let mut journal: Vec<(String, bool)> = Vec::new();
        let result = (|| {
            for name in files.iter().chain(&stale) {
                let target = out.join(name);
                let existed = match std::fs::hard_link(&target, backup.join(name)) {
                    Ok(()) => true,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                    Err(e) => return Err(out_err(&target, e)),
                };
                journal.push((name.clone(), existed));
                if files.contains(name) {
                    std::fs::rename(self.staging.path().join(name), &target)
                        .map_err(|e| out_err(&target, e))?;
                } else if existed {
                    std::fs::remove_file(&target).map_err(|e| out_err(&target, e))?;
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            for (name, existed) in journal.iter().rev() {
                let target = out.join(name);
                if *existed {
                    let _ = std::fs::rename(backup.join(name), &target);
                } else {
                    let _ = std::fs::remove_file(&target);
                }
            }
            return Err(e);
        }
        Ok(files.iter().map(|n| out.join(n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names<'a>(list: &'a [&'a str]) -> impl Fn(&str) -> bool + 'a {
        move |n| list.contains(&n)
    }

    #[test]
    fn commit_replaces_and_removes_stale_files_only() {
        let top = tempfile::tempdir().unwrap();
        let out = top.path().join("r");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("a.csv"), "old a").unwrap();
        std::fs::write(out.join("report.json"), "old json").unwrap();
        std::fs::write(out.join("mine.txt"), "the user's").unwrap();
        let lock = OutputLock::acquire(&out).unwrap();
        let stage = Stage::new(&lock).unwrap();
        stage
            .write_with("a.csv", |w| w.write_all(b"new a"))
            .unwrap();
        // Nothing moves before the commit.
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "old a");
        let done = stage
            .commit(names(&["a.csv", "b.csv", "report.json"]))
            .unwrap();
        assert_eq!(done, vec![out.join("a.csv")]);
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "new a");
        assert!(!out.join("report.json").exists(), "stale format removed");
        assert!(out.join("mine.txt").exists(), "other files kept");
        // The staging folder is gone.
        let left: Vec<_> = std::fs::read_dir(top.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("r")]);
    }

    #[test]
    fn a_failed_commit_puts_the_previous_files_back() {
        let top = tempfile::tempdir().unwrap();
        let out = top.path().join("r");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("a.csv"), "old a").unwrap();
        std::fs::write(out.join("report.json"), "old json").unwrap();
        // A folder where a report file should be: the rename of b.csv fails.
        std::fs::create_dir(out.join("b.csv")).unwrap();
        std::fs::write(out.join("b.csv/x"), "x").unwrap();
        let lock = OutputLock::acquire(&out).unwrap();
        let stage = Stage::new(&lock).unwrap();
        stage
            .write_with("a.csv", |w| w.write_all(b"new a"))
            .unwrap();
        stage
            .write_with("b.csv", |w| w.write_all(b"new b"))
            .unwrap();
        let e = stage
            .commit(names(&["a.csv", "b.csv", "report.json"]))
            .unwrap_err();
        assert!(e.to_string().contains("b.csv"), "{e}");
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "old a");
        assert_eq!(
            std::fs::read_to_string(out.join("report.json")).unwrap(),
            "old json"
        );
    }

    #[test]
    fn a_second_lock_on_the_same_folder_is_refused() {
        let top = tempfile::tempdir().unwrap();
        let lock = OutputLock::acquire(top.path()).unwrap();
        let e = OutputLock::acquire(top.path()).unwrap_err();
        assert!(matches!(e, ReportError::Busy { .. }), "{e}");
        assert!(!e.to_string().contains('\n'));
        drop(lock);
        assert!(!top.path().join(LOCK_FILE).exists(), "lock file removed");
        OutputLock::acquire(top.path()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn report_files_honour_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let top = tempfile::tempdir().unwrap();
        let lock = OutputLock::acquire(top.path()).unwrap();
        let stage = Stage::new(&lock).unwrap();
        stage.write_with("a.csv", |w| w.write_all(b"a")).unwrap();
        stage.commit(names(&["a.csv"])).unwrap();
        let mode = std::fs::metadata(top.path().join("a.csv"))
            .unwrap()
            .permissions()
            .mode();
        // What a plain File::create gives under this process's umask.
        let probe = top.path().join("probe");
        File::create(&probe).unwrap();
        let expected = std::fs::metadata(&probe).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, expected & 0o777);
    }
}
