//! The parametric mitigation scheme (after Sazonov and Tamaazousti, "Quantum error mitigation
//! for parametric circuits", arXiv:2112.03054, as we read it).
//!
//! Setting: a circuit family `U(theta)` whose ideal expectation values are classically
//! computable on part of its parameter range (for the TFIM ansatz: the angles that prepare
//! small-field ground states, or any training set the user names), and a target `theta*`
//! outside that range.
//!
//! Procedure:
//! 1. Features. For a parameter `theta`, run `K` modified noisy circuits: `U(theta)` folded
//!    globally at scales `s_1..s_m` (noise-scaled copies) and folded at random at non-odd scales
//!    with several seeds (randomised variants). Their noisy values, plus a constant 1, form the
//!    feature vector `f(theta)` (length `K + 1`).
//! 2. Training. At training parameters `theta_1..theta_T` compute `f(theta_t)` on the noisy
//!    device (here: the executor) and the exact values `y_t` classically (here: the noiseless
//!    statevector).
//! 3. Fit. Coefficients `c` minimise `sum_t (c . f(theta_t) - y_t)^2 + lambda |c - c0|^2`,
//!    where the prior `c0` is the Richardson combination of the global-folding features
//!    (Lagrange weights at scale 0, zero elsewhere), so `lambda -> infinity` gives plain
//!    Richardson ZNE and `lambda -> 0` unregularised learning. `lambda` is chosen from a
//!    logarithmic grid by leave-one-out cross-validation over the training points.
//! 4. Apply. The mitigated value at the target is `c . f(theta*)`.
//!
//! Assumptions: the noise acts on the family in a way that depends smoothly on `theta`
//! (same gate sequence, only angles change), so one linear combination of noise-scaled values
//! cancels the noise bias over the whole range; training and target parameters share the
//! circuit structure; the number of training points exceeds the number of features.

use super::circuit::Circuit;
use super::executor::Executor;
use super::fold::Folding;
use super::linalg::ridge;
use super::MitigateError;
use rayon::prelude::*;

/// One modified circuit of the feature set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Feature {
    /// Global folding at this scale (1 = the circuit itself).
    Global(f64),
    /// Random folding at this scale with this seed.
    Random(f64, u32),
}

impl Feature {
    fn circuit(&self, c: &Circuit) -> Result<Circuit, MitigateError> {
        match *self {
            Feature::Global(s) => Folding::Global.apply(c, s),
            Feature::Random(s, seed) => Folding::Random(seed).apply(c, s),
        }
    }
}

/// Settings of the parametric scheme.
#[derive(Clone, Debug, PartialEq)]
pub struct Parametric {
    /// The modified circuits.
    pub features: Vec<Feature>,
    /// Candidate regularisation strengths (leave-one-out picks one).
    pub lambdas: Vec<f64>,
}

impl Default for Parametric {
    /// Global folding at 1, 3, 5 and random folding at 2 with two seeds; lambda from 1e-10 to
    /// 1e2.
    fn default() -> Self {
        Parametric {
            features: vec![
                Feature::Global(1.0),
                Feature::Global(3.0),
                Feature::Global(5.0),
                Feature::Random(2.0, 1),
                Feature::Random(2.0, 2),
            ],
            lambdas: (-10..=2).map(|k| 10f64.powi(k)).collect(),
        }
    }
}

/// Outcome of the parametric scheme.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ParametricResult {
    /// Mitigated value at the target.
    pub value: f64,
    /// Learned coefficients (features, then the constant).
    pub coefficients: Vec<f64>,
    /// Chosen regularisation strength.
    pub lambda: f64,
    /// Leave-one-out root-mean-square error at that strength.
    pub loo_rmse: f64,
    /// Noisy circuits run.
    pub circuits: usize,
}

/// Lagrange weights at 0 of the nodes `s` (the Richardson combination).
fn richardson_weights(s: &[f64]) -> Vec<f64> {
    (0..s.len())
        .map(|i| {
            (0..s.len())
                .filter(|&j| j != i)
                .map(|j| s[j] / (s[j] - s[i]))
                .product()
        })
        .collect()
}

impl Parametric {
    fn features_of(&self, c: &Circuit, exec: &Executor) -> Result<Vec<f64>, MitigateError> {
        let cs = self
            .features
            .iter()
            .map(|f| f.circuit(c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut v = exec.noisy_batch(&cs)?;
        v.push(1.0);
        Ok(v)
    }

    fn prior(&self) -> Vec<f64> {
        let idx: Vec<usize> = (0..self.features.len())
            .filter(|&i| matches!(self.features[i], Feature::Global(_)))
            .collect();
        let scales: Vec<f64> = idx
            .iter()
            .map(|&i| match self.features[i] {
                Feature::Global(s) => s,
                Feature::Random(..) => unreachable!("filtered"),
            })
            .collect();
        let mut c0 = vec![0.0; self.features.len() + 1];
        for (&i, w) in idx.iter().zip(richardson_weights(&scales)) {
            c0[i] = w;
        }
        c0
    }

    fn fit(&self, rows: &[Vec<f64>], y: &[f64], lambda: f64) -> Result<Vec<f64>, MitigateError> {
        let c0 = self.prior();
        let resid: Vec<f64> = rows
            .iter()
            .zip(y)
            .map(|(r, yi)| yi - r.iter().zip(&c0).map(|(a, b)| a * b).sum::<f64>())
            .collect();
        let d = ridge(rows, &resid, lambda)?;
        Ok(c0.iter().zip(d).map(|(a, b)| a + b).collect())
    }

    /// Runs the scheme: `family(theta)` builds the circuit, `training` are parameters where the
    /// exact value is computed classically, `target` the parameters to mitigate.
    pub fn run(
        &self,
        family: &(dyn Fn(&[f64]) -> Result<Circuit, MitigateError> + Sync),
        training: &[Vec<f64>],
        target: &[f64],
        exec: &Executor,
    ) -> Result<ParametricResult, MitigateError> {
        let k = self.features.len() + 1;
        if training.len() < 3 {
            return Err(MitigateError::Invalid(format!(
                "the parametric scheme needs at least 3 training points, found {}",
                training.len()
            )));
        }
        if self
            .features
            .iter()
            .all(|f| !matches!(f, Feature::Global(_)))
        {
            return Err(MitigateError::Invalid(
                "the parametric scheme needs at least one global-folding feature".into(),
            ));
        }
        let start = exec.circuits_run();
        let circuits = training
            .iter()
            .map(|t| family(t))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = circuits
            .par_iter()
            .map(|c| self.features_of(c, exec))
            .collect::<Result<Vec<_>, _>>()?;
        let y = exec.ideal_batch(&circuits)?;
        // Leave-one-out cross-validation over the lambda grid.
        let mut best: Option<(f64, f64)> = None;
        for &lambda in &self.lambdas {
            let mut sse = 0.0;
            for t in 0..rows.len() {
                let r: Vec<Vec<f64>> = rows
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != t)
                    .map(|(_, r)| r.clone())
                    .collect();
                let yy: Vec<f64> = y
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != t)
                    .map(|(_, v)| *v)
                    .collect();
                let Ok(c) = self.fit(&r, &yy, lambda) else {
                    sse = f64::INFINITY;
                    break;
                };
                let pred: f64 = rows[t].iter().zip(&c).map(|(a, b)| a * b).sum();
                sse += (pred - y[t]).powi(2);
            }
            let rmse = (sse / rows.len() as f64).sqrt();
            if best.is_none_or(|b| rmse < b.1) {
                best = Some((lambda, rmse));
            }
        }
        let (lambda, loo_rmse) = best.ok_or_else(|| {
            MitigateError::Invalid("the parametric scheme needs at least one lambda".into())
        })?;
        if !loo_rmse.is_finite() {
            return Err(MitigateError::Invalid(
                "parametric fit failed for every regularisation strength".into(),
            ));
        }
        let coefficients = self.fit(&rows, &y, lambda)?;
        debug_assert_eq!(coefficients.len(), k);
        let f = self.features_of(&family(target)?, exec)?;
        let value = f.iter().zip(&coefficients).map(|(a, b)| a * b).sum();
        Ok(ParametricResult {
            value,
            coefficients,
            lambda,
            loo_rmse,
            circuits: exec.circuits_run() - start,
        })
    }
}
