//! The noise-strength study: mitigated energy error against the two-qubit depolarizing rate
//! for TFIM chains, with every mitigation method side by side.
//!
//! For each chain and field `h`: the HVA angles are optimised noiselessly (VQE), then for each
//! `p2` (with `p1 = p1_ratio * p2`) the noisy energy of the optimised circuit is mitigated by:
//! ZNE (global folding at 1, 2, 3 with linear, Richardson and exponential-to-0 fits; global
//! folding at 1..3 in steps of 0.5 with a quadratic fit; folding all gates at 1, 3, 5 with
//! Richardson; random folding at 1, 2, 3 with Richardson), CDR, vnCDR (global folding 1, 2, 3),
//! the parametric scheme trained at the optimised angles of small fields (and random
//! perturbations of them), LRE (degree 2, 4 chunks) and PEC (2000 samples). Errors are against
//! the noiseless value of the same circuit, so they measure mitigation alone, not the ansatz's
//! distance to the ground state.
//!
//! With a shot seed ([`StudyConfig::shots`]) the rows at the rate closest to p2 = 1e-2 also get
//! finite-shot columns at [`STUDY_SHOTS`] shots per circuit: the estimate, its standard error
//! and the variance amplification (see [`super::report`]).

use super::ansatz::Hva;
use super::cdr::Cdr;
use super::executor::{Backend, Executor, Shots};
use super::fold::Folding;
use super::lre::Lre;
use super::method::{Family, Method};
use super::noise::NoiseModel;
use super::pec::{Pec, Representation};
use super::report::run_method;
use super::tfim::Tfim;
use super::vqe::{optimize, Objective};
use super::zne::{Extrapolation, Zne};
use super::MitigateError;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// One chain of the study.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chain {
    /// Spins.
    pub n: usize,
    /// Periodic boundary.
    pub periodic: bool,
    /// HVA layers.
    pub layers: usize,
}

/// Study settings.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyConfig {
    /// Chains.
    pub chains: Vec<Chain>,
    /// Transverse fields.
    pub fields: Vec<f64>,
    /// Two-qubit depolarizing rates.
    pub p2s: Vec<f64>,
    /// `p1 = p1_ratio * p2`.
    pub p1_ratio: f64,
    /// Small fields whose optimised angles train the parametric scheme.
    pub training_fields: Vec<f64>,
    /// Random perturbations added per training field.
    pub perturbations: usize,
    /// CDR training circuits.
    pub cdr_training: usize,
    /// Seed for every random choice.
    pub seed: u64,
    /// Finite-shot columns with this shot seed (`None`: exact values only).
    pub shots: Option<u64>,
}

impl Default for StudyConfig {
    /// The study of the docs: 4-spin periodic (2 layers) and 8-spin open (3 layers) chains,
    /// h = 0.5, 1, 1.5, p2 from 1e-3 to 3e-2, p1 = p2 / 10.
    fn default() -> Self {
        StudyConfig {
            chains: vec![
                Chain {
                    n: 4,
                    periodic: true,
                    layers: 2,
                },
                Chain {
                    n: 8,
                    periodic: false,
                    layers: 3,
                },
            ],
            fields: vec![0.5, 1.0, 1.5],
            p2s: vec![1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 3e-2],
            p1_ratio: 0.1,
            training_fields: vec![0.1, 0.2, 0.3, 0.4],
            perturbations: 2,
            cdr_training: 20,
            seed: 2024,
            shots: None,
        }
    }
}

/// One line of the study's table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StudyRow {
    /// Spins.
    pub n: usize,
    /// Periodic boundary.
    pub periodic: bool,
    /// Field.
    pub h: f64,
    /// Two-qubit rate.
    pub p2: f64,
    /// Method name.
    pub method: String,
    /// Exact ground energy.
    pub ground: f64,
    /// Noiseless energy of the optimised circuit.
    pub ideal: f64,
    /// Noisy energy.
    pub noisy: f64,
    /// Mitigated energy.
    pub mitigated: f64,
    /// |mitigated - ideal|.
    pub error: f64,
    /// |noisy - ideal| / |mitigated - ideal|.
    pub reduction: f64,
    /// Noisy circuits the method ran.
    pub circuits: usize,
    /// Finite-shot columns, one per entry of [`STUDY_SHOTS`] (empty unless the study runs with
    /// shots, and then only at the rate closest to p2 = 1e-2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shots: Vec<ShotColumns>,
}

/// A method's value at finite shots.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ShotColumns {
    /// Shots per circuit and commuting group.
    pub shots: u64,
    /// The estimate (replicate 0).
    pub mitigated: f64,
    /// Its standard error (over [`super::report::SHOT_REPLICATES`] replicates; PEC: its own).
    pub std_error: f64,
    /// Variance over the noisy value's variance at the same shots.
    pub variance_amplification: f64,
}

/// The root-mean-square error of `row`'s method at a total budget of `budget` shots (per
/// commuting group, spread evenly over the method's circuits): `sqrt(error^2 + VA s1^2 C / B)`
/// with `s1^2` the noisy value's one-shot variance (from its largest shot column), `VA` the
/// variance amplification (from the same column) and `C` the circuits run. `None` without shot
/// columns, and for PEC, whose variance is set by its number of samples rather than by the
/// shots per circuit (its exact-value error is sampling error, not bias), so the formula does
/// not describe it (`docs/mitigation-study.md` gives its budget estimate).
pub fn budget_rmse(row: &StudyRow, noisy: &StudyRow, budget: f64) -> Option<f64> {
    if row.method.starts_with("pec") {
        return None;
    }
    let (m, n) = (row.shots.last()?, noisy.shots.last()?);
    let s1 = n.std_error.powi(2) * n.shots as f64;
    Some((row.error.powi(2) + m.variance_amplification * s1 * row.circuits as f64 / budget).sqrt())
}

/// Shots per circuit of the study's finite-shot columns.
pub const STUDY_SHOTS: [u64; 2] = [10_000, 1_000_000];

/// The study's methods after "noisy": the ZNE variants, CDR, vnCDR, the parametric scheme,
/// LRE (degree 2 over 4 chunks) and PEC (2000 samples, global representation).
pub fn study_methods(cfg: &StudyConfig) -> Vec<(String, Method)> {
    let mut m: Vec<(String, Method)> = zne_variants(cfg.seed as u32)
        .into_iter()
        .map(|(name, z)| (name.to_string(), Method::Zne(z)))
        .collect();
    let cdr = Cdr {
        num_training: cfg.cdr_training,
        fraction_non_clifford: 0.2,
        scales: vec![1.0],
        folding: Folding::Global,
        seed: cfg.seed,
    };
    let vn = Cdr {
        scales: vec![1.0, 2.0, 3.0],
        ..cdr.clone()
    };
    m.push(("cdr".into(), Method::Cdr(cdr)));
    m.push(("vncdr".into(), Method::Cdr(vn)));
    m.push(("parametric".into(), Method::Parametric));
    m.push((
        "lre-d2-c4".into(),
        Method::Lre(Lre {
            degree: 2,
            fold_multiplier: 1,
            chunks: Some(4),
        }),
    ));
    m.push((
        "pec-2000".into(),
        Method::Pec(Pec {
            samples: 2000,
            seed: cfg.seed,
            representation: Representation::Global,
        }),
    ));
    m
}

/// The ZNE variants of the study: name, folding, scales, extrapolation.
pub fn zne_variants(seed: u32) -> Vec<(&'static str, Zne)> {
    let s123 = vec![1.0, 2.0, 3.0];
    let mk = |scales: Vec<f64>, folding, extrapolation| Zne {
        scales,
        folding,
        extrapolation,
    };
    vec![
        (
            "zne-linear-global",
            mk(s123.clone(), Folding::Global, Extrapolation::Linear),
        ),
        (
            "zne-richardson-global",
            mk(s123.clone(), Folding::Global, Extrapolation::Richardson),
        ),
        (
            "zne-exp0-global",
            mk(
                s123.clone(),
                Folding::Global,
                Extrapolation::Exp {
                    asymptote: Some(0.0),
                    order: 1,
                },
            ),
        ),
        (
            "zne-poly2-global",
            mk(
                vec![1.0, 1.5, 2.0, 2.5, 3.0],
                Folding::Global,
                Extrapolation::Poly(2),
            ),
        ),
        (
            "zne-richardson-all",
            mk(vec![1.0, 3.0, 5.0], Folding::All, Extrapolation::Richardson),
        ),
        (
            "zne-richardson-random",
            mk(s123, Folding::Random(seed), Extrapolation::Richardson),
        ),
    ]
}

/// Runs the study, calling `progress` after each (chain, field, p2) point.
pub fn run_study(
    cfg: &StudyConfig,
    mut progress: impl FnMut(&[StudyRow]),
) -> Result<Vec<StudyRow>, MitigateError> {
    let mut rows = Vec::new();
    for chain in &cfg.chains {
        for &h in &cfg.fields {
            let model = Tfim::new(chain.n, 1.0, h, chain.periodic)?;
            let hva = Hva {
                model,
                layers: chain.layers,
            };
            let ground = model.ground_energy_exact()?;
            let ideal_exec =
                Executor::new(model.hamiltonian(), NoiseModel::NONE, Backend::Density)?;
            let theta = optimize(&hva, &ideal_exec, &Objective::Ideal, &[], 4000)?.theta;
            let circuit = hva.circuit(&theta)?;
            let ideal = ideal_exec.ideal(&circuit)?;
            // Parametric training parameters: optimised angles at small fields, plus
            // perturbations.
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed);
            let mut training = Vec::new();
            for &ht in &cfg.training_fields {
                let m = Tfim::new(chain.n, 1.0, ht, chain.periodic)?;
                let e = Executor::new(m.hamiltonian(), NoiseModel::NONE, Backend::Density)?;
                let h2 = Hva {
                    model: m,
                    layers: chain.layers,
                };
                let t = optimize(&h2, &e, &Objective::Ideal, &[], 4000)?.theta;
                for _ in 0..cfg.perturbations {
                    training.push(t.iter().map(|x| x + rng.random_range(-0.1..0.1)).collect());
                }
                training.push(t);
            }
            let family = Family {
                hva,
                theta: theta.clone(),
                training,
            };
            let methods = study_methods(cfg);
            let shot_p2 = cfg.shots.map(|_| {
                cfg.p2s
                    .iter()
                    .copied()
                    .min_by(|a, b| (a - 0.01).abs().total_cmp(&(b - 0.01).abs()))
                    .unwrap_or(0.01)
            });
            for &p2 in &cfg.p2s {
                let noise = NoiseModel::depolarizing(cfg.p1_ratio * p2, p2)?;
                let exec = Executor::new(model.hamiltonian(), noise, Backend::Density)?;
                let noisy = exec.noisy(&circuit)?;
                let at_shots: Vec<(Executor, f64)> = match (cfg.shots, shot_p2) {
                    (Some(seed), Some(sp)) if sp == p2 => STUDY_SHOTS
                        .iter()
                        .map(|&n| {
                            let e = Executor::new(model.hamiltonian(), noise, Backend::Density)?
                                .with_shots(Shots {
                                    per_circuit: n,
                                    seed,
                                })?;
                            let se = e.noisy_estimate(&circuit)?.std_err;
                            Ok((e, se))
                        })
                        .collect::<Result<_, MitigateError>>()?,
                    _ => Vec::new(),
                };
                let mut push = |name: &str, method: Option<&Method>| -> Result<(), MitigateError> {
                    let (mitigated, circuits) = match method {
                        None => (noisy, 1),
                        Some(m) => {
                            let o = m.run(&circuit, &exec, Some(&family))?;
                            (o.value, o.circuits)
                        }
                    };
                    let mut shots = Vec::new();
                    for (e, noisy_se) in &at_shots {
                        let (value, se) = match method {
                            None => {
                                let est = e.noisy_estimate(&circuit)?;
                                (est.mean, est.std_err)
                            }
                            Some(m) => {
                                let o = run_method(m, &circuit, e, Some(&family))?;
                                (o.value, o.std_error.unwrap_or(0.0))
                            }
                        };
                        shots.push(ShotColumns {
                            shots: e.shots().map_or(0, |s| s.per_circuit),
                            mitigated: value,
                            std_error: se,
                            variance_amplification: (se / noisy_se).powi(2),
                        });
                    }
                    let error = (mitigated - ideal).abs();
                    rows.push(StudyRow {
                        n: chain.n,
                        periodic: chain.periodic,
                        h,
                        p2,
                        method: name.to_string(),
                        ground,
                        ideal,
                        noisy,
                        mitigated,
                        error,
                        reduction: (noisy - ideal).abs() / error,
                        circuits,
                        shots,
                    });
                    Ok(())
                };
                push("noisy", None)?;
                for (name, m) in &methods {
                    push(name, Some(m))?;
                }
                progress(&rows);
            }
        }
    }
    Ok(rows)
}
