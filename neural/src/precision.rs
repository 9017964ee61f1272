//! The arithmetic of a local network's forward pass: `f32` (the default, as trained) or
//! `bf16` (bfloat16 weights and activations; oneDNN's convolutions accumulate in `f32`).
//!
//! On a CPU with AVX-512 BF16 (AMD Zen 4, Intel Sapphire Rapids and later) `bf16` runs the
//! local network 1.6x (L = 16) to 2x (L = 32) faster than `f32` (criterion, one thread, with
//! [`super::runtime`]'s settings); on other CPUs libtorch emulates it, which was not measured
//! here and may be slower than `f32`. Its posteriors differ from `f32`'s by bfloat16's rounding
//! (8 significant bits), so a few shots in a thousand decode differently; the logits are turned
//! into probabilities in `f32` either way (see [`super::local::LocalNet::posteriors`]).

use std::fmt;
use std::str::FromStr;

use tch::Kind;

use super::NeuralError;

/// Precision of the network's weights and activations at inference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// 32-bit floats, as the network was trained.
    #[default]
    F32,
    /// bfloat16 weights and activations.
    Bf16,
}

impl Precision {
    /// The tensor kind of this precision.
    pub fn kind(self) -> Kind {
        match self {
            Precision::F32 => Kind::Float,
            Precision::Bf16 => Kind::BFloat16,
        }
    }
}

impl FromStr for Precision {
    type Err = NeuralError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "f32" => Ok(Precision::F32),
            "bf16" => Ok(Precision::Bf16),
            other => Err(NeuralError::InvalidConfig(format!(
                "precision '{other}': expected f32 or bf16"
            ))),
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_both_precisions() {
        for p in [Precision::F32, Precision::Bf16] {
            assert_eq!(p.to_string().parse::<Precision>().unwrap(), p);
        }
        assert_eq!(Precision::default(), Precision::F32);
        let err = "fp16".parse::<Precision>().unwrap_err().to_string();
        assert!(
            err.contains("'fp16'") && err.contains("f32 or bf16"),
            "{err}"
        );
    }
}
