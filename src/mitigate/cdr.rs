//! Clifford data regression (CDR) and variable-noise CDR (vnCDR).
//!
//! Training circuits are near-Clifford copies of the circuit: of its `N` non-Clifford rotations
//! (`rx ry rz rzz u3` with angles off the multiples of pi/2, and `t`/`tdg`, read as
//! `rz(±pi/4)`), `round(fraction * N)` chosen uniformly at random keep their angle and the others
//! are snapped to the closest multiple of pi/2 (Mitiq's `method_select="uniform"`,
//! `method_replace="closest"`). Their exact values come from the noiseless statevector
//! simulator, their noisy values from the executor.
//!
//! - CDR (one scale factor): least-squares fit `exact = a * noisy + b`, applied to the circuit's
//!   noisy value (Mitiq's `linear_fit_function`).
//! - vnCDR (several scale factors, e.g. 1, 2, 3 by folding): least-squares fit
//!   `exact = sum_i a_i * noisy_i` without intercept (Lowe et al., Mitiq's
//!   `linear_fit_function_no_intercept`), applied to the circuit's noisy values at those scales.

use super::circuit::{Circuit, Gate};
use super::executor::Executor;
use super::fold::Folding;
use super::linalg::lstsq;
use super::MitigateError;
use rand::seq::index::sample;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// The most training circuits a CDR run may use (each is simulated exactly and with noise at
/// every scale; Mitiq's default is 10).
pub const MAX_TRAINING_CIRCUITS: usize = 10_000;

/// CDR settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Cdr {
    /// Number of training circuits.
    pub num_training: usize,
    /// Fraction of non-Clifford rotations kept in training circuits.
    pub fraction_non_clifford: f64,
    /// Noise scale factors: `[1]` for CDR, several for vnCDR.
    pub scales: Vec<f64>,
    /// Folding used for scales other than 1.
    pub folding: Folding,
    /// Seed of the training-set choice.
    pub seed: u64,
}

/// Outcome of a CDR run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CdrResult {
    /// Mitigated value.
    pub value: f64,
    /// Fitted coefficients (`a_i`, then `b` for CDR).
    pub coefficients: Vec<f64>,
    /// Noisy circuits run.
    pub circuits: usize,
}

fn snap(t: f64) -> f64 {
    (t / std::f64::consts::FRAC_PI_2).round() * std::f64::consts::FRAC_PI_2
}

fn snapped(g: Gate) -> Gate {
    use std::f64::consts::FRAC_PI_4;
    match g {
        Gate::Rx(t) => Gate::Rx(snap(t)),
        Gate::Ry(t) => Gate::Ry(snap(t)),
        Gate::Rz(t) => Gate::Rz(snap(t)),
        Gate::Rzz(t) => Gate::Rzz(snap(t)),
        Gate::U3(a, b, c) => Gate::U3(snap(a), snap(b), snap(c)),
        Gate::T => Gate::Rz(snap(FRAC_PI_4)),
        Gate::Tdg => Gate::Rz(snap(-FRAC_PI_4)),
        g => g,
    }
}

/// Near-Clifford training circuits (see the module docs); training circuit `i` draws from the
/// stream `(seed, i)`.
pub fn training_circuits(
    circuit: &Circuit,
    num: usize,
    fraction_non_clifford: f64,
    seed: u64,
) -> Result<Vec<Circuit>, MitigateError> {
    if num > MAX_TRAINING_CIRCUITS {
        return Err(MitigateError::Invalid(format!(
            "{num} training circuits: at most {MAX_TRAINING_CIRCUITS} are supported"
        )));
    }
    if !(0.0..=1.0).contains(&fraction_non_clifford) {
        return Err(MitigateError::Invalid(format!(
            "fraction of non-Clifford gates must lie in [0, 1], found {fraction_non_clifford}"
        )));
    }
    let non_clifford: Vec<usize> = circuit
        .ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.gate.is_clifford())
        .map(|(i, _)| i)
        .collect();
    let n = non_clifford.len();
    let keep = {
        let x = fraction_non_clifford * n as f64;
        let r = x.round();
        (if (x - x.trunc()).abs() == 0.5 {
            2.0 * (x / 2.0).round()
        } else {
            r
        }) as usize
    };
    Ok((0..num)
        .map(|i| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                seed ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
            );
            let kept = sample(&mut rng, n, keep);
            let mut keep_mask = vec![false; n];
            for k in kept {
                keep_mask[k] = true;
            }
            let mut c = circuit.clone();
            for (k, &idx) in non_clifford.iter().enumerate() {
                if !keep_mask[k] {
                    c.ops[idx].gate = snapped(c.ops[idx].gate);
                }
            }
            c
        })
        .collect())
}

impl Cdr {
    /// Runs CDR (one scale) or vnCDR (several scales).
    pub fn run(&self, circuit: &Circuit, exec: &Executor) -> Result<CdrResult, MitigateError> {
        if self.scales.is_empty() {
            return Err(MitigateError::Invalid(
                "CDR needs at least one scale factor".into(),
            ));
        }
        let start = exec.circuits_run();
        let training = training_circuits(
            circuit,
            self.num_training,
            self.fraction_non_clifford,
            self.seed,
        )?;
        let intercept = self.scales.len() == 1;
        let unknowns = self.scales.len() + intercept as usize;
        if training.len() < unknowns {
            return Err(MitigateError::Invalid(format!(
                "CDR with {} scale factor(s) needs at least {unknowns} training circuits, found {}",
                self.scales.len(),
                training.len()
            )));
        }
        let features = |c: &Circuit| -> Result<Vec<f64>, MitigateError> {
            let folded = self
                .scales
                .iter()
                .map(|&s| self.folding.apply(c, s))
                .collect::<Result<Vec<_>, _>>()?;
            let mut f = exec.noisy_batch(&folded)?;
            if intercept {
                f.push(1.0);
            }
            Ok(f)
        };
        let rows = training
            .par_iter()
            .map(features)
            .collect::<Result<Vec<_>, _>>()?;
        let exact = exec.ideal_batch(&training)?;
        let coefficients = lstsq(&rows, &exact)?;
        let target = features(circuit)?;
        let value = target.iter().zip(&coefficients).map(|(x, a)| x * a).sum();
        Ok(CdrResult {
            value,
            coefficients,
            circuits: exec.circuits_run() - start,
        })
    }
}
