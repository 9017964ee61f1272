//! Streaming shot readers for all six formats.

use super::{ShotFormat, ShotIoError, ShotLayout, MAX_BATCH_BYTES};
use crate::bits::{bytes_per_row, set_bit, BitMatrix};
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;

/// Default number of shots per batch handed out by the iterator.
pub const DEFAULT_BATCH: usize = 4096;

/// Reads a shot file batch by batch, holding one batch in memory.
///
/// Iterating yields batches of up to `batch_size` shots (the last may be shorter; very wide
/// shots give smaller batches, see [`MAX_BATCH_BYTES`]) until the end of the input, or one
/// error that names the shot and byte or column.
pub struct ShotReader<R> {
    input: R,
    format: ShotFormat,
    layout: ShotLayout,
    bits: usize,
    stride: usize,
    source_name: String,
    batch_size: usize,
    shots_read: u64,
    bytes_read: u64,
    line: Vec<u8>,
    /// Whether the last line read ended with a newline.
    line_terminated: bool,
    /// `ptb64` shots decoded from the current group of 64 and not yet handed out.
    group: Vec<u8>,
    group_next: usize,
    failed: bool,
}

impl ShotReader<BufReader<File>> {
    /// Opens a file of shots with the given layout (a plain bit count is detection events).
    pub fn open(
        path: impl AsRef<Path>,
        format: ShotFormat,
        layout: impl Into<ShotLayout>,
    ) -> Result<Self, ShotIoError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = File::open(path).map_err(|err| ShotIoError::Io {
            source_name: name.clone(),
            err,
        })?;
        ShotReader::new(
            BufReader::with_capacity(1 << 16, file),
            format,
            layout,
            name,
        )
    }
}

impl<R: BufRead> ShotReader<R> {
    /// Wraps a buffered input; `source_name` names it in error messages.
    pub fn new(
        input: R,
        format: ShotFormat,
        layout: impl Into<ShotLayout>,
        source_name: impl Into<String>,
    ) -> Result<Self, ShotIoError> {
        let source_name = source_name.into();
        let layout = layout.into();
        let bits = layout.bits();
        if matches!(format, ShotFormat::B8 | ShotFormat::Ptb64) && bits == 0 {
            return Err(ShotIoError::ZeroWidthBinary {
                source_name,
                format,
            });
        }
        Ok(ShotReader {
            input,
            format,
            layout,
            bits,
            stride: bytes_per_row(bits),
            source_name,
            batch_size: DEFAULT_BATCH,
            shots_read: 0,
            bytes_read: 0,
            line: Vec::new(),
            line_terminated: true,
            group: Vec::new(),
            group_next: 64,
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

    /// Reads up to `max_shots` shots (fewer when shots are wide, so that a batch stays within
    /// [`MAX_BATCH_BYTES`]); `None` at the end of the input.
    pub fn next_batch(&mut self, max_shots: usize) -> Result<Option<BitMatrix>, ShotIoError> {
        let max_shots = max_shots.clamp(1, (MAX_BATCH_BYTES / self.stride.max(1)).max(1));
        let m = match self.format {
            ShotFormat::B8 => self.read_b8(max_shots)?,
            _ => self.read_shot_by_shot(max_shots)?,
        };
        Ok((m.rows() > 0).then_some(m))
    }

    fn io_err(&self, err: std::io::Error) -> ShotIoError {
        ShotIoError::Io {
            source_name: self.source_name.clone(),
            err,
        }
    }

    /// Reads shots one at a time into a buffer that grows with what is read.
    fn read_shot_by_shot(&mut self, max_shots: usize) -> Result<BitMatrix, ShotIoError> {
        let stride = self.stride;
        let mut data = Vec::new();
        let mut rows = 0;
        while rows < max_shots {
            data.resize((rows + 1) * stride, 0);
            let row = &mut data[rows * stride..];
            let got = match self.format {
                ShotFormat::R8 => self.read_r8_shot(row)?,
                ShotFormat::Ptb64 => self.read_ptb64_shot(row)?,
                _ => self.read_line_shot(row)?,
            };
            if !got {
                data.truncate(rows * stride);
                break;
            }
            rows += 1;
        }
        Ok(BitMatrix::from_bytes(rows, self.bits, data).expect("rows packed within their width"))
    }

    /// Reads one line into `self.line` (without its `\n` or `\r\n`), refusing lines longer
    /// than any valid shot of this width could be. False at the end of the input.
    fn next_line(&mut self) -> Result<bool, ShotIoError> {
        // Longest valid line: `01` has one character a bit; `hits` and `dets` at most 22
        // characters (a separator, a prefix, 20 digits) a set bit.
        let cap = match self.format {
            ShotFormat::Zero1 => self.bits + 2,
            _ => 22 * self.bits + 8,
        };
        self.line.clear();
        let mut saw_newline = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_err(e)),
            };
            if buf.is_empty() {
                break;
            }
            let (take, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let room = cap.saturating_sub(self.line.len());
            self.line.extend_from_slice(&buf[..take.min(room + 1)]);
            self.input.consume(take.min(room + 1));
            self.bytes_read += take.min(room + 1) as u64;
            if self.line.len() > cap {
                return Err(ShotIoError::BadToken {
                    source_name: self.source_name.clone(),
                    shot: self.shots_read + 1,
                    column: cap + 1,
                    message: format!(
                        "the line is longer than any {} shot of {} bits can be",
                        self.format, self.bits
                    ),
                });
            }
            if done {
                saw_newline = true;
                break;
            }
        }
        if self.line.is_empty() && !saw_newline {
            return Ok(false);
        }
        self.shots_read += 1;
        self.line_terminated = saw_newline;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        }
        Ok(true)
    }

    /// Reads one shot of a line format (`01`, `hits`, `dets`) into `row` (zeroed).
    fn read_line_shot(&mut self, row: &mut [u8]) -> Result<bool, ShotIoError> {
        if !self.next_line()? {
            return Ok(false);
        }
        let line = std::mem::take(&mut self.line);
        let res = match self.format {
            ShotFormat::Zero1 => self.parse_01(&line, row),
            ShotFormat::Hits => self.parse_hits(&line, row),
            _ => self.parse_dets(&line, row),
        };
        self.line = line;
        res.map(|()| true)
    }

    fn parse_01(&self, content: &[u8], row: &mut [u8]) -> Result<(), ShotIoError> {
        if let Some(col) = content.iter().position(|&b| b != b'0' && b != b'1') {
            return Err(ShotIoError::BadCharacter {
                source_name: self.source_name.clone(),
                shot: self.shots_read,
                column: col + 1,
                found: describe_byte(content[col]),
            });
        }
        if content.len() != self.bits {
            let hint = if content.len() > self.bits {
                " (the shots are wider than the model says)"
            } else if !self.line_terminated {
                " (the last shot is truncated)"
            } else {
                ""
            };
            return Err(ShotIoError::WrongLineLength {
                source_name: self.source_name.clone(),
                shot: self.shots_read,
                expected: self.bits,
                found: content.len(),
                hint: hint.to_string(),
            });
        }
        pack_01(content, row);
        Ok(())
    }

    fn token_error(&self, column: usize, message: String) -> ShotIoError {
        ShotIoError::BadToken {
            source_name: self.source_name.clone(),
            shot: self.shots_read,
            column,
            message,
        }
    }

    /// `hits`: `3,17,20` (an empty line is a shot without set bits).
    fn parse_hits(&self, content: &[u8], row: &mut [u8]) -> Result<(), ShotIoError> {
        if content.is_empty() {
            return Ok(());
        }
        let mut col = 1;
        for token in content.split(|&b| b == b',') {
            let bit = self.parse_index(token, col, "a bit index")?;
            if bit >= self.bits {
                return Err(self.token_error(
                    col,
                    format!(
                        "bit index {bit} is out of range: shots have {} bits",
                        self.bits
                    ),
                ));
            }
            set_bit(row, bit, true);
            col += token.len() + 1;
        }
        Ok(())
    }

    /// `dets`: `shot D3 D17 L0`.
    fn parse_dets(&self, content: &[u8], row: &mut [u8]) -> Result<(), ShotIoError> {
        let Some(rest) = content.strip_prefix(b"shot") else {
            return Err(self.token_error(
                1,
                format!(
                    "expected a line starting with 'shot', found '{}'",
                    String::from_utf8_lossy(&content[..content.len().min(20)])
                ),
            ));
        };
        let mut col = 5;
        for token in rest.split(|&b| b == b' ') {
            let here = col;
            col += token.len() + 1;
            if token.is_empty() {
                continue;
            }
            if here == 5 && !rest.starts_with(b" ") {
                return Err(self.token_error(1, "expected a space after 'shot'".into()));
            }
            let (prefix, digits) = (token[0], &token[1..]);
            let (base, count, what) = match prefix {
                b'D' => (0, self.layout.detectors, "detector"),
                b'L' => (self.layout.detectors, self.layout.observables, "observable"),
                b'M' => (0, 0, "measurement"),
                _ => {
                    return Err(self.token_error(
                        here,
                        format!(
                            "expected a token D<k>, L<k> or M<k>, found '{}'",
                            String::from_utf8_lossy(token)
                        ),
                    ))
                }
            };
            let k = self.parse_index(digits, here + 1, "an index after the prefix")?;
            if k >= count {
                return Err(self.token_error(
                    here,
                    format!(
                        "{what} {} is out of range: shots here have {count} {what}s",
                        String::from_utf8_lossy(token)
                    ),
                ));
            }
            set_bit(row, base + k, true);
        }
        Ok(())
    }

    fn parse_index(&self, token: &[u8], column: usize, what: &str) -> Result<usize, ShotIoError> {
        let shown = || String::from_utf8_lossy(token).into_owned();
        if token.is_empty() || !token.iter().all(u8::is_ascii_digit) {
            return Err(self.token_error(
                column,
                format!("expected {what} (decimal digits), found '{}'", shown()),
            ));
        }
        std::str::from_utf8(token)
            .ok()
            .and_then(|t| t.parse::<usize>().ok())
            .ok_or_else(|| self.token_error(column, format!("index '{}' is too large", shown())))
    }

    /// Next byte of the input, `None` at its end.
    fn next_byte(&mut self) -> Result<Option<u8>, ShotIoError> {
        loop {
            match self.input.fill_buf() {
                Ok([]) => return Ok(None),
                Ok(buf) => {
                    let b = buf[0];
                    self.input.consume(1);
                    self.bytes_read += 1;
                    return Ok(Some(b));
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_err(e)),
            }
        }
    }

    /// `r8`: run lengths of zeros before each set bit and before the implicit bit at `bits`.
    fn read_r8_shot(&mut self, row: &mut [u8]) -> Result<bool, ShotIoError> {
        let mut pos = 0usize;
        let mut first = true;
        loop {
            let Some(b) = self.next_byte()? else {
                if first {
                    return Ok(false);
                }
                return Err(ShotIoError::BadRunLength {
                    source_name: self.source_name.clone(),
                    shot: self.shots_read + 1,
                    byte: self.bytes_read,
                    message: format!(
                        "the file ends inside the shot, at bit {pos} of {}",
                        self.bits
                    ),
                });
            };
            first = false;
            pos += b as usize;
            if b == 255 {
                continue;
            }
            if pos > self.bits {
                return Err(ShotIoError::BadRunLength {
                    source_name: self.source_name.clone(),
                    shot: self.shots_read + 1,
                    byte: self.bytes_read - 1,
                    message: format!(
                        "the run lengths reach bit {pos}, past the end of a shot of {} bits \
                         (the file holds wider shots than expected)",
                        self.bits
                    ),
                });
            }
            if pos == self.bits {
                self.shots_read += 1;
                return Ok(true);
            }
            set_bit(row, pos, true);
            pos += 1;
        }
    }

    /// `ptb64`: decodes the next group of 64 shots when the current one is used up.
    fn read_ptb64_shot(&mut self, row: &mut [u8]) -> Result<bool, ShotIoError> {
        if self.group_next == 64 {
            let want = 8 * self.bits;
            let mut words = Vec::new();
            (&mut self.input)
                .take(want as u64)
                .read_to_end(&mut words)
                .map_err(|e| self.io_err(e))?;
            if words.is_empty() {
                return Ok(false);
            }
            if words.len() < want {
                return Err(ShotIoError::Ptb64Shots {
                    source_name: self.source_name.clone(),
                    message: format!(
                        "the file ends at byte {}, {} bytes into a group of 64 shots of {} bytes \
                         ({} bits of 8 bytes each); ptb64 files hold a multiple of 64 shots",
                        self.bytes_read + words.len() as u64,
                        words.len(),
                        want,
                        self.bits
                    ),
                });
            }
            self.bytes_read += want as u64;
            let stride = self.stride;
            self.group = vec![0u8; 64 * stride];
            for (bit, w) in words.chunks_exact(8).enumerate() {
                let mut word = u64::from_le_bytes(w.try_into().expect("8 bytes"));
                while word != 0 {
                    let shot = word.trailing_zeros() as usize;
                    set_bit(&mut self.group[shot * stride..], bit, true);
                    word &= word - 1;
                }
            }
            self.group_next = 0;
        }
        let s = self.group_next;
        row.copy_from_slice(&self.group[s * self.stride..(s + 1) * self.stride]);
        self.group_next += 1;
        self.shots_read += 1;
        Ok(true)
    }

    fn read_b8(&mut self, max_shots: usize) -> Result<BitMatrix, ShotIoError> {
        let stride = self.stride;
        let mut buf = Vec::new();
        (&mut self.input)
            .take((max_shots * stride) as u64)
            .read_to_end(&mut buf)
            .map_err(|e| self.io_err(e))?;
        let filled = buf.len();
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

/// A byte as a person reads it in an error message.
fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}
