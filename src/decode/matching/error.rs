//! Errors of the matching decoder.

use thiserror::Error;

/// Why a matching graph was refused or a shot could not be decoded.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum MatchingError {
    /// An edge weight is NaN or infinite.
    #[error("edge {edge} has weight {weight}; expected a finite number")]
    BadWeight {
        /// Index of the edge in the graph.
        edge: usize,
        /// The weight found.
        weight: f64,
    },
    /// An edge names a detector outside the graph.
    #[error("edge {edge} touches detector {node}, but the graph has {num_detectors} detectors")]
    EdgeOutOfRange {
        /// Index of the edge in the graph.
        edge: usize,
        /// The detector named.
        node: usize,
        /// Number of detectors in the graph.
        num_detectors: usize,
    },
    /// An edge joins a detector to itself.
    #[error("edge {edge} joins detector {node} to itself")]
    SelfLoop {
        /// Index of the edge in the graph.
        edge: usize,
        /// The detector.
        node: usize,
    },
    /// The graph has 2^31 or more detectors, or 2^32 or more edges.
    #[error("the matching graph is too large (at most 2^31 - 1 detectors and 2^32 - 1 edges)")]
    GraphTooLarge,
    /// The total weight does not fit the fixed integer resolution.
    #[error("the sum of absolute edge weights exceeds 2^34; weights this large are not supported")]
    WeightsTooLarge,
    /// Per-shot weights of the wrong length.
    #[error("{found} edge weights given for a graph of {expected} edges")]
    WeightCount {
        /// Number of edges of the graph.
        expected: usize,
        /// Number of weights given.
        found: usize,
    },
    /// A reweighting names an edge outside the graph.
    #[error("weight given for edge {edge}, but the graph has {num_edges} edges")]
    NoSuchEdge {
        /// The edge named.
        edge: usize,
        /// Number of edges of the graph.
        num_edges: usize,
    },
    /// A detection event names a detector outside the graph.
    #[error("detection event on detector {detector}, but the graph has {num_detectors} detectors")]
    DetectorOutOfRange {
        /// The detector named.
        detector: usize,
        /// Number of detectors in the graph.
        num_detectors: usize,
    },
    /// A connected component without a boundary holds an odd number of detection events, so no
    /// perfect matching exists.
    #[error(
        "no perfect matching: the component of detector {detector} has no boundary and an odd \
         number of detection events"
    )]
    OddComponent {
        /// A detector of the offending component that carries a detection event.
        detector: usize,
    },
}
