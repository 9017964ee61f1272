//! Runs circuits and returns expectation values of one observable: noisy (density matrix or
//! trajectories, with the noise model) and ideal (noiseless statevector). Counts the noisy
//! circuits it runs, for the "circuits run" column of reports.

use super::circuit::Circuit;
use super::density::{DensityMatrix, MAX_DENSITY_QUBITS};
use super::noise::NoiseModel;
use super::observable::PauliSum;
use super::statevector::{trajectory_expectation, Estimate, StateVector};
use super::MitigateError;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Evaluates an observable on circuits under a noise model.
#[derive(Debug)]
pub struct Executor {
    /// The observable.
    pub observable: PauliSum,
    /// The noise model of noisy runs.
    pub noise: NoiseModel,
    /// The noisy simulator.
    pub backend: Backend,
    runs: AtomicUsize,
}

impl Executor {
    /// A new executor; checks the noise rates.
    pub fn new(
        observable: PauliSum,
        noise: NoiseModel,
        backend: Backend,
    ) -> Result<Executor, MitigateError> {
        noise.validate()?;
        Ok(Executor {
            observable,
            noise,
            backend,
            runs: AtomicUsize::new(0),
        })
    }

    fn check_width(&self, c: &Circuit) -> Result<(), MitigateError> {
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

    /// Noisy expectation value of one circuit (trajectory mean for the trajectory backend).
    pub fn noisy(&self, c: &Circuit) -> Result<f64, MitigateError> {
        self.check_width(c)?;
        self.runs.fetch_add(1, Ordering::Relaxed);
        match self.backend {
            Backend::Density => {
                let rho = DensityMatrix::simulate(c, &self.noise)?;
                Ok(self
                    .observable
                    .expectation_with_readout(&rho, &self.noise.readout))
            }
            Backend::Trajectories { count, seed } => {
                Ok(trajectory_expectation(c, &self.noise, &self.observable, count, seed)?.mean)
            }
        }
    }

    /// Noisy expectation value with its Monte-Carlo standard error (zero for the exact density
    /// matrix).
    pub fn noisy_estimate(&self, c: &Circuit) -> Result<Estimate, MitigateError> {
        match self.backend {
            Backend::Density => Ok(Estimate {
                mean: self.noisy(c)?,
                std_err: 0.0,
                samples: 1,
            }),
            Backend::Trajectories { count, seed } => {
                self.check_width(c)?;
                self.runs.fetch_add(1, Ordering::Relaxed);
                trajectory_expectation(c, &self.noise, &self.observable, count, seed)
            }
        }
    }

    /// Noisy expectation values of many circuits, in parallel.
    pub fn noisy_batch(&self, cs: &[Circuit]) -> Result<Vec<f64>, MitigateError> {
        cs.par_iter().map(|c| self.noisy(c)).collect()
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
