//! Shot files in Stim's six result formats (`01`, `b8`, `r8`, `ptb64`, `hits`, `dets`):
//! streaming readers and writers, and output files that appear only when complete
//! ([`AtomicOutput`]; what an output path may name and the checks run on a command's outputs
//! before any work are in [`target`]; the temporary files removed on an interrupt in
//! [`pending`]).
//!
//! Every format stores one shot after another, each of a fixed number of bits known from
//! context (the detector count of a DEM, the observable count, or both):
//!
//! - `01`: one line per shot, one ASCII `0` or `1` per bit, then `\n`.
//! - `b8`: `ceil(bits / 8)` bytes per shot, bits packed LSB-first, padding bits zero; exactly the
//!   layout of [`crate::bits::BitMatrix`] rows.
//! - `r8`: per shot, run lengths of zeros before each set bit (and before an implicit set bit
//!   one past the end), one byte each, 255 meaning "255 zeros, no set bit yet".
//! - `ptb64`: groups of 64 shots, each bit as one little-endian 64-bit word over the 64 shots.
//! - `hits`: one line per shot, the indices of its set bits separated by commas.
//! - `dets`: one line per shot, `shot` then a space-separated token per set bit, `D<k>` for
//!   detector `k` and `L<k>` for observable `k` (see [`ShotLayout`]).
//!
//! The specification with examples is in `docs/formats/shots.md`. Readers hand out batches of
//! shots as [`BitMatrix`] values and hold only one batch in memory, whatever the file size; a
//! batch never takes more than [`MAX_BATCH_BYTES`], however wide the shots.

mod atomic;
pub mod pending;
mod reader;
pub mod target;
mod writer;

pub use atomic::AtomicOutput;
pub use reader::ShotReader;
pub use target::{check_outputs, OutputError};
pub use writer::ShotWriter;

use crate::bits::{get_bit, set_bit, BitMatrix};
use std::fmt;
use std::str::FromStr;

/// Largest number of bytes one batch of shots may take in memory (64 MiB): readers hand out
/// fewer shots per batch when shots are very wide.
pub const MAX_BATCH_BYTES: usize = 1 << 26;

/// A shot file format (Stim's result formats).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShotFormat {
    /// One line of `0`/`1` characters per shot.
    Zero1,
    /// Bit-packed, LSB-first, `ceil(bits / 8)` bytes per shot.
    B8,
    /// Run lengths of zeros before each set bit, one byte each (255: the run goes on).
    R8,
    /// Partially transposed: 64 shots at a time, one 64-bit little-endian word per bit.
    Ptb64,
    /// One line per shot: indices of the set bits, separated by commas.
    Hits,
    /// One line per shot: `shot` and a `D<k>` / `L<k>` token per set bit.
    Dets,
}

impl ShotFormat {
    /// Every format, in the order Stim's documentation lists them.
    pub const ALL: [ShotFormat; 6] = [
        ShotFormat::Zero1,
        ShotFormat::B8,
        ShotFormat::Dets,
        ShotFormat::Hits,
        ShotFormat::Ptb64,
        ShotFormat::R8,
    ];

    /// The format's name as Stim and PyMatching spell it.
    pub fn name(self) -> &'static str {
        match self {
            ShotFormat::Zero1 => "01",
            ShotFormat::B8 => "b8",
            ShotFormat::R8 => "r8",
            ShotFormat::Ptb64 => "ptb64",
            ShotFormat::Hits => "hits",
            ShotFormat::Dets => "dets",
        }
    }
}

impl FromStr for ShotFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ShotFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                format!(
                    "unsupported shot format '{s}': expected one of 01, b8, r8, ptb64, hits, dets"
                )
            })
    }
}

impl fmt::Display for ShotFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the bits of each shot are: `detectors` detection events followed by `observables`
/// observable flips. Only the `dets` format writes this down (as `D<k>` and `L<k>` tokens);
/// every other format sees `detectors + observables` plain bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ShotLayout {
    /// Leading bits that are detection events (`D` tokens).
    pub detectors: usize,
    /// Trailing bits that are observable flips (`L` tokens).
    pub observables: usize,
}

impl ShotLayout {
    /// Shots of `detectors` detection events followed by `observables` observable flips.
    pub fn new(detectors: usize, observables: usize) -> Self {
        ShotLayout {
            detectors,
            observables,
        }
    }

    /// Shots of detection events only.
    pub fn detectors(n: usize) -> Self {
        ShotLayout::new(n, 0)
    }

    /// Shots of observable flips only (predictions, `--obs_in`).
    pub fn observables(n: usize) -> Self {
        ShotLayout::new(0, n)
    }

    /// Bits per shot.
    pub fn bits(&self) -> usize {
        self.detectors + self.observables
    }
}

impl From<usize> for ShotLayout {
    /// Shots of `n` plain bits (detection events, for the `dets` format).
    fn from(n: usize) -> Self {
        ShotLayout::detectors(n)
    }
}

/// A problem reading or writing a shot file. Shot numbers count from 1, as a person reading
/// line numbers would; byte offsets count from 0, as `od` and `xxd` do.
#[derive(Debug, thiserror::Error)]
pub enum ShotIoError {
    /// The underlying read or write failed.
    #[error("{source_name}: {err}")]
    Io {
        /// File name (or `stdin`/`stdout`).
        source_name: String,
        /// The I/O error.
        err: std::io::Error,
    },
    /// A `01` line holds something other than `0` or `1`.
    #[error("{source_name}: shot {shot}, column {column}: expected '0' or '1', found {found}")]
    BadCharacter {
        /// File name.
        source_name: String,
        /// Shot (line) number, from 1.
        shot: u64,
        /// Column in the line, from 1.
        column: usize,
        /// The character found, quoted or escaped.
        found: String,
    },
    /// A `01` line has the wrong number of bits.
    #[error(
        "{source_name}: shot {shot}: expected {expected} bits per shot, found a line of {found} \
         bits{hint}"
    )]
    WrongLineLength {
        /// File name.
        source_name: String,
        /// Shot (line) number, from 1.
        shot: u64,
        /// Bits expected.
        expected: usize,
        /// Bits found.
        found: usize,
        /// Extra advice (which count was the file written for).
        hint: String,
    },
    /// A `b8` file ends inside a shot.
    #[error(
        "{source_name}: shot {shot} is truncated: the file ends at byte {file_len}, {found} \
         bytes into a shot of {expected} bytes ({bits} bits padded to whole bytes)"
    )]
    Truncated {
        /// File name.
        source_name: String,
        /// Shot number, from 1.
        shot: u64,
        /// Total bytes in the file.
        file_len: u64,
        /// Bytes per shot expected.
        expected: usize,
        /// Bytes of the last shot present.
        found: usize,
        /// Bits per shot.
        bits: usize,
    },
    /// A `b8` shot has a padding bit set: the file was written for more bits per shot.
    #[error(
        "{source_name}: shot {shot}, byte {byte}: bit {bit} is set but shots have only {bits} \
         bits (padding bits must be zero); the file holds wider shots than expected"
    )]
    PaddingBitSet {
        /// File name.
        source_name: String,
        /// Shot number, from 1.
        shot: u64,
        /// Offset of the byte in the file.
        byte: u64,
        /// Bit index within the shot that is set.
        bit: usize,
        /// Bits per shot.
        bits: usize,
    },
    /// A line of a text format (`hits`, `dets`) holds something that is not a valid token.
    #[error("{source_name}: shot {shot}, column {column}: {message}")]
    BadToken {
        /// File name.
        source_name: String,
        /// Shot (line) number, from 1.
        shot: u64,
        /// Column in the line, from 1.
        column: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// An `r8` shot's run lengths pass the end of the shot, or the file ends inside a shot.
    #[error("{source_name}: shot {shot}, byte {byte}: {message}")]
    BadRunLength {
        /// File name.
        source_name: String,
        /// Shot number, from 1.
        shot: u64,
        /// Offset of the byte in the file.
        byte: u64,
        /// What went wrong.
        message: String,
    },
    /// A `ptb64` file ends inside a group of 64 shots, or a `ptb64` output was given a shot
    /// count that is not a multiple of 64.
    #[error("{source_name}: {message}")]
    Ptb64Shots {
        /// File name.
        source_name: String,
        /// What went wrong.
        message: String,
    },
    /// A binary file (`b8`, `ptb64`) with zero bits per shot cannot say how many shots it
    /// holds.
    #[error(
        "{source_name}: cannot read a {format} file with 0 bits per shot (its shot count is \
         undefined)"
    )]
    ZeroWidthBinary {
        /// File name.
        source_name: String,
        /// The format.
        format: ShotFormat,
    },
}

/// Splits each shot of `m` into its first `at` bits and the rest, as for files written with
/// Stim's `--append_observables` (detection events, then observable flips, in one row).
pub fn split_columns(m: &BitMatrix, at: usize) -> (BitMatrix, BitMatrix) {
    assert!(at <= m.cols(), "split point past the row width");
    let mut left = BitMatrix::zeros(m.rows(), at);
    let mut right = BitMatrix::zeros(m.rows(), m.cols() - at);
    for r in 0..m.rows() {
        let row = m.row(r);
        if at.is_multiple_of(8) {
            left.row_mut(r).copy_from_slice(&row[..at / 8]);
        } else {
            let out = left.row_mut(r);
            for c in 0..at {
                set_bit(out, c, get_bit(row, c));
            }
        }
        let out = right.row_mut(r);
        for c in at..m.cols() {
            set_bit(out, c - at, get_bit(row, c));
        }
    }
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_columns_cuts_each_row() {
        let mut m = BitMatrix::zeros(2, 11);
        m.set(0, 2, true);
        m.set(0, 9, true);
        m.set(1, 10, true);
        let (a, b) = split_columns(&m, 9);
        assert_eq!((a.cols(), b.cols()), (9, 2));
        assert_eq!(a.ones(0), vec![2]);
        assert_eq!(b.ones(0), vec![0]);
        assert_eq!(a.ones(1), Vec::<usize>::new());
        assert_eq!(b.ones(1), vec![1]);
        let (c, d) = split_columns(&m, 8);
        assert_eq!(c.ones(0), vec![2]);
        assert_eq!(d.ones(0), vec![1]);
    }

    #[test]
    fn formats_parse_and_print() {
        assert_eq!("01".parse::<ShotFormat>().unwrap(), ShotFormat::Zero1);
        assert_eq!("b8".parse::<ShotFormat>().unwrap(), ShotFormat::B8);
        assert!("r9".parse::<ShotFormat>().unwrap_err().contains("'r9'"));
        for f in ShotFormat::ALL {
            assert_eq!(f.to_string().parse::<ShotFormat>().unwrap(), f);
        }
        assert_eq!(ShotFormat::B8.to_string(), "b8");
    }
}
