//! Statevector simulator and Monte-Carlo noise trajectories.
//!
//! Qubit `q` is bit `q` of the amplitude index. A trajectory runs the circuit on a pure state and,
//! after each gate, samples the noise model's channel as a quantum-jump unravelling: a random
//! Pauli with the depolarizing probabilities, and for amplitude damping a jump `|1> -> |0>` with
//! probability `gamma * P(qubit = 1)` (otherwise the no-jump Kraus operator, renormalized). The
//! mean of the trajectories' exact expectation values is an unbiased estimate of the
//! density-matrix value; the reported error is the standard error of that mean. Trajectory `i`
//! draws from its own random stream derived from `(seed, i)`, so results do not depend on the
//! number of threads.

use super::circuit::{Circuit, Gate, Op};
use super::noise::NoiseModel;
use super::observable::{PauliExpectation, PauliString, PauliSum};
use super::MitigateError;
use num_complex::Complex64;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Largest number of qubits the statevector simulator accepts (2^26 amplitudes = 1 GiB).
pub const MAX_STATEVECTOR_QUBITS: usize = 26;

/// The most Monte-Carlo trajectories one estimate may use (their values are kept: 8 bytes each).
pub const MAX_TRAJECTORIES: usize = 10_000_000;

type C = Complex64;

/// A pure state of `n` qubits.
#[derive(Clone, Debug, PartialEq)]
pub struct StateVector {
    n: usize,
    amp: Vec<C>,
}

impl StateVector {
    /// `|0...0>` on `n` qubits.
    pub fn zero_state(n: usize) -> Result<StateVector, MitigateError> {
        if n > MAX_STATEVECTOR_QUBITS {
            return Err(MitigateError::Invalid(format!(
                "{n} qubits is too many for the statevector simulator (at most \
                 {MAX_STATEVECTOR_QUBITS})"
            )));
        }
        let mut amp = vec![C::new(0.0, 0.0); 1usize << n];
        amp[0] = C::new(1.0, 0.0);
        Ok(StateVector { n, amp })
    }

    /// Amplitude of basis state `i`.
    pub fn amplitude(&self, i: usize) -> C {
        self.amp[i]
    }

    /// Squared norm (1 for a valid state).
    pub fn norm_sqr(&self) -> f64 {
        self.amp.iter().map(|a| a.norm_sqr()).sum()
    }

    /// Applies one gate.
    pub fn apply(&mut self, op: &Op) {
        let [a, b] = op.qubits;
        let (ba, bb) = (1usize << a, 1usize << b);
        match op.gate {
            Gate::I => {}
            Gate::Cx => {
                for i in 0..self.amp.len() {
                    if i & ba != 0 && i & bb == 0 {
                        self.amp.swap(i, i | bb);
                    }
                }
            }
            Gate::Swap => {
                for i in 0..self.amp.len() {
                    if i & ba != 0 && i & bb == 0 {
                        self.amp.swap(i, (i ^ ba) | bb);
                    }
                }
            }
            Gate::Cz => {
                for (i, x) in self.amp.iter_mut().enumerate() {
                    if i & ba != 0 && i & bb != 0 {
                        *x = -*x;
                    }
                }
            }
            Gate::Rzz(t) => {
                let e = C::from_polar(1.0, t / 2.0);
                for (i, x) in self.amp.iter_mut().enumerate() {
                    let odd = ((i & ba != 0) as u8 ^ (i & bb != 0) as u8) == 1;
                    *x *= if odd { e } else { e.conj() };
                }
            }
            g => {
                let u = g.matrix1().expect("one-qubit gate");
                for i in 0..self.amp.len() {
                    if i & ba == 0 {
                        let (x0, x1) = (self.amp[i], self.amp[i | ba]);
                        self.amp[i] = u[0] * x0 + u[1] * x1;
                        self.amp[i | ba] = u[2] * x0 + u[3] * x1;
                    }
                }
            }
        }
    }

    /// Applies a Pauli string: `P|c> = phase(c) |c ^ x>`.
    pub fn apply_pauli(&mut self, p: &PauliString) {
        let x = p.x as usize;
        if x == 0 {
            for (c, a) in self.amp.iter_mut().enumerate() {
                *a *= p.phase(c);
            }
            return;
        }
        let top = 1usize << (63 - x.leading_zeros());
        for c in 0..self.amp.len() {
            if c & top == 0 {
                let d = c ^ x;
                let (ac, ad) = (self.amp[c], self.amp[d]);
                self.amp[d] = p.phase(c) * ac;
                self.amp[c] = p.phase(d) * ad;
            }
        }
    }

    /// Amplitude-damping step of a trajectory on qubit `q` with uniform random number `u`.
    fn damp(&mut self, q: usize, gamma: f64, u: f64) {
        let bit = 1usize << q;
        let p1: f64 = self
            .amp
            .iter()
            .enumerate()
            .filter(|(i, _)| i & bit != 0)
            .map(|(_, a)| a.norm_sqr())
            .sum();
        if u < gamma * p1 {
            let s = 1.0 / p1.sqrt();
            for i in 0..self.amp.len() {
                if i & bit == 0 {
                    self.amp[i] = self.amp[i | bit] * s;
                    self.amp[i | bit] = C::new(0.0, 0.0);
                }
            }
        } else {
            let keep = (1.0 - gamma).sqrt();
            let s = 1.0 / (1.0 - gamma * p1).sqrt();
            for (i, a) in self.amp.iter_mut().enumerate() {
                *a *= if i & bit != 0 { keep * s } else { s };
            }
        }
    }

    /// Runs a circuit without noise from `|0...0>`.
    pub fn simulate(circuit: &Circuit) -> Result<StateVector, MitigateError> {
        circuit.validate()?;
        let mut psi = StateVector::zero_state(circuit.num_qubits)?;
        for op in &circuit.ops {
            psi.apply(op);
        }
        Ok(psi)
    }

    /// One noise trajectory of `circuit` drawing from `rng` (moment by moment, with idle noise,
    /// when the model has any).
    pub fn trajectory<R: Rng>(
        circuit: &Circuit,
        noise: &NoiseModel,
        rng: &mut R,
    ) -> Result<StateVector, MitigateError> {
        circuit.validate()?;
        let mut psi = StateVector::zero_state(circuit.num_qubits)?;
        if noise.has_idle_noise() {
            for (ops, idle) in circuit.moments_with_idle() {
                for &i in &ops {
                    psi.noisy_step(&circuit.ops[i], noise, rng);
                }
                for q in idle {
                    psi.apply(&Op::one(Gate::Rz(noise.idle_rz), q));
                    if noise.idle > 0.0 && rng.random::<f64>() < noise.idle {
                        psi.apply_pauli(&PauliString::single(q, 3));
                    }
                }
            }
        } else {
            for op in &circuit.ops {
                psi.noisy_step(op, noise, rng);
            }
        }
        Ok(psi)
    }

    /// One gate and a sample of its noise (none for the identity).
    fn noisy_step<R: Rng>(&mut self, op: &Op, noise: &NoiseModel, rng: &mut R) {
        if op.gate == Gate::I {
            return;
        }
        self.apply(op);
        let [a, b] = op.qubits;
        let two = op.gate.arity() == 2;
        let p = if two { noise.p2 } else { noise.p1 };
        if p > 0.0 && rng.random::<f64>() < p {
            let pauli = if two {
                let k = rng.random_range(1..16u32);
                PauliString::pair(a, b, k)
            } else {
                PauliString::single(a, rng.random_range(1..4u32))
            };
            self.apply_pauli(&pauli);
        }
        if noise.gamma > 0.0 {
            self.damp(a, noise.gamma, rng.random());
            if two {
                self.damp(b, noise.gamma, rng.random());
            }
        }
    }
}

impl PauliString {
    /// The product of two strings on disjoint qubits.
    pub fn combine(&self, other: &PauliString) -> PauliString {
        PauliString {
            x: self.x | other.x,
            z: self.z | other.z,
        }
    }
}

impl PauliExpectation for StateVector {
    fn num_qubits(&self) -> usize {
        self.n
    }

    /// `<psi|P|psi> = sum_c conj(psi[c ^ x]) phase(c) psi[c]`.
    fn expect_string(&self, p: &PauliString) -> f64 {
        let x = p.x as usize;
        self.amp
            .iter()
            .enumerate()
            .map(|(c, a)| (self.amp[c ^ x].conj() * p.phase(c) * a).re)
            .sum()
    }
}

/// A Monte-Carlo estimate with its standard error.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Mean over trajectories.
    pub mean: f64,
    /// Standard error of the mean.
    pub std_err: f64,
    /// Number of trajectories.
    pub samples: usize,
}

/// Estimates the noisy expectation value of `observable` (readout error included) from
/// `num_trajectories` trajectories, in parallel, reproducibly for a given `seed`.
pub fn trajectory_expectation(
    circuit: &Circuit,
    noise: &NoiseModel,
    observable: &PauliSum,
    num_trajectories: usize,
    seed: u64,
) -> Result<Estimate, MitigateError> {
    noise.validate()?;
    circuit.validate()?;
    if observable.width() > circuit.num_qubits {
        return Err(MitigateError::Invalid(format!(
            "observable acts on {} qubits but the circuit has {}",
            observable.width(),
            circuit.num_qubits
        )));
    }
    if !(1..=MAX_TRAJECTORIES).contains(&num_trajectories) {
        return Err(MitigateError::Invalid(format!(
            "{num_trajectories} trajectories: expected 1 to {MAX_TRAJECTORIES}"
        )));
    }
    let values: Vec<f64> = (0..num_trajectories)
        .into_par_iter()
        .map(|i| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            StateVector::trajectory(circuit, noise, &mut rng)
                .map(|psi| observable.expectation_with_readout(&psi, &noise.readout))
        })
        .collect::<Result<_, _>>()?;
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    Ok(Estimate {
        mean,
        std_err: (var / n).sqrt(),
        samples: values.len(),
    })
}
