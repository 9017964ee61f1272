//! The detector graph: a compressed-sparse-row adjacency structure with integer edge costs
//! (weights scaled by [`WEIGHT_RESOLUTION`]) and every detector's own edge to the boundary,
//! kept up to date when a shot changes some weights.

use super::super::error::MatchingError;
use super::super::graph::MatchingGraph;

/// Integer costs are in units of `1 / WEIGHT_RESOLUTION` (2^-24, about 6e-8), and every edge's
/// cost is rounded to an even number of units (a multiple of 2^-23) so that every event of the
/// sparse blossom solver happens at an integer time. The matching is exactly optimal for these
/// integer costs; the weight reported for a matching is the sum of the original floating-point
/// weights along the chosen paths.
pub const WEIGHT_RESOLUTION: f64 = (1u64 << 24) as f64;

/// Largest total integer cost of all edges; keeps every sum of path costs and doubled duals
/// far from `i64` overflow.
const MAX_TOTAL_COST: i64 = 1 << 58;

/// Marker for "no boundary edge" in `boundary_edge`.
pub const NO_EDGE: u32 = u32::MAX;

/// The detector graph in compressed-sparse-row form, with integer costs `|w|` scaled by
/// [`WEIGHT_RESOLUTION`], and every detector's cheapest own edge to the boundary.
#[derive(Clone, Debug)]
pub struct DetectorGraph {
    /// Per detector `v`: its adjacency slots are `offsets[v]..offsets[v + 1]`.
    pub(super) offsets: Vec<u32>,
    /// Per slot: the neighbour and the edge leading there.
    pub(super) slots: Vec<Slot>,
    /// Per graph edge: observables mask, `|weight|` and its integer cost.
    pub(super) edge_observables: Vec<u64>,
    pub(super) edge_weights: Vec<f64>,
    edge_costs: Vec<i64>,
    /// Per graph edge: its slots in the adjacency lists of its two ends (`u32::MAX` for the
    /// boundary side).
    edge_slots: Vec<[u32; 2]>,
    /// Per graph edge: endpoints (`b == u32::MAX` for boundary edges).
    edge_ends: Vec<(u32, u32)>,
    /// Per detector: its own edge to the boundary ([`NO_EDGE`] if none).
    boundary_edge: Vec<u32>,
}

/// One entry of a detector's adjacency list: what a search reads to relax an edge (16 bytes,
/// so that a toric node's four fit in one cache line). The edge's observables and weight,
/// needed only when a region reaches a node or another region, are looked up by `edge`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Slot {
    /// The detector at the other end.
    pub(crate) neighbour: u32,
    /// The graph edge.
    pub(crate) edge: u32,
    /// Its integer cost.
    pub(crate) cost: i64,
}

/// A detector's own edge to the boundary, as the sparse blossom solver reads it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BoundaryEdge {
    /// Its observables.
    pub(crate) observables: u64,
    /// Its absolute weight.
    pub(crate) weight: f64,
}

/// Rounds a non-negative weight to its integer cost (even, see [`WEIGHT_RESOLUTION`]).
#[inline]
fn integer_cost(weight: f64) -> i64 {
    2 * round_half_away(weight * WEIGHT_RESOLUTION / 2.0)
}

/// `x.round() as i64` (halves away from zero), inline: on x86-64's baseline (no SSE4.1)
/// `f64::round` is a call into libm, and per-shot weights round every edge's weight twice per
/// matching pass. Magnitudes from 2^52 up are integers already (and NaN and infinities go the
/// slow way), so below that `a - trunc(a)` is the exact fractional part.
#[inline]
fn round_half_away(x: f64) -> i64 {
    let a = x.abs();
    if a.is_nan() || a >= 4_503_599_627_370_496.0 {
        return x.round() as i64;
    }
    let t = a as i64;
    let r = t + i64::from(a - t as f64 >= 0.5);
    if x < 0.0 {
        -r
    } else {
        r
    }
}

impl DetectorGraph {
    /// Builds the adjacency structure from the absolute values of the edge weights and computes
    /// every detector's distance to the boundary.
    pub fn new(graph: &MatchingGraph) -> Result<Self, MatchingError> {
        let n = graph.num_detectors;
        if n >= (1 << 31) || graph.edges.len() >= u32::MAX as usize {
            return Err(MatchingError::GraphTooLarge);
        }
        let mut degree = vec![0u32; n + 1];
        let mut total: i64 = 0;
        for (index, e) in graph.edges.iter().enumerate() {
            if !e.weight.is_finite() {
                return Err(MatchingError::BadWeight {
                    edge: index,
                    weight: e.weight,
                });
            }
            let bad_node = if e.a >= n {
                Some(e.a)
            } else {
                e.b.filter(|&b| b >= n)
            };
            if let Some(node) = bad_node {
                return Err(MatchingError::EdgeOutOfRange {
                    edge: index,
                    node,
                    num_detectors: n,
                });
            }
            if e.b == Some(e.a) {
                return Err(MatchingError::SelfLoop {
                    edge: index,
                    node: e.a,
                });
            }
            total = total.saturating_add(integer_cost(e.weight.abs()));
            if total > MAX_TOTAL_COST {
                return Err(MatchingError::WeightsTooLarge);
            }
            if let Some(b) = e.b {
                degree[e.a] += 1;
                degree[b] += 1;
            }
        }
        let mut offsets = vec![0u32; n + 1];
        for v in 0..n {
            offsets[v + 1] = offsets[v] + degree[v];
        }
        let m2 = offsets[n] as usize;
        let mut fill = offsets.clone();
        let mut adjacency = vec![Slot::default(); m2];
        let mut edge_ends = Vec::with_capacity(graph.edges.len());
        let mut edge_slots = Vec::with_capacity(graph.edges.len());
        for (index, e) in graph.edges.iter().enumerate() {
            let cost = integer_cost(e.weight.abs());
            match e.b {
                Some(b) => {
                    let mut ends = [u32::MAX; 2];
                    for (k, (x, y)) in [(e.a, b), (b, e.a)].into_iter().enumerate() {
                        let slot = fill[x] as usize;
                        adjacency[slot] = Slot {
                            neighbour: y as u32,
                            edge: index as u32,
                            cost,
                        };
                        ends[k] = slot as u32;
                        fill[x] += 1;
                    }
                    edge_ends.push((e.a as u32, b as u32));
                    edge_slots.push(ends);
                }
                None => {
                    edge_ends.push((e.a as u32, u32::MAX));
                    edge_slots.push([u32::MAX; 2]);
                }
            }
        }
        let mut g = DetectorGraph {
            offsets,
            slots: adjacency,
            edge_observables: graph.edges.iter().map(|e| e.observables).collect(),
            edge_weights: graph.edges.iter().map(|e| e.weight.abs()).collect(),
            edge_costs: graph
                .edges
                .iter()
                .map(|e| integer_cost(e.weight.abs()))
                .collect(),
            edge_slots,
            edge_ends,
            boundary_edge: vec![NO_EDGE; n],
        };
        g.choose_boundary_edges();
        Ok(g)
    }

    /// Every detector's own boundary edge: its cheapest edge to the boundary.
    fn choose_boundary_edges(&mut self) {
        self.boundary_edge.fill(NO_EDGE);
        for edge in 0..self.edge_ends.len() {
            self.offer_boundary_edge(edge);
        }
    }

    /// Makes `edge`, if it goes to the boundary, its detector's own boundary edge when it is
    /// cheaper than the current one.
    fn offer_boundary_edge(&mut self, edge: usize) {
        let (a, b) = self.edge_ends[edge];
        if b != u32::MAX {
            return;
        }
        let own = self.boundary_edge[a as usize];
        if own == NO_EDGE || self.edge_costs[own as usize] > self.edge_costs[edge] {
            self.boundary_edge[a as usize] = edge as u32;
        }
    }

    /// Number of graph edges.
    pub fn num_edges(&self) -> usize {
        self.edge_ends.len()
    }

    /// Sets the absolute weight of `edge` (its cost, in both adjacency lists); the detectors'
    /// own boundary edges are not updated.
    fn set_edge_weight(&mut self, edge: usize, weight: f64) {
        let cost = integer_cost(weight);
        self.edge_weights[edge] = weight;
        self.edge_costs[edge] = cost;
        for slot in self.edge_slots[edge] {
            if slot != u32::MAX {
                self.slots[slot as usize].cost = cost;
            }
        }
    }

    /// Replaces every edge's weight by `|weights[edge]|` and chooses the boundary edges again.
    /// The weights must be finite and their total within the integer range.
    pub fn set_weights(&mut self, weights: &[f64]) -> Result<(), MatchingError> {
        debug_assert_eq!(weights.len(), self.num_edges());
        let mut total: i64 = 0;
        for (edge, &w) in weights.iter().enumerate() {
            if !w.is_finite() {
                return Err(MatchingError::BadWeight { edge, weight: w });
            }
            total = total.saturating_add(integer_cost(w.abs()));
            if total > MAX_TOTAL_COST {
                return Err(MatchingError::WeightsTooLarge);
            }
        }
        for (edge, &w) in weights.iter().enumerate() {
            self.set_edge_weight(edge, w.abs());
        }
        self.choose_boundary_edges();
        Ok(())
    }

    /// Lowers edge weights: each `(edge, weight)` with `0 <= weight` below the edge's current
    /// weight replaces it. Records the edges changed (for [`DetectorGraph::restore`]).
    pub fn lower_weights(&mut self, lowered: &[(usize, f64)], edges_changed: &mut Vec<u32>) {
        for &(edge, w) in lowered {
            if w.is_nan() || w < 0.0 || integer_cost(w) >= self.edge_costs[edge] {
                continue;
            }
            self.set_edge_weight(edge, w);
            self.offer_boundary_edge(edge);
            edges_changed.push(edge as u32);
        }
    }

    /// Undoes [`DetectorGraph::lower_weights`]: copies the listed edges back from `base` (the
    /// graph this one was cloned from).
    pub fn restore(&mut self, base: &DetectorGraph, edges: &[u32]) {
        for &e in edges {
            self.set_edge_weight(e as usize, base.edge_weights[e as usize]);
            let (a, b) = self.edge_ends[e as usize];
            if b == u32::MAX {
                self.boundary_edge[a as usize] = base.boundary_edge[a as usize];
            }
        }
    }

    /// The adjacency list of detector `v` (edges to other detectors).
    #[inline]
    pub(crate) fn neighbours(&self, v: usize) -> &[Slot] {
        let (start, end) = match self.offsets[v..] {
            [start, end, ..] => (start as usize, end as usize),
            _ => panic!("detector {v} out of range"),
        };
        debug_assert!(start <= end && end <= self.slots.len());
        // SAFETY: `offsets` is built once, ascending from 0 to `slots.len()` (see `new`), and
        // never changed; so `start <= end <= slots.len()`.
        unsafe { self.slots.get_unchecked(start..end) }
    }

    /// The cost of detector `v`'s own edge to the boundary, if it has one.
    #[inline]
    pub(crate) fn boundary_cost(&self, v: usize) -> Option<i64> {
        let edge = self.boundary_edge[v];
        (edge != NO_EDGE).then(|| self.edge_costs[edge as usize])
    }

    /// The index of detector `v`'s own edge to the boundary, if it has one.
    pub(crate) fn boundary_edge_index(&self, v: usize) -> Option<usize> {
        let edge = self.boundary_edge[v];
        (edge != NO_EDGE).then_some(edge as usize)
    }

    /// Detector `v`'s own edge to the boundary, if it has one.
    #[inline]
    pub(crate) fn boundary_edge(&self, v: usize) -> Option<BoundaryEdge> {
        let edge = self.boundary_edge[v];
        (edge != NO_EDGE).then(|| BoundaryEdge {
            observables: self.edge_observables[edge as usize],
            weight: self.edge_weights[edge as usize],
        })
    }

    /// Number of detectors.
    pub fn num_detectors(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The detectors of graph edge `edge` (`None` for the boundary side).
    pub fn edge_ends(&self, edge: usize) -> (usize, Option<usize>) {
        let (a, b) = self.edge_ends[edge];
        (a as usize, (b != u32::MAX).then_some(b as usize))
    }

    /// Observables flipped by graph edge `edge`.
    #[inline]
    pub fn edge_observables(&self, edge: usize) -> u64 {
        self.edge_observables[edge]
    }

    /// The absolute weight of graph edge `edge`.
    #[inline]
    pub fn edge_weight(&self, edge: usize) -> f64 {
        self.edge_weights[edge]
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::graph::GraphEdge;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn inline_rounding_is_f64_round_at_the_edges() {
        let two52 = 4_503_599_627_370_496.0_f64;
        for x in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            two52 - 0.5,
            two52,
            two52 + 1.0,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ] {
            assert_eq!(round_half_away(x), x.round() as i64, "{x}");
        }
    }

    proptest! {
        #[test]
        fn inline_rounding_is_f64_round(x in proptest::num::f64::ANY) {
            prop_assert_eq!(round_half_away(x), x.round() as i64);
        }

        #[test]
        fn inline_rounding_is_f64_round_on_weights(x in -1e7f64..1e7) {
            prop_assert_eq!(round_half_away(x), x.round() as i64);
        }
    }

    fn edge(a: usize, b: Option<usize>, weight: f64, observables: u64) -> GraphEdge {
        GraphEdge {
            a,
            b,
            probability: 0.1,
            weight,
            observables,
        }
    }

    /// A path 0 - 1 - 2 with the boundary at both ends.
    fn path_graph() -> MatchingGraph {
        MatchingGraph {
            num_detectors: 3,
            num_observables: 1,
            edges: vec![
                edge(0, None, 1.0, 1),
                edge(0, Some(1), 1.0, 0),
                edge(1, Some(2), 1.0, 0),
                edge(2, None, 3.5, 0),
            ],
        }
    }

    #[test]
    fn boundary_edges_lowering_and_restore() {
        let base = DetectorGraph::new(&path_graph()).unwrap();
        assert_eq!(base.boundary_cost(0), Some(integer_cost(1.0)));
        assert_eq!(base.boundary_cost(1), None);
        assert_eq!(base.boundary_cost(2), Some(integer_cost(3.5)));
        assert_eq!(base.boundary_edge_index(2), Some(3));
        assert_eq!(base.neighbours(1).len(), 2);

        let mut g = base.clone();
        let mut edges = Vec::new();
        g.lower_weights(&[(3, 0.5), (1, 2.0), (2, -1.0)], &mut edges);
        assert_eq!(edges, vec![3]); // raising and negative weights are ignored
        assert_eq!(g.boundary_cost(2), Some(integer_cost(0.5)));
        assert_eq!(g.boundary_edge(2).map(|b| b.weight), Some(0.5));
        g.restore(&base, &edges);
        for v in 0..3 {
            assert_eq!(g.boundary_cost(v), base.boundary_cost(v));
        }

        g.set_weights(&[1.0, 1.0, 1.0, -0.25]).unwrap();
        assert_eq!(g.boundary_cost(2), Some(integer_cost(0.25)));
        assert_eq!(g.boundary_edge(2).map(|b| b.weight), Some(0.25));
        assert!(g.set_weights(&[f64::NAN, 1.0, 1.0, 1.0]).is_err());
    }

    /// A detector with two boundary edges uses the cheaper, also after a reweighting.
    #[test]
    fn the_cheapest_boundary_edge_is_the_own_one() {
        let mut graph = path_graph();
        graph.edges.push(edge(2, None, 2.0, 1));
        let mut g = DetectorGraph::new(&graph).unwrap();
        assert_eq!(g.boundary_edge_index(2), Some(4));
        g.set_weights(&[1.0, 1.0, 1.0, 0.5, 2.0]).unwrap();
        assert_eq!(g.boundary_edge_index(2), Some(3));
    }

    #[test]
    fn refuses_bad_graphs() {
        let mut g = path_graph();
        g.edges.push(edge(1, Some(1), 1.0, 0));
        assert!(matches!(
            DetectorGraph::new(&g),
            Err(MatchingError::SelfLoop { .. })
        ));
        let mut g = path_graph();
        g.edges.push(edge(0, Some(7), 1.0, 0));
        assert!(matches!(
            DetectorGraph::new(&g),
            Err(MatchingError::EdgeOutOfRange { .. })
        ));
        let mut g = path_graph();
        g.edges[0].weight = f64::INFINITY;
        assert!(matches!(
            DetectorGraph::new(&g),
            Err(MatchingError::BadWeight { .. })
        ));
    }
}
