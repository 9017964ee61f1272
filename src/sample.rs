//! Batch sampling of toric-code shots: (code, channel, seed) -> syndromes, logical classes and
//! optionally the errors, bit-packed.
//!
//! # Method: bit-sliced sampling
//!
//! Shots are drawn in chunks of 64. Within a chunk each qubit gets a 64-bit mask of the shots in
//! which it suffers an error, drawn with [`bernoulli_mask`] (about eight random words per mask
//! whatever `p`, instead of one random number per qubit per shot); the mask is XORed into the
//! words of the two detectors the error flips and of the class bits it changes. Only the hit
//! shots of a mask draw a further random number to choose between X, Y and Z. At the end of the
//! chunk the detector-major words are transposed 64 x 64 at a time into shot-major rows.
//!
//! # Reproducibility
//!
//! Chunk `k` (shots `64 k .. 64 k + 64`) draws from its own generator, seeded from
//! `(seed, k)`, so the output depends only on the seed: not on the thread count, nor on how a
//! run is split into batches (batches start at multiples of 64 shots).

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::bits::{bytes_per_row, BitMatrix};
use crate::code::ToricCode;
use crate::noise::PauliChannel;

/// Shots per chunk (one bit per shot in a `u64` mask).
pub const CHUNK: usize = 64;

/// Sampled shots of the toric code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToricShots {
    /// Detection events: `2 L^2` columns, vertex checks then plaquette checks.
    pub dets: BitMatrix,
    /// The logical class of each error: 4 columns (Stim observables `L0..L3`).
    pub obs: BitMatrix,
    /// The errors themselves (`4 L^2` columns: X parts then Z parts), when asked for.
    pub errors: Option<BitMatrix>,
}

/// What an error on one qubit flips.
#[derive(Clone, Copy, Debug)]
struct QubitEffect {
    vertices: [usize; 2],
    plaquettes: [usize; 2],
    x_class: u8,
    z_class: u8,
}

/// A reproducible sampler for one code, channel and seed.
#[derive(Clone, Debug)]
pub struct ToricSampler {
    code: ToricCode,
    effects: Vec<QubitEffect>,
    /// `p_total` as a 32-bit binary fraction.
    p_fixed: u64,
    /// Thresholds on a uniform `u64` that split a hit into X (below `x_cut`), Y (below
    /// `y_cut`) or Z.
    x_cut: u64,
    y_cut: u64,
    seed: u64,
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The generator of chunk `chunk` of a run seeded with `seed`.
pub fn chunk_rng(seed: u64, chunk: u64) -> Xoshiro256PlusPlus {
    let a = splitmix64(seed);
    let b = splitmix64(a ^ splitmix64(chunk));
    let mut bytes = [0u8; 32];
    let mut s = b;
    for w in bytes.chunks_mut(8) {
        s = splitmix64(s);
        w.copy_from_slice(&s.to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

/// `p` as a 32-bit binary fraction, `round(p * 2^32)`; `2^32` means certainty.
pub fn fixed_probability(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64
}

/// A 64-bit mask whose bits are independently 1 with probability `p_fixed / 2^32` exactly.
///
/// Compares 64 uniform numbers with `p` bit by bit from the most significant bit, stopping as
/// soon as every lane is decided: about `log2(64) + 2` random words per call.
#[inline]
pub fn bernoulli_mask<R: RngCore>(rng: &mut R, p_fixed: u64) -> u64 {
    if p_fixed == 0 {
        return 0;
    }
    if p_fixed >= 1 << 32 {
        return !0;
    }
    let mut result = 0u64;
    let mut undecided = !0u64;
    for k in (0..32).rev() {
        let w = rng.next_u64();
        if p_fixed >> k & 1 == 1 {
            // Lanes whose uniform bit is 0 here fall below p.
            result |= undecided & !w;
            undecided &= w;
        } else {
            undecided &= !w;
        }
        if undecided == 0 {
            break;
        }
    }
    result
}

/// Transposes a 64 x 64 bit matrix in place: afterwards bit `r` of word `c` is what bit `c` of
/// word `r` was.
pub fn transpose64(a: &mut [u64; 64]) {
    let mut j = 32;
    let mut m: u64 = 0x0000_0000_FFFF_FFFF;
    while j != 0 {
        let mut k = 0;
        while k < 64 {
            let t = ((a[k] >> j) ^ a[k | j]) & m;
            a[k] ^= t << j;
            a[k | j] ^= t;
            k = (k + j + 1) & !j;
        }
        j >>= 1;
        m ^= m << j;
    }
}

/// Writes detector-major words (`words[d]` bit `s` = bit `d` of shot `s`) into the first
/// `shots` rows of a packed shot-major buffer of `stride` bytes a row.
fn scatter_transposed(words: &[u64], shots: usize, stride: usize, out: &mut [u8]) {
    let mut block = [0u64; 64];
    for (b, group) in words.chunks(64).enumerate() {
        block[..group.len()].copy_from_slice(group);
        block[group.len()..].fill(0);
        transpose64(&mut block);
        let first_byte = b * 8;
        let n = (stride - first_byte).min(8);
        for (s, w) in block.iter().enumerate().take(shots) {
            out[s * stride + first_byte..s * stride + first_byte + n]
                .copy_from_slice(&w.to_le_bytes()[..n]);
        }
    }
}

impl ToricSampler {
    /// A sampler of `code` under `channel`, seeded with `seed`.
    pub fn new(code: ToricCode, channel: &PauliChannel, seed: u64) -> Self {
        let effects = (0..code.num_qubits())
            .map(|e| QubitEffect {
                vertices: code.edge_vertices(e),
                plaquettes: code.edge_plaquettes(e),
                x_class: code.edge_x_class(e),
                z_class: code.edge_z_class(e),
            })
            .collect();
        let total = channel.px + channel.py + channel.pz;
        let cut = |x: f64| -> u64 {
            if total <= 0.0 {
                0
            } else {
                let f = (x / total).clamp(0.0, 1.0);
                if f >= 1.0 {
                    u64::MAX
                } else {
                    (f * 18_446_744_073_709_551_616.0) as u64
                }
            }
        };
        ToricSampler {
            code,
            effects,
            p_fixed: fixed_probability(total),
            x_cut: cut(channel.px),
            y_cut: cut(channel.px + channel.py),
            seed,
        }
    }

    /// The code sampled.
    pub fn code(&self) -> &ToricCode {
        &self.code
    }

    /// Samples shots `first_shot .. first_shot + count` of this run. `first_shot` must be a
    /// multiple of [`CHUNK`]; the result does not depend on how a run is split into calls.
    pub fn sample(&self, first_shot: u64, count: usize, keep_errors: bool) -> ToricShots {
        assert!(
            first_shot.is_multiple_of(CHUNK as u64),
            "batches start at multiples of {CHUNK} shots"
        );
        let nd = self.code.num_detectors();
        let nq = self.code.num_qubits();
        let mut dets = BitMatrix::zeros(count, nd);
        let mut obs = BitMatrix::zeros(count, 4);
        let mut errors = keep_errors.then(|| BitMatrix::zeros(count, 2 * nq));
        let (ds, es) = (dets.stride(), bytes_per_row(2 * nq));
        let first_chunk = first_shot / CHUNK as u64;
        let err_chunks: Box<dyn Iterator<Item = Option<&mut [u8]>>> = match errors.as_mut() {
            Some(err) => Box::new(err.row_chunks_mut(CHUNK).map(Some)),
            None => Box::new(std::iter::repeat_with(|| None)),
        };
        let jobs: Vec<_> = dets
            .row_chunks_mut(CHUNK)
            .zip(obs.row_chunks_mut(CHUNK))
            .zip(err_chunks)
            .collect();
        jobs.into_par_iter()
            .enumerate()
            .for_each(|(k, ((d, o), e))| {
                let shots = d.len() / ds;
                self.fill_chunk(first_chunk + k as u64, shots, d, o, e.map(|e| (e, es)))
            });
        ToricShots { dets, obs, errors }
    }

    /// Samples `shots` rows of chunk index `chunk` into the given packed row buffers.
    fn fill_chunk(
        &self,
        chunk: u64,
        shots: usize,
        dets: &mut [u8],
        obs: &mut [u8],
        errors: Option<(&mut [u8], usize)>,
    ) {
        let mut rng = chunk_rng(self.seed, chunk);
        let nq = self.effects.len();
        let mut det_words = vec![0u64; self.code.num_detectors()];
        let mut class_words = [0u64; 4];
        let mut err_words = errors.as_ref().map(|_| vec![0u64; 2 * nq]);
        let single_type = self.x_cut == u64::MAX || self.x_cut == self.y_cut && self.y_cut == 0;
        for (q, eff) in self.effects.iter().enumerate() {
            let hits = bernoulli_mask(&mut rng, self.p_fixed);
            if hits == 0 {
                continue;
            }
            let (xm, zm) = if single_type {
                if self.x_cut == u64::MAX {
                    (hits, 0)
                } else {
                    (0, hits)
                }
            } else {
                let (mut xm, mut zm) = (0u64, 0u64);
                let mut h = hits;
                while h != 0 {
                    let bit = h & h.wrapping_neg();
                    h ^= bit;
                    let u = rng.next_u64();
                    if u < self.y_cut {
                        xm |= bit;
                    }
                    if u >= self.x_cut {
                        zm |= bit;
                    }
                }
                (xm, zm)
            };
            if xm != 0 {
                det_words[eff.vertices[0]] ^= xm;
                det_words[eff.vertices[1]] ^= xm;
                for (b, w) in class_words.iter_mut().enumerate() {
                    if eff.x_class >> b & 1 == 1 {
                        *w ^= xm;
                    }
                }
            }
            if zm != 0 {
                det_words[eff.plaquettes[0]] ^= zm;
                det_words[eff.plaquettes[1]] ^= zm;
                for (b, w) in class_words.iter_mut().enumerate() {
                    if eff.z_class >> b & 1 == 1 {
                        *w ^= zm;
                    }
                }
            }
            if let Some(ew) = err_words.as_mut() {
                ew[q] = xm;
                ew[nq + q] = zm;
            }
        }
        let mask = if shots == 64 { !0 } else { (1u64 << shots) - 1 };
        for w in det_words.iter_mut().chain(class_words.iter_mut()) {
            *w &= mask;
        }
        scatter_transposed(&det_words, shots, dets.len() / shots, dets);
        scatter_transposed(&class_words, shots, 1, obs);
        if let (Some((e, stride)), Some(ew)) = (errors, err_words) {
            let masked: Vec<u64> = ew.into_iter().map(|w| w & mask).collect();
            scatter_transposed(&masked, shots, stride, e);
        }
    }
}

/// Samples `shots` shots of `code` under `channel` from `seed` (see [`ToricSampler`]).
pub fn sample_toric(
    code: &ToricCode,
    channel: &PauliChannel,
    shots: usize,
    seed: u64,
    keep_errors: bool,
) -> ToricShots {
    ToricSampler::new(*code, channel, seed).sample(0, shots, keep_errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_is_a_transpose() {
        let mut rng = chunk_rng(1, 2);
        let mut a = [0u64; 64];
        for w in a.iter_mut() {
            *w = rng.next_u64();
        }
        let orig = a;
        transpose64(&mut a);
        for (r, word) in orig.iter().enumerate() {
            for (c, col) in a.iter().enumerate() {
                assert_eq!(col >> r & 1, word >> c & 1);
            }
        }
    }

    #[test]
    fn bernoulli_mask_rate_is_exact_within_statistics() {
        let mut rng = chunk_rng(7, 0);
        for p in [0.0, 0.001, 0.1, 0.5, 0.77, 1.0] {
            let n = 20_000u64;
            let ones: u64 = (0..n)
                .map(|_| bernoulli_mask(&mut rng, fixed_probability(p)).count_ones() as u64)
                .sum();
            let trials = (n * 64) as f64;
            let sigma = (p * (1.0 - p) / trials).sqrt();
            let rate = ones as f64 / trials;
            assert!((rate - p).abs() <= 5.0 * sigma + 1e-12, "p={p} rate={rate}");
        }
    }
}
