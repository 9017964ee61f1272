//! Small dense least-squares solvers (Householder QR) for the fits of ZNE, CDR and the
//! parametric scheme.

use super::MitigateError;

/// Solves `min ||A x - b||` for a tall `A` given as rows, by Householder QR with the columns
/// scaled to unit norm first (as `numpy.polyfit` does) for conditioning.
pub fn lstsq(rows: &[Vec<f64>], b: &[f64]) -> Result<Vec<f64>, MitigateError> {
    let m = rows.len();
    let n = rows.first().map_or(0, Vec::len);
    if m < n || n == 0 || b.len() != m {
        return Err(MitigateError::Invalid(format!(
            "least-squares fit needs at least as many data points ({m}) as unknowns ({n})"
        )));
    }
    // Column-major copy, scaled.
    let mut a: Vec<Vec<f64>> = (0..n)
        .map(|j| rows.iter().map(|r| r[j]).collect())
        .collect();
    let scale: Vec<f64> = a
        .iter()
        .map(|col| {
            let s = col.iter().map(|x| x * x).sum::<f64>().sqrt();
            if s > 0.0 {
                s
            } else {
                1.0
            }
        })
        .collect();
    for (col, s) in a.iter_mut().zip(&scale) {
        col.iter_mut().for_each(|x| *x /= s);
    }
    let mut y = b.to_vec();
    for k in 0..n {
        let norm = a[k][k..].iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm < 1e-14 {
            return Err(MitigateError::Invalid(
                "least-squares fit is rank deficient (repeated or degenerate data points)".into(),
            ));
        }
        let alpha = if a[k][k] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[k][k..].to_vec();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|x| x * x).sum();
        if vnorm2 > 0.0 {
            for col in a.iter_mut().skip(k) {
                let d: f64 =
                    v.iter().zip(&col[k..]).map(|(p, q)| p * q).sum::<f64>() * 2.0 / vnorm2;
                col[k..].iter_mut().zip(&v).for_each(|(x, vi)| *x -= d * vi);
            }
            let d: f64 = v.iter().zip(&y[k..]).map(|(p, q)| p * q).sum::<f64>() * 2.0 / vnorm2;
            y[k..].iter_mut().zip(&v).for_each(|(x, vi)| *x -= d * vi);
        }
    }
    let mut x = vec![0.0; n];
    for k in (0..n).rev() {
        let s: f64 = (k + 1..n).map(|j| a[j][k] * x[j]).sum();
        x[k] = (y[k] - s) / a[k][k];
    }
    Ok(x.iter().zip(&scale).map(|(xi, s)| xi / s).collect())
}

/// Ridge regression `min ||A x - b||^2 + lambda ||x||^2` (no term is exempt from the penalty).
pub fn ridge(rows: &[Vec<f64>], b: &[f64], lambda: f64) -> Result<Vec<f64>, MitigateError> {
    let n = rows.first().map_or(0, Vec::len);
    let mut aug: Vec<Vec<f64>> = rows.to_vec();
    let mut rhs = b.to_vec();
    if lambda > 0.0 {
        for j in 0..n {
            let mut r = vec![0.0; n];
            r[j] = lambda.sqrt();
            aug.push(r);
            rhs.push(0.0);
        }
    }
    lstsq(&aug, &rhs)
}

/// Polynomial least-squares fit of degree `deg` with optional weights multiplying the
/// residuals (`numpy.polyfit(x, y, deg, w=w)`); coefficients from the constant term up.
pub fn polyfit(
    x: &[f64],
    y: &[f64],
    deg: usize,
    w: Option<&[f64]>,
) -> Result<Vec<f64>, MitigateError> {
    let rows: Vec<Vec<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, xi)| {
            let wi = w.map_or(1.0, |w| w[i]);
            (0..=deg).map(|k| wi * xi.powi(k as i32)).collect()
        })
        .collect();
    let rhs: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(i, yi)| w.map_or(1.0, |w| w[i]) * yi)
        .collect();
    lstsq(&rows, &rhs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyfit_recovers_exact_polynomial() {
        let x = [1.0, 1.5, 2.0, 2.5, 3.0];
        let y: Vec<f64> = x.iter().map(|t| 2.0 - 3.0 * t + 0.5 * t * t).collect();
        let c = polyfit(&x, &y, 2, None).unwrap();
        assert!(
            (c[0] - 2.0).abs() < 1e-12 && (c[1] + 3.0).abs() < 1e-12 && (c[2] - 0.5).abs() < 1e-12
        );
    }

    #[test]
    fn lstsq_rejects_rank_deficient() {
        let rows = vec![vec![1.0, 1.0], vec![1.0, 1.0], vec![1.0, 1.0]];
        assert!(lstsq(&rows, &[1.0, 2.0, 3.0]).is_err());
    }
}
