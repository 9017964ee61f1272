//! Layerwise Richardson extrapolation (LRE) with Mitiq 1.1.0's semantics
//! (`mitiq.lre.execute_with_lre(circuit, executor, degree, fold_multiplier, num_chunks=...)`).
//!
//! - Layers are the circuit's moments (Cirq `EARLIEST`). With `num_chunks = c` they are grouped
//!   as Mitiq's `_get_chunks`: `(k, m) = divmod(L, c)`, chunk `i` holds layers
//!   `i k + min(i, m) .. (i + 1) k + min(i + 1, m)`; without chunks every layer is its own chunk.
//! - Scale-factor vectors (`get_scale_factor_vectors`): for total degree `0..=d`, every multiset
//!   of chunks of that size (`itertools.combinations_with_replacement` order) counts the folds
//!   of each chunk; chunk `j` gets scale `2 * fold_multiplier * count_j + 1`.
//! - Each noise-scaled circuit concatenates the chunks, each folded to its scale with
//!   `fold_gates_at_random` (Mitiq's default; at odd integer scales it folds every gate
//!   `(s - 1) / 2` times, so no randomness is involved).
//! - The sample matrix `M[i][j]` is monomial `j` (all exponent vectors of total degree `<= d`)
//!   evaluated at scale vector `i`; Mitiq's coefficients `det(M_i) / det(M)` (row `i` replaced by
//!   `e_1`) are, by Cramer's rule, the solution of `M^T c = e_1`, solved here by QR. The
//!   mitigated value is `sum_i c_i <O>(scale vector i)`.

use super::circuit::Circuit;
use super::executor::Executor;
use super::fold::{check_scale_factor, fold_gates_at_random};
use super::linalg::lstsq;
use super::MitigateError;

/// The most noise-scaled circuits one LRE call may need (`C(chunks + degree, degree)`).
pub const MAX_LRE_CIRCUITS: usize = 10_000;

/// An LRE recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lre {
    /// Degree of the multivariate polynomial (>= 1).
    pub degree: usize,
    /// Folds per unit of degree (>= 1).
    pub fold_multiplier: usize,
    /// Chunks of layers; `None`: every layer is a chunk.
    pub chunks: Option<usize>,
}

/// The outcome of one LRE call.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LreResult {
    /// The mitigated value.
    pub value: f64,
    /// The scale-factor vectors, one per circuit.
    pub scale_vectors: Vec<Vec<usize>>,
    /// The linear-combination coefficients.
    pub coefficients: Vec<f64>,
    /// The noisy values of the scaled circuits.
    pub noisy_values: Vec<f64>,
}

impl Lre {
    /// The circuit's chunks (each a sub-circuit of consecutive moments, in moment order).
    pub fn chunks(&self, circuit: &Circuit) -> Result<Vec<Circuit>, MitigateError> {
        let moments = circuit.moments();
        let layers = moments.len();
        let c = self.chunks.unwrap_or(layers);
        if c < 1 || c > layers {
            return Err(MitigateError::Invalid(format!(
                "LRE: {c} chunks for a circuit of {layers} layers (expected 1 to {layers})"
            )));
        }
        let (k, m) = (layers / c, layers % c);
        Ok((0..c)
            .map(|i| {
                let range = i * k + i.min(m)..(i + 1) * k + (i + 1).min(m);
                Circuit {
                    num_qubits: circuit.num_qubits,
                    ops: moments[range]
                        .iter()
                        .flatten()
                        .map(|&j| circuit.ops[j])
                        .collect(),
                }
            })
            .collect())
    }

    /// Checks the recipe against a circuit with `chunks` chunks: degree and multiplier at
    /// least 1, largest scale within [`super::fold::MAX_SCALE_FACTOR`], at most
    /// [`MAX_LRE_CIRCUITS`] circuits.
    fn validate(&self, chunks: usize) -> Result<(), MitigateError> {
        if self.degree < 1 || self.fold_multiplier < 1 {
            return Err(MitigateError::Invalid(format!(
                "LRE degree ({}) and fold multiplier ({}) must be at least 1",
                self.degree, self.fold_multiplier
            )));
        }
        let top = self
            .fold_multiplier
            .saturating_mul(self.degree)
            .saturating_mul(2)
            .saturating_add(1);
        check_scale_factor(top as f64)?;
        let count = circuits_needed(chunks, self.degree);
        if count > MAX_LRE_CIRCUITS {
            return Err(MitigateError::Invalid(format!(
                "LRE of degree {} over {chunks} chunks needs {count} circuits, more than the \
                 limit of {MAX_LRE_CIRCUITS} (use fewer chunks: lre:<degree>:<multiplier>:<chunks>)",
                self.degree
            )));
        }
        Ok(())
    }

    /// Mitiq's scale-factor vectors for `chunks` chunks.
    pub fn scale_vectors(&self, chunks: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for total in 0..=self.degree {
            // combinations_with_replacement(range(chunks), total), lexicographic.
            let mut idx = vec![0usize; total];
            loop {
                let mut v = vec![1usize; chunks];
                for &j in &idx {
                    v[j] += 2 * self.fold_multiplier;
                }
                out.push(v);
                // Next combination with replacement.
                let Some(pos) = (0..total).rev().find(|&p| idx[p] + 1 < chunks) else {
                    break;
                };
                let next = idx[pos] + 1;
                for x in &mut idx[pos..] {
                    *x = next;
                }
            }
        }
        out
    }

    /// The noise-scaled circuits, one per scale vector.
    pub fn circuits(&self, circuit: &Circuit) -> Result<Vec<Circuit>, MitigateError> {
        let chunks = self.chunks(circuit)?;
        self.validate(chunks.len())?;
        self.scale_vectors(chunks.len())
            .iter()
            .map(|v| {
                let mut out = Circuit::new(circuit.num_qubits);
                for (chunk, &s) in chunks.iter().zip(v) {
                    if s == 1 {
                        out.ops.extend_from_slice(&chunk.ops);
                    } else {
                        out.ops
                            .extend(fold_gates_at_random(chunk, s as f64, 0)?.ops);
                    }
                }
                Ok(out)
            })
            .collect()
    }

    /// The linear-combination coefficients for `chunks` chunks.
    pub fn coefficients(&self, chunks: usize) -> Result<Vec<f64>, MitigateError> {
        self.validate(chunks)?;
        let vectors = self.scale_vectors(chunks);
        // Monomial exponents of total degree <= d (order is irrelevant to the solution).
        let monomials: Vec<Vec<usize>> = self
            .scale_vectors(chunks)
            .iter()
            .map(|v| {
                v.iter()
                    .map(|s| (s - 1) / (2 * self.fold_multiplier))
                    .collect()
            })
            .collect();
        // Rows of M^T: one per monomial, one column per scale vector.
        let rows: Vec<Vec<f64>> = monomials
            .iter()
            .map(|e| {
                vectors
                    .iter()
                    .map(|v| {
                        v.iter()
                            .zip(e)
                            .map(|(&s, &k)| (s as f64).powi(k as i32))
                            .product()
                    })
                    .collect()
            })
            .collect();
        let mut rhs = vec![0.0; rows.len()];
        rhs[0] = 1.0;
        lstsq(&rows, &rhs)
    }

    /// Scales, runs and combines.
    pub fn run(&self, circuit: &Circuit, exec: &Executor) -> Result<LreResult, MitigateError> {
        let circuits = self.circuits(circuit)?;
        let chunks = self.chunks(circuit)?.len();
        let coefficients = self.coefficients(chunks)?;
        let noisy_values = exec.noisy_batch(&circuits)?;
        let value = noisy_values
            .iter()
            .zip(&coefficients)
            .map(|(y, c)| y * c)
            .sum();
        Ok(LreResult {
            value,
            scale_vectors: self.scale_vectors(chunks),
            coefficients,
            noisy_values,
        })
    }
}

/// Circuits of an LRE of degree `d` over `chunks` chunks: `C(chunks + d, d)`, saturating.
pub fn circuits_needed(chunks: usize, d: usize) -> usize {
    let mut acc: u128 = 1;
    for i in 0..d as u128 {
        acc = acc * (chunks as u128 + i + 1) / (i + 1);
        if acc > usize::MAX as u128 {
            return usize::MAX;
        }
    }
    acc as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_vectors_follow_mitiq_order() {
        let lre = Lre {
            degree: 2,
            fold_multiplier: 1,
            chunks: None,
        };
        // get_scale_factor_vectors(circuit with 2 layers, 2, 1)
        assert_eq!(
            lre.scale_vectors(2),
            vec![
                vec![1, 1],
                vec![3, 1],
                vec![1, 3],
                vec![5, 1],
                vec![3, 3],
                vec![1, 5]
            ]
        );
        assert_eq!(circuits_needed(2, 2), 6);
        assert_eq!(circuits_needed(14, 2), 120);
    }

    #[test]
    fn coefficients_are_exact_on_polynomials() {
        // A quadratic in two variables is reproduced at 0 (its constant term).
        let lre = Lre {
            degree: 2,
            fold_multiplier: 2,
            chunks: None,
        };
        let f = |x: f64, y: f64| 0.7 - 0.1 * x + 0.03 * y + 0.002 * x * y - 0.004 * x * x;
        let c = lre.coefficients(2).unwrap();
        let v: f64 = lre
            .scale_vectors(2)
            .iter()
            .zip(&c)
            .map(|(s, c)| c * f(s[0] as f64, s[1] as f64))
            .sum();
        assert!((v - f(0.0, 0.0)).abs() < 1e-12, "{v}");
    }
}
