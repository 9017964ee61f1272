//! Shortest paths on the detector graph: a compact adjacency structure with integer edge costs,
//! the distances from every detector to the boundary, and a reusable truncated Dijkstra search.
//!
//! Costs are integers (see [`WEIGHT_RESOLUTION`]) so that the matching built on top of these
//! distances is exact. Along every search the observable mask and the floating-point weight of
//! the path found are carried, so a matched pair's effect and weight need no second pass.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::error::MatchingError;
use super::graph::MatchingGraph;

/// Edge weights are rounded to integer multiples of `1 / WEIGHT_RESOLUTION` (2^-24, about
/// 6e-8). The matching is exactly optimal for these integer costs; the weight reported for a
/// matching is the sum of the original floating-point weights along the chosen paths.
pub const WEIGHT_RESOLUTION: f64 = (1u64 << 24) as f64;

/// Distance of an unreachable target (large, but far from overflowing when added twice).
pub const UNREACHABLE: i64 = i64::MAX / 4;

/// Largest total integer cost of all edges; keeps every sum of path costs and doubled duals
/// far from `i64` overflow.
const MAX_TOTAL_COST: i64 = 1 << 58;

/// Marker for "no edge" in predecessor arrays.
pub const NO_EDGE: u32 = u32::MAX;

/// The detector graph in compressed-sparse-row form, with integer costs `|w|` scaled by
/// [`WEIGHT_RESOLUTION`], plus the shortest path from every detector to the boundary.
#[derive(Clone, Debug)]
pub struct DetectorGraph {
    offsets: Vec<u32>,
    neighbours: Vec<u32>,
    costs: Vec<i64>,
    edge_ids: Vec<u32>,
    /// Per graph edge: observables mask and `|weight|`.
    edge_observables: Vec<u64>,
    edge_weights: Vec<f64>,
    /// Per detector: integer distance to the boundary (`UNREACHABLE` if none).
    boundary_distance: Vec<i64>,
    boundary_observables: Vec<u64>,
    boundary_weight: Vec<f64>,
    /// Per detector: first edge on its shortest path to the boundary.
    boundary_next_edge: Vec<u32>,
    /// Per graph edge: endpoints (`b == u32::MAX` for boundary edges).
    edge_ends: Vec<(u32, u32)>,
}

/// Rounds a non-negative weight to its integer cost.
fn integer_cost(weight: f64) -> i64 {
    (weight * WEIGHT_RESOLUTION).round() as i64
}

impl DetectorGraph {
    /// Builds the adjacency structure from the absolute values of the edge weights and computes
    /// every detector's distance to the boundary.
    pub fn new(graph: &MatchingGraph) -> Result<Self, MatchingError> {
        let n = graph.num_detectors;
        if n >= u32::MAX as usize || graph.edges.len() >= u32::MAX as usize {
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
        let mut neighbours = vec![0u32; m2];
        let mut costs = vec![0i64; m2];
        let mut edge_ids = vec![0u32; m2];
        let mut edge_ends = Vec::with_capacity(graph.edges.len());
        for (index, e) in graph.edges.iter().enumerate() {
            let cost = integer_cost(e.weight.abs());
            match e.b {
                Some(b) => {
                    for (x, y) in [(e.a, b), (b, e.a)] {
                        let slot = fill[x] as usize;
                        neighbours[slot] = y as u32;
                        costs[slot] = cost;
                        edge_ids[slot] = index as u32;
                        fill[x] += 1;
                    }
                    edge_ends.push((e.a as u32, b as u32));
                }
                None => edge_ends.push((e.a as u32, u32::MAX)),
            }
        }
        let mut g = DetectorGraph {
            offsets,
            neighbours,
            costs,
            edge_ids,
            edge_observables: graph.edges.iter().map(|e| e.observables).collect(),
            edge_weights: graph.edges.iter().map(|e| e.weight.abs()).collect(),
            boundary_distance: vec![UNREACHABLE; n],
            boundary_observables: vec![0; n],
            boundary_weight: vec![0.0; n],
            boundary_next_edge: vec![NO_EDGE; n],
            edge_ends,
        };
        g.compute_boundary_paths(graph);
        Ok(g)
    }

    /// Multi-source Dijkstra from the boundary.
    fn compute_boundary_paths(&mut self, graph: &MatchingGraph) {
        let mut heap = BinaryHeap::new();
        for (index, e) in graph.edges.iter().enumerate() {
            if e.b.is_none() {
                let cost = integer_cost(e.weight.abs());
                if cost < self.boundary_distance[e.a] {
                    self.boundary_distance[e.a] = cost;
                    self.boundary_observables[e.a] = e.observables;
                    self.boundary_weight[e.a] = e.weight.abs();
                    self.boundary_next_edge[e.a] = index as u32;
                    heap.push(Reverse((cost, e.a as u32)));
                }
            }
        }
        while let Some(Reverse((d, v))) = heap.pop() {
            let v = v as usize;
            if d > self.boundary_distance[v] {
                continue;
            }
            for slot in self.offsets[v] as usize..self.offsets[v + 1] as usize {
                let w = self.neighbours[slot] as usize;
                let nd = d + self.costs[slot];
                if nd < self.boundary_distance[w] {
                    let edge = self.edge_ids[slot] as usize;
                    self.boundary_distance[w] = nd;
                    self.boundary_observables[w] =
                        self.boundary_observables[v] ^ self.edge_observables[edge];
                    self.boundary_weight[w] = self.boundary_weight[v] + self.edge_weights[edge];
                    self.boundary_next_edge[w] = edge as u32;
                    heap.push(Reverse((nd, w as u32)));
                }
            }
        }
    }

    /// Number of detectors.
    pub fn num_detectors(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Integer distance from `v` to the boundary ([`UNREACHABLE`] if there is none).
    pub fn boundary_distance(&self, v: usize) -> i64 {
        self.boundary_distance[v]
    }

    /// Observables flipped along `v`'s shortest path to the boundary.
    pub fn boundary_observables(&self, v: usize) -> u64 {
        self.boundary_observables[v]
    }

    /// Floating-point weight of `v`'s shortest path to the boundary.
    pub fn boundary_weight(&self, v: usize) -> f64 {
        self.boundary_weight[v]
    }

    /// Appends the graph edges of `v`'s shortest path to the boundary.
    pub fn boundary_path(&self, mut v: usize, out: &mut Vec<usize>) {
        loop {
            let edge = self.boundary_next_edge[v];
            debug_assert_ne!(edge, NO_EDGE);
            out.push(edge as usize);
            let (a, b) = self.edge_ends[edge as usize];
            if b == u32::MAX {
                return;
            }
            v = if a as usize == v {
                b as usize
            } else {
                a as usize
            };
        }
    }

    /// Endpoints of a graph edge (`None` for the boundary side).
    fn other_end(&self, edge: usize, v: usize) -> usize {
        let (a, b) = self.edge_ends[edge];
        if a as usize == v {
            b as usize
        } else {
            a as usize
        }
    }
}

/// What a search visitor tells the search to do after a node is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Keep searching.
    Continue,
    /// Stop now.
    Stop,
}

/// A Dijkstra search from one detector with reusable scratch space (no clearing between
/// searches). Deterministic: the same source always gives the same paths, whatever the stopping
/// rule, so a path can be traced again later.
#[derive(Clone, Debug)]
pub struct Dijkstra {
    dist: Vec<i64>,
    observables: Vec<u64>,
    weight: Vec<f64>,
    pred_edge: Vec<u32>,
    stamp: Vec<u32>,
    settled: Vec<u32>,
    generation: u32,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

impl Dijkstra {
    /// Scratch space for a graph with `num_detectors` detectors.
    pub fn new(num_detectors: usize) -> Self {
        Dijkstra {
            dist: vec![0; num_detectors],
            observables: vec![0; num_detectors],
            weight: vec![0.0; num_detectors],
            pred_edge: vec![NO_EDGE; num_detectors],
            stamp: vec![0; num_detectors],
            settled: vec![0; num_detectors],
            generation: 0,
            heap: BinaryHeap::new(),
        }
    }

    /// Runs a search from `source`, calling `visit(node, distance, observables, weight)` for every
    /// settled node in order of distance (the source first). Returns the distance of the node at
    /// which `visit` stopped the search (every node strictly closer has been settled), or
    /// [`UNREACHABLE`] if the search exhausted the component.
    pub fn search(
        &mut self,
        graph: &DetectorGraph,
        source: usize,
        mut visit: impl FnMut(usize, i64, u64, f64) -> Control,
    ) -> i64 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.settled.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        let gen = self.generation;
        self.heap.clear();
        self.stamp[source] = gen;
        self.dist[source] = 0;
        self.observables[source] = 0;
        self.weight[source] = 0.0;
        self.pred_edge[source] = NO_EDGE;
        self.heap.push(Reverse((0, source as u32)));
        while let Some(Reverse((d, v))) = self.heap.pop() {
            let v = v as usize;
            if self.settled[v] == gen || d > self.dist[v] {
                continue;
            }
            self.settled[v] = gen;
            if visit(v, d, self.observables[v], self.weight[v]) == Control::Stop {
                return d;
            }
            for slot in graph.offsets[v] as usize..graph.offsets[v + 1] as usize {
                let w = graph.neighbours[slot] as usize;
                let nd = d + graph.costs[slot];
                if self.stamp[w] != gen || nd < self.dist[w] {
                    let edge = graph.edge_ids[slot] as usize;
                    self.stamp[w] = gen;
                    self.dist[w] = nd;
                    self.observables[w] = self.observables[v] ^ graph.edge_observables[edge];
                    self.weight[w] = self.weight[v] + graph.edge_weights[edge];
                    self.pred_edge[w] = edge as u32;
                    self.heap.push(Reverse((nd, w as u32)));
                }
            }
        }
        UNREACHABLE
    }

    /// Appends the graph edges of the path from the last search's source to `target`, which
    /// must have been settled by that search.
    pub fn path_to(&self, graph: &DetectorGraph, mut target: usize, out: &mut Vec<usize>) {
        while self.pred_edge[target] != NO_EDGE {
            let edge = self.pred_edge[target] as usize;
            out.push(edge);
            target = graph.other_end(edge, target);
        }
    }
}
