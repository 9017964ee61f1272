//! Streaming shot readers.

use super::{ShotFormat, ShotIoError};
use crate::bits::{bytes_per_row, BitMatrix};
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::Path;

/// Default number of shots per batch handed out by the iterator.
pub const DEFAULT_BATCH: usize = 4096;

/// Reads a shot file batch by batch, holding one batch in memory.
///
/// Iterating yields batches of up to `batch_size` shots (the last may be shorter) until the end
/// of the input, or one error that names the shot and byte or column.
pub struct ShotReader<R> {
    input: R,
    format: ShotFormat,
    bits: usize,
    source_name: String,
    batch_size: usize,
    shots_read: u64,
    bytes_read: u64,
    line: Vec<u8>,
    failed: bool,
}

impl ShotReader<BufReader<File>> {
    /// Opens a file of shots of `bits` bits each.
    pub fn open(path: &Path, format: ShotFormat, bits: usize) -> Result<Self, ShotIoError> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|err| ShotIoError::Io {
            source_name: name.clone(),
            err,
        })?;
        ShotReader::new(BufReader::with_capacity(1 << 16, file), format, bits, name)
    }
}

impl<R: BufRead> ShotReader<R> {
    /// Wraps a buffered input; `source_name` names it in error messages.
    pub fn new(
        input: R,
        format: ShotFormat,
        bits: usize,
        source_name: impl Into<String>,
    ) -> Result<Self, ShotIoError> {
        let source_name = source_name.into();
        if format == ShotFormat::B8 && bits == 0 {
            return Err(ShotIoError::ZeroWidthB8 { source_name });
        }
        Ok(ShotReader {
            input,
            format,
            bits,
            source_name,
            batch_size: DEFAULT_BATCH,
            shots_read: 0,
            bytes_read: 0,
            line: Vec::new(),
            failed: false,
        })
    }

    /// Sets the number of shots per batch (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Bits per shot.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Shots read so far.
    pub fn shots_read(&self) -> u64 {
        self.shots_read
    }

    /// Reads up to `max_shots` shots; `None` at the end of the input.
    pub fn next_batch(&mut self, max_shots: usize) -> Result<Option<BitMatrix>, ShotIoError> {
        let m = match self.format {
            ShotFormat::Zero1 => self.read_01(max_shots)?,
            ShotFormat::B8 => self.read_b8(max_shots)?,
        };
        Ok((m.rows() > 0).then_some(m))
    }

    fn io_err(&self, err: std::io::Error) -> ShotIoError {
        ShotIoError::Io {
            source_name: self.source_name.clone(),
            err,
        }
    }

    fn read_01(&mut self, max_shots: usize) -> Result<BitMatrix, ShotIoError> {
        let mut m = BitMatrix::zeros(max_shots, self.bits);
        let mut rows = 0;
        while rows < max_shots {
            self.line.clear();
            let n = self
                .input
                .read_until(b'\n', &mut self.line)
                .map_err(|e| self.io_err(e))?;
            if n == 0 {
                break;
            }
            self.shots_read += 1;
            let mut content: &[u8] = &self.line;
            if let Some(rest) = content.strip_suffix(b"\n") {
                content = rest.strip_suffix(b"\r").unwrap_or(rest);
            }
            if let Some(col) = content.iter().position(|&b| b != b'0' && b != b'1') {
                return Err(ShotIoError::BadCharacter {
                    source_name: self.source_name.clone(),
                    shot: self.shots_read,
                    column: col + 1,
                    found: describe_byte(content[col]),
                });
            }
            if content.len() != self.bits {
                let hint = if self.line.last() != Some(&b'\n') && content.len() < self.bits {
                    " (the last shot is truncated)".to_string()
                } else if content.len() > self.bits {
                    " (the shots are wider than the model says)".to_string()
                } else {
                    String::new()
                };
                return Err(ShotIoError::WrongLineLength {
                    source_name: self.source_name.clone(),
                    shot: self.shots_read,
                    expected: self.bits,
                    found: content.len(),
                    hint,
                });
            }
            pack_01(content, m.row_mut(rows));
            rows += 1;
        }
        Ok(truncate_rows(m, rows))
    }

    fn read_b8(&mut self, max_shots: usize) -> Result<BitMatrix, ShotIoError> {
        let stride = bytes_per_row(self.bits);
        let mut buf = vec![0u8; max_shots * stride];
        let mut filled = 0;
        while filled < buf.len() {
            match self.input.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_err(e)),
            }
        }
        let rows = filled / stride;
        let first_byte = self.bytes_read;
        if filled % stride != 0 {
            return Err(ShotIoError::Truncated {
                source_name: self.source_name.clone(),
                shot: self.shots_read + rows as u64 + 1,
                file_len: self.bytes_read + filled as u64,
                expected: stride,
                found: filled % stride,
                bits: self.bits,
            });
        }
        buf.truncate(filled);
        if !self.bits.is_multiple_of(8) {
            let pad = !((1u8 << (self.bits % 8)) - 1);
            if let Some(r) = (0..rows).find(|r| buf[r * stride + stride - 1] & pad != 0) {
                let last = buf[r * stride + stride - 1] & pad;
                return Err(ShotIoError::PaddingBitSet {
                    source_name: self.source_name.clone(),
                    shot: self.shots_read + r as u64 + 1,
                    byte: first_byte + (r * stride + stride - 1) as u64,
                    bit: (stride - 1) * 8 + last.trailing_zeros() as usize,
                    bits: self.bits,
                });
            }
        }
        self.bytes_read += filled as u64;
        self.shots_read += rows as u64;
        Ok(BitMatrix::from_bytes(rows, self.bits, buf).expect("length and padding checked above"))
    }
}

impl<R: BufRead> Iterator for ShotReader<R> {
    type Item = Result<BitMatrix, ShotIoError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = self.next_batch(self.batch_size).transpose();
        if matches!(r, Some(Err(_))) {
            self.failed = true;
        }
        r
    }
}

/// Packs a line of ASCII `0`/`1` (already validated) LSB-first into `out`.
fn pack_01(line: &[u8], out: &mut [u8]) {
    for (byte, chunk) in out.iter_mut().zip(line.chunks(8)) {
        let mut v = 0u8;
        for (k, &c) in chunk.iter().enumerate() {
            v |= (c - b'0') << k;
        }
        *byte = v;
    }
}

/// A matrix with only its first `rows` rows.
fn truncate_rows(m: BitMatrix, rows: usize) -> BitMatrix {
    if rows == m.rows() {
        return m;
    }
    let cols = m.cols();
    let stride = m.stride();
    let mut data = m.into_bytes();
    data.truncate(rows * stride);
    BitMatrix::from_bytes(rows, cols, data).expect("prefix of a valid matrix")
}

/// A byte as a person reads it in an error message.
fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}
