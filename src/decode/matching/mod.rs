//! Minimum-weight perfect matching decoder.
//!
//! - [`graph`]: the matching graph (detectors, weighted edges, boundary), the contract with
//!   graph construction.
//! - [`from_dem`]: the graph of a Stim detector error model, by PyMatching's rules.
//! - [`paths`]: the detector graph (integer costs) and shortest paths on it.
//! - [`sparse`]: sparse blossom, the exact minimum-weight matching solver.
//! - [`matcher`]: the decoder that ties them together (negative weights, per-shot weights,
//!   corrections).
//! - [`correlated`]: correlated (two-pass) matching, PyMatching's `enable_correlations`.
//! - [`decoder`]: [`MwpmDecoder`], the batch [`crate::decode::Decoder`] over a [`Matcher`].

pub mod correlated;
pub mod decoder;
pub mod error;
pub mod from_dem;
pub mod graph;
pub mod matcher;
pub(crate) mod paths;
pub(crate) mod sparse;

pub use decoder::MwpmDecoder;
pub use error::MatchingError;
pub use graph::{GraphEdge, MatchingGraph};
pub use matcher::{EdgeWeights, Matcher, Matching, Workspace};
