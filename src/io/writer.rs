//! Streaming shot writers for all six formats.

use super::{ShotFormat, ShotIoError, ShotLayout};
use crate::bits::{get_bit, ones, BitMatrix};
use std::io::Write;

/// Writes shots of a fixed layout in one format, batch by batch.
///
/// `ptb64` packs 64 shots at a time: shots are held back until 64 have arrived, and
/// [`ShotWriter::finish`] refuses a shot count that is not a multiple of 64 (as Stim does).
pub struct ShotWriter<W: Write> {
    out: W,
    format: ShotFormat,
    layout: ShotLayout,
    bits: usize,
    target_name: String,
    buf: Vec<u8>,
    /// `ptb64` shots waiting for their group of 64 to fill.
    pending: BitMatrix,
    shots: u64,
}

impl<W: Write> ShotWriter<W> {
    /// Writes shots of the given layout (a plain bit count is detection events) to `out`;
    /// `target_name` names it in error messages.
    pub fn new(
        out: W,
        format: ShotFormat,
        layout: impl Into<ShotLayout>,
        target_name: impl Into<String>,
    ) -> Self {
        let layout = layout.into();
        ShotWriter {
            out,
            format,
            layout,
            bits: layout.bits(),
            target_name: target_name.into(),
            buf: Vec::new(),
            pending: BitMatrix::zeros(0, layout.bits()),
            shots: 0,
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
        self.shots += m.rows() as u64;
        if self.format == ShotFormat::B8 {
            return self.out.write_all(m.as_bytes()).map_err(|e| self.io_err(e));
        }
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        match self.format {
            ShotFormat::Ptb64 => {
                self.pending.append(m);
                let groups = self.pending.rows() / 64;
                for g in 0..groups {
                    encode_ptb64(&self.pending, g * 64, &mut buf);
                }
                let rest = self.pending.rows() - groups * 64;
                let mut left = BitMatrix::zeros(rest, self.bits);
                for r in 0..rest {
                    left.row_mut(r)
                        .copy_from_slice(self.pending.row(groups * 64 + r));
                }
                self.pending = left;
            }
            _ => {
                for r in 0..m.rows() {
                    self.encode_row(m.row(r), &mut buf);
                }
            }
        }
        let res = self.out.write_all(&buf).map_err(|e| self.io_err(e));
        self.buf = buf;
        res
    }

    /// Appends one shot of a per-shot format (everything but `b8` and `ptb64`) to `buf`.
    fn encode_row(&self, row: &[u8], buf: &mut Vec<u8>) {
        match self.format {
            ShotFormat::Zero1 => {
                buf.extend((0..self.bits).map(|c| b'0' + get_bit(row, c) as u8));
                buf.push(b'\n');
            }
            ShotFormat::Hits => {
                for (i, k) in ones(row).into_iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    write!(buf, "{k}").expect("writing to memory");
                }
                buf.push(b'\n');
            }
            ShotFormat::Dets => {
                buf.extend_from_slice(b"shot");
                for k in ones(row) {
                    if k < self.layout.detectors {
                        write!(buf, " D{k}")
                    } else {
                        write!(buf, " L{}", k - self.layout.detectors)
                    }
                    .expect("writing to memory");
                }
                buf.push(b'\n');
            }
            ShotFormat::R8 => {
                let mut next = 0usize;
                for k in ones(row).into_iter().chain([self.bits]) {
                    let mut gap = k - next;
                    while gap >= 255 {
                        buf.push(255);
                        gap -= 255;
                    }
                    buf.push(gap as u8);
                    next = k + 1;
                }
            }
            ShotFormat::B8 | ShotFormat::Ptb64 => unreachable!("written as whole batches"),
        }
    }

    /// Flushes and returns the underlying output. A `ptb64` writer refuses to finish when the
    /// shots written are not a multiple of 64.
    pub fn finish(mut self) -> Result<W, ShotIoError> {
        if self.pending.rows() > 0 {
            return Err(ShotIoError::Ptb64Shots {
                source_name: self.target_name.clone(),
                message: format!(
                    "the ptb64 format stores shots in groups of 64, but {} shots were written \
                     (use a multiple of 64 shots, or another format)",
                    self.shots
                ),
            });
        }
        self.out.flush().map_err(|e| self.io_err(e))?;
        Ok(self.out)
    }
}

/// Appends the 64 shots `m[first..first + 64]` in `ptb64` layout: per bit, one little-endian
/// word whose bit `s` is that bit of shot `first + s`.
fn encode_ptb64(m: &BitMatrix, first: usize, out: &mut Vec<u8>) {
    let mut words = vec![0u64; m.cols()];
    for s in 0..64 {
        for k in ones(m.row(first + s)) {
            words[k] |= 1 << s;
        }
    }
    for w in words {
        out.extend_from_slice(&w.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::set_bit;

    fn encode(m: &BitMatrix, format: ShotFormat, layout: ShotLayout) -> Vec<u8> {
        let mut w = ShotWriter::new(Vec::new(), format, layout, "mem");
        w.write_batch(m).unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn text_formats_match_stims_examples() {
        let mut m = BitMatrix::zeros(2, 5);
        m.set(0, 1, true);
        m.set(0, 4, true);
        let layout = ShotLayout::new(3, 2);
        assert_eq!(encode(&m, ShotFormat::Hits, layout), b"1,4\n\n");
        assert_eq!(encode(&m, ShotFormat::Dets, layout), b"shot D1 L1\nshot\n");
        assert_eq!(encode(&m, ShotFormat::Zero1, layout), b"01001\n00000\n");
    }

    #[test]
    fn r8_runs_end_with_the_implicit_bit_and_split_at_255() {
        let mut m = BitMatrix::zeros(1, 600);
        m.set(0, 0, true);
        m.set(0, 300, true);
        // bit 0: run 0; bit 300: run 299 = 255 + 44; the implicit bit 600: run 299.
        let got = encode(&m, ShotFormat::R8, ShotLayout::detectors(600));
        assert_eq!(got, vec![0, 255, 44, 255, 44]);
        let empty = BitMatrix::zeros(1, 3);
        assert_eq!(encode(&empty, ShotFormat::R8, 3.into()), vec![3]);
    }

    #[test]
    fn ptb64_holds_shots_until_a_group_is_full() {
        let mut m = BitMatrix::zeros(64, 2);
        for s in 0..64 {
            set_bit(m.row_mut(s), 1, true);
        }
        let mut w = ShotWriter::new(Vec::new(), ShotFormat::Ptb64, 2, "mem");
        let (a, b) = (m.clone(), m);
        let mut first = BitMatrix::zeros(0, 2);
        for r in 0..10 {
            let mut one = BitMatrix::zeros(1, 2);
            one.row_mut(0).copy_from_slice(a.row(r));
            first.append(&one);
        }
        w.write_batch(&first).unwrap();
        let mut rest = BitMatrix::zeros(54, 2);
        for r in 0..54 {
            rest.row_mut(r).copy_from_slice(b.row(r));
        }
        w.write_batch(&rest).unwrap();
        let out = w.finish().unwrap();
        assert_eq!(out, [[0u8; 8], [0xff; 8]].concat());

        let mut w = ShotWriter::new(Vec::new(), ShotFormat::Ptb64, 2, "x.ptb64");
        w.write_batch(&BitMatrix::zeros(3, 2)).unwrap();
        let err = w.finish().err().unwrap().to_string();
        assert!(err.contains("x.ptb64") && err.contains("3 shots"), "{err}");
    }
}
