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
use super::index::{insert_zeros, sorted};
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

    /// Applies one gate.
    pub fn apply(&mut self, op: &Op) {
        let [a, b] = op.qubits;
        match op.gate {
            Gate::X => self.permute(|i, n| i ^ (1 << a) ^ (1 << (n + a))),
            Gate::Cx => self.permute(|i, n| {
                let mut j = i;
                if i >> (n + a) & 1 == 1 {
                    j ^= 1 << (n + b);
                }
                if i >> a & 1 == 1 {
                    j ^= 1 << b;
                }
                j
            }),
            Gate::Swap => self.permute(|i, n| {
                let mut j = i;
                for off in [0, n] {
                    if (i >> (off + a) ^ i >> (off + b)) & 1 == 1 {
                        j ^= (1 << (off + a)) | (1 << (off + b));
                    }
                }
                j
            }),
            Gate::Z | Gate::S | Gate::Sdg | Gate::T | Gate::Tdg | Gate::Rz(_) => {
                let m = op.gate.matrix1().expect("one-qubit gate");
                self.diag1(a, m[0], m[3]);
            }
            Gate::Cz => self.diag2(a, b, [1.0, 1.0, 1.0, -1.0].map(|x| C::new(x, 0.0))),
            Gate::Rzz(t) => {
                let e = C::from_polar(1.0, t / 2.0);
                self.diag2(a, b, [e.conj(), e, e, e.conj()]);
            }
            g => self.unitary1(a, &g.matrix1().expect("one-qubit gate")),
        }
    }

    fn permute(&mut self, f: impl Fn(usize, usize) -> usize) {
        let n = self.n;
        for i in 0..self.data.len() {
            let j = f(i, n);
            if j > i {
                self.data.swap(i, j);
            }
        }
    }

    fn diag1(&mut self, q: usize, d0: C, d1: C) {
        let n = self.n;
        let d = [d0, d1];
        // table[(row bit << 1) | col bit] = d[row] * conj(d[col])
        let t = [
            d[0] * d[0].conj(),
            d[0] * d[1].conj(),
            d[1] * d[0].conj(),
            d[1] * d[1].conj(),
        ];
        for (i, x) in self.data.iter_mut().enumerate() {
            let k = ((i >> (n + q) & 1) << 1) | (i >> q & 1);
            if k == 1 || k == 2 {
                *x *= t[k];
            }
        }
    }

    fn diag2(&mut self, a: usize, b: usize, d: [C; 4]) {
        let n = self.n;
        let mut t = [C::new(0.0, 0.0); 16];
        for (r, dr) in d.iter().enumerate() {
            for (c, dc) in d.iter().enumerate() {
                t[(r << 2) | c] = dr * dc.conj();
            }
        }
        for (i, x) in self.data.iter_mut().enumerate() {
            let r = ((i >> (n + a) & 1) << 1) | (i >> (n + b) & 1);
            let c = ((i >> a & 1) << 1) | (i >> b & 1);
            if r != c {
                *x *= t[(r << 2) | c];
            }
        }
    }

    /// Calls `f` with the four indices `[(r0,c0), (r0,c1), (r1,c0), (r1,c1)]` of every 2x2 block
    /// of qubit `q`.
    fn for_blocks1(&mut self, q: usize, mut f: impl FnMut(&mut [C], [usize; 4])) {
        let (rb, cb) = (1usize << (self.n + q), 1usize << q);
        let pos = sorted([q, self.n + q]);
        for k in 0..self.data.len() >> 2 {
            let i = insert_zeros(k, &pos);
            f(&mut self.data, [i, i | cb, i | rb, i | rb | cb]);
        }
    }

    fn unitary1(&mut self, q: usize, u: &[C; 4]) {
        let uc = u.map(|x| x.conj());
        self.for_blocks1(q, |d, [i00, i01, i10, i11]| {
            let (b00, b01, b10, b11) = (d[i00], d[i01], d[i10], d[i11]);
            // T = U B
            let t00 = u[0] * b00 + u[1] * b10;
            let t01 = u[0] * b01 + u[1] * b11;
            let t10 = u[2] * b00 + u[3] * b10;
            let t11 = u[2] * b01 + u[3] * b11;
            // B' = T U^†
            d[i00] = t00 * uc[0] + t01 * uc[1];
            d[i01] = t00 * uc[2] + t01 * uc[3];
            d[i10] = t10 * uc[0] + t11 * uc[1];
            d[i11] = t10 * uc[2] + t11 * uc[3];
        });
    }

    /// One-qubit depolarizing channel: X, Y, Z each with probability `p/3`.
    pub fn depolarize1(&mut self, q: usize, p: f64) {
        if p == 0.0 {
            return;
        }
        let lam = 4.0 * p / 3.0;
        self.for_blocks1(q, |d, [i00, i01, i10, i11]| {
            let mean = (d[i00] + d[i11]) * 0.5;
            d[i00] = d[i00] * (1.0 - lam) + mean * lam;
            d[i11] = d[i11] * (1.0 - lam) + mean * lam;
            d[i01] *= 1.0 - lam;
            d[i10] *= 1.0 - lam;
        });
    }

    /// Amplitude damping with decay probability `gamma`.
    pub fn amplitude_damp(&mut self, q: usize, gamma: f64) {
        if gamma == 0.0 {
            return;
        }
        let s = (1.0 - gamma).sqrt();
        self.for_blocks1(q, |d, [i00, i01, i10, i11]| {
            d[i00] += d[i11] * gamma;
            d[i11] *= 1.0 - gamma;
            d[i01] *= s;
            d[i10] *= s;
        });
    }

    /// Two-qubit depolarizing channel: each of the 15 non-identity Paulis with probability
    /// `p/15`.
    pub fn depolarize2(&mut self, a: usize, b: usize, p: f64) {
        if p == 0.0 {
            return;
        }
        let n = self.n;
        let lam = 16.0 * p / 15.0;
        let pos = sorted([a, b, n + a, n + b]);
        let row = [
            0,
            1usize << (n + b),
            1usize << (n + a),
            (1 << (n + a)) | (1 << (n + b)),
        ];
        let col = [0, 1usize << b, 1usize << a, (1 << a) | (1 << b)];
        for k in 0..self.data.len() >> 4 {
            let base = insert_zeros(k, &pos);
            let mut mean = C::new(0.0, 0.0);
            for s in 0..4 {
                mean += self.data[base | row[s] | col[s]];
            }
            mean *= 0.25 * lam;
            for (r, rr) in row.iter().enumerate() {
                for (c, cc) in col.iter().enumerate() {
                    let x = &mut self.data[base | rr | cc];
                    *x *= 1.0 - lam;
                    if r == c {
                        *x += mean;
                    }
                }
            }
        }
    }

    /// Applies a gate followed by the noise the model attaches to it.
    pub fn apply_noisy(&mut self, op: &Op, noise: &NoiseModel) {
        self.apply(op);
        let [a, b] = op.qubits;
        if op.gate.arity() == 1 {
            self.depolarize1(a, noise.p1);
            self.amplitude_damp(a, noise.gamma);
        } else {
            self.depolarize2(a, b, noise.p2);
            self.amplitude_damp(a, noise.gamma);
            self.amplitude_damp(b, noise.gamma);
        }
    }

    /// Runs a circuit from `|0...0>` with gate noise (readout error is applied when evaluating
    /// observables, see [`super::observable::PauliSum::expectation_with_readout`]).
    pub fn simulate(circuit: &Circuit, noise: &NoiseModel) -> Result<DensityMatrix, MitigateError> {
        circuit.validate()?;
        let mut rho = DensityMatrix::zero_state(circuit.num_qubits)?;
        for op in &circuit.ops {
            rho.apply_noisy(op, noise);
        }
        Ok(rho)
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
