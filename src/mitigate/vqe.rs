//! VQE for the HVA angles: Nelder-Mead minimisation of an energy function, which may be the
//! noiseless energy, the noisy one, or a mitigated one (mitigation in the loop).

use super::ansatz::Hva;
use super::executor::Executor;
use super::zne::Zne;
use super::MitigateError;

/// What the optimiser minimises.
#[derive(Clone, Debug, PartialEq)]
pub enum Objective {
    /// Noiseless statevector energy.
    Ideal,
    /// Noisy energy from the executor.
    Noisy,
    /// ZNE-mitigated energy.
    Mitigated(Zne),
}

/// Result of an optimisation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct VqeResult {
    /// Best parameters found.
    pub theta: Vec<f64>,
    /// Objective value there.
    pub energy: f64,
    /// Objective evaluations used.
    pub evaluations: usize,
}

/// Nelder-Mead minimisation (standard coefficients 1, 2, 0.5, 0.5) from `x0` with initial
/// simplex steps `step`, until the simplex's value spread is below `ftol` or `max_evals`.
pub fn nelder_mead(
    mut f: impl FnMut(&[f64]) -> Result<f64, MitigateError>,
    x0: &[f64],
    step: f64,
    ftol: f64,
    max_evals: usize,
) -> Result<VqeResult, MitigateError> {
    let d = x0.len();
    let mut evals = 0;
    let mut eval = |x: &[f64], evals: &mut usize| {
        *evals += 1;
        f(x)
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(d + 1);
    simplex.push((x0.to_vec(), eval(x0, &mut evals)?));
    for i in 0..d {
        let mut x = x0.to_vec();
        x[i] += step;
        let v = eval(&x, &mut evals)?;
        simplex.push((x, v));
    }
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if (simplex[d].1 - simplex[0].1).abs() < ftol {
            break;
        }
        let centroid: Vec<f64> = (0..d)
            .map(|k| simplex[..d].iter().map(|p| p.0[k]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..d)
                .map(|k| centroid[k] + t * (simplex[d].0[k] - centroid[k]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = eval(&xr, &mut evals)?;
        if fr < simplex[0].1 {
            let xe = along(-2.0);
            let fe = eval(&xe, &mut evals)?;
            simplex[d] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[d - 1].1 {
            simplex[d] = (xr, fr);
        } else {
            let (xc, fc) = if fr < simplex[d].1 {
                let x = along(-0.5);
                let v = eval(&x, &mut evals)?;
                (x, v)
            } else {
                let x = along(0.5);
                let v = eval(&x, &mut evals)?;
                (x, v)
            };
            if fc < simplex[d].1.min(fr) {
                simplex[d] = (xc, fc);
            } else {
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    let x: Vec<f64> =
                        p.0.iter()
                            .zip(&best)
                            .map(|(a, b)| b + 0.5 * (a - b))
                            .collect();
                    let v = eval(&x, &mut evals)?;
                    *p = (x, v);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (theta, energy) = simplex.swap_remove(0);
    Ok(VqeResult {
        theta,
        energy,
        evaluations: evals,
    })
}

/// Optimises the HVA angles for `objective`, from the ansatz's initial guess and from `extra`
/// starting points, keeping the best; each start is restarted once from its optimum to escape
/// simplex collapse.
pub fn optimize(
    hva: &Hva,
    exec: &Executor,
    objective: &Objective,
    extra_starts: &[Vec<f64>],
    max_evals: usize,
) -> Result<VqeResult, MitigateError> {
    let energy = |theta: &[f64]| -> Result<f64, MitigateError> {
        let c = hva.circuit(theta)?;
        match objective {
            Objective::Ideal => exec.ideal(&c),
            Objective::Noisy => exec.noisy(&c),
            Objective::Mitigated(z) => Ok(z.run(&c, exec)?.value),
        }
    };
    let mut starts = vec![hva.initial_guess()];
    starts.extend(extra_starts.iter().cloned());
    let mut best: Option<VqeResult> = None;
    let mut total = 0;
    for s in starts {
        let first = nelder_mead(energy, &s, 0.3, 1e-10, max_evals)?;
        let second = nelder_mead(energy, &first.theta, 0.05, 1e-12, max_evals)?;
        total += first.evaluations + second.evaluations;
        if best.as_ref().is_none_or(|b| second.energy < b.energy) {
            best = Some(second);
        }
    }
    let mut best = best.expect("at least one start");
    best.evaluations = total;
    Ok(best)
}
