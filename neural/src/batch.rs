//! From detector rows to network inputs: syndromes as floats, per-site XORs, pure-error classes
//! and training labels. All computed in Rust (rayon) next to the sampler, so the device never
//! waits on them.

use rayon::prelude::*;
use tch::{Device, Tensor};

use super::NeuralError;
use qecd::bits::{get_bit, BitMatrix};
use qecd::code::toric::ToricCode;

/// Shots per rayon task when encoding.
const ROWS_PER_TASK: usize = 256;

/// Network inputs for a batch of shots of the L x L toric code.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedBatch {
    /// Number of shots.
    pub rows: usize,
    /// Side L of the torus.
    pub distance: usize,
    /// Detector bits as 0/1 floats, `rows * 2 * L * L` (the `(B, 2, L, L)` input, row-major).
    pub syndromes: Vec<f32>,
    /// Per-site XORs `h(t_x, t_x^{-1}.s)`, `rows * L * L` (the `(B, L*L)` pooling input).
    pub site_xors: Vec<u8>,
    /// Logical class of the canonical pure error `T(s)` of each shot.
    pub pure_classes: Vec<u8>,
}

impl EncodedBatch {
    /// Encodes detector rows (width `2 L^2`, detector order of `code::toric`).
    pub fn encode(code: &ToricCode, dets: &BitMatrix) -> Result<Self, NeuralError> {
        let l = code.distance();
        let nd = code.num_detectors();
        if dets.cols() != nd {
            return Err(NeuralError::Mismatch {
                what: "detectors per shot (2 L^2) of distance",
                model: format!("{nd} (L = {l})"),
                data: dets.cols().to_string(),
            });
        }
        let rows = dets.rows();
        let sites = l * l;
        let syndromes = bit_floats(dets);
        let mut site_xors = vec![0u8; rows * sites];
        let mut pure_classes = vec![0u8; rows];
        site_xors
            .par_chunks_mut(ROWS_PER_TASK * sites)
            .zip(pure_classes.par_chunks_mut(ROWS_PER_TASK))
            .enumerate()
            .for_each(|(task, (xor, pure))| {
                for (k, pc) in pure.iter_mut().enumerate() {
                    let s = dets.row(task * ROWS_PER_TASK + k);
                    code.site_xors(s, &mut xor[k * sites..(k + 1) * sites]);
                    *pc = code.pure_error_class(s);
                }
            });
        Ok(EncodedBatch {
            rows,
            distance: l,
            syndromes,
            site_xors,
            pure_classes,
        })
    }

    /// The `(B, 2, L, L)` float input and `(B, L*L)` XOR tensors on `device`.
    pub fn tensors(&self, device: Device) -> (Tensor, Tensor) {
        let (b, l) = (self.rows as i64, self.distance as i64);
        let syn = grid_tensor(&self.syndromes, self.rows, 2, self.distance, device);
        let xor = Tensor::from_slice(&self.site_xors)
            .view([b, l * l])
            .to_device(device);
        (syn, xor)
    }
}

/// The bits of every row of `m` as 0/1 floats, row after row (`rows * cols` values): for
/// detector rows the `(B, 2, L, L)` network input, for error rows the `(B, 4, L, L)` target of
/// the local network.
pub fn bit_floats(m: &BitMatrix) -> Vec<f32> {
    let cols = m.cols();
    let mut out = vec![0f32; m.rows() * cols];
    out.par_chunks_mut((ROWS_PER_TASK * cols).max(1))
        .enumerate()
        .for_each(|(task, part)| {
            for (k, row) in part.chunks_mut(cols.max(1)).enumerate() {
                let bits = m.row(task * ROWS_PER_TASK + k);
                for (d, f) in row.iter_mut().enumerate() {
                    *f = if get_bit(bits, d) { 1.0 } else { 0.0 };
                }
            }
        });
    out
}

/// `values` (`rows * channels * L * L` floats) as a `(rows, channels, L, L)` tensor on `device`.
pub fn grid_tensor(
    values: &[f32],
    rows: usize,
    channels: usize,
    distance: usize,
    device: Device,
) -> Tensor {
    let l = distance as i64;
    Tensor::from_slice(values)
        .view([rows as i64, channels as i64, l, l])
        .to_device(device)
}

/// Logical class (4 bits) of each row of an observable matrix (4 columns).
pub fn row_classes(obs: &BitMatrix) -> Vec<u8> {
    (0..obs.rows()).map(|r| obs.row(r)[0] & 0x0f).collect()
}

/// Training labels: `class(e) xor class(T(s))`, the class of `e * T(s)`.
pub fn labels(obs: &BitMatrix, pure_classes: &[u8]) -> Vec<i64> {
    row_classes(obs)
        .iter()
        .zip(pure_classes)
        .map(|(&c, &t)| i64::from(c ^ t))
        .collect()
}
