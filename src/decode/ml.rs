//! Brute-force maximum-likelihood (coset) decoder for tiny toric codes, the reference the neural
//! decoder is measured against at L = 3.
//!
//! For a syndrome `s`, every error with that syndrome is `T(s) * L_c * S` for one of the 16
//! logical classes `c` (with `L_c` a logical operator of class `c`) and one stabilizer `S`. The
//! decoder sums the exact probability of every such error under an i.i.d. Pauli channel, for
//! each class, and picks the most likely class. The class index is the training label:
//! `class(e) xor class(T(s))`. Qubits are held as bit masks, so the code may have at most 64
//! qubits (L <= 5); the work per syndrome is `16 * 2^(L^2 - 1) * 2^(L^2 - 1)` terms, which is
//! practical for L <= 3.

use std::collections::HashSet;

use super::{DecodeError, Decoder};
use crate::bits::{get_bit, BitMatrix};
use crate::code::toric::ToricCode;
use crate::noise::PauliChannel;

/// Errors of the maximum-likelihood decoder.
#[derive(Debug, thiserror::Error)]
pub enum MlError {
    /// The code is too large to enumerate.
    #[error("maximum-likelihood decoding enumerates the stabilizer group: L = {0} is too large (at most 4)")]
    TooLarge(usize),
}

/// The 16 coset probabilities of one syndrome, indexed by label class.
pub type CosetProbabilities = [f64; 16];

/// Exact maximum-likelihood decoder for an i.i.d. Pauli channel on a small toric code.
#[derive(Clone, Debug)]
pub struct MlDecoder {
    code: ToricCode,
    /// Probabilities of I, X, Y, Z on each qubit.
    pauli: [f64; 4],
    /// All elements of the X-type stabilizer group (they change X errors), as qubit masks.
    x_group: Vec<u64>,
    /// All elements of the Z-type stabilizer group.
    z_group: Vec<u64>,
    /// `(x mask, z mask)` of a logical operator of each class `c` (index = class).
    logicals: [(u64, u64); 16],
}

/// `(X part, Z part)` of a packed error row (`2n` bits) as qubit masks.
fn split(error: &[u8], n: usize) -> (u64, u64) {
    (0..n).fold((0, 0), |(x, z), q| {
        (
            x | u64::from(get_bit(error, q)) << q,
            z | u64::from(get_bit(error, n + q)) << q,
        )
    })
}

/// All products of subsets of `generators` (each element once).
fn group_of(generators: &[u64]) -> Vec<u64> {
    let mut seen: HashSet<u64> = HashSet::from([0]);
    let mut elems = vec![0u64];
    for &g in generators {
        if seen.contains(&g) {
            continue;
        }
        let new: Vec<u64> = elems.iter().map(|e| e ^ g).collect();
        for e in new {
            if seen.insert(e) {
                elems.push(e);
            }
        }
    }
    elems
}

impl MlDecoder {
    /// A decoder for `code` under the i.i.d. Pauli channel `channel`.
    pub fn new(code: &ToricCode, channel: &PauliChannel) -> Result<Self, MlError> {
        let l = code.distance();
        if l > 4 {
            return Err(MlError::TooLarge(l));
        }
        let pauli = [1.0 - channel.total(), channel.px, channel.py, channel.pz];
        let n = code.num_qubits();
        // Stabilizer generators: plaquette checks are X-type, vertex checks Z-type.
        let (mut x_gens, mut z_gens) = (Vec::new(), Vec::new());
        for d in 0..code.num_detectors() {
            let (x, z) = split(&code.stabilizer(d), n);
            x_gens.push(x);
            z_gens.push(z);
        }
        let bits: Vec<(u64, u64)> = (0..4)
            .map(|k| split(&code.logical_operator(k), n))
            .collect();
        let mut logicals = [(0u64, 0u64); 16];
        for (c, slot) in logicals.iter_mut().enumerate() {
            for (b, &(x, z)) in bits.iter().enumerate() {
                if c >> b & 1 == 1 {
                    slot.0 ^= x;
                    slot.1 ^= z;
                }
            }
        }
        Ok(MlDecoder {
            code: *code,
            pauli,
            x_group: group_of(&x_gens),
            z_group: group_of(&z_gens),
            logicals,
        })
    }

    /// The code this decoder is for.
    pub fn code(&self) -> &ToricCode {
        &self.code
    }

    /// Exact probability of each of the 16 classes given syndrome `s` (packed detector bits),
    /// normalised to sum to 1. Index `c` is the class of `e xor T(s)`.
    pub fn coset_probabilities(&self, syndrome: &[u8]) -> CosetProbabilities {
        let n = self.code.num_qubits();
        let (x0, z0) = split(&self.code.pure_error(syndrome), n);
        // Probability of an error with (nx, ny, nz) X, Y, Z's, indexed nx + m * (ny + m * nz).
        let m = n + 1;
        let mut weight = vec![0.0; m * m * m];
        for nz in 0..m {
            for ny in 0..m - nz {
                for nx in 0..m - nz - ny {
                    let ni = n - nx - ny - nz;
                    weight[nx + m * (ny + m * nz)] = self.pauli[0].powi(ni as i32)
                        * self.pauli[1].powi(nx as i32)
                        * self.pauli[2].powi(ny as i32)
                        * self.pauli[3].powi(nz as i32);
                }
            }
        }
        let mut probs = [0.0; 16];
        for (c, &(lx, lz)) in self.logicals.iter().enumerate() {
            let mut total = 0.0;
            for &sx in &self.x_group {
                let x = x0 ^ lx ^ sx;
                for &sz in &self.z_group {
                    let z = z0 ^ lz ^ sz;
                    let ny = (x & z).count_ones() as usize;
                    let nx = (x & !z).count_ones() as usize;
                    let nz = (z & !x).count_ones() as usize;
                    total += weight[nx + m * (ny + m * nz)];
                }
            }
            probs[c] = total;
        }
        let sum: f64 = probs.iter().sum();
        if sum > 0.0 {
            probs.iter_mut().for_each(|q| *q /= sum);
        }
        probs
    }

    /// Most likely label class for syndrome `s` (lowest class on ties).
    pub fn most_likely_class(&self, syndrome: &[u8]) -> u8 {
        let probs = self.coset_probabilities(syndrome);
        let mut best = 0;
        for c in 1..16 {
            if probs[c] > probs[best] {
                best = c;
            }
        }
        best as u8
    }

    /// Predicted logical classes (4 observable bits per shot) for a matrix of detector rows:
    /// `class(T(s)) xor` the most likely label class.
    pub fn decode_rows(&self, dets: &BitMatrix) -> Result<BitMatrix, DecodeError> {
        let nd = self.code.num_detectors();
        if dets.cols() != nd {
            return Err(DecodeError::WidthMismatch {
                expected: nd,
                found: dets.cols(),
            });
        }
        use rayon::prelude::*;
        let classes: Vec<u8> = (0..dets.rows())
            .into_par_iter()
            .map(|r| {
                let s = dets.row(r);
                self.code.pure_error_class(s) ^ self.most_likely_class(s)
            })
            .collect();
        let mut out = BitMatrix::zeros(dets.rows(), 4);
        for (r, &c) in classes.iter().enumerate() {
            out.row_mut(r)[0] = c;
        }
        Ok(out)
    }
}

impl Decoder for MlDecoder {
    fn num_detectors(&self) -> usize {
        self.code.num_detectors()
    }

    fn num_observables(&self) -> usize {
        4
    }

    fn decode_batch(&self, dets: &BitMatrix) -> Result<BitMatrix, DecodeError> {
        self.decode_rows(dets)
    }

    fn name(&self) -> &str {
        "ml"
    }
}
