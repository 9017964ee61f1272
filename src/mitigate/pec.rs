//! Probabilistic error cancellation (PEC) with Mitiq 1.1.0's depolarizing representations.
//!
//! Every noisy gate is `D ∘ U` with `D` depolarizing (`cirq.depolarize(p)`: X, Y, Z each `p/3`
//! after one-qubit gates; the 15 two-qubit Paulis each `p/15` after two-qubit gates). The ideal
//! gate is a quasi-probability combination of implementable ones, `U = sum_a eta_a D ∘ P_a ∘ U`:
//!
//! - global (`represent_operation_with_global_depolarizing_noise`): with
//!   `eps = 4p/3` (one qubit) or `16p/15` (two qubits) and `K = 4` or `16` Paulis,
//!   `eta_I = 1 + (K - 1)/K eps/(1 - eps)` and `eta_P = -1/K eps/(1 - eps)` for every other Pauli.
//!   This is exact for the model above.
//! - local (`represent_operation_with_local_depolarizing_noise`): one-qubit gates as global;
//!   a two-qubit gate as the tensor product of two one-qubit representations with `eps = 4p/3`,
//!   exact only for independent one-qubit depolarizing after the gate, which this noise model
//!   does not have: with `p2 > 0` it is refused.
//!
//! The one-norm of the circuit is the product of the gates' norms `sum_a |eta_a|`. A sample
//! draws, for every gate, a Pauli with probability `|eta_a| / norm` and multiplies the signs;
//! the sampled Paulis are applied noiselessly right after their gates (Mitiq's basis operations
//! `D ∘ P ∘ U`: a Pauli commutes with a depolarizing channel, so where it sits relative to `D`
//! does not matter). The estimate is `gamma * mean(sign * value)` and its standard error
//! `gamma * std(sign * value) / sqrt(samples)` (population standard deviation, as Mitiq's
//! `pec_error`). Samples are drawn from one xoshiro256++ stream of the seed, so a seeded run is
//! reproducible exactly.
//!
//! Amplitude damping, idle noise and (without REM) readout error are not depolarizing gate
//! noise: a model with any of them is refused rather than mitigated with a biased
//! representation.

use super::circuit::{Circuit, Gate};
use super::executor::Executor;
use super::noise::NoiseModel;
use super::observable::PauliString;
use super::MitigateError;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::HashMap;

/// The most sampled circuits of one PEC call.
pub const MAX_PEC_SAMPLES: usize = 10_000_000;

/// Which of Mitiq's depolarizing representations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Representation {
    /// `represent_operation_with_global_depolarizing_noise`.
    Global,
    /// `represent_operation_with_local_depolarizing_noise`.
    Local,
}

/// A quasi-probability representation of one gate: `(eta, Pauli applied after the gate)`,
/// identity first.
#[derive(Clone, Debug, PartialEq)]
pub struct GateRepresentation {
    /// The terms.
    pub terms: Vec<(f64, PauliString)>,
}

impl GateRepresentation {
    /// `sum |eta|`.
    pub fn one_norm(&self) -> f64 {
        self.terms.iter().map(|t| t.0.abs()).sum()
    }
}

/// `(eta_I, eta_P)` of a global depolarizing representation with `eps` over `k` Paulis.
fn global_etas(p: f64, factor: f64, k: f64) -> Result<(f64, f64), MitigateError> {
    let eps = factor * p;
    if eps >= 1.0 {
        return Err(MitigateError::Invalid(format!(
            "PEC: depolarizing rate {p} is the fully depolarizing channel (or beyond), which \
             cannot be inverted"
        )));
    }
    let r = eps / (1.0 - eps);
    Ok((1.0 + (k - 1.0) / k * r, -r / k))
}

/// The representation of a gate on `qubits` (one or two) with depolarizing rate `p`.
pub fn represent(
    qubits: &[usize],
    p: f64,
    rep: Representation,
) -> Result<GateRepresentation, MitigateError> {
    let mut terms = Vec::new();
    match (qubits, rep) {
        ([q], _) => {
            let (pos, neg) = global_etas(p, 4.0 / 3.0, 4.0)?;
            terms.push((pos, PauliString::IDENTITY));
            terms.extend((1..4u32).map(|k| (neg, PauliString::single(*q, k))));
        }
        ([a, b], Representation::Global) => {
            let (pos, neg) = global_etas(p, 16.0 / 15.0, 16.0)?;
            terms.push((pos, PauliString::IDENTITY));
            for k in 1..16u32 {
                terms.push((neg, PauliString::pair(*a, *b, k)));
            }
        }
        ([a, b], Representation::Local) => {
            let (pos, neg) = global_etas(p, 4.0 / 3.0, 4.0)?;
            for k in 0..16u32 {
                let eta = |j: u32| if j == 0 { pos } else { neg };
                terms.push((eta(k >> 2) * eta(k & 3), PauliString::pair(*a, *b, k)));
            }
        }
        _ => {
            return Err(MitigateError::Invalid(
                "PEC represents one- and two-qubit gates only".into(),
            ))
        }
    }
    Ok(GateRepresentation { terms })
}

/// A PEC recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pec {
    /// Sampled circuits.
    pub samples: usize,
    /// Seed of the sampling.
    pub seed: u64,
    /// The representation.
    pub representation: Representation,
}

/// The outcome of one PEC call.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PecResult {
    /// The estimate.
    pub value: f64,
    /// Its standard error.
    pub std_error: f64,
    /// The circuit's one-norm gamma (product of the gates' norms).
    pub one_norm: f64,
    /// Sampled circuits.
    pub samples: usize,
}

impl Pec {
    /// The representation of every gate of `circuit` under `noise` (identity gates, and gates
    /// of a noiseless kind, get the trivial representation). Errors for noise that the
    /// representation does not describe exactly (see the module docs); `readout_mitigated`
    /// says readout error is handled by REM.
    pub fn representations(
        &self,
        circuit: &Circuit,
        noise: &NoiseModel,
        readout_mitigated: bool,
    ) -> Result<Vec<GateRepresentation>, MitigateError> {
        let refuse = |what: &str| {
            Err(MitigateError::Invalid(format!(
                "PEC represents depolarizing gate noise exactly, not {what}; remove it from \
                 --noise"
            )))
        };
        if noise.gamma != 0.0 {
            return refuse("amplitude damping (gamma)");
        }
        if noise.has_idle_noise() {
            return refuse("idle noise (idle, idle_rz)");
        }
        if !noise.readout.is_ideal() && !readout_mitigated {
            return Err(MitigateError::Invalid(
                "PEC does not represent readout error: combine it with readout-error \
                 mitigation (rem+pec:...) or remove ro/ro01/ro10 from --noise"
                    .into(),
            ));
        }
        if self.representation == Representation::Local && noise.p2 != 0.0 {
            return Err(MitigateError::Invalid(format!(
                "PEC's local depolarizing representation assumes one-qubit depolarizing on each \
                 qubit after a two-qubit gate, but the noise model has two-qubit depolarizing \
                 p2 = {}: use the global representation (pec:<samples>:<seed>:global)",
                noise.p2
            )));
        }
        circuit
            .ops
            .iter()
            .map(|op| {
                let p = match (op.gate, op.gate.arity()) {
                    (Gate::I, _) => 0.0,
                    (_, 1) => noise.p1,
                    _ => noise.p2,
                };
                represent(op.targets(), p, self.representation)
            })
            .collect()
    }

    /// Samples, runs and averages.
    pub fn run(&self, circuit: &Circuit, exec: &Executor) -> Result<PecResult, MitigateError> {
        if !(1..=MAX_PEC_SAMPLES).contains(&self.samples) {
            return Err(MitigateError::Invalid(format!(
                "PEC with {} samples: expected 1 to {MAX_PEC_SAMPLES}",
                self.samples
            )));
        }
        let reps = self.representations(circuit, &exec.noise, exec.readout_mitigated())?;
        let norms: Vec<f64> = reps.iter().map(GateRepresentation::one_norm).collect();
        let one_norm: f64 = norms.iter().product();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed);
        let mut signs = Vec::with_capacity(self.samples);
        let mut corrections = Vec::with_capacity(self.samples);
        for _ in 0..self.samples {
            let mut sign = 1.0;
            let mut corr = Vec::with_capacity(reps.len());
            for (rep, norm) in reps.iter().zip(&norms) {
                let mut u = rng.random::<f64>() * norm;
                let term = rep
                    .terms
                    .iter()
                    .find(|(eta, _)| {
                        u -= eta.abs();
                        u < 0.0
                    })
                    .unwrap_or(&rep.terms[0]);
                if term.0 < 0.0 {
                    sign = -sign;
                }
                corr.push(term.1);
            }
            signs.push(sign);
            corrections.push(corr);
        }
        let values = if exec.shots().is_some() {
            exec.noisy_corrected_batch(circuit, &corrections)?
                .iter()
                .map(|e| e.mean)
                .collect::<Vec<f64>>()
        } else {
            // Exact values: each distinct sampled circuit is simulated once.
            let mut unique: HashMap<Vec<(u64, u64)>, usize> = HashMap::new();
            let mut distinct = Vec::new();
            let index: Vec<usize> = corrections
                .iter()
                .map(|c| {
                    let key: Vec<(u64, u64)> = c.iter().map(|p| (p.x, p.z)).collect();
                    *unique.entry(key).or_insert_with(|| {
                        distinct.push(c.clone());
                        distinct.len() - 1
                    })
                })
                .collect();
            let v = exec.noisy_corrected_batch(circuit, &distinct)?;
            index.iter().map(|&i| v[i].mean).collect()
        };
        let est: Vec<f64> = values
            .iter()
            .zip(&signs)
            .map(|(v, s)| one_norm * s * v)
            .collect();
        let n = est.len() as f64;
        let value = est.iter().sum::<f64>() / n;
        let var = est.iter().map(|e| (e - value).powi(2)).sum::<f64>() / n;
        Ok(PecResult {
            value,
            std_error: (var / n).sqrt(),
            one_norm,
            samples: self.samples,
        })
    }
}
