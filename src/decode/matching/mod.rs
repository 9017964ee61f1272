//! Minimum-weight perfect matching decoder.
//!
//! - [`graph`]: the matching graph (detectors, weighted edges, boundary), the contract with
//!   graph construction.
//! - [`paths`]: integer-cost shortest paths on the detector graph.
//! - [`blossom`]: exact minimum-cost perfect matching with boundary (primal-dual blossom).
//! - [`matcher`]: the decoder that ties them together, with an optimality certificate over all
//!   pairs of detection events.

pub mod blossom;
pub mod error;
pub mod graph;
pub mod matcher;
pub mod paths;

pub use error::MatchingError;
pub use graph::{GraphEdge, MatchingGraph};
pub use matcher::{Matcher, Matching, Workspace};
