//! Shortest paths on the detector graph: a compact adjacency structure with integer edge costs,
//! the distances from every detector to the boundary, and a reusable truncated Dijkstra search.
//!
//! Costs are integers (see [`WEIGHT_RESOLUTION`]) so that the matching built on top of these
//! distances is exact. Along every search the observable mask and the floating-point weight of
//! the path found are carried, so a matched pair's effect and weight need no second pass.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A monotone priority queue for integer keys (a radix heap): pushes must not be below the last
/// key popped, as in Dijkstra's algorithm. Push is O(1), pop amortised O(log of the key range).
#[derive(Clone, Debug)]
pub struct RadixHeap {
    buckets: Vec<Vec<(u64, u32)>>,
    last: u64,
    len: usize,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            buckets: vec![Vec::new(); 65],
            last: 0,
            len: 0,
        }
    }
}

impl RadixHeap {
    /// Order-preserving map of signed keys to unsigned ones.
    #[inline]
    fn key(key: i64) -> u64 {
        (key as u64) ^ (1 << 63)
    }

    #[inline]
    fn bucket(&self, key: u64) -> usize {
        64 - (key ^ self.last).leading_zeros() as usize
    }

    /// Empties the queue (any key may be pushed next).
    pub fn clear(&mut self) {
        if self.len > 0 {
            self.buckets.iter_mut().for_each(Vec::clear);
        }
        self.len = 0;
        self.last = 0;
    }

    /// Adds `value` with priority `key`.
    #[inline]
    pub fn push(&mut self, key: i64, value: u32) {
        let key = Self::key(key);
        debug_assert!(key >= self.last, "radix heap keys must be monotone");
        let b = self.bucket(key);
        self.buckets[b].push((key, value));
        self.len += 1;
    }

    /// Removes an entry with the smallest key.
    #[inline]
    pub fn pop(&mut self) -> Option<(i64, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..65)
                .find(|&i| !self.buckets[i].is_empty())
                .expect("non-empty");
            let moving = std::mem::take(&mut self.buckets[i]);
            self.last = moving.iter().map(|e| e.0).min().expect("non-empty");
            for &(key, value) in &moving {
                let b = self.bucket(key);
                self.buckets[b].push((key, value));
            }
            self.buckets[i] = moving;
            self.buckets[i].clear();
        }
        self.len -= 1;
        let (key, value) = self.buckets[0].pop().expect("bucket 0 holds the minimum");
        Some(((key ^ (1 << 63)) as i64, value))
    }
}

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
    /// Per graph edge: observables mask, `|weight|` and its integer cost.
    edge_observables: Vec<u64>,
    edge_weights: Vec<f64>,
    edge_costs: Vec<i64>,
    /// Per graph edge: its slots in the adjacency lists of its two ends (`u32::MAX` for the
    /// boundary side).
    edge_slots: Vec<[u32; 2]>,
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
        let mut edge_slots = Vec::with_capacity(graph.edges.len());
        for (index, e) in graph.edges.iter().enumerate() {
            let cost = integer_cost(e.weight.abs());
            match e.b {
                Some(b) => {
                    let mut slots = [u32::MAX; 2];
                    for (k, (x, y)) in [(e.a, b), (b, e.a)].into_iter().enumerate() {
                        let slot = fill[x] as usize;
                        neighbours[slot] = y as u32;
                        costs[slot] = cost;
                        edge_ids[slot] = index as u32;
                        slots[k] = slot as u32;
                        fill[x] += 1;
                    }
                    edge_ends.push((e.a as u32, b as u32));
                    edge_slots.push(slots);
                }
                None => {
                    edge_ends.push((e.a as u32, u32::MAX));
                    edge_slots.push([u32::MAX; 2]);
                }
            }
        }
        let mut g = DetectorGraph {
            offsets,
            neighbours,
            costs,
            edge_ids,
            edge_observables: graph.edges.iter().map(|e| e.observables).collect(),
            edge_weights: graph.edges.iter().map(|e| e.weight.abs()).collect(),
            edge_costs: graph
                .edges
                .iter()
                .map(|e| integer_cost(e.weight.abs()))
                .collect(),
            edge_slots,
            boundary_distance: vec![UNREACHABLE; n],
            boundary_observables: vec![0; n],
            boundary_weight: vec![0.0; n],
            boundary_next_edge: vec![NO_EDGE; n],
            edge_ends,
        };
        g.compute_boundary_paths();
        Ok(g)
    }

    /// Multi-source Dijkstra from the boundary.
    fn compute_boundary_paths(&mut self) {
        self.boundary_distance.fill(UNREACHABLE);
        self.boundary_observables.fill(0);
        self.boundary_weight.fill(0.0);
        self.boundary_next_edge.fill(NO_EDGE);
        let mut heap = BinaryHeap::new();
        for (index, &(a, b)) in self.edge_ends.iter().enumerate() {
            if b == u32::MAX {
                let a = a as usize;
                let cost = self.edge_costs[index];
                if cost < self.boundary_distance[a] {
                    self.boundary_distance[a] = cost;
                    self.boundary_observables[a] = self.edge_observables[index];
                    self.boundary_weight[a] = self.edge_weights[index];
                    self.boundary_next_edge[a] = index as u32;
                    heap.push(Reverse((cost, a as u32)));
                }
            }
        }
        self.settle_boundary_paths(heap, None);
    }

    /// Runs the boundary Dijkstra from the nodes in `heap` (their distances already set),
    /// recording in `changed` every node whose distance it lowers.
    fn settle_boundary_paths(
        &mut self,
        mut heap: BinaryHeap<Reverse<(i64, u32)>>,
        mut changed: Option<&mut Vec<u32>>,
    ) {
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
                    if let Some(changed) = changed.as_deref_mut() {
                        changed.push(w as u32);
                    }
                }
            }
        }
    }

    /// Number of graph edges.
    pub fn num_edges(&self) -> usize {
        self.edge_ends.len()
    }

    /// Sets the absolute weight of `edge` (its cost, in both adjacency lists); the boundary
    /// distances are not updated.
    fn set_edge_weight(&mut self, edge: usize, weight: f64) {
        let cost = integer_cost(weight);
        self.edge_weights[edge] = weight;
        self.edge_costs[edge] = cost;
        for slot in self.edge_slots[edge] {
            if slot != u32::MAX {
                self.costs[slot as usize] = cost;
            }
        }
    }

    /// Replaces every edge's weight by `|weights[edge]|` and recomputes the boundary paths.
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
        self.compute_boundary_paths();
        Ok(())
    }

    /// Lowers edge weights: each `(edge, weight)` with `0 <= weight` below the edge's current
    /// weight replaces it; the boundary distances are updated incrementally. Records the edges
    /// and nodes changed (for [`DetectorGraph::restore`]).
    pub fn lower_weights(
        &mut self,
        lowered: &[(usize, f64)],
        edges_changed: &mut Vec<u32>,
        nodes_changed: &mut Vec<u32>,
    ) {
        let mut heap = BinaryHeap::new();
        for &(edge, w) in lowered {
            let cost = integer_cost(w);
            if w.is_nan() || w < 0.0 || cost >= self.edge_costs[edge] {
                continue;
            }
            self.set_edge_weight(edge, w);
            edges_changed.push(edge as u32);
            let (a, b) = self.edge_ends[edge];
            let ends = [(a, b), (b, a)];
            for (from, to) in ends {
                if to == u32::MAX {
                    continue;
                }
                let to = to as usize;
                let through = if from == u32::MAX {
                    (cost, 0, w)
                } else {
                    let from = from as usize;
                    if self.boundary_distance[from] == UNREACHABLE {
                        continue;
                    }
                    (
                        self.boundary_distance[from] + cost,
                        self.boundary_observables[from],
                        self.boundary_weight[from] + w,
                    )
                };
                if through.0 < self.boundary_distance[to] {
                    self.boundary_distance[to] = through.0;
                    self.boundary_observables[to] = through.1 ^ self.edge_observables[edge];
                    self.boundary_weight[to] = through.2;
                    self.boundary_next_edge[to] = edge as u32;
                    heap.push(Reverse((through.0, to as u32)));
                    nodes_changed.push(to as u32);
                }
            }
        }
        self.settle_boundary_paths(heap, Some(nodes_changed));
    }

    /// Undoes [`DetectorGraph::lower_weights`]: copies the listed edges and nodes back from
    /// `base` (the graph this one was cloned from).
    pub fn restore(&mut self, base: &DetectorGraph, edges: &[u32], nodes: &[u32]) {
        for &e in edges {
            self.set_edge_weight(e as usize, base.edge_weights[e as usize]);
        }
        for &v in nodes {
            let v = v as usize;
            self.boundary_distance[v] = base.boundary_distance[v];
            self.boundary_observables[v] = base.boundary_observables[v];
            self.boundary_weight[v] = base.boundary_weight[v];
            self.boundary_next_edge[v] = base.boundary_next_edge[v];
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

    /// The detectors of graph edge `edge` (`None` for the boundary side).
    pub fn edge_ends(&self, edge: usize) -> (usize, Option<usize>) {
        let (a, b) = self.edge_ends[edge];
        (a as usize, (b != u32::MAX).then_some(b as usize))
    }

    /// Observables flipped by graph edge `edge`.
    pub fn edge_observables(&self, edge: usize) -> u64 {
        self.edge_observables[edge]
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
    heap: RadixHeap,
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
            heap: RadixHeap::default(),
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
        self.heap.push(0, source as u32);
        while let Some((d, v)) = self.heap.pop() {
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
                    self.heap.push(nd, w as u32);
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

/// One contact between two regions found by [`Regions::grow`]: an edge (or a shared node) where
/// the region of `a` meets the region of `b`, with the path `a -> ... -> b` through it.
#[derive(Clone, Copy, Debug)]
pub struct Contact {
    /// Owner of the region settled first.
    pub a: u32,
    /// Owner of the other region.
    pub b: u32,
    /// `D_a(x) + scale * cost(x, y) + D_b(y)`: the path length (times `scale`) minus both
    /// owners' offsets.
    pub value: i64,
    /// Integer length of the path.
    pub length: i64,
    /// Observables flipped along the path.
    pub observables: u64,
    /// Floating-point weight of the path.
    pub weight: f64,
}

/// Simultaneous Dijkstra growth from many sources (an additively weighted Voronoi diagram):
/// every node is claimed by the source minimising `offset + scale * distance`, and every edge
/// joining two regions is reported once as a [`Contact`] (as is a source claimed by another
/// region).
///
/// The key property: for any two sources `a`, `b` whose regions differ at the ends of their
/// shortest path, every edge `(x, y)` of that path has
/// `D(x) + scale * cost(x, y) + D(y) <= offset_a + offset_b + scale * d(a, b)`, so some contact
/// on the path is at least as small as the pair's own value (the matcher's certificate rests on
/// this).
#[derive(Clone, Debug)]
pub struct Regions {
    dist: Vec<i64>,
    length: Vec<i64>,
    owner: Vec<u32>,
    observables: Vec<u64>,
    weight: Vec<f64>,
    stamp: Vec<u32>,
    settled: Vec<u32>,
    source_stamp: Vec<u32>,
    source_owner: Vec<u32>,
    source_offset: Vec<i64>,
    generation: u32,
    heap: RadixHeap,
}

impl Regions {
    /// Scratch space for a graph with `num_detectors` detectors.
    pub fn new(num_detectors: usize) -> Self {
        Regions {
            dist: vec![0; num_detectors],
            length: vec![0; num_detectors],
            owner: vec![0; num_detectors],
            observables: vec![0; num_detectors],
            weight: vec![0.0; num_detectors],
            stamp: vec![0; num_detectors],
            settled: vec![0; num_detectors],
            source_stamp: vec![0; num_detectors],
            source_owner: vec![0; num_detectors],
            source_offset: vec![0; num_detectors],
            generation: 0,
            heap: RadixHeap::default(),
        }
    }

    /// Grows regions from `sources` (`(node, offset, owner)`, distinct nodes) with edge costs
    /// multiplied by `scale`, settling every node whose value is below `stop` and reports each
    /// contact between different owners. With `limits` (one per owner), the region of `owner`
    /// grows only below `limits[owner]`, and each contact lowers the limits of both owners to
    /// half its value (a region stops growing once it touches another); nodes queued before
    /// the limit dropped are still settled unless the owner is `strict`.
    pub fn grow(
        &mut self,
        graph: &DetectorGraph,
        sources: impl Iterator<Item = (usize, i64, u32)>,
        scale: i64,
        stop: i64,
        mut limits: Option<(&mut [i64], &[bool])>,
        mut on_contact: impl FnMut(Contact),
    ) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            for v in [&mut self.stamp, &mut self.settled, &mut self.source_stamp] {
                v.iter_mut().for_each(|s| *s = 0);
            }
            self.generation = 1;
        }
        let gen = self.generation;
        self.heap.clear();
        for (node, offset, owner) in sources {
            self.source_stamp[node] = gen;
            self.source_owner[node] = owner;
            self.source_offset[node] = offset;
            self.stamp[node] = gen;
            self.dist[node] = offset;
            self.length[node] = 0;
            self.owner[node] = owner;
            self.observables[node] = 0;
            self.weight[node] = 0.0;
            self.heap.push(offset, node as u32);
        }
        while let Some((d, x)) = self.heap.pop() {
            if d >= stop {
                break;
            }
            let x = x as usize;
            if self.settled[x] == gen || d > self.dist[x] {
                continue;
            }
            let owner = self.owner[x];
            let (owner_limit, strict) = limits.as_ref().map_or((i64::MAX, false), |l| {
                (l.0[owner as usize], l.1[owner as usize])
            });
            if strict && d >= owner_limit {
                // Its region stopped growing after this node was queued.
                continue;
            }
            self.settled[x] = gen;
            if self.source_stamp[x] == gen && self.source_owner[x] != owner {
                // A source claimed by another region.
                on_contact(Contact {
                    a: owner,
                    b: self.source_owner[x],
                    value: d + self.source_offset[x],
                    length: self.length[x],
                    observables: self.observables[x],
                    weight: self.weight[x],
                });
            }
            for slot in graph.offsets[x] as usize..graph.offsets[x + 1] as usize {
                let y = graph.neighbours[slot] as usize;
                let cost = graph.costs[slot];
                let edge = graph.edge_ids[slot] as usize;
                if self.settled[y] == gen {
                    if self.owner[y] != owner {
                        if let Some((l, _)) = limits.as_mut() {
                            let value = (self.dist[y] + scale * cost + d) / 2;
                            let (a, b) = (self.owner[y] as usize, owner as usize);
                            l[a] = l[a].min(value);
                            l[b] = l[b].min(value);
                        }
                        on_contact(Contact {
                            a: self.owner[y],
                            b: owner,
                            value: self.dist[y] + scale * cost + d,
                            length: self.length[y] + cost + self.length[x],
                            observables: self.observables[y]
                                ^ graph.edge_observables[edge]
                                ^ self.observables[x],
                            weight: self.weight[y] + graph.edge_weights[edge] + self.weight[x],
                        });
                    }
                    continue;
                }
                let nd = d + scale * cost;
                if nd < owner_limit && (self.stamp[y] != gen || nd < self.dist[y]) {
                    self.stamp[y] = gen;
                    self.dist[y] = nd;
                    self.length[y] = self.length[x] + cost;
                    self.owner[y] = owner;
                    self.observables[y] = self.observables[x] ^ graph.edge_observables[edge];
                    self.weight[y] = self.weight[x] + graph.edge_weights[edge];
                    self.heap.push(nd, y as u32);
                }
            }
        }
    }
}
