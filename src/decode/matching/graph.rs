//! The matching graph: detectors as nodes, error mechanisms as weighted edges, with a virtual
//! boundary. This is the contract between graph construction (from a Stim DEM or a code) and
//! the MWPM solver.

/// One edge of the matching graph: an error mechanism that flips one detector (a boundary
/// edge, `b == None`) or two, and a set of observables.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphEdge {
    /// First detector.
    pub a: usize,
    /// Second detector, or `None` for an edge to the boundary.
    pub b: Option<usize>,
    /// Probability of the (merged) error mechanism.
    pub probability: f64,
    /// Weight `ln((1 - p) / p)`.
    pub weight: f64,
    /// Observables flipped by the mechanism, as a bit mask (bit k = observable k).
    pub observables: u64,
}

/// A matching graph built by PyMatching's rules (see `docs/ARCHITECTURE.md`): at most one edge
/// per detector pair (parallel mechanisms merged) and at most one boundary edge per detector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchingGraph {
    /// Number of detector nodes (ids `0..num_detectors`).
    pub num_detectors: usize,
    /// Number of observables (at most 64).
    pub num_observables: usize,
    /// The edges.
    pub edges: Vec<GraphEdge>,
}
