//! Mitigation methods as `--method` spells them: the [`Method`] type (parsed with
//! [`parse_method`] or [`str::parse`]), and [`Method::run`], which runs one on a circuit.
//!
//! - `zne:<fit>:<scales>[:<folding>[:<seed>]]`: fit `linear`, `richardson`, `poly<k>`, `exp`
//!   (unknown asymptote), `exp0` or `exp@<a>` (known finite asymptote `a`); scales a
//!   comma-separated list of at most [`super::zne::MAX_ZNE_SCALES`] factors, each in
//!   `[1, MAX_SCALE_FACTOR]` ([`super::fold::MAX_SCALE_FACTOR`]); folding `fold-global`
//!   (default), `fold-all` or `fold-random` (its seed defaults to the run's seed).
//! - `cdr[:<n>]`, `vncdr[:<n>]`: Clifford data regression with `n` training circuits (default
//!   20, at most [`MAX_TRAINING_CIRCUITS`]); vnCDR at scales 1, 2, 3 by global folding.
//! - `parametric` (needs the circuit family: [`Family`]).
//! - `lre:<degree>:<fold_multiplier>[:<chunks>]`: layerwise Richardson extrapolation
//!   ([`super::lre`]).
//! - `pec:<samples>[:<seed>[:global|local]]`: probabilistic error cancellation
//!   ([`super::pec`]; seed defaults to the run's, representation to `global`).
//! - `ddd:xx|xyxy|yy`: digital dynamical decoupling ([`super::ddd`]); needs idle noise.
//! - `rem`: readout-error mitigation of the plain circuit; `rem+<method>` runs any other
//!   method with every measurement readout-mitigated (REM inside ZNE: `rem+zne:linear:1,2,3`).

use super::ansatz::Hva;
use super::cdr::{Cdr, MAX_TRAINING_CIRCUITS};
use super::circuit::Circuit;
use super::ddd::Rule;
use super::executor::{Backend, Executor};
use super::fold::Folding;
use super::lre::Lre;
use super::noise::NoiseModel;
use super::parametric::Parametric;
use super::pec::{Pec, Representation};
use super::tfim::Tfim;
use super::vqe::{optimize, Objective};
use super::zne::{Extrapolation, Zne};
use super::MitigateError;

/// A mitigation method.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// Zero-noise extrapolation.
    Zne(Zne),
    /// CDR or vnCDR.
    Cdr(Cdr),
    /// The parametric scheme.
    Parametric,
    /// Layerwise Richardson extrapolation.
    Lre(Lre),
    /// Probabilistic error cancellation.
    Pec(Pec),
    /// Digital dynamical decoupling.
    Ddd(Rule),
    /// Readout-error mitigation of the plain circuit.
    Rem,
    /// Another method with readout-error mitigation of every measurement.
    WithRem(Box<Method>),
}

/// The seed [`str::parse`] gives methods (the CLI's default `--seed`); [`parse_method`] takes
/// the run's seed instead.
pub const DEFAULT_SEED: u64 = 2024;

impl std::str::FromStr for Method {
    type Err = MitigateError;

    /// [`parse_method`] with [`DEFAULT_SEED`].
    fn from_str(spec: &str) -> Result<Method, MitigateError> {
        parse_method(spec, DEFAULT_SEED)
    }
}

/// A parametric circuit family with its target and training parameters, which the parametric
/// scheme needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// The ansatz.
    pub hva: Hva,
    /// The target angles.
    pub theta: Vec<f64>,
    /// The training angles.
    pub training: Vec<Vec<f64>>,
}

/// Small fields whose optimised angles train the parametric scheme by default.
pub const DEFAULT_TRAINING_FIELDS: [f64; 4] = [0.1, 0.2, 0.3, 0.4];

impl Family {
    /// The training set of the CLI: for each small field, the angles that minimise the
    /// noiseless energy of the same chain at that field (Nelder-Mead from the ansatz's initial
    /// guess, at most 4000 evaluations).
    pub fn train_at_fields(
        hva: Hva,
        theta: Vec<f64>,
        fields: &[f64],
    ) -> Result<Family, MitigateError> {
        let m = hva.model;
        let training = fields
            .iter()
            .map(|&h| {
                let mt = Tfim::new(m.n, m.j, h, m.periodic)?;
                let et = Executor::new(mt.hamiltonian(), NoiseModel::NONE, Backend::Density)?;
                let ht = Hva {
                    model: mt,
                    layers: hva.layers,
                };
                Ok(optimize(&ht, &et, &Objective::Ideal, &[], 4000)?.theta)
            })
            .collect::<Result<Vec<_>, MitigateError>>()?;
        Ok(Family {
            hva,
            theta,
            training,
        })
    }
}

/// The outcome of one method on one circuit.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The mitigated value.
    pub value: f64,
    /// Its standard error, when the method estimates one (PEC).
    pub std_error: Option<f64>,
    /// The one-norm of PEC's representation.
    pub one_norm: Option<f64>,
    /// Circuits run (PEC: sampled circuits).
    pub circuits: usize,
}

/// What the parametric scheme needs and the run lacks.
pub const PARAMETRIC_NEEDS_FAMILY: &str =
    "method 'parametric' needs the circuit family: use --tfim instead of --circuit";

impl Method {
    /// Whether the method (or the one inside `rem+`) is the parametric scheme.
    pub fn needs_family(&self) -> bool {
        match self {
            Method::Parametric => true,
            Method::WithRem(m) => m.needs_family(),
            _ => false,
        }
    }

    /// Runs the method on `circuit` (`family` is used by the parametric scheme only, whose
    /// target is the family's `theta`). Non-finite results are errors.
    pub fn run(
        &self,
        circuit: &Circuit,
        exec: &Executor,
        family: Option<&Family>,
    ) -> Result<Outcome, MitigateError> {
        let start = exec.circuits_run();
        let plain = |value: f64| Outcome {
            value,
            std_error: None,
            one_norm: None,
            circuits: exec.circuits_run() - start,
        };
        let out = match self {
            Method::Zne(zne) => plain(zne.run(circuit, exec)?.value),
            Method::Cdr(cdr) => plain(cdr.run(circuit, exec)?.value),
            Method::Lre(lre) => plain(lre.run(circuit, exec)?.value),
            Method::Parametric => {
                let f =
                    family.ok_or_else(|| MitigateError::Invalid(PARAMETRIC_NEEDS_FAMILY.into()))?;
                let circuit_of = |t: &[f64]| f.hva.circuit(t);
                plain(
                    Parametric::default()
                        .run(&circuit_of, &f.training, &f.theta, exec)?
                        .value,
                )
            }
            Method::Pec(pec) => {
                let r = pec.run(circuit, exec)?;
                Outcome {
                    value: r.value,
                    std_error: Some(r.std_error),
                    one_norm: Some(r.one_norm),
                    circuits: r.samples,
                }
            }
            Method::Ddd(rule) => {
                if !exec.noise.has_idle_noise() {
                    return Err(MitigateError::Invalid(
                        "DDD decouples idle qubits, but the noise model has no idle noise: add \
                         idle=<p> (dephasing) or idle_rz=<angle> (detuning) to --noise"
                            .into(),
                    ));
                }
                plain(exec.noisy(&rule.insert(circuit))?)
            }
            Method::Rem => {
                let rem = exec.with_readout_mitigation()?;
                let value = rem.noisy(circuit)?;
                Outcome {
                    circuits: rem.circuits_run(),
                    ..plain(value)
                }
            }
            Method::WithRem(inner) => {
                inner.run(circuit, &exec.with_readout_mitigation()?, family)?
            }
        };
        if !out.value.is_finite() {
            return Err(MitigateError::Invalid(format!(
                "gave {}, not a finite expectation value",
                out.value
            )));
        }
        Ok(out)
    }
}

/// Training circuits of `cdr`/`vncdr` without a count.
const DEFAULT_TRAINING_CIRCUITS: usize = 20;

/// Parses a `--method` spec (see the module docs); `seed` is the run's seed, used by CDR's
/// training set, PEC's sampling and `fold-random` without a seed of their own.
pub fn parse_method(spec: &str, seed: u64) -> Result<Method, MitigateError> {
    let bad = |why: String| MitigateError::Invalid(format!("method '{spec}': {why}"));
    if let Some(inner) = spec.strip_prefix("rem+") {
        if inner == "rem" || inner.starts_with("rem+") {
            return Err(bad("REM is applied once: write rem+<method>".into()));
        }
        return parse_method(inner, seed)
            .map(|m| Method::WithRem(Box::new(m)))
            .map_err(|e| MitigateError::Invalid(format!("method '{spec}': {e}")));
    }
    if spec.starts_with("zne:") {
        return parse_zne(spec, seed).map(Method::Zne);
    }
    match spec {
        "parametric" => return Ok(Method::Parametric),
        "rem" => return Ok(Method::Rem),
        _ => {}
    }
    let parts: Vec<&str> = spec.split(':').collect();
    let number = |i: usize, what: &str| -> Result<u64, MitigateError> {
        parts[i]
            .trim()
            .parse()
            .map_err(|_| bad(format!("expected {what}, found '{}'", parts[i])))
    };
    match parts[0] {
        "lre" => {
            if !(3..=4).contains(&parts.len()) {
                return Err(bad(
                    "expected lre:<degree>:<fold_multiplier>[:<chunks>]".into()
                ));
            }
            let small = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
            return Ok(Method::Lre(Lre {
                degree: small(number(1, "a degree")?),
                fold_multiplier: small(number(2, "a fold multiplier")?),
                chunks: if parts.len() == 4 {
                    Some(small(number(3, "a number of chunks")?))
                } else {
                    None
                },
            }));
        }
        "pec" => {
            if !(2..=4).contains(&parts.len()) {
                return Err(bad("expected pec:<samples>[:<seed>[:global|local]]".into()));
            }
            let representation = match parts.get(3).copied().unwrap_or("global") {
                "global" => Representation::Global,
                "local" => Representation::Local,
                o => {
                    return Err(bad(format!(
                        "unknown representation '{o}' (expected global or local)"
                    )))
                }
            };
            return Ok(Method::Pec(Pec {
                samples: usize::try_from(number(1, "a number of samples")?).unwrap_or(usize::MAX),
                seed: if parts.len() >= 3 {
                    number(2, "a seed")?
                } else {
                    seed
                },
                representation,
            }));
        }
        "ddd" => {
            if parts.len() != 2 {
                return Err(bad("expected ddd:xx, ddd:xyxy or ddd:yy".into()));
            }
            return parts[1]
                .parse()
                .map(Method::Ddd)
                .map_err(|e| bad(e.to_string()));
        }
        _ => {}
    }
    let (name, n) = spec.split_once(':').unwrap_or((spec, ""));
    let scales = match name {
        "cdr" => vec![1.0],
        "vncdr" => vec![1.0, 2.0, 3.0],
        _ => {
            return Err(bad(
                "unknown method (expected zne:..., cdr[:n], vncdr[:n], parametric, lre:..., \
                 pec:..., ddd:<rule>, rem or rem+<method>)"
                    .into(),
            ))
        }
    };
    let num_training = if spec.contains(':') {
        n.parse::<usize>().map_err(|_| {
            bad(format!(
                "expected a number of training circuits, found '{n}'"
            ))
        })?
    } else {
        DEFAULT_TRAINING_CIRCUITS
    };
    if num_training > MAX_TRAINING_CIRCUITS {
        return Err(bad(format!(
            "{num_training} training circuits: at most {MAX_TRAINING_CIRCUITS} are supported"
        )));
    }
    Ok(Method::Cdr(Cdr {
        num_training,
        fraction_non_clifford: 0.2,
        scales,
        folding: Folding::Global,
        seed,
    }))
}

/// Parses `zne:<fit>:<scales>[:<folding>[:<seed>]]`.
fn parse_zne(spec: &str, seed: u64) -> Result<Zne, MitigateError> {
    let bad = |why: String| MitigateError::Invalid(format!("method '{spec}': {why}"));
    let parts: Vec<&str> = spec.split(':').collect();
    if !(3..=5).contains(&parts.len()) {
        return Err(bad(
            "expected zne:<fit>:<scales>[:<folding>[:<seed>]]".into()
        ));
    }
    let scales = parts[2]
        .split(',')
        .map(|x| {
            x.trim()
                .parse::<f64>()
                .map_err(|_| bad(format!("expected a scale factor, found '{x}'")))
        })
        .collect::<Result<Vec<f64>, MitigateError>>()?;
    let number = |what: &str, text: &str| bad(format!("expected {what}, found '{text}'"));
    let extrapolation = match parts[1] {
        "linear" => Extrapolation::Linear,
        "richardson" => Extrapolation::Richardson,
        "exp" => Extrapolation::Exp {
            asymptote: None,
            order: 1,
        },
        "exp0" => Extrapolation::Exp {
            asymptote: Some(0.0),
            order: 1,
        },
        f if f.starts_with("exp@") => Extrapolation::Exp {
            asymptote: Some(
                f[4..]
                    .parse::<f64>()
                    .ok()
                    .filter(|a| a.is_finite())
                    .ok_or_else(|| number("a finite number after exp@", &f[4..]))?,
            ),
            order: 1,
        },
        f if f.starts_with("poly") => Extrapolation::Poly(
            f[4..]
                .parse()
                .map_err(|_| number("an order after poly", &f[4..]))?,
        ),
        f => {
            return Err(bad(format!(
                "unknown fit '{f}' (expected linear, richardson, poly<k>, exp, exp0, exp@<a>)"
            )))
        }
    };
    let folding = match parts.get(3).copied().unwrap_or("fold-global") {
        "fold-global" => Folding::Global,
        "fold-all" => Folding::All,
        "fold-random" => Folding::Random(match parts.get(4) {
            Some(s) => s.parse().map_err(|_| number("a seed", s))?,
            None => seed as u32,
        }),
        f => {
            return Err(bad(format!(
                "unknown folding '{f}' (expected fold-global, fold-all, fold-random)"
            )))
        }
    };
    if parts.len() == 5 && parts[3] != "fold-random" {
        return Err(bad(format!(
            "only fold-random takes a seed, found '{}'",
            parts[4]
        )));
    }
    let zne = Zne {
        scales,
        folding,
        extrapolation,
    };
    zne.validate().map_err(|e| bad(e.to_string()))?;
    Ok(zne)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_method() {
        let Method::Zne(z) = parse_method("zne:exp@0.5:1,2,3:fold-random:7", 1).unwrap() else {
            panic!()
        };
        assert_eq!(z.folding, Folding::Random(7));
        assert_eq!(z.scales, vec![1.0, 2.0, 3.0]);
        assert_eq!(
            z.extrapolation,
            Extrapolation::Exp {
                asymptote: Some(0.5),
                order: 1
            }
        );
        let Method::Cdr(c) = parse_method("vncdr:30", 4).unwrap() else {
            panic!()
        };
        assert_eq!((c.num_training, c.scales.len(), c.seed), (30, 3, 4));
        let Method::Cdr(c) = parse_method("cdr", 4).unwrap() else {
            panic!()
        };
        assert_eq!(c.num_training, DEFAULT_TRAINING_CIRCUITS);
        assert_eq!(parse_method("parametric", 0).unwrap(), Method::Parametric);
        assert_eq!(
            "lre:2:1:3".parse::<Method>().unwrap(),
            Method::Lre(Lre {
                degree: 2,
                fold_multiplier: 1,
                chunks: Some(3)
            })
        );
        let Method::Pec(p) = parse_method("pec:100", 9).unwrap() else {
            panic!()
        };
        assert_eq!(
            (p.samples, p.seed, p.representation),
            (100, 9, Representation::Global)
        );
        assert_eq!(
            parse_method("rem+ddd:xyxy", 0).unwrap(),
            Method::WithRem(Box::new(Method::Ddd(Rule::Xyxy)))
        );
        assert_eq!(parse_method("rem", 0).unwrap(), Method::Rem);
        for bad in [
            "zne:exp@nan:1,2",
            "zne:exp@inf:1,2",
            "zne:linear:1,1000000000",
            "zne:linear:",
            format!("zne:linear:{}", ["2"; 65].join(",")).as_str(),
            "zne:linear:1,2:fold-all:3",
            "zne:linear",
            "zne:linear:1,2:fold-global:1:2",
            "cdr:",
            "cdr:1000000",
            "cdrx",
            "pca",
            "lre:2",
            "lre:x:1",
            "lre:1:1:2:3",
            "pec",
            "pec:10:1:other",
            "ddd",
            "ddd:zz",
            "rem+rem",
            "rem+",
        ] {
            assert!(parse_method(bad, 0).is_err(), "{bad}");
        }
    }
}
