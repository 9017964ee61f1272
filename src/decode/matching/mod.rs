//! Minimum-weight perfect matching decoder.
//!
//! - [`graph`]: the matching graph (detectors, weighted edges, boundary), the contract with
//!   graph construction.
//! - [`from_dem`]: the graph of a Stim detector error model, by PyMatching's rules.
//! - [`paths`]: integer-cost shortest paths on the detector graph.
//! - [`blossom`]: exact minimum-cost perfect matching with boundary (primal-dual blossom).
//! - [`matcher`]: the decoder that ties them together, with an optimality certificate over all
//!   pairs of detection events.
//! - [`correlated`]: correlated (two-pass) matching, PyMatching's `enable_correlations`.
//! - [`decoder`]: [`MwpmDecoder`], the batch [`crate::decode::Decoder`] over a [`Matcher`].

pub(crate) mod blossom;
pub mod correlated;
pub mod decoder;
pub mod error;
pub mod from_dem;
pub mod graph;
pub mod matcher;
pub(crate) mod paths;

pub use decoder::MwpmDecoder;
pub use error::MatchingError;
pub use graph::{GraphEdge, MatchingGraph};
pub use matcher::{EdgeWeights, Matcher, Matching, Workspace};
