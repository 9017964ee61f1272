//! Streaming shot writers.

use super::{ShotFormat, ShotIoError};
use crate::bits::{get_bit, BitMatrix};
use std::io::Write;

/// Writes shots of a fixed width in one format, batch by batch.
pub struct ShotWriter<W: Write> {
    out: W,
    format: ShotFormat,
    bits: usize,
    target_name: String,
    line: Vec<u8>,
}

impl<W: Write> ShotWriter<W> {
    /// Writes shots of `bits` bits to `out`; `target_name` names it in error messages.
    pub fn new(out: W, format: ShotFormat, bits: usize, target_name: impl Into<String>) -> Self {
        ShotWriter {
            out,
            format,
            bits,
            target_name: target_name.into(),
            line: Vec::new(),
        }
    }

    fn io_err(&self, err: std::io::Error) -> ShotIoError {
        ShotIoError::Io {
            source_name: self.target_name.clone(),
            err,
        }
    }

    /// Appends every shot of `m`, whose width must be the writer's.
    pub fn write_batch(&mut self, m: &BitMatrix) -> Result<(), ShotIoError> {
        assert_eq!(m.cols(), self.bits, "batch width differs from the writer's");
        match self.format {
            ShotFormat::B8 => self.out.write_all(m.as_bytes()).map_err(|e| self.io_err(e)),
            ShotFormat::Zero1 => {
                self.line.clear();
                for r in 0..m.rows() {
                    let row = m.row(r);
                    self.line
                        .extend((0..self.bits).map(|c| b'0' + get_bit(row, c) as u8));
                    self.line.push(b'\n');
                }
                let line = std::mem::take(&mut self.line);
                let res = self.out.write_all(&line).map_err(|e| self.io_err(e));
                self.line = line;
                res
            }
        }
    }

    /// Flushes and returns the underlying output.
    pub fn finish(mut self) -> Result<W, ShotIoError> {
        self.out.flush().map_err(|e| self.io_err(e))?;
        Ok(self.out)
    }
}
