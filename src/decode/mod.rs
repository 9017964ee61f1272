//! Decoders: syndromes (detection events) in, predicted observable flips out.

pub mod matching;
