//! The local network: per-qubit posteriors of the X and Z parts of the error from the syndrome,
//! with one set of weights for every torus size.
//!
//! Input `(B, 2, L, L)` as for END ([`super::model`]): channel 0 the vertex detectors, channel 1
//! the plaquette detectors. Output `(B, 4, L, L)` logits: at site `(i, j)`, channel 0 is the X
//! part on edge `h(i, j)`, 1 the X part on `v(i, j)`, 2 the Z part on `h(i, j)`, 3 the Z part on
//! `v(i, j)`. That is exactly the bit order of an error row of `code::toric` (X parts of edges
//! `0..2 L^2`, then Z parts), so a sampled error row *is* the training target.
//!
//! Vertex `(i, j)`, plaquette `(i, j)` and edges `h(i, j)`, `v(i, j)` all move to `(i + a, j + b)`
//! under the translation `t(a, b)`, so storing each at grid cell `(i, j)` makes the translation
//! a cyclic shift of every channel alike. Every layer is a circularly padded convolution or acts
//! per site, with no layer that depends on `L`: translating the syndrome translates the
//! posteriors exactly, and the same weights run on any `L`.
//!
//! Layers: a `k x k` stem (2 -> W), `depth` pre-activation residual blocks
//! `x + a * conv(gelu(conv(gelu(x))))` with a learned scalar `a` per block that starts at 0
//! (so the stack starts as the identity and needs no normalisation, and training and inference
//! compute the same function), then a per-site head `1x1 (W -> W), GELU, 1x1 (W -> 4)`. The
//! receptive field has radius `(k / 2) (1 + 2 depth)` sites.

use tch::nn::{self, Module};
use tch::{Kind, Tensor};

use super::model::ModelConfig;
use super::NeuralError;

/// Output channels: X on `h`, X on `v`, Z on `h`, Z on `v`.
pub const QUBIT_CHANNELS: i64 = 4;

fn circular_conv(vs: nn::Path, c_in: i64, c_out: i64, kernel: i64) -> nn::Conv2D {
    nn::conv2d(
        vs,
        c_in,
        c_out,
        kernel,
        nn::ConvConfig {
            padding: kernel / 2,
            padding_mode: nn::PaddingMode::Circular,
            ..Default::default()
        },
    )
}

/// One residual block `x + gate * conv2(gelu(conv1(gelu(x))))`.
#[derive(Debug)]
struct LocalBlock {
    conv1: nn::Conv2D,
    conv2: nn::Conv2D,
    gate: Tensor,
}

impl Module for LocalBlock {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let h = xs
            .gelu("none")
            .apply(&self.conv1)
            .gelu("none")
            .apply(&self.conv2);
        xs + h * &self.gate
    }
}

/// The local network. Variables live in the `VarStore` it was built on.
#[derive(Debug)]
pub struct LocalNet {
    config: ModelConfig,
    stem: nn::Conv2D,
    blocks: Vec<LocalBlock>,
    head_hidden: nn::Conv2D,
    head_out: nn::Conv2D,
}

impl LocalNet {
    /// Builds the network's variables under `vs` (freshly initialised).
    pub fn new(vs: &nn::Path, config: ModelConfig) -> Result<Self, NeuralError> {
        config.validate()?;
        let (w, k) = (config.width, config.kernel);
        let pointwise = nn::ConvConfig::default();
        let blocks = (0..config.depth)
            .map(|i| {
                let b = vs / "blocks" / i;
                LocalBlock {
                    conv1: circular_conv(&b / "conv1", w, w, k),
                    conv2: circular_conv(&b / "conv2", w, w, k),
                    gate: b.zeros("gate", &[1]),
                }
            })
            .collect();
        Ok(LocalNet {
            config,
            stem: circular_conv(vs / "stem", 2, w, k),
            blocks,
            head_hidden: nn::conv2d(vs / "head_hidden", w, w, 1, pointwise),
            head_out: nn::conv2d(vs / "head_out", w, QUBIT_CHANNELS, 1, pointwise),
        })
    }

    /// The shape this network was built with.
    pub fn config(&self) -> ModelConfig {
        self.config
    }

    /// Per-qubit logits `(B, 4, L, L)` for syndromes `(B, 2, L, L)` (layout in the module docs).
    pub fn logits(&self, syndromes: &Tensor) -> Tensor {
        let mut h = syndromes.apply(&self.stem);
        for block in &self.blocks {
            h = h.apply(block);
        }
        h.gelu("none")
            .apply(&self.head_hidden)
            .gelu("none")
            .apply(&self.head_out)
    }

    /// Per-qubit posterior probabilities `(B, 4, L, L)` (float), without gradients. The
    /// syndromes must have the kind of the weights ([`LocalNet::kind`]); the logits become
    /// probabilities in `f32` whatever that kind is.
    pub fn posteriors(&self, syndromes: &Tensor) -> Tensor {
        tch::no_grad(|| self.logits(syndromes).to_kind(Kind::Float).sigmoid())
    }

    /// The tensor kind of the weights (`Float` as trained, `BFloat16` after
    /// [`super::checkpoint::LoadedModel::set_precision`]).
    pub fn kind(&self) -> Kind {
        self.stem.ws.kind()
    }
}

/// Radius, in sites, of the neighbourhood a posterior depends on.
pub fn receptive_radius(config: ModelConfig) -> i64 {
    (config.kernel / 2) * (1 + 2 * config.depth)
}
