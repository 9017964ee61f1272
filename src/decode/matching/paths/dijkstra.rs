//! A reusable truncated Dijkstra search from one detector: the visitor sees the settled nodes
//! in order of distance, with the observables and weight of the path, and may stop the search.

use super::detector_graph::{DetectorGraph, NO_EDGE, UNREACHABLE};
use super::radix_heap::RadixHeap;

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
    nodes: Vec<Label>,
    generation: u32,
    heap: RadixHeap,
}

/// What a search knows of one detector: valid only when `stamp` is the search's generation.
#[derive(Clone, Copy, Debug, Default)]
struct Label {
    /// Best distance found so far (final once the node is popped at that distance).
    dist: i64,
    /// Observables and weight along that path.
    observables: u64,
    weight: f64,
    /// Last edge of that path ([`NO_EDGE`] at the source).
    pred_edge: u32,
    stamp: u32,
}

impl Dijkstra {
    /// Scratch space for a graph with `num_detectors` detectors.
    pub fn new(num_detectors: usize) -> Self {
        Dijkstra {
            nodes: vec![Label::default(); num_detectors],
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
            self.nodes.iter_mut().for_each(|s| s.stamp = 0);
            self.generation = 1;
        }
        let gen = self.generation;
        self.heap.clear();
        self.nodes[source] = Label {
            dist: 0,
            observables: 0,
            weight: 0.0,
            pred_edge: NO_EDGE,
            stamp: gen,
        };
        self.heap.push(0, source as u32);
        // A node is pushed again only at a strictly smaller distance, so exactly one entry
        // per reached node has its final distance: skipping the larger ones settles each once.
        while let Some((d, v)) = self.heap.pop() {
            let v = v as usize;
            let here = self.nodes[v];
            if d > here.dist {
                continue;
            }
            if visit(v, d, here.observables, here.weight) == Control::Stop {
                return d;
            }
            for slot in graph.offsets[v] as usize..graph.offsets[v + 1] as usize {
                let s = graph.slots[slot];
                let w = s.neighbour as usize;
                let nd = d + s.cost;
                let there = &mut self.nodes[w];
                if there.stamp != gen || nd < there.dist {
                    *there = Label {
                        dist: nd,
                        observables: here.observables ^ s.observables,
                        weight: here.weight + s.weight,
                        pred_edge: s.edge,
                        stamp: gen,
                    };
                    self.heap.push(nd, w as u32);
                }
            }
        }
        UNREACHABLE
    }

    /// Appends the graph edges of the path from the last search's source to `target`, which
    /// must have been settled by that search.
    pub fn path_to(&self, graph: &DetectorGraph, mut target: usize, out: &mut Vec<usize>) {
        while self.nodes[target].pred_edge != NO_EDGE {
            let edge = self.nodes[target].pred_edge as usize;
            out.push(edge);
            target = graph.other_end(edge, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::graph::{GraphEdge, MatchingGraph};
    use super::super::detector_graph::WEIGHT_RESOLUTION;
    use super::*;

    #[test]
    fn settles_in_order_stops_and_traces_paths() {
        // A square 0-1-2-3-0 with a heavy diagonal 0-2.
        let e = |a, b, weight, observables| GraphEdge {
            a,
            b: Some(b),
            probability: 0.1,
            weight,
            observables,
        };
        let graph = MatchingGraph {
            num_detectors: 4,
            num_observables: 2,
            edges: vec![
                e(0, 1, 1.0, 1),
                e(1, 2, 1.0, 0),
                e(2, 3, 2.0, 2),
                e(3, 0, 2.0, 0),
                e(0, 2, 5.0, 3),
            ],
        };
        let g = DetectorGraph::new(&graph).unwrap();
        let mut search = Dijkstra::new(4);
        for _ in 0..2 {
            let mut seen = Vec::new();
            let end = search.search(&g, 0, |v, d, obs, w| {
                seen.push((v, d, obs, w));
                Control::Continue
            });
            assert_eq!(end, UNREACHABLE);
            let unit = WEIGHT_RESOLUTION as i64;
            assert_eq!(
                seen,
                vec![
                    (0, 0, 0, 0.0),
                    (1, unit, 1, 1.0),
                    (2, 2 * unit, 1, 2.0),
                    (3, 2 * unit, 0, 2.0)
                ]
            );
            let mut path = Vec::new();
            search.path_to(&g, 2, &mut path);
            assert_eq!(path, vec![1, 0]);
            let stopped = search.search(&g, 3, |v, _, _, _| {
                if v == 2 {
                    Control::Stop
                } else {
                    Control::Continue
                }
            });
            assert_eq!(stopped, 2 * unit);
        }
    }
}
