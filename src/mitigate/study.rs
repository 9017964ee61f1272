//! The noise-strength study: mitigated energy error against the two-qubit depolarizing rate
//! for TFIM chains, with every mitigation method side by side.
//!
//! For each chain and field `h`: the HVA angles are optimised noiselessly (VQE), then for each
//! `p2` (with `p1 = p1_ratio * p2`) the noisy energy of the optimised circuit is mitigated by:
//! ZNE (global folding at 1, 2, 3 with linear, Richardson and exponential-to-0 fits; global
//! folding at 1..3 in steps of 0.5 with a quadratic fit; folding all gates at 1, 3, 5 with
//! Richardson; random folding at 1, 2, 3 with Richardson), CDR, vnCDR (global folding 1, 2, 3)
//! and the parametric scheme trained at the optimised angles of small fields (and random
//! perturbations of them). Errors are against the noiseless value of the same circuit, so they
//! measure mitigation alone, not the ansatz's distance to the ground state.

use super::ansatz::Hva;
use super::cdr::Cdr;
use super::executor::{Backend, Executor};
use super::fold::Folding;
use super::noise::NoiseModel;
use super::parametric::Parametric;
use super::tfim::Tfim;
use super::vqe::{optimize, Objective};
use super::zne::{extrapolate, Extrapolation, Zne};
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
            for &p2 in &cfg.p2s {
                let noise = NoiseModel::depolarizing(cfg.p1_ratio * p2, p2)?;
                let exec = Executor::new(model.hamiltonian(), noise, Backend::Density)?;
                let noisy = exec.noisy(&circuit)?;
                let mut push = |method: &str, mitigated: f64, circuits: usize| {
                    let error = (mitigated - ideal).abs();
                    rows.push(StudyRow {
                        n: chain.n,
                        periodic: chain.periodic,
                        h,
                        p2,
                        method: method.to_string(),
                        ground,
                        ideal,
                        noisy,
                        mitigated,
                        error,
                        reduction: (noisy - ideal).abs() / error,
                        circuits,
                    });
                };
                push("noisy", noisy, 1);
                // Global-folding values shared by the global ZNE variants.
                let global_scales = [1.0, 1.5, 2.0, 2.5, 3.0];
                let folded = global_scales
                    .iter()
                    .map(|&s| Folding::Global.apply(&circuit, s))
                    .collect::<Result<Vec<_>, _>>()?;
                let gvals = exec.noisy_batch(&folded)?;
                let pick = |scales: &[f64]| -> Vec<f64> {
                    scales
                        .iter()
                        .map(|s| gvals[global_scales.iter().position(|g| g == s).expect("scale")])
                        .collect()
                };
                for (name, zne) in zne_variants(cfg.seed as u32) {
                    if zne.folding == Folding::Global {
                        let v = extrapolate(zne.extrapolation, &zne.scales, &pick(&zne.scales))?;
                        push(name, v, zne.scales.len());
                    } else {
                        let before = exec.circuits_run();
                        let v = zne.run(&circuit, &exec)?.value;
                        push(name, v, exec.circuits_run() - before);
                    }
                }
                let cdr = Cdr {
                    num_training: cfg.cdr_training,
                    fraction_non_clifford: 0.2,
                    scales: vec![1.0],
                    folding: Folding::Global,
                    seed: cfg.seed,
                };
                let r = cdr.run(&circuit, &exec)?;
                push("cdr", r.value, r.circuits);
                let vn = Cdr {
                    scales: vec![1.0, 2.0, 3.0],
                    ..cdr
                };
                let r = vn.run(&circuit, &exec)?;
                push("vncdr", r.value, r.circuits);
                let family = |t: &[f64]| hva.circuit(t);
                let r = Parametric::default().run(&family, &training, &theta, &exec)?;
                push("parametric", r.value, r.circuits);
                progress(&rows);
            }
        }
    }
    Ok(rows)
}
