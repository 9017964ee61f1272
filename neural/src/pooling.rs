//! END's equivariant pooling over sites.
//!
//! A translation `t` of the torus permutes the 16 logical classes by an XOR `h(t, s)` that
//! depends on the syndrome `s` (it is the homology class of the cycle `t.T(s) xor T(t.s)`, with
//! `T` the canonical pure error; see `docs/ARCHITECTURE.md`). The trunk is translation
//! equivariant, so its logits at site `x` are the logits for the syndrome seen from `x`,
//! `t_x^{-1}.s`, and describe the class of `t_x^{-1}.e` relative to `T(t_x^{-1}.s)`. Since
//! `label(e) = label(t_x^{-1}.e) xor h(t_x, t_x^{-1}.s)`, the estimate that site `x` makes for
//! class `c` of `e` is its logit for class `c xor h_x`, with `h_x = h(t_x, t_x^{-1}.s)` (the
//! "site XOR", computed by the code next to the sampler). After this un-permutation every site
//! speaks about the same labels, and their mean transforms exactly as the labels do:
//! `pool(t.s)[c] = pool(s)[c xor h(t, s)]` (the cocycle identity
//! `h(t u, r) = h(t, u.r) xor h(u, r)` makes the re-indexed sums agree).
//!
//! Averaging logits equals averaging per-site log-probabilities: `log_softmax` only subtracts a
//! per-site constant, which shifts all 16 pooled values alike and vanishes in the softmax. So the
//! pooled distribution is the normalised product of the site distributions (a product of
//! experts): every site's evidence counts, and the loss stays a plain, stable cross-entropy on
//! logits. (A mean of probabilities would be a mixture, dominated by the least sure sites.)

use tch::{Device, Kind, Tensor};

/// Number of logical classes of the toric code (4 bits).
pub const NUM_CLASSES: i64 = 16;

/// `(1, 16, 1)` tensor `0..16` on `device`.
fn class_ids(device: Device) -> Tensor {
    Tensor::arange(NUM_CLASSES, (Kind::Int64, device)).view([1, NUM_CLASSES, 1])
}

/// Pools per-site logits `(B, 16, L, L)` into `(B, 16)`: site `x`'s logits are re-indexed as
/// `new[c] = logits[c xor site_xors[b, x]]`, then averaged over the `L*L` sites.
/// `site_xors` is `(B, L*L)` with values `0..16`, sites in row-major order `x = a*L + b`.
pub fn equivariant_pool(site_logits: &Tensor, site_xors: &Tensor) -> Tensor {
    let (b, c, h, w) = site_logits.size4().expect("site logits are (B, 16, L, L)");
    debug_assert_eq!(c, NUM_CLASSES);
    let logits = site_logits.view([b, c, h * w]);
    let xors = site_xors
        .to_device(site_logits.device())
        .to_kind(Kind::Int64)
        .view([b, 1, h * w]);
    let index = class_ids(site_logits.device()).bitwise_xor_tensor(&xors);
    logits.gather(1, &index, false).mean_dim(2, false, None)
}
