//! Exact density-matrix simulator with gate-level noise.
//!
//! The state of `n` qubits is a `2^n x 2^n` complex matrix stored row-major, so element
//! `(r, c)` sits at index `(r << n) | c`: qubit `q` of the row is bit `n + q` and of the column
//! bit `q`. A gate `U` acts as `rho -> U rho U^†` in one pass over the 2x2 (or 4x4) blocks
//! that share all other bits, in place. Diagonal gates multiply elements by phase tables,
//! permutation gates (x, cx, swap) move elements, and noise channels are applied analytically:
//! one-qubit depolarizing with `lambda = 4p/3` keeps a block's diagonal mean and scales the rest,
//! `rho -> (1 - lambda) rho + lambda * (I/2 ⊗ Tr_q rho)`; two-qubit depolarizing with
//! `lambda = 16p/15` does the same on 4x4 blocks with `I/4`, which equals the average over the
//! 15 non-identity Paulis with `p/15` each.

use super::circuit::{Circuit, Gate, Op};
use super::noise::NoiseModel;
use super::observable::{PauliExpectation, PauliString};
use super::MitigateError;
use num_complex::Complex64;

/// Largest number of qubits the density-matrix simulator accepts (4^12 entries = 256 MiB).
pub const MAX_DENSITY_QUBITS: usize = 12;

type C = Complex64;

/// A density matrix of `n` qubits.
#[derive(Clone, Debug, PartialEq)]
pub struct DensityMatrix {
    n: usize,
    data: Vec<C>,
}

impl DensityMatrix {
    /// `|0...0><0...0|` on `n` qubits.
    pub fn zero_state(n: usize) -> Result<DensityMatrix, MitigateError> {
        if n > MAX_DENSITY_QUBITS {
            return Err(MitigateError::TooManyQubits {
                n,
                max: MAX_DENSITY_QUBITS,
            });
        }
        let mut data = vec![C::new(0.0, 0.0); 1usize << (2 * n)];
        data[0] = C::new(1.0, 0.0);
        Ok(DensityMatrix { n, data })
    }

    /// Element `(r, c)`.
    pub fn get(&self, r: usize, c: usize) -> C {
        self.data[(r << self.n) | c]
    }

    /// The trace (1 for a valid state).
    pub fn trace(&self) -> f64 {
        (0..1usize << self.n).map(|r| self.get(r, r).re).sum()
    }

    /// Applies one gate (no noise).
    pub fn apply(&mut self, op: &Op) {
        self.apply_noisy(op, &NoiseModel::NONE);
    }

    /// Calls `f` on every 2x2 block `[(r0,c0), (r0,c1), (r1,c0), (r1,c1)]` of qubit `q` (rows
    /// and columns differing only in bit `q`), loading and storing it in place.
    fn map_blocks1(&mut self, q: usize, f: impl Fn(&mut [C; 4])) {
        let dim = 1usize << self.n;
        let bq = 1usize << q;
        for rh in (0..dim).step_by(2 * bq) {
            for r0 in rh..rh + bq {
                let (lo, hi) = self.data.split_at_mut((r0 + bq) * dim);
                let row0 = &mut lo[r0 * dim..(r0 + 1) * dim];
                let row1 = &mut hi[..dim];
                for ch in (0..dim).step_by(2 * bq) {
                    for c0 in ch..ch + bq {
                        let c1 = c0 + bq;
                        let mut b = [row0[c0], row0[c1], row1[c0], row1[c1]];
                        f(&mut b);
                        row0[c0] = b[0];
                        row0[c1] = b[1];
                        row1[c0] = b[2];
                        row1[c1] = b[3];
                    }
                }
            }
        }
    }

    /// Calls `f` on every 4x4 block of qubits `(a, b)`: element `4 s + t` is row offset `s`,
    /// column offset `t`, with `s = (bit a << 1) | bit b`.
    fn map_blocks2(&mut self, a: usize, b: usize, f: impl Fn(&mut [C; 16])) {
        let n = self.n;
        let dim = 1usize << n;
        let (ba, bb) = (1usize << a, 1usize << b);
        let mask = ba | bb;
        let offs = [0, bb, ba, ba | bb];
        let mut blk = [C::new(0.0, 0.0); 16];
        for r in (0..dim).filter(|r| r & mask == 0) {
            for c in (0..dim).filter(|c| c & mask == 0) {
                for (s, os) in offs.iter().enumerate() {
                    let row = (r + os) << n;
                    for (t, ot) in offs.iter().enumerate() {
                        blk[4 * s + t] = self.data[row + c + ot];
                    }
                }
                f(&mut blk);
                for (s, os) in offs.iter().enumerate() {
                    let row = (r + os) << n;
                    for (t, ot) in offs.iter().enumerate() {
                        self.data[row + c + ot] = blk[4 * s + t];
                    }
                }
            }
        }
    }

    /// One-qubit depolarizing channel: X, Y, Z each with probability `p/3`.
    pub fn depolarize1(&mut self, q: usize, p: f64) {
        let lam = 4.0 * p / 3.0;
        self.map_blocks1(q, |b| depolarize_block1(b, lam));
    }

    /// Amplitude damping with decay probability `gamma`.
    pub fn amplitude_damp(&mut self, q: usize, gamma: f64) {
        self.map_blocks1(q, |b| damp_block1(b, gamma, (1.0 - gamma).sqrt()));
    }

    /// Two-qubit depolarizing channel: each of the 15 non-identity Paulis with probability
    /// `p/15`.
    pub fn depolarize2(&mut self, a: usize, b: usize, p: f64) {
        let lam = 16.0 * p / 15.0;
        self.map_blocks2(a, b, |blk| depolarize_block2(blk, lam));
    }

    /// Applies a gate followed by the noise the model attaches to it, in one pass over the
    /// gate's blocks.
    pub fn apply_noisy(&mut self, op: &Op, noise: &NoiseModel) {
        let [a, b] = op.qubits;
        let g = noise.gamma;
        let sg = (1.0 - g).sqrt();
        if op.gate == Gate::I {
            return;
        }
        if op.gate.arity() == 1 {
            let lam = 4.0 * noise.p1 / 3.0;
            let noise_on = move |blk: &mut [C; 4]| {
                if lam != 0.0 {
                    depolarize_block1(blk, lam);
                }
                if g != 0.0 {
                    damp_block1(blk, g, sg);
                }
            };
            let u = op.gate.matrix1().expect("one-qubit gate");
            match op.gate {
                Gate::Z | Gate::S | Gate::Sdg | Gate::T | Gate::Tdg | Gate::Rz(_) => {
                    let (p01, p10) = (u[0] * u[3].conj(), u[3] * u[0].conj());
                    self.map_blocks1(a, |blk| {
                        blk[1] *= p01;
                        blk[2] *= p10;
                        noise_on(blk);
                    });
                }
                Gate::X => self.map_blocks1(a, |blk| {
                    blk.swap(0, 3);
                    blk.swap(1, 2);
                    noise_on(blk);
                }),
                _ => {
                    let uc = u.map(|x| x.conj());
                    self.map_blocks1(a, |blk| {
                        let [b00, b01, b10, b11] = *blk;
                        let t00 = u[0] * b00 + u[1] * b10;
                        let t01 = u[0] * b01 + u[1] * b11;
                        let t10 = u[2] * b00 + u[3] * b10;
                        let t11 = u[2] * b01 + u[3] * b11;
                        blk[0] = t00 * uc[0] + t01 * uc[1];
                        blk[1] = t00 * uc[2] + t01 * uc[3];
                        blk[2] = t10 * uc[0] + t11 * uc[1];
                        blk[3] = t10 * uc[2] + t11 * uc[3];
                        noise_on(blk);
                    });
                }
            }
        } else {
            let lam = 16.0 * noise.p2 / 15.0;
            // Basis index s = (bit a << 1) | bit b. Permutation gates map s -> perm[s]; diagonal
            // gates multiply by d[s].
            let (perm, diag): ([usize; 4], [C; 4]) = match op.gate {
                Gate::Cx => ([0, 1, 3, 2], [C::new(1.0, 0.0); 4]),
                Gate::Swap => ([0, 2, 1, 3], [C::new(1.0, 0.0); 4]),
                Gate::Cz => ([0, 1, 2, 3], [1.0, 1.0, 1.0, -1.0].map(|x| C::new(x, 0.0))),
                Gate::Rzz(t) => {
                    let e = C::from_polar(1.0, t / 2.0);
                    ([0, 1, 2, 3], [e.conj(), e, e, e.conj()])
                }
                _ => unreachable!("two-qubit gates are cx, cz, swap, rzz"),
            };
            let mut phase = [C::new(0.0, 0.0); 16];
            for s in 0..4 {
                for t in 0..4 {
                    phase[4 * s + t] = diag[s] * diag[t].conj();
                }
            }
            let permutes = perm != [0, 1, 2, 3];
            self.map_blocks2(a, b, |blk| {
                if permutes {
                    let old = *blk;
                    for s in 0..4 {
                        for t in 0..4 {
                            blk[4 * perm[s] + perm[t]] = old[4 * s + t];
                        }
                    }
                } else {
                    for (x, ph) in blk.iter_mut().zip(&phase) {
                        *x *= ph;
                    }
                }
                if lam != 0.0 {
                    depolarize_block2(blk, lam);
                }
                if g != 0.0 {
                    damp_block2(blk, 2, g, sg);
                    damp_block2(blk, 1, g, sg);
                }
            });
        }
    }

    /// Idle noise on qubit `q` for one moment: dephasing `idle` and detuning `rz(idle_rz)`.
    pub fn idle(&mut self, q: usize, noise: &NoiseModel) {
        let phase = C::from_polar(1.0 - 2.0 * noise.idle, -noise.idle_rz);
        self.map_blocks1(q, |b| {
            b[1] *= phase;
            b[2] *= phase.conj();
        });
    }

    /// Runs a circuit from `|0...0>` with gate noise, and with idle noise moment by moment when
    /// the model has any (readout error is applied when evaluating observables, see
    /// [`super::observable::PauliSum::expectation_with_readout`]).
    pub fn simulate(circuit: &Circuit, noise: &NoiseModel) -> Result<DensityMatrix, MitigateError> {
        circuit.validate()?;
        let mut rho = DensityMatrix::zero_state(circuit.num_qubits)?;
        if noise.has_idle_noise() {
            for (ops, idle) in circuit.moments_with_idle() {
                for &i in &ops {
                    rho.apply_noisy(&circuit.ops[i], noise);
                }
                for q in idle {
                    rho.idle(q, noise);
                }
            }
        } else {
            for op in &circuit.ops {
                rho.apply_noisy(op, noise);
            }
        }
        Ok(rho)
    }

    /// Applies a Pauli string without noise (PEC's corrections, measurement-basis changes).
    pub fn apply_pauli(&mut self, p: &PauliString) {
        for q in 0..self.n {
            let gate = match (p.x >> q & 1, p.z >> q & 1) {
                (1, 0) => Gate::X,
                (1, 1) => Gate::Y,
                (0, 1) => Gate::Z,
                _ => continue,
            };
            self.apply(&Op::one(gate, q));
        }
    }

    /// The probabilities of the computational-basis outcomes (the diagonal), index = outcome.
    pub fn probabilities(&self) -> Vec<f64> {
        (0..1usize << self.n).map(|r| self.get(r, r).re).collect()
    }
}

/// `rho -> (1 - lam) rho + lam (I/2 ⊗ Tr_q rho)` on one 2x2 block (`lam = 4p/3`).
#[inline(always)]
fn depolarize_block1(b: &mut [C; 4], lam: f64) {
    let mean = (b[0] + b[3]) * (0.5 * lam);
    b[0] = b[0] * (1.0 - lam) + mean;
    b[3] = b[3] * (1.0 - lam) + mean;
    b[1] *= 1.0 - lam;
    b[2] *= 1.0 - lam;
}

/// Amplitude damping on one 2x2 block (`sg = sqrt(1 - gamma)`).
#[inline(always)]
fn damp_block1(b: &mut [C; 4], gamma: f64, sg: f64) {
    b[0] += b[3] * gamma;
    b[3] *= 1.0 - gamma;
    b[1] *= sg;
    b[2] *= sg;
}

/// `rho -> (1 - lam) rho + lam (I/4 ⊗ Tr_ab rho)` on one 4x4 block (`lam = 16p/15`).
#[inline(always)]
fn depolarize_block2(b: &mut [C; 16], lam: f64) {
    let mean = (b[0] + b[5] + b[10] + b[15]) * (0.25 * lam);
    for x in b.iter_mut() {
        *x *= 1.0 - lam;
    }
    for s in 0..4 {
        b[5 * s] += mean;
    }
}

/// Amplitude damping on the qubit with block-index bit `k` (2 for `a`, 1 for `b`).
#[inline(always)]
fn damp_block2(b: &mut [C; 16], k: usize, gamma: f64, sg: f64) {
    for s in (0..4).filter(|s| s & k == 0) {
        for t in (0..4).filter(|t| t & k == 0) {
            let (s1, t1) = (s | k, t | k);
            b[4 * s + t] += b[4 * s1 + t1] * gamma;
            b[4 * s1 + t1] *= 1.0 - gamma;
            b[4 * s1 + t] *= sg;
            b[4 * s + t1] *= sg;
        }
    }
}

impl PauliExpectation for DensityMatrix {
    fn num_qubits(&self) -> usize {
        self.n
    }

    /// `Tr(P rho) = sum_d phase(d) rho[d][d ^ x]`.
    fn expect_string(&self, p: &PauliString) -> f64 {
        let x = p.x as usize;
        (0..1usize << self.n)
            .map(|d| (p.phase(d) * self.data[(d << self.n) | (d ^ x)]).re)
            .sum()
    }
}
