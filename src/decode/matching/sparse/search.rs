//! The search flooder: traces the shortest path of one matched pair, as PyMatching's
//! `SearchFlooder` does (`sparse_blossom/search/`), so that where several shortest paths tie
//! the same one is taken.
//!
//! Both ends flood at once on one timeline (the target end queued first); a node is owned by
//! the first flood that reaches it, and the search stops when the two floods touch (or, for a
//! pair with the boundary, when the flood reaches a boundary edge). At equal times a node's
//! boundary edge comes before its other edges, which come in adjacency order, and the queue
//! hands back checks of one time last-in first-out. PyMatching's correlated matching reweights
//! by the edges of these paths, so taking the same path among equals is what makes the second
//! pass agree shot for shot.

use super::super::paths::DetectorGraph;
use super::tracker::{Check, Timeline, Tracker};

/// Which flood reached a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flood {
    None,
    Source,
    Target,
}

/// What the search knows of one node.
#[derive(Clone, Copy, Debug)]
struct SearchNode {
    flood: Flood,
    /// Distance from its flood's start.
    distance: i64,
    /// The node it was reached from and the edge between them (`u32::MAX` at a start).
    predecessor: u32,
    pred_edge: u32,
    tracker: Tracker,
}

impl Default for SearchNode {
    fn default() -> Self {
        SearchNode {
            flood: Flood::None,
            distance: 0,
            predecessor: u32::MAX,
            pred_edge: u32::MAX,
            tracker: Tracker::default(),
        }
    }
}

/// Where a node's next event is: its boundary edge or one of its adjacency slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Toward {
    Boundary,
    Slot(usize),
}

/// Reusable scratch space for tracing paths (one per workspace).
#[derive(Clone, Debug, Default)]
pub(crate) struct SearchFlooder {
    nodes: Vec<SearchNode>,
    reached: Vec<u32>,
    timeline: Timeline,
    to_boundary: bool,
}

impl SearchFlooder {
    /// Scratch space for a graph with `num_detectors` detectors.
    pub(crate) fn new(num_detectors: usize) -> Self {
        SearchFlooder {
            nodes: vec![SearchNode::default(); num_detectors],
            ..Default::default()
        }
    }

    /// Appends to `edges` the graph edges of a shortest path from `from` to `to` (`None`: the
    /// boundary, the path ending with a boundary edge). Returns `false`, appending nothing, if
    /// there is no such path.
    pub(crate) fn trace(
        &mut self,
        graph: &DetectorGraph,
        from: usize,
        to: Option<usize>,
        edges: &mut Vec<usize>,
    ) -> bool {
        self.to_boundary = to.is_none();
        if let Some(to) = to {
            self.start(graph, to, Flood::Target);
        }
        self.start(graph, from, Flood::Source);
        let mut found = false;
        while let Some((time, check)) = self.timeline.pop() {
            let Check::Node(v) = check else { continue };
            let v = v as usize;
            if !self.nodes[v].tracker.take(time, check, &mut self.timeline) {
                continue;
            }
            if let Some(toward) = self.look_at(graph, v) {
                self.trace_back(v, edges);
                match toward {
                    Toward::Boundary => edges.extend(graph.boundary_edge_index(v)),
                    Toward::Slot(i) => {
                        let slot = &graph.neighbours(v)[i];
                        self.trace_back(slot.neighbour as usize, edges);
                        edges.push(slot.edge as usize);
                    }
                }
                found = true;
                break;
            }
        }
        self.reset();
        found
    }

    fn start(&mut self, graph: &DetectorGraph, v: usize, flood: Flood) {
        let node = &mut self.nodes[v];
        node.flood = flood;
        node.distance = 0;
        node.predecessor = u32::MAX;
        self.reached.push(v as u32);
        self.reschedule(graph, v);
    }

    /// The next event at `v`: which edge and when (the earliest; ties to the boundary edge,
    /// then the first slot).
    fn next_event(&self, graph: &DetectorGraph, v: usize) -> Option<(Toward, i64)> {
        let now = self.timeline.now;
        let node = &self.nodes[v];
        let mut best: Option<(Toward, i64)> = None;
        if self.to_boundary {
            if let Some(cost) = graph.boundary_cost(v) {
                best = Some((Toward::Boundary, node.distance + cost));
            }
        }
        for (i, slot) in graph.neighbours(v).iter().enumerate() {
            let other = &self.nodes[slot.neighbour as usize];
            let time = match other.flood {
                f if f == node.flood => continue,
                Flood::None => node.distance + slot.cost,
                _ => {
                    let covered = (now - node.distance) + (now - other.distance);
                    now + (slot.cost - covered) / 2
                }
            };
            if best.is_none_or(|(_, t)| time < t) {
                best = Some((Toward::Slot(i), time));
            }
        }
        best
    }

    fn reschedule(&mut self, graph: &DetectorGraph, v: usize) {
        match self.next_event(graph, v) {
            None => self.nodes[v].tracker.forget(),
            Some((_, time)) => {
                self.nodes[v]
                    .tracker
                    .want(time, Check::Node(v as u32), &mut self.timeline)
            }
        }
    }

    /// Handles `v`'s check: explores a neighbour reached now, or returns the edge along which
    /// the floods met (or the boundary was reached).
    fn look_at(&mut self, graph: &DetectorGraph, v: usize) -> Option<Toward> {
        let now = self.timeline.now;
        let (toward, time) = self.next_event(graph, v)?;
        if time != now {
            self.nodes[v]
                .tracker
                .want(time, Check::Node(v as u32), &mut self.timeline);
            return None;
        }
        let Toward::Slot(i) = toward else {
            return Some(toward);
        };
        let slot = graph.neighbours(v)[i];
        let w = slot.neighbour as usize;
        if self.nodes[w].flood != Flood::None {
            return Some(toward);
        }
        let (flood, distance) = (self.nodes[v].flood, self.nodes[v].distance);
        let node = &mut self.nodes[w];
        node.flood = flood;
        node.distance = distance + slot.cost;
        node.predecessor = v as u32;
        node.pred_edge = slot.edge;
        self.reached.push(w as u32);
        self.reschedule(graph, w);
        // Other edges of `v` may be reached at this same time.
        self.nodes[v]
            .tracker
            .want(now, Check::Node(v as u32), &mut self.timeline);
        None
    }

    /// Appends the edges from `v` back to its flood's start.
    fn trace_back(&self, mut v: usize, edges: &mut Vec<usize>) {
        while self.nodes[v].predecessor != u32::MAX {
            edges.push(self.nodes[v].pred_edge as usize);
            v = self.nodes[v].predecessor as usize;
        }
    }

    fn reset(&mut self) {
        for &v in &self.reached {
            self.nodes[v as usize] = SearchNode::default();
        }
        self.reached.clear();
        self.timeline.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::graph::MatchingGraph;
    use super::*;

    /// A graph of `n` detectors from `(a, b, weight)` edges, no observables.
    fn graph(n: usize, edges: &[(usize, Option<usize>, f64)]) -> MatchingGraph {
        let edges: Vec<_> = edges.iter().map(|&(a, b, w)| (a, b, w, 0)).collect();
        super::super::tests::graph(n, &edges)
    }

    fn trace(g: &MatchingGraph, from: usize, to: Option<usize>) -> Vec<usize> {
        let dg = DetectorGraph::new(g).unwrap();
        let mut search = SearchFlooder::new(g.num_detectors);
        let mut edges = Vec::new();
        assert!(search.trace(&dg, from, to, &mut edges));
        edges.sort_unstable();
        edges
    }

    /// Two shortest paths of equal weight: the one PyMatching 2.4 takes
    /// (`decode_to_edges_array` on this graph, edges added in this order).
    #[test]
    fn ties_go_the_way_pymatching_takes_them() {
        let square = [
            (0, Some(1), 1.0),
            (0, Some(2), 1.0),
            (1, Some(3), 1.0),
            (2, Some(3), 1.0),
        ];
        // PyMatching: [[2, 0], [2, 3]].
        assert_eq!(trace(&graph(4, &square), 0, Some(3)), vec![1, 3]);
        let mut exits = square.to_vec();
        exits.extend([(1, None, 1.0), (2, None, 1.0)]);
        // PyMatching, events {0}: [[2, 0], [2, -1]].
        assert_eq!(trace(&graph(4, &exits), 0, None), vec![1, 5]);
    }

    /// Random graphs: the traced edges join the two ends (or one end and the boundary) and
    /// their total weight is the shortest-path distance (Floyd-Warshall).
    #[test]
    fn traced_paths_are_shortest() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        for _ in 0..2000 {
            let n = rng.random_range(2..10);
            let mut edges = Vec::new();
            for _ in 0..rng.random_range(1..3 * n) {
                let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
                if a != b {
                    edges.push((a, Some(b), rng.random_range(1..8) as f64 / 4.0));
                }
            }
            for _ in 0..rng.random_range(0..3) {
                edges.push((
                    rng.random_range(0..n),
                    None,
                    rng.random_range(1..8) as f64 / 4.0,
                ));
            }
            let g = graph(n, &edges);
            let mut d = vec![vec![f64::INFINITY; n + 1]; n + 1];
            for (v, row) in d.iter_mut().enumerate() {
                row[v] = 0.0;
            }
            for &(a, b, w) in &edges {
                let b = b.unwrap_or(n);
                d[a][b] = d[a][b].min(w);
                d[b][a] = d[b][a].min(w);
            }
            // The boundary is an end, never a node passed through.
            for k in 0..n {
                for i in 0..=n {
                    for j in 0..=n {
                        d[i][j] = d[i][j].min(d[i][k] + d[k][j]);
                    }
                }
            }
            let from = rng.random_range(0..n);
            let to = rng.random_bool(0.7).then(|| rng.random_range(0..n));
            let target = to.unwrap_or(n);
            if target == from || d[from][target].is_infinite() {
                continue;
            }
            let path = trace(&g, from, to);
            let mut degree = vec![0usize; n + 1];
            let mut total = 0.0;
            for &e in &path {
                let (a, b, w) = edges[e];
                degree[a] ^= 1;
                degree[b.unwrap_or(n)] ^= 1;
                total += w;
            }
            let ends: Vec<usize> = (0..=n).filter(|&v| degree[v] == 1).collect();
            let mut want = vec![from, target];
            want.sort_unstable();
            assert_eq!(ends, want, "{edges:?} {from} {to:?}");
            assert_eq!(total, d[from][target], "{edges:?} {from} {to:?}");
        }
    }
}
