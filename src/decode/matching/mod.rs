//! Minimum-weight perfect matching decoder.

pub mod from_dem;
pub mod graph;
