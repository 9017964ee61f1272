//! Output files that appear only once complete: written to a temporary file in the target's
//! folder and renamed over the target on success.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// A buffered writer to a temporary file that becomes `path` on [`AtomicOutput::commit`].
/// Dropped without commit, it deletes the temporary file and leaves `path` untouched.
pub struct AtomicOutput {
    path: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl AtomicOutput {
    /// Creates the temporary file next to `path` (same folder, so the rename is atomic).
    pub fn create(path: &Path) -> io::Result<Self> {
        Self::create_with_suffix(path, "")
    }

    /// As [`AtomicOutput::create`], with a temporary file name ending in `suffix` (for writers
    /// that pick the format from the extension and write to [`AtomicOutput::temp_path`]).
    pub fn create_with_suffix(path: &Path, suffix: &str) -> io::Result<Self> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .suffix(suffix)
            .tempfile_in(dir)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot create a file in {}: {e}", dir.display()),
                )
            })?;
        Ok(AtomicOutput {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 16, tmp),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file's path, for writers that open the file themselves; what they write
    /// there becomes `path` on [`AtomicOutput::commit`] (write nothing through `self` then).
    pub fn temp_path(&self) -> &Path {
        self.writer.get_ref().path()
    }

    /// Flushes and renames the temporary file to the final path.
    pub fn commit(self) -> io::Result<File> {
        let tmp = self.writer.into_inner().map_err(|e| e.into_error())?;
        // Temporary files are created private (0600); give the output the usual 0644. Set by
        // path, since a writer using `temp_path` may have replaced the file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))?;
        }
        tmp.persist(&self.path).map_err(|e| e.error)
    }
}

impl Write for AtomicOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let mut w = AtomicOutput::create(&target).unwrap();
        w.write_all(b"hello").unwrap();
        assert!(!target.exists());
        w.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");

        let other = dir.path().join("other.txt");
        let mut w = AtomicOutput::create(&other).unwrap();
        w.write_all(b"partial").unwrap();
        drop(w);
        assert!(!other.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
