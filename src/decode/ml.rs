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

use crate::bits::{get_bit, set_bit, BitMatrix};
use crate::code::toric::ToricCode;

/// Errors of the maximum-likelihood decoder.
#[derive(Debug, thiserror::Error)]
pub enum MlError {
    /// The code is too large to enumerate.
    #[error("maximum-likelihood decoding enumerates the stabilizer group: L = {0} is too large (at most 4)")]
    TooLarge(usize),
    /// The channel probabilities are not a distribution.
    #[error("Pauli probabilities must be >= 0 and sum to 1, got I={0}, X={1}, Y={2}, Z={3}")]
    BadChannel(f64, f64, f64, f64),
    /// The code's geometry does not match what this decoder expects (internal consistency check).
    #[error("toric code geometry check failed: {0}")]
    Geometry(String),
    /// A detector row of the wrong width.
    #[error("shot has {found} detector bits, the L = {distance} toric code has {expected}")]
    Width {
        /// The code distance.
        distance: usize,
        /// The code's detector count.
        expected: usize,
        /// The width of the data.
        found: usize,
    },
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

fn mask_of(packed: &[u8], n: usize) -> u64 {
    (0..n).filter(|&q| get_bit(packed, q)).fold(0, |m, q| m | 1 << q)
}

fn unpack(mask: u64, n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n.div_ceil(8)];
    for q in 0..n {
        set_bit(&mut out, q, mask >> q & 1 == 1);
    }
    out
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
    /// A decoder for `code` under the i.i.d. channel with probabilities `[I, X, Y, Z]`.
    pub fn new(code: &ToricCode, pauli: [f64; 4]) -> Result<Self, MlError> {
        let l = code.distance();
        if l > 4 {
            return Err(MlError::TooLarge(l));
        }
        let [pi, px, py, pz] = pauli;
        if pauli.iter().any(|&q| !(q >= 0.0)) || ((pi + px + py + pz) - 1.0).abs() > 1e-9 {
            return Err(MlError::BadChannel(pi, px, py, pz));
        }
        let n = code.num_qubits();
        let nd = code.num_detectors();
        // Stabilizer generators from the check matrix: vertex checks (which detect X errors) are
        // Z-type stabilizers, plaquette checks (which detect Z errors) are X-type ones.
        let zero = vec![0u8; n.div_ceil(8)];
        let mut x_gens = vec![0u64; l * l];
        let mut z_gens = vec![0u64; l * l];
        let mut syn = vec![0u8; nd.div_ceil(8)];
        for q in 0..n {
            let single = unpack(1 << q, n);
            code.syndrome(&single, &zero, &mut syn);
            for v in 0..l * l {
                if get_bit(&syn, v) {
                    z_gens[v] |= 1 << q;
                }
            }
            code.syndrome(&zero, &single, &mut syn);
            for p in 0..l * l {
                if get_bit(&syn, l * l + p) {
                    x_gens[p] |= 1 << q;
                }
            }
        }
        // Representatives of the four logical class bits (index conventions of code::toric):
        // X on row-0 horizontal edges (bit 0), X on column-0 vertical edges (bit 1),
        // Z on row-0 vertical edges (bit 2), Z on column-0 horizontal edges (bit 3).
        let h = |i: usize, j: usize| i * l + j;
        let v = |i: usize, j: usize| l * l + i * l + j;
        let line = |f: &dyn Fn(usize) -> usize| (0..l).fold(0u64, |m, k| m | 1 << f(k));
        let bits: [(u64, u64); 4] = [
            (line(&|j| h(0, j)), 0),
            (line(&|i| v(i, 0)), 0),
            (0, line(&|j| v(0, j))),
            (0, line(&|i| h(i, 0))),
        ];
        let mut logicals = [(0u64, 0u64); 16];
        for (c, slot) in logicals.iter_mut().enumerate() {
            for (b, &(x, z)) in bits.iter().enumerate() {
                if c >> b & 1 == 1 {
                    slot.0 ^= x;
                    slot.1 ^= z;
                }
            }
            let (xp, zp) = (unpack(slot.0, n), unpack(slot.1, n));
            code.syndrome(&xp, &zp, &mut syn);
            let class = code.logical_class(&xp, &zp);
            if syn.iter().any(|&b| b != 0) || usize::from(class) != c {
                return Err(MlError::Geometry(format!(
                    "logical representative for class {c} has class {class} or a non-zero syndrome"
                )));
            }
        }
        Ok(MlDecoder {
            code: code.clone(),
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
        let (tx, tz) = self.code.pure_error(syndrome);
        let (x0, z0) = (mask_of(&tx, n), mask_of(&tz, n));
        // Powers of each Pauli probability, indexed by count.
        let pow: Vec<[f64; 4]> = (0..=n)
            .map(|k| self.pauli.map(|q| q.powi(k as i32)))
            .collect();
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
                    let ni = n - nx - ny - nz;
                    total += pow[ni][0] * pow[nx][1] * pow[ny][2] * pow[nz][3];
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
    pub fn decode_rows(&self, dets: &BitMatrix) -> Result<BitMatrix, MlError> {
        let nd = self.code.num_detectors();
        if dets.cols() != nd {
            return Err(MlError::Width {
                distance: self.code.distance(),
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
