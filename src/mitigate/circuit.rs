//! Circuit intermediate representation: gates, operations, circuits, inverse and moments.
//!
//! Qubit `q` of a circuit is bit `q` of a basis-state index (little-endian) in every simulator of
//! this module. Gate matrices follow OpenQASM 2 `qelib1.inc` up to a global phase, which no
//! density matrix or expectation value can see: `rz(l) = diag(e^{-il/2}, e^{il/2})`,
//! `rx(t) = exp(-i t X / 2)`, `ry(t) = exp(-i t Y / 2)`, `rzz(t) = exp(-i t Z⊗Z / 2)`,
//! `u3(t, p, l) = Rz(p) Ry(t) Rz(l)`.

use super::MitigateError;
use num_complex::Complex64;

/// A gate of the supported set (the `qelib1.inc` subset named in the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gate {
    /// The identity (`id`): an idle slot. It occupies its qubit's moment (so dynamical
    /// decoupling sequences keep their timing) but carries no gate noise; idle noise acts on it.
    I,
    /// Pauli X.
    X,
    /// Pauli Y.
    Y,
    /// Pauli Z.
    Z,
    /// Hadamard.
    H,
    /// Phase gate diag(1, i).
    S,
    /// Inverse phase gate diag(1, -i).
    Sdg,
    /// T gate diag(1, e^{i pi/4}).
    T,
    /// Inverse T gate.
    Tdg,
    /// X rotation exp(-i theta X / 2).
    Rx(f64),
    /// Y rotation exp(-i theta Y / 2).
    Ry(f64),
    /// Z rotation exp(-i theta Z / 2).
    Rz(f64),
    /// Generic single-qubit gate u3(theta, phi, lambda).
    U3(f64, f64, f64),
    /// Controlled NOT (first qubit controls).
    Cx,
    /// Controlled Z.
    Cz,
    /// Swap.
    Swap,
    /// ZZ rotation exp(-i theta Z⊗Z / 2).
    Rzz(f64),
}

impl Gate {
    /// Number of qubits the gate acts on (1 or 2).
    pub fn arity(&self) -> usize {
        match self {
            Gate::Cx | Gate::Cz | Gate::Swap | Gate::Rzz(_) => 2,
            _ => 1,
        }
    }

    /// The OpenQASM 2 name of the gate.
    pub fn name(&self) -> &'static str {
        match self {
            Gate::I => "id",
            Gate::X => "x",
            Gate::Y => "y",
            Gate::Z => "z",
            Gate::H => "h",
            Gate::S => "s",
            Gate::Sdg => "sdg",
            Gate::T => "t",
            Gate::Tdg => "tdg",
            Gate::Rx(_) => "rx",
            Gate::Ry(_) => "ry",
            Gate::Rz(_) => "rz",
            Gate::U3(..) => "u3",
            Gate::Cx => "cx",
            Gate::Cz => "cz",
            Gate::Swap => "swap",
            Gate::Rzz(_) => "rzz",
        }
    }

    /// The gate's parameters, in OpenQASM order.
    pub fn params(&self) -> Vec<f64> {
        match *self {
            Gate::Rx(t) | Gate::Ry(t) | Gate::Rz(t) | Gate::Rzz(t) => vec![t],
            Gate::U3(t, p, l) => vec![t, p, l],
            _ => Vec::new(),
        }
    }

    /// The inverse gate (exact up to a global phase).
    pub fn inverse(&self) -> Gate {
        match *self {
            Gate::S => Gate::Sdg,
            Gate::Sdg => Gate::S,
            Gate::T => Gate::Tdg,
            Gate::Tdg => Gate::T,
            Gate::Rx(t) => Gate::Rx(-t),
            Gate::Ry(t) => Gate::Ry(-t),
            Gate::Rz(t) => Gate::Rz(-t),
            Gate::Rzz(t) => Gate::Rzz(-t),
            Gate::U3(t, p, l) => Gate::U3(-t, -l, -p),
            g => g,
        }
    }

    /// The 2x2 unitary of a one-qubit gate, row-major `[u00, u01, u10, u11]`; `None` for
    /// two-qubit gates.
    pub fn matrix1(&self) -> Option<[Complex64; 4]> {
        let c = |re: f64, im: f64| Complex64::new(re, im);
        let r = std::f64::consts::FRAC_1_SQRT_2;
        let m = match *self {
            Gate::I => [c(1., 0.), c(0., 0.), c(0., 0.), c(1., 0.)],
            Gate::X => [c(0., 0.), c(1., 0.), c(1., 0.), c(0., 0.)],
            Gate::Y => [c(0., 0.), c(0., -1.), c(0., 1.), c(0., 0.)],
            Gate::Z => [c(1., 0.), c(0., 0.), c(0., 0.), c(-1., 0.)],
            Gate::H => [c(r, 0.), c(r, 0.), c(r, 0.), c(-r, 0.)],
            Gate::S => [c(1., 0.), c(0., 0.), c(0., 0.), c(0., 1.)],
            Gate::Sdg => [c(1., 0.), c(0., 0.), c(0., 0.), c(0., -1.)],
            Gate::T => [c(1., 0.), c(0., 0.), c(0., 0.), c(r, r)],
            Gate::Tdg => [c(1., 0.), c(0., 0.), c(0., 0.), c(r, -r)],
            Gate::Rx(t) => {
                let (s, co) = (t / 2.).sin_cos();
                [c(co, 0.), c(0., -s), c(0., -s), c(co, 0.)]
            }
            Gate::Ry(t) => {
                let (s, co) = (t / 2.).sin_cos();
                [c(co, 0.), c(-s, 0.), c(s, 0.), c(co, 0.)]
            }
            Gate::Rz(t) => {
                let e = Complex64::from_polar(1., t / 2.);
                [e.conj(), c(0., 0.), c(0., 0.), e]
            }
            Gate::U3(t, p, l) => {
                let (s, co) = (t / 2.).sin_cos();
                [
                    c(co, 0.),
                    -Complex64::from_polar(s, l),
                    Complex64::from_polar(s, p),
                    Complex64::from_polar(co, p + l),
                ]
            }
            Gate::Cx | Gate::Cz | Gate::Swap | Gate::Rzz(_) => return None,
        };
        Some(m)
    }

    /// Whether the gate is a Clifford gate (used by CDR to recognise near-Clifford circuits).
    pub fn is_clifford(&self) -> bool {
        let quarter = |t: f64| {
            let k = t / std::f64::consts::FRAC_PI_2;
            (k - k.round()).abs() < 1e-9
        };
        match *self {
            Gate::T | Gate::Tdg => false,
            Gate::Rx(t) | Gate::Ry(t) | Gate::Rz(t) | Gate::Rzz(t) => quarter(t),
            Gate::U3(t, p, l) => quarter(t) && quarter(p) && quarter(l),
            _ => true,
        }
    }
}

/// One gate applied to specific qubits. For a one-qubit gate only `qubits[0]` is used.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Op {
    /// The gate.
    pub gate: Gate,
    /// Target qubits (control first for `cx`).
    pub qubits: [usize; 2],
}

impl Op {
    /// A one-qubit operation.
    pub fn one(gate: Gate, q: usize) -> Op {
        debug_assert_eq!(gate.arity(), 1);
        Op {
            gate,
            qubits: [q, q],
        }
    }

    /// A two-qubit operation.
    pub fn two(gate: Gate, a: usize, b: usize) -> Op {
        debug_assert_eq!(gate.arity(), 2);
        Op {
            gate,
            qubits: [a, b],
        }
    }

    /// The qubits the operation touches.
    pub fn targets(&self) -> &[usize] {
        &self.qubits[..self.gate.arity()]
    }

    /// The inverse operation.
    pub fn inverse(&self) -> Op {
        Op {
            gate: self.gate.inverse(),
            qubits: self.qubits,
        }
    }
}

/// A circuit: a number of qubits and a sequence of operations (no measurements; observables are
/// evaluated on the final state).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Circuit {
    /// Number of qubits.
    pub num_qubits: usize,
    /// Operations in time order.
    pub ops: Vec<Op>,
}

impl Circuit {
    /// An empty circuit on `num_qubits` qubits.
    pub fn new(num_qubits: usize) -> Circuit {
        Circuit {
            num_qubits,
            ops: Vec::new(),
        }
    }

    /// Appends an operation.
    pub fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    /// The inverse circuit: reversed order, each operation inverted.
    pub fn inverse(&self) -> Circuit {
        Circuit {
            num_qubits: self.num_qubits,
            ops: self.ops.iter().rev().map(Op::inverse).collect(),
        }
    }

    /// Groups the operations into moments with Cirq's `EARLIEST` insertion strategy: each
    /// operation goes into the moment right after the last moment that touches one of its qubits.
    /// Returns, per moment, the indices of its operations in insertion order.
    pub fn moments(&self) -> Vec<Vec<usize>> {
        let mut last = vec![0usize; self.num_qubits];
        let mut moments: Vec<Vec<usize>> = Vec::new();
        for (i, op) in self.ops.iter().enumerate() {
            let m = op.targets().iter().map(|&q| last[q]).max().unwrap_or(0);
            if moments.len() <= m {
                moments.push(Vec::new());
            }
            moments[m].push(i);
            for &q in op.targets() {
                last[q] = m + 1;
            }
        }
        moments
    }

    /// The moments with, for each, the qubits idle in it: those no operation other than the
    /// identity touches (every qubit of the register counts, as idle noise acts on all).
    pub fn moments_with_idle(&self) -> Vec<(Vec<usize>, Vec<usize>)> {
        self.moments()
            .into_iter()
            .map(|m| {
                let mut busy = vec![false; self.num_qubits];
                for &i in &m {
                    if self.ops[i].gate != Gate::I {
                        for &q in self.ops[i].targets() {
                            busy[q] = true;
                        }
                    }
                }
                let idle = (0..self.num_qubits).filter(|&q| !busy[q]).collect();
                (m, idle)
            })
            .collect()
    }

    /// The same circuit with its operations reordered moment by moment (Cirq's
    /// `all_operations()` order after building the circuit with `EARLIEST`). The unitary is
    /// unchanged; operations are only moved past operations on other qubits.
    pub fn in_moment_order(&self) -> Circuit {
        Circuit {
            num_qubits: self.num_qubits,
            ops: self
                .moments()
                .into_iter()
                .flatten()
                .map(|i| self.ops[i])
                .collect(),
        }
    }

    /// Checks every operation's qubits are in range and distinct, and every angle is finite.
    pub fn validate(&self) -> Result<(), MitigateError> {
        for (i, op) in self.ops.iter().enumerate() {
            for &q in op.targets() {
                if q >= self.num_qubits {
                    return Err(MitigateError::Invalid(format!(
                        "operation {i} ({}) acts on qubit {q}, out of range for a {}-qubit \
                         circuit",
                        op.gate.name(),
                        self.num_qubits
                    )));
                }
            }
            if op.gate.arity() == 2 && op.qubits[0] == op.qubits[1] {
                return Err(MitigateError::Invalid(format!(
                    "operation {i} ({}) acts twice on qubit {}",
                    op.gate.name(),
                    op.qubits[0]
                )));
            }
            if op.gate.params().iter().any(|x| !x.is_finite()) {
                return Err(MitigateError::Invalid(format!(
                    "operation {i} ({}) has a non-finite angle",
                    op.gate.name()
                )));
            }
        }
        Ok(())
    }

    /// Number of one-qubit and two-qubit operations.
    pub fn gate_counts(&self) -> (usize, usize) {
        let two = self.ops.iter().filter(|o| o.gate.arity() == 2).count();
        (self.ops.len() - two, two)
    }
}
