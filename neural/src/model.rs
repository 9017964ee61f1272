//! The END network: a translation-equivariant trunk on the torus and a per-site class head.
//!
//! Input `(B, 2, L, L)`: channel 0 holds the vertex detectors (detector `i*L + j` at `(i, j)`),
//! channel 1 the plaquette detectors (detector `L*L + i*L + j` at `(i, j)`), as 0/1 floats. So a
//! detector row of the toric code, read as `2*L*L` floats, *is* the input without reshuffling.
//!
//! Every layer commutes with translations of the torus: convolutions use circular padding, batch
//! norm and GELU act per site, and the global-context term of each residual block is a linear map
//! of the mean over sites (translation invariant) broadcast back to every site. The head gives 16
//! class logits per site; [`super::pooling::equivariant_pool`] turns them into one distribution.
//! No layer depends on `L`, so the same weights run on any torus size.

use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT};
use tch::Tensor;

use super::NeuralError;
use crate::pooling::{equivariant_pool, NUM_CLASSES};

/// Shape of the network; stored in the model card so a model file can be rebuilt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Channels of the trunk.
    pub width: i64,
    /// Number of residual blocks (two convolutions each).
    pub depth: i64,
    /// Side of the square convolution kernels (odd).
    pub kernel: i64,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            width: 32,
            depth: 4,
            kernel: 3,
        }
    }
}

impl ModelConfig {
    /// Checks the shape parameters.
    pub fn validate(&self) -> Result<(), NeuralError> {
        if self.width < 1 || self.depth < 0 || self.kernel < 1 || self.kernel % 2 == 0 {
            return Err(NeuralError::InvalidConfig(format!(
                "model needs width >= 1, depth >= 0 and an odd kernel >= 1; got width {}, depth {}, kernel {}",
                self.width, self.depth, self.kernel
            )));
        }
        Ok(())
    }

    /// Smallest torus side the circular padding supports (padding may not exceed the side).
    pub fn min_distance(&self) -> usize {
        (self.kernel / 2).max(1) as usize
    }
}

fn circular_conv(vs: nn::Path, c_in: i64, c_out: i64, kernel: i64) -> nn::Conv2D {
    nn::conv2d(
        vs,
        c_in,
        c_out,
        kernel,
        nn::ConvConfig {
            padding: kernel / 2,
            padding_mode: nn::PaddingMode::Circular,
            bias: false,
            ..Default::default()
        },
    )
}

fn batch_norm(vs: nn::Path, c: i64) -> nn::BatchNorm {
    nn::batch_norm2d(vs, c, Default::default())
}

/// Mean over the sites of a `(B, C, L, L)` tensor, as `(B, C)`.
fn site_mean(xs: &Tensor) -> Tensor {
    xs.mean_dim([2i64, 3].as_slice(), false, None)
}

/// Residual block: conv-BN-(+global context)-GELU-conv-BN, skip connection, GELU.
#[derive(Debug)]
struct ResidualBlock {
    conv1: nn::Conv2D,
    bn1: nn::BatchNorm,
    context: nn::Linear,
    conv2: nn::Conv2D,
    bn2: nn::BatchNorm,
}

impl ResidualBlock {
    fn new(vs: nn::Path, width: i64, kernel: i64) -> Self {
        ResidualBlock {
            conv1: circular_conv(&vs / "conv1", width, width, kernel),
            bn1: batch_norm(&vs / "bn1", width),
            context: nn::linear(&vs / "context", width, width, Default::default()),
            conv2: circular_conv(&vs / "conv2", width, width, kernel),
            bn2: batch_norm(&vs / "bn2", width),
        }
    }
}

impl ModuleT for ResidualBlock {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let ctx = xs.apply(&nn::func(site_mean)).apply(&self.context);
        let h = xs.apply(&self.conv1).apply_t(&self.bn1, train) + ctx.unsqueeze(-1).unsqueeze(-1);
        let h = h.gelu("none").apply(&self.conv2).apply_t(&self.bn2, train);
        (xs + h).gelu("none")
    }
}

/// The END network (trunk + per-site head). Variables live in the `VarStore` it was built on.
#[derive(Debug)]
pub struct EndNet {
    config: ModelConfig,
    stem: nn::Conv2D,
    stem_bn: nn::BatchNorm,
    blocks: Vec<ResidualBlock>,
    head_hidden: nn::Conv2D,
    head_out: nn::Conv2D,
}

impl EndNet {
    /// Builds the network's variables under `vs` (freshly initialised).
    pub fn new(vs: &nn::Path, config: ModelConfig) -> Result<Self, NeuralError> {
        config.validate()?;
        let w = config.width;
        let pointwise = nn::ConvConfig::default();
        Ok(EndNet {
            config,
            stem: circular_conv(vs / "stem", 2, w, config.kernel),
            stem_bn: batch_norm(vs / "stem_bn", w),
            blocks: (0..config.depth)
                .map(|i| ResidualBlock::new(vs / "blocks" / i, w, config.kernel))
                .collect(),
            head_hidden: nn::conv2d(vs / "head_hidden", w, w, 1, pointwise),
            head_out: nn::conv2d(vs / "head_out", w, NUM_CLASSES, 1, pointwise),
        })
    }

    /// The shape this network was built with.
    pub fn config(&self) -> ModelConfig {
        self.config
    }

    /// Per-site class logits `(B, 16, L, L)` for syndromes `(B, 2, L, L)`: the logits at site
    /// `x` are those for the syndrome seen from `x`, i.e. for `t_x^{-1}.s`.
    pub fn site_logits(&self, syndromes: &Tensor, train: bool) -> Tensor {
        let mut h = syndromes
            .apply(&self.stem)
            .apply_t(&self.stem_bn, train)
            .gelu("none");
        for block in &self.blocks {
            h = h.apply_t(block, train);
        }
        h.apply(&self.head_hidden)
            .gelu("none")
            .apply(&self.head_out)
    }

    /// Pooled class logits `(B, 16)`: per-site logits un-permuted by `site_xors` (`(B, L*L)`,
    /// any integer kind) and averaged over sites. Equivariant: see [`super::pooling`].
    pub fn forward(&self, syndromes: &Tensor, site_xors: &Tensor, train: bool) -> Tensor {
        equivariant_pool(&self.site_logits(syndromes, train), site_xors)
    }
}

/// Number of trainable parameters in a var store.
pub fn parameter_count(vs: &nn::VarStore) -> i64 {
    vs.trainable_variables()
        .iter()
        .map(|t| t.numel() as i64)
        .sum()
}
