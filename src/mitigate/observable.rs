//! Pauli strings and Pauli sums, and their expectation values on simulator states, optionally
//! through a readout-error channel.

use super::noise::Readout;
use super::MitigateError;
use num_complex::Complex64;

/// A Pauli string on up to 64 qubits as X and Z bit masks (Y = both), with no phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PauliString {
    /// Qubits with an X or Y factor.
    pub x: u64,
    /// Qubits with a Z or Y factor.
    pub z: u64,
}

impl PauliString {
    /// The identity.
    pub const IDENTITY: PauliString = PauliString { x: 0, z: 0 };

    /// Builds a string from `(qubit, 'X' | 'Y' | 'Z')` factors.
    pub fn from_factors(factors: &[(usize, char)]) -> Result<PauliString, MitigateError> {
        let mut p = PauliString::IDENTITY;
        for &(q, c) in factors {
            if q >= 64 {
                return Err(MitigateError::Invalid(format!(
                    "Pauli factor on qubit {q}: at most 64 qubits are supported"
                )));
            }
            let b = 1u64 << q;
            if (p.x | p.z) & b != 0 {
                return Err(MitigateError::Invalid(format!(
                    "Pauli string has two factors on qubit {q}"
                )));
            }
            match c.to_ascii_uppercase() {
                'X' => p.x |= b,
                'Z' => p.z |= b,
                'Y' => {
                    p.x |= b;
                    p.z |= b
                }
                'I' => {}
                other => {
                    return Err(MitigateError::Invalid(format!(
                        "unknown Pauli '{other}' (expected I, X, Y or Z)"
                    )))
                }
            }
        }
        Ok(p)
    }

    /// Pauli `k` (0 = I, 1 = X, 2 = Y, 3 = Z) on qubit `q` (< 64).
    pub fn single(q: usize, k: u32) -> PauliString {
        let b = 1u64 << q;
        match k {
            1 => PauliString { x: b, z: 0 },
            2 => PauliString { x: b, z: b },
            3 => PauliString { x: 0, z: b },
            _ => PauliString::IDENTITY,
        }
    }

    /// Two-qubit Pauli `k` in 0..16: factor `k >> 2` on qubit `a`, `k & 3` on qubit `b` (as in
    /// [`PauliString::single`]).
    pub fn pair(a: usize, b: usize, k: u32) -> PauliString {
        let (pa, pb) = (
            PauliString::single(a, k >> 2),
            PauliString::single(b, k & 3),
        );
        PauliString {
            x: pa.x | pb.x,
            z: pa.z | pb.z,
        }
    }

    /// Qubits the string acts on non-trivially.
    pub fn support(&self) -> u64 {
        self.x | self.z
    }

    /// Number of Y factors.
    pub fn num_y(&self) -> u32 {
        (self.x & self.z).count_ones()
    }

    /// The phase `<c ^ x| P |c>` of the string on basis state `c`: `i^{#Y} (-1)^{|c & z|}`.
    #[inline(always)]
    pub fn phase(&self, c: usize) -> Complex64 {
        let sign = if (c as u64 & self.z).count_ones() & 1 == 1 {
            -1.0
        } else {
            1.0
        };
        match self.num_y() & 3 {
            0 => Complex64::new(sign, 0.0),
            1 => Complex64::new(0.0, sign),
            2 => Complex64::new(-sign, 0.0),
            _ => Complex64::new(0.0, -sign),
        }
    }

    /// The string restricted to the qubits in `mask`.
    pub fn restrict(&self, mask: u64) -> PauliString {
        PauliString {
            x: self.x & mask,
            z: self.z & mask,
        }
    }

    /// Highest qubit index acted on, plus one (0 for the identity).
    pub fn width(&self) -> usize {
        64 - self.support().leading_zeros() as usize
    }
}

/// A real linear combination of Pauli strings (a Hermitian observable).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PauliSum {
    /// `(coefficient, string)` terms.
    pub terms: Vec<(f64, PauliString)>,
}

/// A simulator state on which Pauli expectation values can be evaluated exactly.
pub trait PauliExpectation {
    /// Number of qubits of the state.
    fn num_qubits(&self) -> usize;
    /// `<P>` for one Pauli string (real part; the imaginary part vanishes for Hermitian P).
    fn expect_string(&self, p: &PauliString) -> f64;
}

impl PauliSum {
    /// Adds a term.
    pub fn push(&mut self, coeff: f64, p: PauliString) {
        self.terms.push((coeff, p));
    }

    /// Number of qubits the sum needs (highest index plus one).
    pub fn width(&self) -> usize {
        self.terms.iter().map(|t| t.1.width()).max().unwrap_or(0)
    }

    /// `<H>` on a state without readout error.
    pub fn expectation<S: PauliExpectation + ?Sized>(&self, state: &S) -> f64 {
        self.terms
            .iter()
            .map(|(c, p)| c * state.expect_string(p))
            .sum()
    }

    /// `<H>` as estimated from measurements through an independent per-qubit readout channel:
    /// each measured bit flips 0 -> 1 with `p01` and 1 -> 0 with `p10`. Each string is measured
    /// in its own eigenbasis, so for a string with support `S` the estimate is
    /// `sum over T ⊆ S of (p10 - p01)^{|S \ T|} (1 - p01 - p10)^{|T|} <P_T>`.
    pub fn expectation_with_readout<S: PauliExpectation + ?Sized>(
        &self,
        state: &S,
        readout: &Readout,
    ) -> f64 {
        if readout.is_ideal() {
            return self.expectation(state);
        }
        let a = readout.p10 - readout.p01;
        let b = 1.0 - readout.p01 - readout.p10;
        let mut total = 0.0;
        for (c, p) in &self.terms {
            let s = p.support();
            let w = s.count_ones() as i32;
            // Enumerate subsets T of S.
            let mut t = s;
            loop {
                let k = t.count_ones() as i32;
                let weight = a.powi(w - k) * b.powi(k);
                if weight != 0.0 {
                    total += c * weight * state.expect_string(&p.restrict(t));
                }
                if t == 0 {
                    break;
                }
                t = (t - 1) & s;
            }
        }
        total
    }

    /// Parses a Pauli sum such as `1.0*Z0*Z1 + 0.5*X2 - Y0*Y1` (coefficient optional, factors
    /// `X`/`Y`/`Z` followed by a qubit index, joined by `*`).
    pub fn parse(text: &str) -> Result<PauliSum, MitigateError> {
        let mut sum = PauliSum::default();
        // Split before every sign that is not an exponent sign ("1e-3").
        let mut pieces = vec![String::new()];
        let mut prev = ' ';
        for ch in text.chars() {
            if (ch == '+' || ch == '-') && !matches!(prev, 'e' | 'E') {
                pieces.push(if ch == '-' { "-".into() } else { String::new() });
            } else {
                pieces.last_mut().expect("non-empty").push(ch);
            }
            if !ch.is_whitespace() {
                prev = ch;
            }
        }
        for (k, raw) in pieces.iter().enumerate() {
            let term = raw.trim();
            if term.is_empty() {
                if k == 0 {
                    continue;
                }
                return Err(MitigateError::Invalid(format!(
                    "empty term in Pauli sum '{text}'"
                )));
            }
            let (neg, term) = match term.strip_prefix('-') {
                Some(t) => (true, t.trim()),
                None => (false, term),
            };
            let mut coeff = 1.0;
            let mut factors = Vec::new();
            for f in term.split('*').map(str::trim) {
                let mut chars = f.chars();
                match chars.next() {
                    Some(c @ ('X' | 'Y' | 'Z' | 'x' | 'y' | 'z')) => {
                        let q: usize = chars.as_str().parse().map_err(|_| {
                            MitigateError::Invalid(format!(
                                "in Pauli sum term '{term}': expected a qubit index after \
                                 '{c}', found '{}'",
                                chars.as_str()
                            ))
                        })?;
                        factors.push((q, c));
                    }
                    _ => {
                        coeff *= f.parse::<f64>().map_err(|_| {
                            MitigateError::Invalid(format!(
                                "in Pauli sum term '{term}': expected a number or a Pauli \
                                 factor like Z3, found '{f}'"
                            ))
                        })?;
                    }
                }
            }
            sum.push(
                if neg { -coeff } else { coeff },
                PauliString::from_factors(&factors)?,
            );
        }
        if sum.terms.is_empty() {
            return Err(MitigateError::Invalid("empty Pauli sum".into()));
        }
        Ok(sum)
    }
}
