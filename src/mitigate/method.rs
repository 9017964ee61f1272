//! Mitigation methods as `--method` spells them, parsed into the recipes of [`super::zne`] and
//! [`super::cdr`] (or the parametric scheme, which needs the circuit family and is run by the
//! caller).
//!
//! - `zne:<fit>:<scales>[:<folding>[:<seed>]]`: fit `linear`, `richardson`, `poly<k>`, `exp`
//!   (unknown asymptote), `exp0` or `exp@<a>` (known finite asymptote `a`); scales a
//!   comma-separated list of at most [`super::zne::MAX_ZNE_SCALES`] factors, each in
//!   `[1, MAX_SCALE_FACTOR]` ([`super::fold::MAX_SCALE_FACTOR`]); folding `fold-global`
//!   (default), `fold-all` or `fold-random` (its seed defaults to the run's seed).
//! - `cdr[:<n>]`, `vncdr[:<n>]`: Clifford data regression with `n` training circuits (default
//!   20, at most [`MAX_TRAINING_CIRCUITS`]); vnCDR at scales 1, 2, 3 by global folding.
//! - `parametric`.

use super::cdr::{Cdr, MAX_TRAINING_CIRCUITS};
use super::fold::Folding;
use super::zne::{Extrapolation, Zne};
use super::MitigateError;

/// A parsed `--method`.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// Zero-noise extrapolation.
    Zne(Zne),
    /// CDR or vnCDR.
    Cdr(Cdr),
    /// The parametric scheme.
    Parametric,
}

/// Training circuits of `cdr`/`vncdr` without a count.
const DEFAULT_TRAINING_CIRCUITS: usize = 20;

/// Parses a `--method` spec (see the module docs); `seed` is the run's seed, used by CDR's
/// training set and by `fold-random` without its own seed.
pub fn parse_method(spec: &str, seed: u64) -> Result<Method, MitigateError> {
    let bad = |why: String| MitigateError::Invalid(format!("method '{spec}': {why}"));
    if spec.starts_with("zne:") {
        return parse_zne(spec, seed).map(Method::Zne);
    }
    if spec == "parametric" {
        return Ok(Method::Parametric);
    }
    let (name, n) = spec.split_once(':').unwrap_or((spec, ""));
    let scales = match name {
        "cdr" => vec![1.0],
        "vncdr" => vec![1.0, 2.0, 3.0],
        _ => {
            return Err(bad(
                "unknown method (expected zne:..., cdr[:n], vncdr[:n] or parametric)".into(),
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
        ] {
            assert!(parse_method(bad, 0).is_err(), "{bad}");
        }
    }
}
