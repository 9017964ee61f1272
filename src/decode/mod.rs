//! Decoders: syndromes (detection events) in, predicted observable flips out.

pub mod matching;
pub mod ml;
#[cfg(feature = "neural")]
pub mod neural;
