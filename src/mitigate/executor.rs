//! Runs circuits and returns expectation values of one observable: noisy (density matrix or
//! trajectories, with the noise model) and ideal (noiseless statevector). Counts the noisy
//! circuits it runs, for the "circuits run" column of reports.
//!
//! Noisy values are exact by default. [`Executor::with_shots`] makes each one a finite-shot
//! estimate and [`Executor::with_readout_mitigation`] inverts the readout confusion (REM), both
//! through [`super::measure`]. The shots of circuit `i` of a batch come from a stream derived
//! from (shot seed, replicate, the circuit's content, `i`), so results do not depend on the
//! thread count; [`Executor::replicate`] gives an executor with fresh shot streams (the same
//! exact values, cached), which is how methods get standard errors.

use super::circuit::Circuit;
use super::density::{DensityMatrix, MAX_DENSITY_QUBITS};
use super::measure::{
    group_distribution, inverse_confusion, measurement_groups, GroupDistribution, MeasurementGroup,
    MAX_SHOTS,
};
use super::noise::NoiseModel;
use super::observable::{PauliString, PauliSum};
use super::statevector::{trajectory_expectation, Estimate, StateVector};
use super::MitigateError;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How noisy circuits are simulated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    /// Exact density matrix (up to [`MAX_DENSITY_QUBITS`] qubits).
    Density,
    /// Monte-Carlo trajectories on statevectors.
    Trajectories {
        /// Trajectories per circuit.
        count: usize,
        /// Seed (the same streams are reused for every circuit: common random numbers).
        seed: u64,
    },
}

/// Finite-shot measurement: shots per circuit (per measurement group) and a seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shots {
    /// Shots per circuit and commuting group.
    pub per_circuit: u64,
    /// Seed of the shot streams.
    pub seed: u64,
}

impl std::str::FromStr for Shots {
    type Err = MitigateError;

    /// Parses `N[:seed]` (seed 0 when left out).
    fn from_str(spec: &str) -> Result<Shots, MitigateError> {
        let bad = |why: String| MitigateError::Invalid(format!("--shots '{spec}': {why}"));
        let (n, seed) = spec.split_once(':').unwrap_or((spec, "0"));
        let per_circuit: u64 = n
            .trim()
            .parse()
            .map_err(|_| bad(format!("expected a number of shots, found '{n}'")))?;
        if !(1..=MAX_SHOTS).contains(&per_circuit) {
            return Err(bad(format!(
                "{per_circuit} shots: expected 1 to {MAX_SHOTS}"
            )));
        }
        let seed = seed
            .trim()
            .parse()
            .map_err(|_| bad(format!("expected a seed, found '{seed}'")))?;
        Ok(Shots { per_circuit, seed })
    }
}

/// The exact group distributions of circuits already run, by (content hash, REM), shared by
/// an executor and its replicates. Capped at [`CACHE_FLOATS`] numbers.
type Cache = Arc<Mutex<(usize, HashMap<(u64, bool), Arc<Vec<GroupDistribution>>>)>>;

/// The most numbers the distribution cache holds (256 MiB).
const CACHE_FLOATS: usize = 1 << 25;

/// Evaluates an observable on circuits under a noise model.
#[derive(Debug)]
pub struct Executor {
    /// The observable.
    pub observable: PauliSum,
    /// The noise model of noisy runs.
    pub noise: NoiseModel,
    /// The noisy simulator.
    pub backend: Backend,
    shots: Option<Shots>,
    readout_mitigation: bool,
    replicate: u64,
    groups: Vec<MeasurementGroup>,
    cache: Cache,
    runs: AtomicUsize,
}

/// A content hash of a circuit (gate names, parameters' bits, qubits).
fn circuit_hash(c: &Circuit) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    c.num_qubits.hash(&mut h);
    for op in &c.ops {
        op.gate.name().hash(&mut h);
        for p in op.gate.params() {
            p.to_bits().hash(&mut h);
        }
        op.targets().hash(&mut h);
    }
    h.finish()
}

/// SplitMix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Executor {
    /// A new executor with exact values; checks the noise rates.
    pub fn new(
        observable: PauliSum,
        noise: NoiseModel,
        backend: Backend,
    ) -> Result<Executor, MitigateError> {
        noise.validate()?;
        Ok(Executor {
            groups: measurement_groups(&observable),
            observable,
            noise,
            backend,
            shots: None,
            readout_mitigation: false,
            replicate: 0,
            cache: Arc::default(),
            runs: AtomicUsize::new(0),
        })
    }

    /// The same executor with finite shots (density-matrix backend only).
    pub fn with_shots(mut self, shots: Shots) -> Result<Executor, MitigateError> {
        if self.backend != Backend::Density {
            return Err(MitigateError::Invalid(
                "--shots needs the density-matrix simulator (--sim density): the trajectory \
                 simulator already reports a Monte-Carlo standard error"
                    .into(),
            ));
        }
        self.shots = Some(shots);
        Ok(self)
    }

    /// The finite-shot setting, if any.
    pub fn shots(&self) -> Option<Shots> {
        self.shots
    }

    /// Whether measurements are readout-mitigated (REM).
    pub fn readout_mitigated(&self) -> bool {
        self.readout_mitigation
    }

    /// A copy (counting its own circuits) that inverts the readout confusion of every
    /// measurement: REM. An error without readout noise, with a singular confusion matrix or on
    /// the trajectory simulator.
    pub fn with_readout_mitigation(&self) -> Result<Executor, MitigateError> {
        if self.noise.readout.is_ideal() {
            return Err(MitigateError::Invalid(
                "readout-error mitigation (rem) needs readout noise to invert: the noise model \
                 has ro01 = ro10 = 0 (add ro=.. or ro01=..,ro10=.. to --noise)"
                    .into(),
            ));
        }
        inverse_confusion(&self.noise.readout)?;
        if self.backend != Backend::Density {
            return Err(MitigateError::Invalid(
                "readout-error mitigation (rem) needs the density-matrix simulator (--sim \
                 density)"
                    .into(),
            ));
        }
        Ok(self.derived(true, self.replicate))
    }

    /// A copy with the shot streams of replicate `r` (exact values are shared through the
    /// cache; it counts its own circuits).
    pub fn replicate(&self, r: u64) -> Executor {
        self.derived(self.readout_mitigation, r)
    }

    fn derived(&self, readout_mitigation: bool, replicate: u64) -> Executor {
        Executor {
            observable: self.observable.clone(),
            noise: self.noise,
            backend: self.backend,
            shots: self.shots,
            readout_mitigation,
            replicate,
            groups: self.groups.clone(),
            cache: Arc::clone(&self.cache),
            runs: AtomicUsize::new(0),
        }
    }

    /// Checks the observable fits the circuit and the circuit fits the simulator.
    pub fn check_width(&self, c: &Circuit) -> Result<(), MitigateError> {
        if self.observable.width() > c.num_qubits {
            return Err(MitigateError::Invalid(format!(
                "observable acts on {} qubits but the circuit has only {}",
                self.observable.width(),
                c.num_qubits
            )));
        }
        if self.backend == Backend::Density && c.num_qubits > MAX_DENSITY_QUBITS {
            return Err(MitigateError::TooManyQubits {
                n: c.num_qubits,
                max: MAX_DENSITY_QUBITS,
            });
        }
        Ok(())
    }

    /// Whether noisy values go through [`super::measure`] (shots or REM) rather than the exact
    /// readout formula.
    fn measures(&self) -> bool {
        self.shots.is_some() || self.readout_mitigation
    }

    /// The value measured from group distributions: exact, or sampled with the stream of
    /// (`stream`, `index`).
    fn measured(&self, dists: &[GroupDistribution], stream: u64, index: usize) -> Estimate {
        let Some(shots) = self.shots else {
            return Estimate {
                mean: dists.iter().map(GroupDistribution::exact).sum(),
                std_err: 0.0,
                samples: 1,
            };
        };
        let seed = mix(shots.seed ^ mix(self.replicate ^ mix(stream ^ mix(index as u64 + 1))));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let (mut mean, mut var) = (0.0, 0.0);
        for d in dists {
            let (m, se) = d.sample(shots.per_circuit, &mut rng);
            mean += m;
            var += se * se;
        }
        Estimate {
            mean,
            std_err: var.sqrt(),
            samples: shots.per_circuit as usize,
        }
    }

    /// The value of a final noisy state: the exact readout formula, or measured group by group
    /// (shots from the stream of (`stream`, `index`)).
    fn state_value(
        &self,
        rho: &DensityMatrix,
        stream: u64,
        index: usize,
    ) -> Result<Estimate, MitigateError> {
        if self.measures() {
            return Ok(self.measured(&self.distributions(rho)?, stream, index));
        }
        Ok(Estimate {
            mean: self
                .observable
                .expectation_with_readout(rho, &self.noise.readout),
            std_err: 0.0,
            samples: 1,
        })
    }

    /// The group distributions of a final noisy state.
    fn distributions(&self, rho: &DensityMatrix) -> Result<Vec<GroupDistribution>, MitigateError> {
        self.groups
            .iter()
            .map(|g| group_distribution(rho, g, &self.noise.readout, self.readout_mitigation))
            .collect()
    }

    /// The group distributions of circuit `c` (hash `key`), simulated once and then cached
    /// while the cache has room.
    fn cached_distributions(
        &self,
        c: &Circuit,
        key: u64,
    ) -> Result<Arc<Vec<GroupDistribution>>, MitigateError> {
        let k = (key, self.readout_mitigation);
        if let Some(d) = self.cache.lock().expect("cache lock").1.get(&k) {
            return Ok(Arc::clone(d));
        }
        let d = Arc::new(self.distributions(&DensityMatrix::simulate(c, &self.noise)?)?);
        let floats: usize = d.iter().map(|g| 2 * g.probabilities.len()).sum();
        let mut cache = self.cache.lock().expect("cache lock");
        if cache.0 + floats <= CACHE_FLOATS {
            cache.0 += floats;
            cache.1.insert(k, Arc::clone(&d));
        }
        Ok(d)
    }

    /// Noisy estimate of circuit `index` of a batch (trajectory mean for the trajectory
    /// backend, with its standard error; exact values have a zero standard error).
    fn estimate_at(&self, c: &Circuit, index: usize) -> Result<Estimate, MitigateError> {
        self.check_width(c)?;
        self.runs.fetch_add(1, Ordering::Relaxed);
        match self.backend {
            Backend::Density if self.measures() => {
                let key = circuit_hash(c);
                Ok(self.measured(&self.cached_distributions(c, key)?, key, index))
            }
            Backend::Density => {
                self.state_value(&DensityMatrix::simulate(c, &self.noise)?, 0, index)
            }
            Backend::Trajectories { count, seed } => {
                trajectory_expectation(c, &self.noise, &self.observable, count, seed)
            }
        }
    }

    /// Noisy expectation value of one circuit.
    pub fn noisy(&self, c: &Circuit) -> Result<f64, MitigateError> {
        Ok(self.estimate_at(c, 0)?.mean)
    }

    /// Noisy expectation value with its standard error (zero for exact values).
    pub fn noisy_estimate(&self, c: &Circuit) -> Result<Estimate, MitigateError> {
        self.estimate_at(c, 0)
    }

    /// Noisy expectation values of many circuits, in parallel.
    pub fn noisy_batch(&self, cs: &[Circuit]) -> Result<Vec<f64>, MitigateError> {
        cs.par_iter()
            .enumerate()
            .map(|(i, c)| Ok(self.estimate_at(c, i)?.mean))
            .collect()
    }

    /// Noisy estimates of `circuit` with noiseless Pauli corrections: `corrections[k][i]` is
    /// applied right after operation `i` in run `k` (PEC's sampled circuits). Density-matrix
    /// backend; every run gets its own shot stream.
    pub fn noisy_corrected_batch(
        &self,
        circuit: &Circuit,
        corrections: &[Vec<PauliString>],
    ) -> Result<Vec<Estimate>, MitigateError> {
        self.check_width(circuit)?;
        circuit.validate()?;
        if self.backend != Backend::Density {
            return Err(MitigateError::Invalid(
                "PEC needs the density-matrix simulator (--sim density)".into(),
            ));
        }
        let salt = circuit_hash(circuit);
        corrections
            .par_iter()
            .enumerate()
            .map(|(k, corr)| {
                self.runs.fetch_add(1, Ordering::Relaxed);
                let mut rho = DensityMatrix::zero_state(circuit.num_qubits)?;
                for (op, p) in circuit.ops.iter().zip(corr) {
                    rho.apply_noisy(op, &self.noise);
                    if *p != PauliString::IDENTITY {
                        rho.apply_pauli(p);
                    }
                }
                self.state_value(&rho, salt, k)
            })
            .collect()
    }

    /// Noiseless expectation value (statevector, no readout error).
    pub fn ideal(&self, c: &Circuit) -> Result<f64, MitigateError> {
        self.check_width(c)?;
        Ok(self.observable.expectation(&StateVector::simulate(c)?))
    }

    /// Noiseless expectation values of many circuits, in parallel.
    pub fn ideal_batch(&self, cs: &[Circuit]) -> Result<Vec<f64>, MitigateError> {
        cs.par_iter().map(|c| self.ideal(c)).collect()
    }

    /// Noisy circuits run so far.
    pub fn circuits_run(&self) -> usize {
        self.runs.load(Ordering::Relaxed)
    }
}
