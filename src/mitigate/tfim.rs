//! The transverse-field Ising chain `H = J sum_i Z_i Z_{i+1} + h sum_i X_i` (antiferromagnetic
//! for `J > 0`), open or periodic: Pauli-sum builder, exact ground energy by Lanczos
//! diagonalisation, and the free-fermion closed form for periodic chains.

use super::observable::{PauliString, PauliSum};
use super::MitigateError;

/// Largest chain the exact diagonalisation accepts (2^18 amplitudes, 2 MiB per Lanczos vector,
/// at most 300 vectors kept for full reorthogonalisation).
pub const MAX_ED_SPINS: usize = 18;

/// A transverse-field Ising chain.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Tfim {
    /// Number of spins.
    pub n: usize,
    /// ZZ coupling (positive = antiferromagnetic).
    pub j: f64,
    /// Transverse field.
    pub h: f64,
    /// Periodic boundary (bond between spin n-1 and spin 0).
    pub periodic: bool,
}

impl Tfim {
    /// Checks the chain is well formed.
    pub fn new(n: usize, j: f64, h: f64, periodic: bool) -> Result<Tfim, MitigateError> {
        if n < 2 || (periodic && n < 3) || n > 64 {
            return Err(MitigateError::Invalid(format!(
                "TFIM chain needs 2 <= n <= 64 spins (3 if periodic), found n = {n}"
            )));
        }
        if !j.is_finite() || !h.is_finite() {
            return Err(MitigateError::Invalid("TFIM J and h must be finite".into()));
        }
        Ok(Tfim { n, j, h, periodic })
    }

    /// Parses `n=4,J=1,h=1,periodic` (or `open`; `J` defaults to 1, `h` to 1, boundary to open).
    /// Extra keys are returned to the caller (e.g. `layers` for the ansatz).
    pub fn parse(text: &str) -> Result<(Tfim, Vec<(String, String)>), MitigateError> {
        let (mut n, mut j, mut h, mut periodic) = (None, 1.0, 1.0, false);
        let mut rest = Vec::new();
        let num = |k: &str, v: &str| -> Result<f64, MitigateError> {
            v.trim().parse().map_err(|_| {
                MitigateError::Invalid(format!(
                    "tfim '{text}': expected a number for {k}, found '{v}'"
                ))
            })
        };
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.split_once('=') {
                Some(("n", v)) => {
                    n = Some(v.trim().parse::<usize>().map_err(|_| {
                        MitigateError::Invalid(format!(
                            "tfim '{text}': expected a whole number for n, found '{v}'"
                        ))
                    })?)
                }
                Some(("J", v)) | Some(("j", v)) => j = num("J", v)?,
                Some(("h", v)) => h = num("h", v)?,
                Some((k, v)) => rest.push((k.trim().to_string(), v.trim().to_string())),
                None if item == "periodic" || item == "pbc" => periodic = true,
                None if item == "open" || item == "obc" => periodic = false,
                None => {
                    return Err(MitigateError::Invalid(format!(
                        "tfim '{text}': unknown item '{item}' (expected n=, J=, h=, periodic or \
                         open)"
                    )))
                }
            }
        }
        let n = n.ok_or_else(|| {
            MitigateError::Invalid(format!("tfim '{text}': the number of spins n= is missing"))
        })?;
        Ok((Tfim::new(n, j, h, periodic)?, rest))
    }

    /// Bonds `(i, i+1)` and, for a periodic chain, `(n-1, 0)`.
    pub fn bonds(&self) -> Vec<(usize, usize)> {
        let m = if self.periodic { self.n } else { self.n - 1 };
        (0..m).map(|i| (i, (i + 1) % self.n)).collect()
    }

    /// `sum_bonds Z_i Z_j` (without the coupling).
    pub fn zz_sum(&self) -> PauliSum {
        let mut s = PauliSum::default();
        for (a, b) in self.bonds() {
            s.push(
                1.0,
                PauliString {
                    x: 0,
                    z: (1 << a) | (1 << b),
                },
            );
        }
        s
    }

    /// `sum_i X_i` (the transverse magnetisation, without the field).
    pub fn x_sum(&self) -> PauliSum {
        let mut s = PauliSum::default();
        for i in 0..self.n {
            s.push(1.0, PauliString { x: 1 << i, z: 0 });
        }
        s
    }

    /// The Hamiltonian as a Pauli sum.
    pub fn hamiltonian(&self) -> PauliSum {
        let mut s = PauliSum::default();
        for (c, p) in self.zz_sum().terms {
            s.push(self.j * c, p);
        }
        for (c, p) in self.x_sum().terms {
            s.push(self.h * c, p);
        }
        s
    }

    /// `H v` in the computational basis (matrix-free).
    fn apply_h(&self, v: &[f64], out: &mut [f64]) {
        let bonds = self.bonds();
        for (c, o) in out.iter_mut().enumerate() {
            let mut diag = 0.0;
            for &(a, b) in &bonds {
                let par = ((c >> a) ^ (c >> b)) & 1;
                diag += if par == 0 { self.j } else { -self.j };
            }
            let mut acc = diag * v[c];
            for q in 0..self.n {
                acc += self.h * v[c ^ (1 << q)];
            }
            *o = acc;
        }
    }

    /// Exact ground energy by Lanczos iteration with full reorthogonalisation (converged to
    /// about 1e-12 relative).
    pub fn ground_energy_exact(&self) -> Result<f64, MitigateError> {
        if self.n > MAX_ED_SPINS {
            return Err(MitigateError::Invalid(format!(
                "exact diagonalisation supports at most {MAX_ED_SPINS} spins, found {}",
                self.n
            )));
        }
        let dim = 1usize << self.n;
        // A deterministic start vector with weight on every basis state.
        let mut v: Vec<f64> = (0..dim)
            .map(|i| 1.0 + 0.5 * ((i as f64) * 0.618_033_988_75).fract())
            .collect();
        normalize(&mut v);
        let max_steps = dim.min(300);
        let mut basis: Vec<Vec<f64>> = Vec::new();
        let (mut alpha, mut beta) = (Vec::new(), Vec::new());
        let mut w = vec![0.0; dim];
        let mut last = f64::INFINITY;
        for step in 0..max_steps {
            self.apply_h(&v, &mut w);
            let a = dot(&w, &v);
            alpha.push(a);
            basis.push(v.clone());
            for b in &basis {
                let d = dot(&w, b);
                w.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
            }
            let bnorm = dot(&w, &w).sqrt();
            let e = lowest_tridiagonal_eigenvalue(&alpha, &beta);
            // Residual of the Ritz pair: |beta_k * (last component of the Ritz vector)|.
            let residual = bnorm * ritz_last_component(&alpha, &beta, e).abs();
            if bnorm < 1e-10
                || (step > 4 && residual < 1e-9 && (last - e).abs() < 1e-13 * e.abs().max(1.0))
            {
                return Ok(e);
            }
            last = e;
            beta.push(bnorm);
            v = w.iter().map(|x| x / bnorm).collect();
        }
        Ok(lowest_tridiagonal_eigenvalue(&alpha, &beta))
    }

    /// The exact ground energy by the cheapest exact method: Lanczos up to [`MAX_ED_SPINS`]
    /// spins, the free-fermion closed form beyond (periodic chains only).
    pub fn ground_energy(&self) -> Result<f64, MitigateError> {
        if self.n <= MAX_ED_SPINS {
            self.ground_energy_exact()
        } else {
            self.ground_energy_free_fermion()
        }
    }

    /// Ground energy of a periodic chain from the free-fermion solution: with the
    /// antiperiodic (Neveu-Schwarz) momenta `k = (2m+1) pi / n`,
    /// `E0 = -sum_k sqrt(J^2 + h^2 - 2 |J h| cos k)`. For `J > 0` (antiferromagnet) this
    /// needs an even `n`, where flipping every other spin maps the chain onto the ferromagnet.
    pub fn ground_energy_free_fermion(&self) -> Result<f64, MitigateError> {
        if !self.periodic {
            return Err(MitigateError::Invalid(
                "the free-fermion closed form is implemented for periodic chains".into(),
            ));
        }
        if self.j > 0.0 && self.n % 2 == 1 {
            return Err(MitigateError::Invalid(
                "the antiferromagnetic periodic chain with odd n is frustrated: no closed form"
                    .into(),
            ));
        }
        let jh = (self.j * self.h).abs();
        Ok(-(0..self.n)
            .map(|m| {
                let k = (2 * m + 1) as f64 * std::f64::consts::PI / self.n as f64;
                (self.j * self.j + self.h * self.h - 2.0 * jh * k.cos())
                    .max(0.0)
                    .sqrt()
            })
            .sum::<f64>())
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalize(v: &mut [f64]) {
    let n = dot(v, v).sqrt();
    v.iter_mut().for_each(|x| *x /= n);
}

/// Last component of the normalised eigenvector of the tridiagonal matrix `(a, b)` for its
/// eigenvalue `e`, by two steps of inverse iteration with a shift just below `e` (the shifted
/// matrix is then positive definite, so the LDL^T sweep is stable).
fn ritz_last_component(a: &[f64], b: &[f64], e: f64) -> f64 {
    let m = a.len();
    let shift = e - 1e-10 * e.abs().max(1.0);
    let mut y = vec![1.0; m];
    for _ in 0..3 {
        // Solve (T - shift I) x = y by the Thomas algorithm.
        let mut c = vec![0.0; m];
        let mut d = vec![0.0; m];
        for i in 0..m {
            let sub = if i > 0 { b[i - 1] } else { 0.0 };
            let denom = a[i] - shift - if i > 0 { sub * c[i - 1] } else { 0.0 };
            let denom = if denom.abs() < 1e-300 { 1e-300 } else { denom };
            c[i] = if i + 1 < m { b[i] / denom } else { 0.0 };
            d[i] = (y[i] - if i > 0 { sub * d[i - 1] } else { 0.0 }) / denom;
        }
        for i in (0..m).rev() {
            y[i] = d[i] - if i + 1 < m { c[i] * y[i + 1] } else { 0.0 };
        }
        let norm = dot(&y, &y).sqrt();
        y.iter_mut().for_each(|v| *v /= norm);
    }
    y[m - 1]
}

/// Lowest eigenvalue of the symmetric tridiagonal matrix with diagonal `a` and off-diagonal `b`
/// (`b.len() == a.len() - 1`), by Sturm-sequence bisection to machine precision.
fn lowest_tridiagonal_eigenvalue(a: &[f64], b: &[f64]) -> f64 {
    let m = a.len();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for i in 0..m {
        let r =
            if i > 0 { b[i - 1].abs() } else { 0.0 } + if i < b.len() { b[i].abs() } else { 0.0 };
        lo = lo.min(a[i] - r);
        hi = hi.max(a[i] + r);
    }
    // Number of eigenvalues below x.
    let count = |x: f64| {
        let mut c = 0;
        let mut d = 1.0;
        for i in 0..m {
            let off = if i > 0 { b[i - 1] * b[i - 1] } else { 0.0 };
            d = a[i] - x - if i > 0 { off / d } else { 0.0 };
            if d == 0.0 {
                d = -1e-300;
            }
            if d < 0.0 {
                c += 1;
            }
        }
        c
    };
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if count(mid) >= 1 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}
