//! Measuring a Pauli sum as hardware would: in commuting groups, through readout error, with
//! readout-error mitigation (REM) and finite shots.
//!
//! The terms are split greedily, in order, into qubit-wise commuting groups (each term joins the
//! first group whose basis agrees with it on every shared qubit). A group is measured in its
//! basis: the state is rotated (`h` for X, `sdg` then `h` for Y, noiselessly) and read out in the
//! computational basis through the independent per-qubit readout channel
//! `A = [[1 - p01, p10], [p01, 1 - p10]]` (columns: true bit). Every term is then a parity of the
//! outcome bits on its support, and the group's estimate is `sum_b q(b) g(b)` over the outcome
//! distribution `q` with `g(b) = sum_t c_t (-1)^{|b & s_t|}`.
//!
//! REM applies the inverse confusion matrix `A^{-1}` (tensored over qubits, Mitiq's
//! `generate_inverse_confusion_matrix`) to the measured distribution. Since it is linear, the
//! mitigated estimate is `sum_b q(b) (A^{-T} g)(b)`: the same sum with the transposed inverse
//! applied to `g`. With exact probabilities it returns the readout-free value; with shots it is
//! the unbiased inversion without Mitiq's projection onto the closest positive distribution
//! (which trades bias for variance).
//!
//! Finite shots draw `N` outcomes per group from the exact distribution (a multinomial sample,
//! by Walker's alias method); the standard error of a group is the sample standard deviation
//! of `g` over `sqrt(N - 1)`, and groups add in variance (they are measured independently).

use super::density::DensityMatrix;
use super::noise::Readout;
use super::observable::{PauliString, PauliSum};
use super::MitigateError;
use rand::Rng;

/// The most shots per circuit (`--shots`); each is one draw from the alias table.
pub const MAX_SHOTS: u64 = 1_000_000_000;

/// Qubit-wise commuting terms measured together.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasurementGroup {
    /// The measurement basis: on each qubit X, Y or Z as in a Pauli string (qubits outside its
    /// support are read in Z and ignored).
    pub basis: PauliString,
    /// `(coefficient, support mask)` of the group's terms.
    pub terms: Vec<(f64, u64)>,
}

/// Splits a Pauli sum into qubit-wise commuting groups (see the module docs).
pub fn measurement_groups(obs: &PauliSum) -> Vec<MeasurementGroup> {
    let mut groups: Vec<MeasurementGroup> = Vec::new();
    for &(c, p) in &obs.terms {
        let fits = |g: &MeasurementGroup| {
            let shared = g.basis.support() & p.support();
            g.basis.restrict(shared) == p.restrict(shared)
        };
        match groups.iter_mut().find(|g| fits(g)) {
            Some(g) => {
                g.basis = g
                    .basis
                    .combine(&p.restrict(p.support() & !g.basis.support()));
                g.terms.push((c, p.support()));
            }
            None => groups.push(MeasurementGroup {
                basis: p,
                terms: vec![(c, p.support())],
            }),
        }
    }
    groups
}

/// One group of one state: the distribution of the read-out bits and the estimator `g`.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDistribution {
    /// Probabilities of the outcomes after the readout channel (index = outcome bits).
    pub probabilities: Vec<f64>,
    /// The estimator `g(b)` per outcome (REM's `A^{-T}` applied when asked).
    pub estimator: Vec<f64>,
}

/// Applies the 2x2 matrix `m` (row-major, acting on the bit of each listed qubit) to a vector
/// over `n`-bit outcomes, qubit by qubit.
fn apply_per_qubit(v: &mut [f64], qubits: u64, m: [f64; 4]) {
    let dim = v.len();
    for q in (0..64).filter(|q| qubits >> q & 1 == 1) {
        let bit = 1usize << q;
        for i in (0..dim).filter(|i| i & bit == 0) {
            let (a, b) = (v[i], v[i | bit]);
            v[i] = m[0] * a + m[1] * b;
            v[i | bit] = m[2] * a + m[3] * b;
        }
    }
}

/// The single-qubit confusion matrix `[[1 - p01, p10], [p01, 1 - p10]]` (row-major).
pub fn confusion_matrix(r: &Readout) -> [f64; 4] {
    [1.0 - r.p01, r.p10, r.p01, 1.0 - r.p10]
}

/// The inverse of a row-major 2x2 matrix; `None` when it is singular.
fn invert2(m: [f64; 4]) -> Option<[f64; 4]> {
    let det = m[0] * m[3] - m[1] * m[2];
    (det.abs() >= 1e-12).then(|| [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det])
}

/// The inverse of [`confusion_matrix`]; an error when `p01 + p10 = 1` (the readout carries no
/// information).
pub fn inverse_confusion(r: &Readout) -> Result<[f64; 4], MitigateError> {
    invert2(confusion_matrix(r)).ok_or_else(|| {
        MitigateError::Invalid(format!(
            "readout error ro01 = {}, ro10 = {}: the confusion matrix is singular (ro01 + ro10 \
             = 1), so readout errors cannot be inverted",
            r.p01, r.p10
        ))
    })
}

/// Mitiq's `generate_tensored_inverse_confusion_matrix`: the Kronecker product of the inverses
/// of per-qubit 2x2 confusion matrices (row-major), the first matrix on the most significant
/// bit as in Mitiq's bitstrings. With `n` copies of one matrix it is
/// `generate_inverse_confusion_matrix(n, p0, p1)`.
pub fn tensored_inverse_confusion_matrix(
    confusions: &[[f64; 4]],
) -> Result<Vec<Vec<f64>>, MitigateError> {
    let mut out = vec![vec![1.0]];
    for (k, m) in confusions.iter().enumerate() {
        let inv = invert2(*m)
            .ok_or_else(|| MitigateError::Invalid(format!("confusion matrix {k} is singular")))?;
        let d = out.len();
        let mut next = vec![vec![0.0; 2 * d]; 2 * d];
        for (i, row) in out.iter().enumerate() {
            for (j, &x) in row.iter().enumerate() {
                for a in 0..2 {
                    for b in 0..2 {
                        next[2 * i + a][2 * j + b] = x * inv[2 * a + b];
                    }
                }
            }
        }
        out = next;
    }
    Ok(out)
}

/// The distribution and estimator of `group` measured on `rho` through `readout`, with REM
/// when `mitigate` (whose inverse must exist: see [`inverse_confusion`]).
pub fn group_distribution(
    rho: &DensityMatrix,
    group: &MeasurementGroup,
    readout: &Readout,
    mitigate: bool,
) -> Result<GroupDistribution, MitigateError> {
    use super::circuit::{Gate, Op};
    let mut r = rho.clone();
    let n = super::observable::PauliExpectation::num_qubits(rho);
    for q in 0..n {
        match (group.basis.x >> q & 1, group.basis.z >> q & 1) {
            (1, 0) => r.apply(&Op::one(Gate::H, q)),
            (1, 1) => {
                r.apply(&Op::one(Gate::Sdg, q));
                r.apply(&Op::one(Gate::H, q));
            }
            _ => {}
        }
    }
    let mut probabilities = r.probabilities();
    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    if !readout.is_ideal() {
        apply_per_qubit(&mut probabilities, all, confusion_matrix(readout));
    }
    let mut estimator: Vec<f64> = (0..probabilities.len())
        .map(|b| {
            group
                .terms
                .iter()
                .map(|&(c, s)| {
                    if (b as u64 & s).count_ones() & 1 == 1 {
                        -c
                    } else {
                        c
                    }
                })
                .sum()
        })
        .collect();
    if mitigate {
        let m = inverse_confusion(readout)?;
        // A^{-T}: transpose of the inverse.
        apply_per_qubit(&mut estimator, all, [m[0], m[2], m[1], m[3]]);
    }
    Ok(GroupDistribution {
        probabilities,
        estimator,
    })
}

impl GroupDistribution {
    /// The exact estimate `sum_b q(b) g(b)`.
    pub fn exact(&self) -> f64 {
        self.probabilities
            .iter()
            .zip(&self.estimator)
            .map(|(p, g)| p * g)
            .sum()
    }

    /// A finite-shot estimate from `shots` draws and its standard error.
    pub fn sample<R: Rng>(&self, shots: u64, rng: &mut R) -> (f64, f64) {
        let counts = AliasTable::new(&self.probabilities).counts(shots, rng);
        let n = shots as f64;
        let (mut s1, mut s2) = (0.0, 0.0);
        for (&k, &g) in counts.iter().zip(&self.estimator) {
            s1 += k as f64 * g;
            s2 += k as f64 * g * g;
        }
        let mean = s1 / n;
        let var = if shots > 1 {
            ((s2 / n - mean * mean).max(0.0)) / (n - 1.0)
        } else {
            0.0
        };
        (mean, var.sqrt())
    }
}

/// Walker's alias table for sampling outcome indices.
struct AliasTable {
    prob: Vec<f64>,
    alias: Vec<usize>,
}

impl AliasTable {
    /// Vose's construction from (possibly slightly unnormalised, non-negative) weights.
    fn new(weights: &[f64]) -> AliasTable {
        let k = weights.len();
        let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
        let mut scaled: Vec<f64> = weights
            .iter()
            .map(|w| w.max(0.0) * k as f64 / total)
            .collect();
        let mut prob = vec![1.0; k];
        let mut alias: Vec<usize> = (0..k).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..k).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = scaled[s];
            alias[s] = l;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        AliasTable { prob, alias }
    }

    /// Outcome counts of `shots` independent draws.
    fn counts<R: Rng>(&self, shots: u64, rng: &mut R) -> Vec<u64> {
        let k = self.prob.len();
        let mut counts = vec![0u64; k];
        for _ in 0..shots {
            let u = rng.random::<f64>() * k as f64;
            let i = (u as usize).min(k - 1);
            let j = if u - (i as f64) < self.prob[i] {
                i
            } else {
                self.alias[i]
            };
            counts[j] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn groups_are_qubitwise_commuting() {
        let h = PauliSum::parse("Z0*Z1 + Z1*Z2 + X0 + X1 + X2 + 0.5*Z0").unwrap();
        let g = measurement_groups(&h);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].terms.len(), 3);
        assert_eq!(g[1].terms.len(), 3);
    }

    #[test]
    fn alias_counts_follow_the_distribution() {
        let p = [0.1, 0.0, 0.6, 0.3];
        let t = AliasTable::new(&p);
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 200_000;
        let c = t.counts(n, &mut rng);
        assert_eq!(c[1], 0);
        for (k, &pk) in c.iter().zip(&p) {
            let sd = (n as f64 * pk * (1.0 - pk)).sqrt().max(1.0);
            assert!((*k as f64 - n as f64 * pk).abs() < 5.0 * sd, "{c:?}");
        }
    }

    #[test]
    fn inverse_undoes_confusion() {
        let r = Readout {
            p01: 0.03,
            p10: 0.08,
        };
        let (a, b) = (confusion_matrix(&r), inverse_confusion(&r).unwrap());
        let prod = [
            a[0] * b[0] + a[1] * b[2],
            a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3],
        ];
        for (x, y) in prod.iter().zip([1.0, 0.0, 0.0, 1.0]) {
            assert!((x - y).abs() < 1e-14);
        }
        assert!(inverse_confusion(&Readout { p01: 0.4, p10: 0.6 }).is_err());
    }
}
