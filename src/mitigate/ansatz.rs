//! The Hamiltonian-variational ansatz (HVA) for the TFIM chain.
//!
//! From `|0...0>`, `x` then `h` on every qubit prepares `|-->^n`, the ground state of
//! `h sum X` for `h > 0`. Then `p` layers, each `exp(-i gamma_l sum_bonds Z_i Z_j)` (per bond
//! `cx i,j; rz(2 gamma_l) j; cx i,j`) followed by `exp(-i beta_l sum_i X_i)` (per qubit
//! `h; rz(2 beta_l); h`). Parameters are ordered `[gamma_1, beta_1, gamma_2, beta_2, ...]`, the
//! layout of the fixture `tfim4_pbc_h1_hva2`.

use super::circuit::{Circuit, Gate, Op};
use super::tfim::Tfim;
use super::MitigateError;

/// The HVA circuit family for one chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hva {
    /// The chain (its bonds define the ZZ layer).
    pub model: Tfim,
    /// Number of layers.
    pub layers: usize,
}

impl Hva {
    /// Number of parameters (`2 * layers`).
    pub fn num_params(&self) -> usize {
        2 * self.layers
    }

    /// The circuit at parameters `theta`.
    pub fn circuit(&self, theta: &[f64]) -> Result<Circuit, MitigateError> {
        if theta.len() != self.num_params() {
            return Err(MitigateError::Invalid(format!(
                "HVA with {} layers takes {} parameters, found {}",
                self.layers,
                self.num_params(),
                theta.len()
            )));
        }
        let n = self.model.n;
        let mut c = Circuit::new(n);
        for q in 0..n {
            c.push(Op::one(Gate::X, q));
        }
        for q in 0..n {
            c.push(Op::one(Gate::H, q));
        }
        for l in 0..self.layers {
            let (gamma, beta) = (theta[2 * l], theta[2 * l + 1]);
            for (a, b) in self.model.bonds() {
                c.push(Op::two(Gate::Cx, a, b));
                c.push(Op::one(Gate::Rz(2.0 * gamma), b));
                c.push(Op::two(Gate::Cx, a, b));
            }
            for q in 0..n {
                c.push(Op::one(Gate::H, q));
                c.push(Op::one(Gate::Rz(2.0 * beta), q));
                c.push(Op::one(Gate::H, q));
            }
        }
        Ok(c)
    }

    /// A starting point for optimisation: a linear ramp (discretised annealing from the X
    /// ground state towards the ZZ one), `gamma_l = -0.5 s_l sign(J)`, `beta_l = 0.5 (1 - s_l)`
    /// with `s_l = (l + 1/2) / p`.
    pub fn initial_guess(&self) -> Vec<f64> {
        let p = self.layers as f64;
        let mut theta = Vec::with_capacity(self.num_params());
        for l in 0..self.layers {
            let s = (l as f64 + 0.5) / p;
            theta.push(-0.5 * s * self.model.j.signum());
            theta.push(0.5 * (1.0 - s));
        }
        theta
    }
}
