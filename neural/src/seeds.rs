//! Every seed of neural training and evaluation, derived from the run's seed in one place.
//!
//! A run has one user-given seed; each random stream (the batch of a step, its error rate, its
//! torus size, the held-out set, the initial weights, the card's evaluation points) gets its own
//! seed through [`stream_seed`], a SplitMix64 finaliser of (seed, stream). Batches are thus a
//! function of (seed, step): a resumed run sees exactly the batches an uninterrupted one would.

/// SplitMix64 finaliser: derives independent seeds from (seed, index).
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random streams of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// The shots of training step `k`.
    Batch(u64),
    /// The error rate of training step `k` (with a range of `p`).
    ErrorRate(u64),
    /// The torus size of training step `k` (with several sizes).
    Distance(u64),
    /// The fixed held-out set evaluated during training.
    HeldOut,
    /// libtorch's generator for the initial weights.
    Init,
    /// The shots of the card's evaluation at the `k`-th error rate.
    CardPoint(u64),
}

/// The seed of stream `stream` of a run seeded with `seed`.
pub fn stream_seed(seed: u64, stream: Stream) -> u64 {
    match stream {
        Stream::Batch(k) => derive_seed(seed, k),
        Stream::ErrorRate(k) => derive_seed(seed ^ 0x05ee_d0f9, k),
        Stream::Distance(k) => derive_seed(seed ^ 0xd157_a9ce, k),
        Stream::HeldOut => derive_seed(seed, u64::MAX - 1),
        Stream::Init => derive_seed(seed, u64::MAX),
        Stream::CardPoint(k) => derive_seed(seed ^ 0x00ca_7d5e_ed00, k),
    }
}
