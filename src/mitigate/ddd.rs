//! Digital dynamical decoupling (DDD) with Mitiq 1.1.0's rules and insertion
//! (`mitiq.ddd.rules.xx`, `xyxy`, `yy` with the default spacing; `insert_ddd_sequences`).
//!
//! The circuit's moments (Cirq `EARLIEST`) give a mask per qubit (busy where a gate other than
//! the identity acts) over the qubits that have gates. Every idle window of length `L > 1`
//! (including those before a qubit's first and after its last gate) is filled with the rule's
//! sequence of `L` moments: the decoupling gates `G_1..G_k` with `s = (L - k) / (k + 1)`
//! (integer division) identities before, between and after them, and the `r = L - (s (k + 1) +
//! k)` left-over identities added alternately at the front and the back (front first). A window
//! shorter than `k` is left empty. Identities are [`Gate::I`]: they keep the timing and carry
//! idle noise, not gate noise.
//!
//! DDD only helps against noise that the pulses refocus, such as the coherent idle detuning
//! `idle_rz` of the noise model; it needs idle noise to act on.

use super::circuit::{Circuit, Gate, Op};
use super::MitigateError;

/// A decoupling rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// X X.
    Xx,
    /// X Y X Y.
    Xyxy,
    /// Y Y.
    Yy,
}

impl std::str::FromStr for Rule {
    type Err = MitigateError;

    /// `xx`, `xyxy` or `yy`.
    fn from_str(s: &str) -> Result<Rule, MitigateError> {
        match s {
            "xx" => Ok(Rule::Xx),
            "xyxy" => Ok(Rule::Xyxy),
            "yy" => Ok(Rule::Yy),
            o => Err(MitigateError::Invalid(format!(
                "unknown DDD rule '{o}' (expected xx, xyxy or yy)"
            ))),
        }
    }
}

impl std::fmt::Display for Rule {
    /// The rule's name as `ddd:<rule>` spells it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rule::Xx => "xx",
            Rule::Xyxy => "xyxy",
            Rule::Yy => "yy",
        })
    }
}

impl Rule {
    /// The decoupling gates.
    pub fn gates(&self) -> &'static [Gate] {
        match self {
            Rule::Xx => &[Gate::X, Gate::X],
            Rule::Xyxy => &[Gate::X, Gate::Y, Gate::X, Gate::Y],
            Rule::Yy => &[Gate::Y, Gate::Y],
        }
    }

    /// Mitiq's `general_rule(slack_length, gates)` with the default spacing: one gate per
    /// moment, empty when the window is too short.
    pub fn sequence(&self, slack: usize) -> Vec<Gate> {
        let gates = self.gates();
        let k = gates.len();
        if slack < 2 || slack < k {
            return Vec::new();
        }
        let spacing = (slack - k) / (k + 1);
        let remainder = slack - (spacing * (k + 1) + k);
        let mut seq = vec![Gate::I; spacing];
        for &g in gates {
            seq.push(g);
            seq.extend(std::iter::repeat_n(Gate::I, spacing));
        }
        for i in 0..remainder {
            if i % 2 == 1 {
                seq.push(Gate::I);
            } else {
                seq.insert(0, Gate::I);
            }
        }
        seq
    }

    /// Mitiq's `insert_ddd_sequences(circuit, rule)`; the result's operations are in moment
    /// order, so its moments are the moments of the filled circuit.
    pub fn insert(&self, circuit: &Circuit) -> Circuit {
        let mut moments: Vec<Vec<Op>> = circuit
            .moments()
            .into_iter()
            .map(|m| m.into_iter().map(|i| circuit.ops[i]).collect())
            .collect();
        let depth = moments.len();
        let mut used = vec![false; circuit.num_qubits];
        for op in &circuit.ops {
            for &q in op.targets() {
                used[q] = true;
            }
        }
        for q in (0..circuit.num_qubits).filter(|&q| used[q]) {
            let busy: Vec<bool> = moments
                .iter()
                .map(|m| {
                    m.iter()
                        .any(|o| o.gate != Gate::I && o.targets().contains(&q))
                })
                .collect();
            let mut start = 0;
            while start < depth {
                if busy[start] {
                    start += 1;
                    continue;
                }
                let len = busy[start..].iter().take_while(|b| !**b).count();
                for (i, &g) in self.sequence(len).iter().enumerate() {
                    let m = &mut moments[start + i];
                    m.retain(|o| !(o.gate == Gate::I && o.qubits[0] == q));
                    m.push(Op::one(g, q));
                }
                start += len;
            }
        }
        Circuit {
            num_qubits: circuit.num_qubits,
            ops: moments.into_iter().flatten().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_match_mitiq_docstrings() {
        use Gate::{I, X, Y};
        // xx(8): I I X I I X I I; xyxy(9): I X I Y I X I Y I.
        assert_eq!(Rule::Xx.sequence(8), vec![I, I, X, I, I, X, I, I]);
        assert_eq!(Rule::Xyxy.sequence(9), vec![I, X, I, Y, I, X, I, Y, I]);
        assert_eq!(Rule::Yy.sequence(2), vec![Y, Y]);
        // remainder 1 goes to the front: xx(4) has spacing 0, remainder 2: I X X I.
        assert_eq!(Rule::Xx.sequence(4), vec![I, X, X, I]);
        assert!(Rule::Xyxy.sequence(3).is_empty());
        assert!(Rule::Xx.sequence(1).is_empty());
    }
}
