//! Minimum-weight perfect matching decoder.

pub mod graph;
