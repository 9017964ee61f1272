//! Error mitigation for variational circuits on transverse-field Ising chains.
//!
//! The path: a circuit (read from OpenQASM 2 by [`qasm`], or built by [`ansatz`]) is run on the
//! exact density-matrix simulator ([`density`]) or on Monte-Carlo trajectories
//! ([`statevector`]) under a gate, idle and readout [`noise`] model; expectation values of Pauli
//! sums ([`observable`], e.g. the TFIM Hamiltonian from [`tfim`]), exact or measured with finite
//! shots and readout-error mitigation ([`measure`]), are then mitigated by zero-noise
//! extrapolation ([`zne`], with Mitiq's folding from [`fold`]), layerwise Richardson
//! extrapolation ([`lre`]), probabilistic error cancellation ([`pec`]), dynamical decoupling
//! ([`ddd`]), Clifford data regression ([`cdr`]) or the parametric scheme ([`parametric`]), as a
//! [`method::Method`] names them; [`report::run`] runs a list of them into a [`report::Report`].
//! [`executor`] ties circuits, noise and observables together; [`vqe`] optimises ansatz angles;
//! [`study`] sweeps noise strengths.

pub mod ansatz;
pub mod cdr;
pub mod circuit;
pub mod ddd;
pub mod density;
pub mod executor;
pub mod fold;
mod linalg;
pub mod lre;
pub mod measure;
pub mod method;
pub mod noise;
pub mod observable;
pub mod parametric;
pub mod pec;
pub mod plot;
pub mod qasm;
pub mod report;
pub mod statevector;
pub mod study;
pub mod tfim;
pub mod vqe;
pub mod zne;

use thiserror::Error;

/// Errors of the mitigation module.
#[derive(Debug, Error)]
pub enum MitigateError {
    /// A QASM file could not be parsed.
    #[error("{path}: {error}")]
    Qasm {
        /// The file.
        path: String,
        /// Where and what.
        error: qasm::QasmError,
    },
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The circuit is too wide for the density-matrix simulator.
    #[error(
        "{n} qubits is too many for the density-matrix simulator (at most {max}); use the \
         statevector trajectory simulator instead (--sim trajectories)"
    )]
    TooManyQubits {
        /// Qubits asked for.
        n: usize,
        /// The limit.
        max: usize,
    },
    /// An argument or specification is invalid (the message says which and why).
    #[error("{0}")]
    Invalid(String),
}

/// Reads and parses a QASM file.
pub fn read_qasm_file(path: &std::path::Path) -> Result<circuit::Circuit, MitigateError> {
    let src = std::fs::read_to_string(path).map_err(|error| MitigateError::Io {
        path: path.display().to_string(),
        error,
    })?;
    qasm::parse_qasm(&src).map_err(|error| MitigateError::Qasm {
        path: path.display().to_string(),
        error,
    })
}
