//! Statistics of decoding runs: logical error rates with Wilson intervals, the
//! finite-size-scaling threshold fit, and sinter-compatible CSV rows.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::fmt::Write;

/// Two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval `(low, high)` for `errors` out of `shots` at normal quantile `z`.
/// `(0, 1)` when there are no shots.
pub fn wilson_interval(errors: u64, shots: u64, z: f64) -> (f64, f64) {
    if shots == 0 {
        return (0.0, 1.0);
    }
    let n = shots as f64;
    let p = errors as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// One measured point of a sweep: code size, physical error rate, shots and logical errors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatePoint {
    /// Code distance L.
    pub distance: usize,
    /// Physical error rate.
    pub p: f64,
    /// Shots decoded.
    pub shots: u64,
    /// Shots with a logical error.
    pub errors: u64,
}

impl RatePoint {
    /// The logical error rate.
    pub fn rate(&self) -> f64 {
        self.errors as f64 / self.shots.max(1) as f64
    }
}

/// Two decoders run on the same shots: how many shots each got wrong, alone or together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairedCounts {
    /// Shots decoded by both.
    pub shots: u64,
    /// Shots both decoders got wrong.
    pub both: u64,
    /// Shots only the first decoder (`a`) got wrong.
    pub only_a: u64,
    /// Shots only the second decoder (`b`) got wrong.
    pub only_b: u64,
}

impl PairedCounts {
    /// Records one shot: whether `a` and whether `b` got it wrong.
    pub fn record(&mut self, a_wrong: bool, b_wrong: bool) {
        self.shots += 1;
        match (a_wrong, b_wrong) {
            (true, true) => self.both += 1,
            (true, false) => self.only_a += 1,
            (false, true) => self.only_b += 1,
            (false, false) => {}
        }
    }

    /// The ratio of logical error rates `P_a / P_b` with a two-sided interval at normal
    /// quantile `z`, from the paired large-sample variance
    /// `var(ln R) = (only_a + only_b) / ((both + only_a) (both + only_b))` (Agresti,
    /// *Categorical Data Analysis*, section 10.1). Shots that both decoders get right or both
    /// get wrong do not widen it, which is why this is much tighter than comparing two
    /// independent Wilson intervals. `None` when either decoder made no error.
    pub fn rate_ratio(&self, z: f64) -> Option<(f64, f64, f64)> {
        let errors_a = (self.both + self.only_a) as f64;
        let errors_b = (self.both + self.only_b) as f64;
        if errors_a == 0.0 || errors_b == 0.0 {
            return None;
        }
        let ratio = errors_a / errors_b;
        let sd = ((self.only_a + self.only_b) as f64 / (errors_a * errors_b)).sqrt();
        Some((ratio, ratio * (-z * sd).exp(), ratio * (z * sd).exp()))
    }
}

/// The result of a finite-size-scaling fit `P_L(p) = A + B x + C x^2`,
/// `x = (p - p_th) L^(1/nu)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThresholdFit {
    /// Threshold estimate.
    pub p_th: f64,
    /// Its standard error (parametric bootstrap over the binomial counts).
    pub p_th_err: f64,
    /// Critical exponent estimate.
    pub nu: f64,
    /// Its standard error (bootstrap).
    pub nu_err: f64,
    /// `[A, B, C]`.
    pub coeffs: [f64; 3],
    /// Chi-squared of the fit.
    pub chi2: f64,
    /// Degrees of freedom (points minus 5 parameters).
    pub dof: usize,
}

/// Why a threshold fit could not be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FitError {
    /// Fewer than two distances or too few points.
    #[error("a threshold fit needs at least two distances and six points, found {distances} distances and {points} points")]
    TooFewPoints {
        /// Distinct distances.
        distances: usize,
        /// Points.
        points: usize,
    },
}

/// Weighted least squares of the quadratic in `x` for fixed `(p_th, nu)`; returns
/// `(chi2, [A, B, C])`.
fn quadratic_fit(points: &[(f64, f64, f64, f64)], p_th: f64, nu: f64) -> (f64, [f64; 3]) {
    // Normal equations, 3x3.
    let mut m = [[0.0f64; 3]; 3];
    let mut v = [0.0f64; 3];
    let xs: Vec<f64> = points
        .iter()
        .map(|&(l, p, _, _)| (p - p_th) * l.powf(1.0 / nu))
        .collect();
    for (&(_, _, y, w), &x) in points.iter().zip(&xs) {
        let basis = [1.0, x, x * x];
        for i in 0..3 {
            v[i] += w * basis[i] * y;
            for j in 0..3 {
                m[i][j] += w * basis[i] * basis[j];
            }
        }
    }
    let c = solve3(m, v).unwrap_or([0.0; 3]);
    let chi2 = points
        .iter()
        .zip(&xs)
        .map(|(&(_, _, y, w), &x)| w * (y - c[0] - c[1] * x - c[2] * x * x).powi(2))
        .sum();
    (chi2, c)
}

/// Solves a 3x3 linear system by Gaussian elimination with partial pivoting.
fn solve3(mut m: [[f64; 3]; 3], mut v: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let piv = (col..3).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[piv][col].abs() < 1e-300 {
            return None;
        }
        m.swap(col, piv);
        v.swap(col, piv);
        let pivot_row = m[col];
        for r in col + 1..3 {
            let f = m[r][col] / pivot_row[col];
            for (x, &y) in m[r].iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * y;
            }
            v[r] -= f * v[col];
        }
    }
    let mut x = [0.0; 3];
    for r in (0..3).rev() {
        let s: f64 = (r + 1..3).map(|k| m[r][k] * x[k]).sum();
        x[r] = (v[r] - s) / m[r][r];
    }
    Some(x)
}

/// `(L, p, rate, weight)` rows; the weight is the inverse binomial variance, with the rate
/// floored at half an error so that zero-error points still count.
fn weighted(points: &[RatePoint], rates: &[f64]) -> Vec<(f64, f64, f64, f64)> {
    points
        .iter()
        .zip(rates)
        .map(|(pt, &y)| {
            let n = pt.shots.max(1) as f64;
            let q = y.clamp(0.5 / n, 1.0 - 0.5 / n);
            (pt.distance as f64, pt.p, y, n / (q * (1.0 - q)))
        })
        .collect()
}

/// Minimises chi2 over `(p_th, nu)`: a grid over the sampled p range and nu in [0.3, 3], then
/// two finer grids around the best cell.
fn best_fit(rows: &[(f64, f64, f64, f64)], p_lo: f64, p_hi: f64) -> (f64, f64, f64, [f64; 3]) {
    let (mut pc, mut nc) = ((p_lo + p_hi) / 2.0, 1.5);
    let (mut pw, mut nw) = ((p_hi - p_lo) / 2.0, 1.35);
    let mut best = (f64::INFINITY, pc, nc, [0.0; 3]);
    for _ in 0..4 {
        let steps = 40;
        for i in 0..=steps {
            let p_th = pc - pw + 2.0 * pw * i as f64 / steps as f64;
            for j in 0..=steps {
                let nu = (nc - nw + 2.0 * nw * j as f64 / steps as f64).max(0.05);
                let (chi2, c) = quadratic_fit(rows, p_th, nu);
                if chi2 < best.0 {
                    best = (chi2, p_th, nu, c);
                }
            }
        }
        pc = best.1;
        nc = best.2;
        pw /= 8.0;
        nw /= 8.0;
    }
    (best.1, best.2, best.0, best.3)
}

/// Fits the finite-size-scaling form to the points and estimates the uncertainty of `p_th`
/// and `nu` by a parametric bootstrap (`resamples` refits on counts redrawn from the fitted
/// rates' binomial distributions, normal approximation; seeded, so reproducible).
pub fn fit_threshold(
    points: &[RatePoint],
    resamples: usize,
    seed: u64,
) -> Result<ThresholdFit, FitError> {
    let mut distances: Vec<usize> = points.iter().map(|p| p.distance).collect();
    distances.sort_unstable();
    distances.dedup();
    if distances.len() < 2 || points.len() < 6 {
        return Err(FitError::TooFewPoints {
            distances: distances.len(),
            points: points.len(),
        });
    }
    let p_lo = points.iter().map(|p| p.p).fold(f64::INFINITY, f64::min);
    let p_hi = points.iter().map(|p| p.p).fold(f64::NEG_INFINITY, f64::max);
    let rates: Vec<f64> = points.iter().map(RatePoint::rate).collect();
    let (p_th, nu, chi2, coeffs) = best_fit(&weighted(points, &rates), p_lo, p_hi);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut samples = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let redrawn: Vec<f64> = points
            .iter()
            .zip(&rates)
            .map(|(pt, &y)| {
                let n = pt.shots.max(1) as f64;
                let q = y.clamp(0.5 / n, 1.0 - 0.5 / n);
                (y + (q * (1.0 - q) / n).sqrt() * standard_normal(&mut rng)).clamp(0.0, 1.0)
            })
            .collect();
        let (bp, bn, _, _) = best_fit(&weighted(points, &redrawn), p_lo, p_hi);
        samples.push((bp, bn));
    }
    let sd = |f: &dyn Fn(&(f64, f64)) -> f64| -> f64 {
        if samples.len() < 2 {
            return f64::NAN;
        }
        let m = samples.iter().map(f).sum::<f64>() / samples.len() as f64;
        (samples.iter().map(|s| (f(s) - m).powi(2)).sum::<f64>() / (samples.len() - 1) as f64)
            .sqrt()
    };
    Ok(ThresholdFit {
        p_th,
        p_th_err: sd(&|s| s.0),
        nu,
        nu_err: sd(&|s| s.1),
        coeffs,
        chi2,
        dof: points.len().saturating_sub(5),
    })
}

/// A standard normal deviate (Box-Muller).
fn standard_normal<R: Rng>(rng: &mut R) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Sinter's CSV header (`sinter.CSV_HEADER`, without its column padding).
pub const SINTER_CSV_HEADER: &str =
    "shots,errors,discards,seconds,decoder,strong_id,json_metadata,custom_counts";

/// One row of sinter's CSV format. `json_metadata` must be compact JSON with sorted keys (as
/// sinter writes it); it is quoted here.
#[derive(Clone, Debug, PartialEq)]
pub struct SinterRow {
    /// Shots taken.
    pub shots: u64,
    /// Shots with a logical error.
    pub errors: u64,
    /// Shots discarded (postselection; 0 here).
    pub discards: u64,
    /// Seconds spent (sampling and decoding).
    pub seconds: f64,
    /// Decoder name.
    pub decoder: String,
    /// Identifier of the task (same for rows to be combined).
    pub strong_id: String,
    /// Compact JSON metadata of the task.
    pub json_metadata: String,
}

impl SinterRow {
    /// The CSV line (no newline), with sinter's quoting rules and seconds formatting.
    pub fn to_csv_line(&self) -> String {
        let seconds = if self.seconds < 1.0 {
            format!("{:.3}", self.seconds)
        } else if self.seconds < 10.0 {
            format!("{:.2}", self.seconds)
        } else {
            format!("{:.1}", self.seconds)
        };
        let mut s = String::new();
        let _ = write!(
            s,
            "{},{},{},{},{},{},{},",
            self.shots,
            self.errors,
            self.discards,
            seconds,
            csv_field(&self.decoder),
            csv_field(&self.strong_id),
            csv_field(&self.json_metadata)
        );
        s
    }
}

/// Quotes a CSV field when it holds a comma, quote or newline (doubling inner quotes), as
/// Python's `csv` module does.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A 64-bit FNV-1a hash as 16 hex digits: a stable task identifier.
pub fn strong_id(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_reference_values() {
        // 10 of 100 at z = 1.96: (0.0552, 0.1744) (standard tables).
        let (lo, hi) = wilson_interval(10, 100, Z95);
        assert!(
            (lo - 0.05522).abs() < 1e-4 && (hi - 0.17437).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson_interval(0, 50, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.07135).abs() < 1e-4, "{hi}");
        assert_eq!(wilson_interval(0, 0, Z95), (0.0, 1.0));
        let (lo, hi) = wilson_interval(50, 50, Z95);
        assert!(hi == 1.0 && (lo - 0.92865).abs() < 1e-4);
    }

    #[test]
    fn paired_ratio_is_exact_and_tight() {
        let mut c = PairedCounts::default();
        for (a, b, n) in [(true, true, 900), (true, false, 60), (false, true, 40)] {
            for _ in 0..n {
                c.record(a, b);
            }
        }
        for _ in 0..9000 {
            c.record(false, false);
        }
        assert_eq!((c.shots, c.both, c.only_a, c.only_b), (10_000, 900, 60, 40));
        let (r, lo, hi) = c.rate_ratio(Z95).unwrap();
        assert!((r - 960.0 / 940.0).abs() < 1e-12);
        // sd(ln R) = sqrt(100 / (960 * 940)) = 0.010530; 1.96 sd = 0.020639.
        assert!((lo - r * (-0.020_639f64).exp()).abs() < 1e-5, "{lo}");
        assert!((hi - r * 0.020_639f64.exp()).abs() < 1e-5, "{hi}");
        // Far narrower than two independent Wilson intervals of ~0.095 at 10 000 shots.
        let (wl, wh) = wilson_interval(960, 10_000, Z95);
        assert!(hi - lo < 0.5 * (wh - wl) / 0.094);
        // Identical decoders: ratio 1, zero width; no errors at all: no ratio.
        let same = PairedCounts {
            shots: 10,
            both: 3,
            only_a: 0,
            only_b: 0,
        };
        assert_eq!(same.rate_ratio(Z95), Some((1.0, 1.0, 1.0)));
        assert_eq!(PairedCounts::default().rate_ratio(Z95), None);
    }

    #[test]
    fn fit_recovers_a_synthetic_threshold() {
        // Exact rates from the scaling form with p_th = 0.103, nu = 1.5.
        let (p_th, nu) = (0.103, 1.5);
        let mut pts = Vec::new();
        for l in [8usize, 12, 16, 24] {
            for k in 0..7 {
                let p = 0.09 + 0.004 * k as f64;
                let x = (p - p_th) * (l as f64).powf(1.0 / nu);
                let rate = 0.2 + 0.8 * x + 1.5 * x * x;
                let shots = 1_000_000u64;
                pts.push(RatePoint {
                    distance: l,
                    p,
                    shots,
                    errors: (rate * shots as f64).round() as u64,
                });
            }
        }
        let fit = fit_threshold(&pts, 20, 1).unwrap();
        assert!((fit.p_th - p_th).abs() < 5e-4, "{fit:?}");
        assert!((fit.nu - nu).abs() < 0.1, "{fit:?}");
        assert!(fit.p_th_err > 0.0 && fit.p_th_err < 2e-3, "{fit:?}");
        assert!((fit.coeffs[0] - 0.2).abs() < 0.01, "{fit:?}");
    }

    #[test]
    fn fit_needs_two_distances() {
        let pts: Vec<RatePoint> = (0..8)
            .map(|k| RatePoint {
                distance: 8,
                p: 0.1 + 0.01 * k as f64,
                shots: 100,
                errors: 10,
            })
            .collect();
        assert_eq!(
            fit_threshold(&pts, 0, 0),
            Err(FitError::TooFewPoints {
                distances: 1,
                points: 8
            })
        );
    }

    #[test]
    fn sinter_rows_quote_json_like_python_csv() {
        let row = SinterRow {
            shots: 1000,
            errors: 42,
            discards: 0,
            seconds: 0.125,
            decoder: "mwpm".into(),
            strong_id: strong_id("x"),
            json_metadata: r#"{"L":8,"p":0.1}"#.into(),
        };
        assert_eq!(
            row.to_csv_line(),
            format!(
                r#"1000,42,0,0.125,mwpm,{},"{{""L"":8,""p"":0.1}}","#,
                strong_id("x")
            )
        );
        assert_eq!(strong_id("x"), strong_id("x"));
        assert_ne!(strong_id("x"), strong_id("y"));
        assert_eq!(csv_field("plain"), "plain");
    }
}
