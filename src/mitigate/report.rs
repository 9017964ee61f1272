//! A mitigation run as a library call: [`run`] evaluates a circuit's ideal and noisy values and
//! every method, and returns the [`Report`] that `qecd mitigate` prints and writes as JSON.
//!
//! With finite shots (an executor from [`Executor::with_shots`]) every method runs
//! [`SHOT_REPLICATES`] times on independent shot streams (the exact distributions are computed
//! once and cached): the reported value is that of replicate 0 (`N` shots per circuit and
//! commuting group) and its standard error the standard deviation over the replicates. PEC
//! estimates its own standard error from its samples (each sample circuit measured with `N`
//! shots) and runs once. The variance amplification of a method is its variance over the
//! noisy value's, at the same shots per circuit.

use super::circuit::Circuit;
use super::executor::Executor;
use super::method::{Family, Method, Outcome};
use super::MitigateError;
use serde::Serialize;

/// Independent shot replicates behind a method's finite-shot standard error.
pub const SHOT_REPLICATES: u64 = 16;

/// One method's line of a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MethodRow {
    /// The method as given.
    pub method: String,
    /// The mitigated value.
    pub mitigated: f64,
    /// Its standard error (finite shots, or PEC's sampling); `None` for exact values.
    pub std_error: Option<f64>,
    /// PEC's one-norm.
    pub one_norm: Option<f64>,
    /// `|mitigated - ideal|`.
    pub error: f64,
    /// `|noisy - ideal| / |mitigated - ideal|`.
    pub reduction: f64,
    /// `(std_error / noisy_std_err)^2` with finite shots.
    pub variance_amplification: Option<f64>,
    /// Noisy circuits the method ran (PEC: sampled circuits; with shots: of one replicate).
    pub circuits: usize,
}

/// Median run times.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Timing {
    /// Repetitions.
    pub repetitions: usize,
    /// One noisy run of the circuit.
    pub noisy_run_median_s: f64,
    /// Each method.
    pub method_median_s: Vec<(String, f64)>,
}

/// The report of one run (the JSON schema of `qecd mitigate --json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Qubits.
    pub num_qubits: usize,
    /// One-qubit gates.
    pub gates_1q: usize,
    /// Two-qubit gates.
    pub gates_2q: usize,
    /// The noise model as given.
    pub noise: String,
    /// The exact ground energy, when the observable is a TFIM chain's.
    pub ground: Option<f64>,
    /// The ansatz angles, with a circuit family.
    pub theta: Option<Vec<f64>>,
    /// Shots per circuit and group (`None`: exact values).
    pub shots: Option<u64>,
    /// The noiseless value.
    pub ideal: f64,
    /// The noisy value.
    pub noisy: f64,
    /// Its standard error (trajectories or shots; 0 when exact).
    pub noisy_std_err: f64,
    /// Trajectories or shots behind the noisy value (1 when exact).
    pub noisy_samples: usize,
    /// One row per method.
    pub methods: Vec<MethodRow>,
    /// Run times, when asked.
    pub timing: Option<Timing>,
}

/// Median wall time of `reps` calls of `f`.
fn median_time(
    reps: usize,
    mut f: impl FnMut() -> Result<f64, MitigateError>,
) -> Result<f64, MitigateError> {
    let mut t = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = std::time::Instant::now();
        std::hint::black_box(f()?);
        t.push(start.elapsed().as_secs_f64());
    }
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

/// Runs `method` once, or over shot replicates (see the module docs): the outcome of
/// replicate 0 with the replicates' standard deviation as its standard error.
pub fn run_method(
    method: &Method,
    circuit: &Circuit,
    exec: &Executor,
    family: Option<&Family>,
) -> Result<Outcome, MitigateError> {
    let first = method.run(circuit, exec, family)?;
    if exec.shots().is_none() || first.std_error.is_some() {
        return Ok(first);
    }
    let mut values = vec![first.value];
    for r in 1..SHOT_REPLICATES {
        values.push(method.run(circuit, &exec.replicate(r), family)?.value);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Ok(Outcome {
        std_error: Some(var.sqrt()),
        ..first
    })
}

/// What a run is about: the circuit, and optionally its family, ground energy and angles.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The circuit.
    pub circuit: Circuit,
    /// The parametric family (for `parametric`).
    pub family: Option<Family>,
    /// The exact ground energy, for the report.
    pub ground: Option<f64>,
}

/// Runs every `(spec, method)` on the problem and times them over `timing` repetitions when
/// `timing > 0`. Errors name the method.
pub fn run(
    problem: &Problem,
    exec: &Executor,
    methods: &[(String, Method)],
    noise_spec: &str,
    timing: usize,
) -> Result<Report, MitigateError> {
    let c = &problem.circuit;
    let family = problem.family.as_ref();
    let named =
        |spec: &str, e: MitigateError| MitigateError::Invalid(format!("method '{spec}': {e}"));
    let ideal = exec.ideal(c)?;
    let noisy = exec.noisy_estimate(c)?;
    let mut rows = Vec::new();
    for (spec, m) in methods {
        let out = run_method(m, c, exec, family).map_err(|e| named(spec, e))?;
        let error = (out.value - ideal).abs();
        rows.push(MethodRow {
            method: spec.clone(),
            mitigated: out.value,
            std_error: out.std_error,
            one_norm: out.one_norm,
            error,
            reduction: (noisy.mean - ideal).abs() / error,
            variance_amplification: match (exec.shots(), out.std_error) {
                (Some(_), Some(se)) if noisy.std_err > 0.0 => Some((se / noisy.std_err).powi(2)),
                _ => None,
            },
            circuits: out.circuits,
        });
    }
    let timing = if timing > 0 {
        Some(Timing {
            repetitions: timing,
            noisy_run_median_s: median_time(timing, || exec.noisy(c))?,
            method_median_s: methods
                .iter()
                .map(|(spec, m)| {
                    let t = median_time(timing, || Ok(m.run(c, exec, family)?.value))
                        .map_err(|e| named(spec, e))?;
                    Ok((spec.clone(), t))
                })
                .collect::<Result<Vec<_>, MitigateError>>()?,
        })
    } else {
        None
    };
    let (gates_1q, gates_2q) = c.gate_counts();
    Ok(Report {
        num_qubits: c.num_qubits,
        gates_1q,
        gates_2q,
        noise: noise_spec.to_string(),
        ground: problem.ground,
        theta: family.map(|f| f.theta.clone()),
        shots: exec.shots().map(|s| s.per_circuit),
        ideal,
        noisy: noisy.mean,
        noisy_std_err: noisy.std_err,
        noisy_samples: noisy.samples,
        methods: rows,
        timing,
    })
}

impl Report {
    /// The table `qecd mitigate` prints.
    pub fn table(&self) -> String {
        let mut s = format!(
            "circuit: {} qubits, {} one-qubit and {} two-qubit gates; noise {}\n",
            self.num_qubits, self.gates_1q, self.gates_2q, self.noise
        );
        if let Some(g) = self.ground {
            s.push_str(&format!("exact ground energy: {g:.10}\n"));
        }
        if self.noisy_samples > 1 {
            let what = match self.shots {
                Some(n) => format!("{n} shots per circuit and commuting group"),
                None => format!("{} trajectories", self.noisy_samples),
            };
            s.push_str(&format!(
                "noisy: {:.10} ± {:.2e} (standard error, {what})\n",
                self.noisy, self.noisy_std_err
            ));
        }
        let with_se = self.methods.iter().any(|r| r.std_error.is_some());
        s.push_str(&format!(
            "{:<36} {:>14} {:>14} {:>14} {:>11} {:>10} {:>8}{}\n",
            "method",
            "ideal",
            "noisy",
            "mitigated",
            "error",
            "reduction",
            "circuits",
            if with_se {
                format!(" {:>10} {:>9} {:>8}", "std_error", "var_ampl", "gamma")
            } else {
                String::new()
            }
        ));
        let opt =
            |x: Option<f64>, prec: usize| x.map_or("-".to_string(), |v| format!("{v:.prec$e}"));
        for r in &self.methods {
            s.push_str(&format!(
                "{:<36} {:>14.10} {:>14.10} {:>14.10} {:>11.3e} {:>10.1} {:>8}{}\n",
                r.method,
                self.ideal,
                self.noisy,
                r.mitigated,
                r.error,
                r.reduction,
                r.circuits,
                if with_se {
                    format!(
                        " {:>10} {:>9} {:>8}",
                        opt(r.std_error, 2),
                        r.variance_amplification
                            .map_or("-".to_string(), |v| format!("{v:.1}")),
                        r.one_norm.map_or("-".to_string(), |v| format!("{v:.4}"))
                    )
                } else {
                    String::new()
                }
            ));
        }
        s
    }
}
