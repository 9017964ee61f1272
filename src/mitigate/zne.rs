//! Zero-noise extrapolation with Mitiq 1.1.0's fits (`mitiq.zne.inference`).
//!
//! - linear: least-squares line, value at 0 (`LinearFactory`);
//! - Richardson: polynomial of degree `len(scales) - 1` through the points (`RichardsonFactory`);
//! - polynomial of order `k`: least-squares fit (`PolyFactory`);
//! - exponential `a + b e^{c x}` with unknown asymptote: nonlinear least squares started, like
//!   Mitiq, from `(0, sign, -1)` and refined by Gauss-Newton with a variable-projection
//!   line search over `c` (`ExpFactory(asymptote=None)`);
//! - exponential with known asymptote `a`: Mitiq's linearised fit, `sign` from a linear fit's
//!   intercept, `z = ln(max(sign (y - a), 1e-6))` fitted by a polynomial of order `k` weighted
//!   with `sqrt(|sign (y - a)|)`, value `a + sign e^{z(0)}` (`ExpFactory`/`PolyExpFactory`).

use super::circuit::Circuit;
use super::executor::Executor;
use super::fold::{check_scale_factor, Folding};
use super::linalg::{lstsq, polyfit};
use super::MitigateError;

/// An extrapolation model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Extrapolation {
    /// Least-squares line.
    Linear,
    /// Interpolating polynomial.
    Richardson,
    /// Least-squares polynomial of this order.
    Poly(usize),
    /// Exponential; polynomial exponent of order `order` when the asymptote is known.
    Exp {
        /// The infinite-noise limit, if known.
        asymptote: Option<f64>,
        /// Order of the polynomial in the exponent (1 for a plain exponential).
        order: usize,
    },
}

impl std::fmt::Display for Extrapolation {
    /// The fit's name as `--method zne:<fit>` spells it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Extrapolation::Linear => write!(f, "linear"),
            Extrapolation::Richardson => write!(f, "richardson"),
            Extrapolation::Poly(k) => write!(f, "poly{k}"),
            Extrapolation::Exp {
                asymptote: None, ..
            } => write!(f, "exp"),
            Extrapolation::Exp {
                asymptote: Some(a), ..
            } => write!(f, "exp@{a}"),
        }
    }
}

/// Extrapolates `(scales, values)` to scale 0. A fit that comes out NaN or infinite (an
/// ill-conditioned fit, a NaN asymptote) is an error naming the extrapolation.
pub fn extrapolate(
    model: Extrapolation,
    scales: &[f64],
    values: &[f64],
) -> Result<f64, MitigateError> {
    if scales.len() != values.len() || scales.len() < 2 {
        return Err(MitigateError::Invalid(format!(
            "extrapolation needs at least two (scale, value) points, found {} scales and {} \
             values",
            scales.len(),
            values.len()
        )));
    }
    if values.iter().any(|v| !v.is_finite()) {
        return Err(MitigateError::Invalid(
            "cannot extrapolate non-finite values".into(),
        ));
    }
    let too_high = |order: usize, shift: usize| {
        MitigateError::Invalid(format!(
            "extrapolation order {order} needs at least {} scale factors, found {}",
            order.saturating_add(1 + shift),
            scales.len()
        ))
    };
    let value = match model {
        Extrapolation::Linear => Ok(polyfit(scales, values, 1, None)?[0]),
        Extrapolation::Richardson => Ok(polyfit(scales, values, scales.len() - 1, None)?[0]),
        Extrapolation::Poly(k) => {
            if k >= scales.len() {
                return Err(too_high(k, 0));
            }
            Ok(polyfit(scales, values, k, None)?[0])
        }
        Extrapolation::Exp {
            asymptote: Some(a),
            order,
        } => {
            if order >= scales.len() {
                return Err(too_high(order, 0));
            }
            let intercept = polyfit(scales, values, 1, None)?[0];
            let sign = sign(intercept - a);
            let shifted: Vec<f64> = values.iter().map(|y| (sign * (y - a)).max(1e-6)).collect();
            let z: Vec<f64> = shifted.iter().map(|s| s.ln()).collect();
            let w: Vec<f64> = shifted.iter().map(|s| s.abs().sqrt()).collect();
            let zc = polyfit(scales, &z, order, Some(&w))?;
            Ok(a + sign * zc[0].exp())
        }
        Extrapolation::Exp {
            asymptote: None,
            order,
        } => {
            if order != 1 {
                return Err(MitigateError::Invalid(
                    "exponential extrapolation with unknown asymptote supports order 1 only".into(),
                ));
            }
            if scales.len() < 3 {
                return Err(too_high(1, 1));
            }
            let slope = polyfit(scales, values, 1, None)?[1];
            let (a, b, _) = fit_exponential(scales, values, sign(-slope));
            Ok(a + b)
        }
    }?;
    if !value.is_finite() {
        return Err(MitigateError::Invalid(format!(
            "{model} extrapolation of the values {values:?} at scales {scales:?} gave {value}"
        )));
    }
    Ok(value)
}

/// numpy's sign (0 at 0).
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// For fixed `c`, the best `(a, b)` of `a + b e^{c x}` and the residual sum of squares.
fn linear_part(x: &[f64], y: &[f64], c: f64) -> Option<(f64, f64, f64)> {
    let rows: Vec<Vec<f64>> = x.iter().map(|&t| vec![1.0, (c * t).exp()]).collect();
    let ab = lstsq(&rows, y).ok()?;
    let rss = x
        .iter()
        .zip(y)
        .map(|(&t, &v)| (ab[0] + ab[1] * (c * t).exp() - v).powi(2))
        .sum();
    Some((ab[0], ab[1], rss))
}

/// Least-squares fit of `a + b e^{c x}`: Gauss-Newton on the three parameters from Mitiq's start
/// `(0, sign, -1)`, falling back to the best `c` of a golden-section search on the variable
/// projection when a step does not reduce the residual.
fn fit_exponential(x: &[f64], y: &[f64], sign0: f64) -> (f64, f64, f64) {
    let rss = |p: &[f64; 3]| -> f64 {
        x.iter()
            .zip(y)
            .map(|(&t, &v)| (p[0] + p[1] * (p[2] * t).exp() - v).powi(2))
            .sum()
    };
    // Variable projection: scan c, then golden-section refine.
    let f = |c: f64| linear_part(x, y, c).map_or(f64::INFINITY, |r| r.2);
    let xmax = x.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    let grid: Vec<f64> = (-400..=400)
        .map(|i| i as f64 * 0.025 / xmax)
        .filter(|c| c.abs() > 1e-9)
        .collect();
    let mut best = grid[0];
    for &c in &grid {
        if f(c) < f(best) {
            best = c;
        }
    }
    let (mut lo, mut hi) = (best - 0.025 / xmax, best + 0.025 / xmax);
    let g = 0.618_033_988_749_895;
    for _ in 0..100 {
        let (c1, c2) = (hi - g * (hi - lo), lo + g * (hi - lo));
        if f(c1) < f(c2) {
            hi = c2;
        } else {
            lo = c1;
        }
    }
    let c0 = 0.5 * (lo + hi);
    let mut p = match linear_part(x, y, c0) {
        Some((a, b, _)) => [a, b, c0],
        None => [0.0, sign0, -1.0],
    };
    // Gauss-Newton polish.
    for _ in 0..50 {
        let rows: Vec<Vec<f64>> = x
            .iter()
            .map(|&t| {
                let e = (p[2] * t).exp();
                vec![1.0, e, p[1] * t * e]
            })
            .collect();
        let r: Vec<f64> = x
            .iter()
            .zip(y)
            .map(|(&t, &v)| v - (p[0] + p[1] * (p[2] * t).exp()))
            .collect();
        let Ok(d) = lstsq(&rows, &r) else { break };
        let q = [p[0] + d[0], p[1] + d[1], p[2] + d[2]];
        if rss(&q) <= rss(&p) {
            let done = d.iter().all(|v| v.abs() < 1e-15);
            p = q;
            if done {
                break;
            }
        } else {
            break;
        }
    }
    (p[0], p[1], p[2])
}

/// A zero-noise-extrapolation recipe.
#[derive(Clone, Debug, PartialEq)]
pub struct Zne {
    /// Noise scale factors (>= 1).
    pub scales: Vec<f64>,
    /// How circuits are scaled.
    pub folding: Folding,
    /// How values are extrapolated.
    pub extrapolation: Extrapolation,
}

/// The outcome of one ZNE call.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ZneResult {
    /// The mitigated value.
    pub value: f64,
    /// The noise scale factors.
    pub scales: Vec<f64>,
    /// The noisy values at those scales.
    pub noisy_values: Vec<f64>,
}

/// The most scale factors one ZNE recipe may have (each is a folded circuit to simulate;
/// extrapolations use a handful).
pub const MAX_ZNE_SCALES: usize = 64;

impl Zne {
    /// Checks the recipe before anything runs: 1 to [`MAX_ZNE_SCALES`] scale factors, each in
    /// `[1, MAX_SCALE_FACTOR]`.
    pub fn validate(&self) -> Result<(), MitigateError> {
        if self.scales.is_empty() || self.scales.len() > MAX_ZNE_SCALES {
            return Err(MitigateError::Invalid(format!(
                "{} scale factors: expected 1 to {MAX_ZNE_SCALES}",
                self.scales.len()
            )));
        }
        self.scales.iter().try_for_each(|&s| check_scale_factor(s))
    }

    /// Folds, runs and extrapolates.
    pub fn run(&self, circuit: &Circuit, exec: &Executor) -> Result<ZneResult, MitigateError> {
        self.validate()?;
        let circuits = self
            .scales
            .iter()
            .map(|&s| self.folding.apply(circuit, s))
            .collect::<Result<Vec<_>, _>>()?;
        let noisy_values = exec.noisy_batch(&circuits)?;
        let value = extrapolate(self.extrapolation, &self.scales, &noisy_values)?;
        Ok(ZneResult {
            value,
            scales: self.scales.clone(),
            noisy_values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_fit_recovers_exact_curve() {
        let x = [1.0f64, 2.0, 3.0, 4.0];
        let y: Vec<f64> = x.iter().map(|t| -1.0 - 4.0 * (-0.3 * t).exp()).collect();
        let v = extrapolate(
            Extrapolation::Exp {
                asymptote: None,
                order: 1,
            },
            &x,
            &y,
        )
        .unwrap();
        assert!((v + 5.0).abs() < 1e-9, "{v}");
        let v = extrapolate(
            Extrapolation::Exp {
                asymptote: Some(-1.0),
                order: 1,
            },
            &x,
            &y,
        )
        .unwrap();
        assert!((v + 5.0).abs() < 1e-9, "{v}");
    }

    #[test]
    fn richardson_is_exact_on_quadratics() {
        let x = [1.0, 2.0, 3.0];
        let y: Vec<f64> = x.iter().map(|t| 0.3 + 0.2 * t - 0.05 * t * t).collect();
        let v = extrapolate(Extrapolation::Richardson, &x, &y).unwrap();
        assert!((v - 0.3).abs() < 1e-12);
        assert!(extrapolate(Extrapolation::Poly(3), &x, &y).is_err());
    }
}
