//! Simultaneous growth of regions from many detection events over the detector graph (an
//! additively weighted Voronoi diagram) and the contacts between them, from which the matcher
//! takes its candidate pairs and its certificate's violated pairs.

use super::detector_graph::DetectorGraph;
use super::radix_heap::RadixHeap;

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
    /// three quarters of its value (a region stops growing a little after it touches another,
    /// so it meets a few more neighbours than the first); nodes queued before
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
                let s = graph.slots[slot];
                let y = s.neighbour as usize;
                let cost = s.cost;
                if self.settled[y] == gen {
                    if self.owner[y] != owner {
                        if let Some((l, _)) = limits.as_mut() {
                            let value = (self.dist[y] + scale * cost + d) * 3 / 4;
                            let (a, b) = (self.owner[y] as usize, owner as usize);
                            l[a] = l[a].min(value);
                            l[b] = l[b].min(value);
                        }
                        on_contact(Contact {
                            a: self.owner[y],
                            b: owner,
                            value: self.dist[y] + scale * cost + d,
                            length: self.length[y] + cost + self.length[x],
                            observables: self.observables[y] ^ s.observables ^ self.observables[x],
                            weight: self.weight[y] + s.weight + self.weight[x],
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
                    self.observables[y] = self.observables[x] ^ s.observables;
                    self.weight[y] = self.weight[x] + s.weight;
                    self.heap.push(nd, y as u32);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::graph::{GraphEdge, MatchingGraph};
    use super::super::detector_graph::WEIGHT_RESOLUTION;
    use super::*;

    #[test]
    fn neighbouring_regions_touch_once_with_their_path() {
        // A path 0 - 1 - 2 - 3 - 4; sources at 0, 2 and 4.
        let graph = MatchingGraph {
            num_detectors: 5,
            num_observables: 1,
            edges: (0..4)
                .map(|a| GraphEdge {
                    a,
                    b: Some(a + 1),
                    probability: 0.1,
                    weight: 1.0,
                    observables: u64::from(a == 0),
                })
                .collect(),
        };
        let g = DetectorGraph::new(&graph).unwrap();
        let unit = WEIGHT_RESOLUTION as i64;
        let mut regions = Regions::new(5);
        for _ in 0..2 {
            let mut contacts = Vec::new();
            let sources = [(0, 0, 0), (2, 0, 1), (4, 0, 2)].into_iter();
            regions.grow(&g, sources, 1, i64::MAX, None, |c| contacts.push(c));
            let mut pairs: Vec<_> = contacts
                .iter()
                .map(|c| {
                    (
                        (c.a.min(c.b), c.a.max(c.b)),
                        c.length,
                        c.observables,
                        c.value,
                    )
                })
                .collect();
            pairs.sort_unstable();
            assert_eq!(
                pairs,
                vec![
                    ((0, 1), 2 * unit, 1, 2 * unit),
                    ((1, 2), 2 * unit, 0, 2 * unit)
                ]
            );
            // Offsets shift the meeting point; with `stop` at 0 nothing beyond the sources
            // is settled, so there is no contact.
            let mut count = 0;
            let sources = [(0, -unit, 0), (4, -unit, 1)].into_iter();
            regions.grow(&g, sources, 2, 0, None, |_| count += 1);
            assert_eq!(count, 0);
        }
    }
}
