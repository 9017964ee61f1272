//! Pauli noise channels and their command-line specification.
//!
//! A [`PauliChannel`] applies, independently to every qubit, X with probability `px`, Y with
//! `py` and Z with `pz` (exclusive events; nothing with `1 - px - py - pz`). Depolarizing noise
//! of strength `p` is X, Y, Z each `p / 3` (the Stim, Cirq, Mitiq convention). Biased noise with
//! bias `eta` is `pz = p * eta / (1 + eta)`, `px = py = p / (2 (1 + eta))`, so that
//! `eta = pz / (px + py)` and `eta = 0.5` is depolarizing.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Errors in noise parameters or their specification.
#[derive(Debug, Error, PartialEq)]
pub enum NoiseError {
    /// A probability outside `[0, 1]` or rates that sum past 1.
    #[error("invalid noise rate: {0}")]
    BadRate(String),
    /// The `--noise` text could not be read.
    #[error("invalid noise spec '{spec}': {reason}. Expected one of: bitflip, phaseflip, depolarizing, biased:eta=ETA, pauli:px=PX,py=PY,pz=PZ")]
    BadSpec {
        /// The text given.
        spec: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The channel has no decomposition into independent X, Y and Z mechanisms.
    #[error("the channel px={px}, py={py}, pz={pz} has no decomposition into independent X, Y, Z errors (too strong for a detector error model)")]
    NotDecomposable {
        /// X rate.
        px: f64,
        /// Y rate.
        py: f64,
        /// Z rate.
        pz: f64,
    },
}

/// An independent, identical single-qubit Pauli channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PauliChannel {
    /// Probability of an X error.
    pub px: f64,
    /// Probability of a Y error.
    pub py: f64,
    /// Probability of a Z error.
    pub pz: f64,
}

fn check_probability(name: &str, p: f64) -> Result<(), NoiseError> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(NoiseError::BadRate(format!(
            "{name} = {p} is not a probability in [0, 1]"
        )))
    }
}

impl PauliChannel {
    /// A channel with explicit rates; each in `[0, 1]` and their sum at most 1.
    pub fn new(px: f64, py: f64, pz: f64) -> Result<Self, NoiseError> {
        check_probability("px", px)?;
        check_probability("py", py)?;
        check_probability("pz", pz)?;
        if px + py + pz > 1.0 + 1e-12 {
            return Err(NoiseError::BadRate(format!(
                "px + py + pz = {} exceeds 1",
                px + py + pz
            )));
        }
        Ok(PauliChannel { px, py, pz })
    }

    /// Probability of any error, `px + py + pz`.
    pub fn total(&self) -> f64 {
        (self.px + self.py + self.pz).min(1.0)
    }

    /// Probability that the X part of the error is present (X or Y): the flip rate seen by
    /// vertex checks.
    pub fn x_part(&self) -> f64 {
        self.px + self.py
    }

    /// Probability that the Z part of the error is present (Z or Y): the flip rate seen by
    /// plaquette checks.
    pub fn z_part(&self) -> f64 {
        self.pz + self.py
    }

    /// Probabilities `(qx, qy, qz)` of three independent X, Y and Z mechanisms whose combination
    /// is exactly this channel (as a detector error model needs them). Exists when the Pauli
    /// eigenvalues `1 - 2 (py + pz)` etc. are positive.
    pub fn independent_xyz(&self) -> Result<[f64; 3], NoiseError> {
        let (lx, ly, lz) = (
            1.0 - 2.0 * (self.py + self.pz),
            1.0 - 2.0 * (self.px + self.pz),
            1.0 - 2.0 * (self.px + self.py),
        );
        if lx <= 0.0 || ly <= 0.0 || lz <= 0.0 {
            return Err(NoiseError::NotDecomposable {
                px: self.px,
                py: self.py,
                pz: self.pz,
            });
        }
        // Independent X(qx), Y(qy), Z(qz) have eigenvalues lambda_X = (1-2qy)(1-2qz), etc.
        let a = (ly * lz / lx).sqrt();
        let b = (lx * lz / ly).sqrt();
        let c = (lx * ly / lz).sqrt();
        let q = |t: f64| ((1.0 - t) / 2.0).max(0.0);
        Ok([q(a), q(b), q(c)])
    }
}

/// A noise family from the command line; with a strength `p` it gives a [`PauliChannel`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NoiseSpec {
    /// X with probability p.
    BitFlip,
    /// Z with probability p.
    PhaseFlip,
    /// X, Y, Z each with probability p / 3.
    Depolarizing,
    /// Z-biased noise with bias `eta = pz / (px + py)`.
    Biased {
        /// The bias.
        eta: f64,
    },
    /// Explicit rates; the strength `p` is not used.
    Pauli {
        /// X rate.
        px: f64,
        /// Y rate.
        py: f64,
        /// Z rate.
        pz: f64,
    },
}

impl NoiseSpec {
    /// The channel of this family at strength `p` (ignored by [`NoiseSpec::Pauli`]).
    pub fn channel(&self, p: f64) -> Result<PauliChannel, NoiseError> {
        if !matches!(self, NoiseSpec::Pauli { .. }) {
            check_probability("p", p)?;
        }
        match *self {
            NoiseSpec::BitFlip => PauliChannel::new(p, 0.0, 0.0),
            NoiseSpec::PhaseFlip => PauliChannel::new(0.0, 0.0, p),
            NoiseSpec::Depolarizing => PauliChannel::new(p / 3.0, p / 3.0, p / 3.0),
            NoiseSpec::Biased { eta } => {
                let side = p / (2.0 * (1.0 + eta));
                PauliChannel::new(side, side, p * eta / (1.0 + eta))
            }
            NoiseSpec::Pauli { px, py, pz } => PauliChannel::new(px, py, pz),
        }
    }

    /// Whether the family takes its strength from `--p`.
    pub fn uses_p(&self) -> bool {
        !matches!(self, NoiseSpec::Pauli { .. })
    }
}

fn parse_params(spec: &str, body: &str, names: &[&str]) -> Result<Vec<f64>, NoiseError> {
    let bad = |reason: String| NoiseError::BadSpec {
        spec: spec.to_string(),
        reason,
    };
    let mut values = vec![None; names.len()];
    for part in body.split(',') {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| bad(format!("expected NAME=VALUE, found '{part}'")))?;
        let idx = names
            .iter()
            .position(|n| *n == k.trim())
            .ok_or_else(|| bad(format!("unknown parameter '{}'", k.trim())))?;
        let x: f64 = v
            .trim()
            .parse()
            .map_err(|_| bad(format!("'{}' is not a number", v.trim())))?;
        if values[idx].replace(x).is_some() {
            return Err(bad(format!("parameter '{}' is given twice", names[idx])));
        }
    }
    names
        .iter()
        .zip(values)
        .map(|(n, v)| v.ok_or_else(|| bad(format!("missing parameter '{n}'"))))
        .collect()
}

impl FromStr for NoiseSpec {
    type Err = NoiseError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        if spec.trim().is_empty() {
            return Err(NoiseError::BadSpec {
                spec: spec.to_string(),
                reason: "the spec is empty".to_string(),
            });
        }
        let (name, body) = spec.split_once(':').unwrap_or((spec, ""));
        let no_params = |s: NoiseSpec| {
            if body.is_empty() {
                Ok(s)
            } else {
                Err(NoiseError::BadSpec {
                    spec: spec.to_string(),
                    reason: format!("'{name}' takes no parameters"),
                })
            }
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "bitflip" | "bit-flip" | "x" => no_params(NoiseSpec::BitFlip),
            "phaseflip" | "phase-flip" | "z" => no_params(NoiseSpec::PhaseFlip),
            "depolarizing" | "depolarising" | "depol" => no_params(NoiseSpec::Depolarizing),
            "biased" => {
                let v = parse_params(spec, body, &["eta"])?;
                if !(v[0].is_finite() && v[0] >= 0.0) {
                    return Err(NoiseError::BadSpec {
                        spec: spec.to_string(),
                        reason: format!("eta must be a non-negative number, found {}", v[0]),
                    });
                }
                Ok(NoiseSpec::Biased { eta: v[0] })
            }
            "pauli" => {
                let v = parse_params(spec, body, &["px", "py", "pz"])?;
                PauliChannel::new(v[0], v[1], v[2])?;
                Ok(NoiseSpec::Pauli {
                    px: v[0],
                    py: v[1],
                    pz: v[2],
                })
            }
            other => Err(NoiseError::BadSpec {
                spec: spec.to_string(),
                reason: format!("unknown noise family '{other}'"),
            }),
        }
    }
}

impl fmt::Display for NoiseSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoiseSpec::BitFlip => write!(f, "bitflip"),
            NoiseSpec::PhaseFlip => write!(f, "phaseflip"),
            NoiseSpec::Depolarizing => write!(f, "depolarizing"),
            NoiseSpec::Biased { eta } => write!(f, "biased:eta={eta}"),
            NoiseSpec::Pauli { px, py, pz } => write!(f, "pauli:px={px},py={py},pz={pz}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_family() {
        assert_eq!("bitflip".parse(), Ok(NoiseSpec::BitFlip));
        assert_eq!("depolarizing".parse(), Ok(NoiseSpec::Depolarizing));
        assert_eq!("biased:eta=10".parse(), Ok(NoiseSpec::Biased { eta: 10.0 }));
        let p: NoiseSpec = "pauli:px=0.01,py=0.02,pz=0.03".parse().unwrap();
        assert_eq!(
            p.channel(0.5).unwrap(),
            PauliChannel::new(0.01, 0.02, 0.03).unwrap()
        );
        for s in [
            "foo",
            "biased",
            "biased:eta=x",
            "pauli:px=0.1",
            "bitflip:p=1",
            "pauli:px=0.6,py=0.6,pz=0",
        ] {
            assert!(s.parse::<NoiseSpec>().is_err(), "{s}");
        }
        assert_eq!(
            NoiseSpec::from_str("biased:eta=10").unwrap().to_string(),
            "biased:eta=10"
        );
    }

    #[test]
    fn channel_conventions() {
        let d = NoiseSpec::Depolarizing.channel(0.3).unwrap();
        assert!((d.px - 0.1).abs() < 1e-15 && (d.py - 0.1).abs() < 1e-15);
        let b = NoiseSpec::Biased { eta: 0.5 }.channel(0.3).unwrap();
        assert!((b.px - 0.1).abs() < 1e-12 && (b.pz - 0.1).abs() < 1e-12);
        assert!(NoiseSpec::BitFlip.channel(1.5).is_err());
        assert!(NoiseSpec::BitFlip.channel(f64::NAN).is_err());
    }

    #[test]
    fn independent_decomposition_reproduces_the_channel() {
        for ch in [
            PauliChannel::new(0.1, 0.0, 0.0).unwrap(),
            PauliChannel::new(0.05, 0.05, 0.05).unwrap(),
            PauliChannel::new(0.01, 0.02, 0.13).unwrap(),
        ] {
            let [qx, qy, qz] = ch.independent_xyz().unwrap();
            // Compose: the net Pauli is X^(x xor y) Z^(y xor z); enumerate the 8 outcomes.
            let mut p = [0.0; 4]; // I, X, Y, Z
            for m in 0..8 {
                let (x, y, z) = (m & 1 == 1, m & 2 == 2, m & 4 == 4);
                let w = [(x, qx), (y, qy), (z, qz)]
                    .iter()
                    .map(|&(on, q)| if on { q } else { 1.0 - q })
                    .product::<f64>();
                let (xp, zp) = (x ^ y, y ^ z);
                p[match (xp, zp) {
                    (false, false) => 0,
                    (true, false) => 1,
                    (true, true) => 2,
                    (false, true) => 3,
                }] += w;
            }
            assert!((p[1] - ch.px).abs() < 1e-12, "{p:?} {ch:?}");
            assert!((p[2] - ch.py).abs() < 1e-12, "{p:?} {ch:?}");
            assert!((p[3] - ch.pz).abs() < 1e-12, "{p:?} {ch:?}");
        }
        assert!(PauliChannel::new(0.5, 0.0, 0.5)
            .unwrap()
            .independent_xyz()
            .is_err());
    }
}
