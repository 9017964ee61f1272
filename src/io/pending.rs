//! The temporary files of outputs not yet committed, and their removal when the process is
//! interrupted.
//!
//! Every temporary file an [`crate::io::AtomicOutput`] writes is registered here while it
//! exists: created under the registry's lock, removed from it when renamed into place (also
//! under the lock) or deleted. [`remove_pending_on_signals`] starts a thread that, on SIGINT,
//! SIGTERM or SIGHUP, takes the lock, deletes every registered file and exits with
//! `128 + signal` (130 for Ctrl-C, 143 for SIGTERM), so an interrupted run leaves neither a half
//! output nor a hidden `.tmp*` file behind. Holding the lock while exiting means no output is
//! renamed into place halfway through the cleanup.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Registered temporary files, by id.
static PENDING: Mutex<Vec<(u64, PathBuf)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn registry() -> MutexGuard<'static, Vec<(u64, PathBuf)>> {
    // A panic while holding the lock cannot leave the list half-updated (every update is one
    // push or one removal), so a poisoned lock is still usable.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered temporary file: deleted (and unregistered) on drop unless persisted.
#[derive(Debug)]
pub(crate) struct PendingFile {
    id: u64,
    path: PathBuf,
    /// Renamed into place: nothing to delete.
    persisted: bool,
}

impl PendingFile {
    /// Creates a new temporary file in `dir` whose name ends in `suffix`, with permission bits
    /// `mode` (subject to the umask), and registers it.
    pub(crate) fn create(dir: &Path, suffix: &str, mode: u32) -> io::Result<(File, PendingFile)> {
        let mut builder = tempfile::Builder::new();
        builder.suffix(suffix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut pending = registry();
        let (file, path) = builder.tempfile_in(dir)?.into_parts();
        let path = path.keep().map_err(|e| e.error)?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        pending.push((id, path.clone()));
        Ok((
            file,
            PendingFile {
                id,
                path,
                persisted: false,
            },
        ))
    }

    /// The temporary file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file to `target` and unregisters it.
    pub(crate) fn persist(mut self, target: &Path) -> io::Result<()> {
        let mut pending = registry();
        std::fs::rename(&self.path, target)?;
        pending.retain(|(id, _)| *id != self.id);
        self.persisted = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if self.persisted {
            return;
        }
        let mut pending = registry();
        let _ = std::fs::remove_file(&self.path);
        pending.retain(|(id, _)| *id != self.id);
    }
}

/// The temporary files registered now (outputs being written and not yet committed).
pub fn pending_files() -> Vec<PathBuf> {
    registry().iter().map(|(_, p)| p.clone()).collect()
}

/// Starts a thread that, on SIGINT, SIGTERM or SIGHUP, deletes every pending temporary output
/// file and exits the process with status `128 + signal` (130, 143, 129). For programs (the
/// `qecd` binary calls it first thing); a library user who handles signals itself can call
/// [`pending_files`] instead.
#[cfg(unix)]
pub fn remove_pending_on_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("qecd-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let pending = registry();
                for (_, path) in pending.iter() {
                    let _ = std::fs::remove_file(path);
                }
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_until_persisted_or_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (_, kept) = PendingFile::create(dir.path(), ".x", 0o644).unwrap();
        let (_, dropped) = PendingFile::create(dir.path(), "", 0o644).unwrap();
        let (k, d) = (kept.path().to_path_buf(), dropped.path().to_path_buf());
        assert!(pending_files().contains(&k) && pending_files().contains(&d));
        assert!(k.to_string_lossy().ends_with(".x"));
        drop(dropped);
        assert!(!d.exists() && !pending_files().contains(&d));
        let target = dir.path().join("final");
        kept.persist(&target).unwrap();
        assert!(target.exists() && !k.exists() && !pending_files().contains(&k));
    }
}
