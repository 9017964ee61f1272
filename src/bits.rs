//! Bit-packed shot matrices.
//!
//! A [`BitMatrix`] holds many shots of `cols` bits each. Rows are shots; each row is packed
//! LSB-first into `ceil(cols / 8)` bytes exactly as Stim's `b8` format lays out one shot, so a
//! matrix can be written to a `.b8` file without reshuffling. Padding bits past `cols` in the
//! last byte of a row are always zero.

/// Number of bytes one row of `cols` bits takes in the packed (`b8`) layout.
pub fn bytes_per_row(cols: usize) -> usize {
    cols.div_ceil(8)
}

/// Many shots of `cols` bits, rows packed LSB-first into bytes (Stim `b8` layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitMatrix {
    rows: usize,
    cols: usize,
    stride: usize,
    data: Vec<u8>,
}

impl BitMatrix {
    /// An all-zero matrix of `rows` shots of `cols` bits.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        let stride = bytes_per_row(cols);
        BitMatrix {
            rows,
            cols,
            stride,
            data: vec![0; rows * stride],
        }
    }

    /// Wraps packed bytes (`rows * bytes_per_row(cols)` of them). Returns `None` when the length
    /// is wrong or a padding bit is set.
    pub fn from_bytes(rows: usize, cols: usize, data: Vec<u8>) -> Option<Self> {
        let stride = bytes_per_row(cols);
        if data.len() != rows * stride {
            return None;
        }
        let m = BitMatrix {
            rows,
            cols,
            stride,
            data,
        };
        let pad_mask = m.padding_mask();
        if pad_mask != 0 && (0..rows).any(|r| m.row(r)[stride - 1] & pad_mask != 0) {
            return None;
        }
        Some(m)
    }

    /// Bits of the last byte of a row that lie past `cols` (zero when `cols` is a multiple of 8).
    fn padding_mask(&self) -> u8 {
        match self.cols % 8 {
            0 => 0,
            r => !((1u8 << r) - 1),
        }
    }

    /// Number of shots.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Bits per shot.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Bytes per packed row.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// All packed bytes, row after row.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// The packed rows, mutably (padding bits must stay zero).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Consumes the matrix, returning its packed bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.data
    }

    /// The packed bytes of one shot.
    pub fn row(&self, r: usize) -> &[u8] {
        &self.data[r * self.stride..(r + 1) * self.stride]
    }

    /// The packed bytes of one shot, mutable. Callers keep padding bits zero.
    pub fn row_mut(&mut self, r: usize) -> &mut [u8] {
        &mut self.data[r * self.stride..(r + 1) * self.stride]
    }

    /// Mutable rows in chunks of `rows_per_chunk` shots (for parallel filling).
    pub fn row_chunks_mut(&mut self, rows_per_chunk: usize) -> std::slice::ChunksMut<'_, u8> {
        self.data.chunks_mut(rows_per_chunk * self.stride)
    }

    /// Bit `c` of shot `r`.
    pub fn get(&self, r: usize, c: usize) -> bool {
        get_bit(self.row(r), c)
    }

    /// Sets bit `c` of shot `r` to `v`.
    pub fn set(&mut self, r: usize, c: usize, v: bool) {
        set_bit(self.row_mut(r), c, v)
    }

    /// Indices of the set bits of shot `r`, ascending.
    pub fn ones(&self, r: usize) -> Vec<usize> {
        ones(self.row(r))
    }

    /// Appends the rows of `other` (same `cols`) below these.
    pub fn append(&mut self, other: &BitMatrix) {
        assert_eq!(self.cols, other.cols, "appending rows of a different width");
        self.data.extend_from_slice(&other.data);
        self.rows += other.rows;
    }
}

/// Bit `i` of an LSB-first packed row.
#[inline]
pub fn get_bit(row: &[u8], i: usize) -> bool {
    row[i >> 3] >> (i & 7) & 1 == 1
}

/// Sets bit `i` of an LSB-first packed row to `v`.
#[inline]
pub fn set_bit(row: &mut [u8], i: usize, v: bool) {
    let m = 1u8 << (i & 7);
    if v {
        row[i >> 3] |= m;
    } else {
        row[i >> 3] &= !m;
    }
}

/// Flips bit `i` of an LSB-first packed row.
#[inline]
pub fn flip_bit(row: &mut [u8], i: usize) {
    row[i >> 3] ^= 1u8 << (i & 7);
}

/// Indices of the set bits of an LSB-first packed row, ascending.
pub fn ones(row: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    ones_into(row, &mut out);
    out
}

/// [`ones`] into a reused buffer (cleared first).
pub fn ones_into(row: &[u8], out: &mut Vec<usize>) {
    out.clear();
    for (k, &b) in row.iter().enumerate() {
        let mut b = b;
        while b != 0 {
            out.push(k * 8 + b.trailing_zeros() as usize);
            b &= b - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_lsb_first_like_stim_b8() {
        let mut m = BitMatrix::zeros(2, 10);
        m.set(0, 0, true);
        m.set(0, 9, true);
        m.set(1, 3, true);
        assert_eq!(m.as_bytes(), &[0b0000_0001, 0b0000_0010, 0b0000_1000, 0]);
        assert_eq!(m.ones(0), vec![0, 9]);
        assert!(m.get(1, 3) && !m.get(1, 2));
    }

    #[test]
    fn from_bytes_rejects_wrong_length_and_padding() {
        assert!(BitMatrix::from_bytes(2, 10, vec![0; 3]).is_none());
        assert!(BitMatrix::from_bytes(1, 10, vec![0, 0b0000_0100]).is_none());
        assert!(BitMatrix::from_bytes(1, 10, vec![0xff, 0b0000_0011]).is_some());
    }
}
