//! The public entry of the matching decoder: [`Matcher`] (built once per graph) decodes the
//! detection events of one shot into a minimum-weight matching, using a per-thread
//! [`Workspace`].
//!
//! # How a shot is decoded, exactly
//! 1. Detection events are toggled by the endpoints of negative-weight edges (p > 0.5): such
//!    an edge is taken as flipped by default, which turns the problem into one with weights
//!    `|w|` (PyMatching does the same).
//! 2. Candidate pairs: a Dijkstra search from every event collects its [`NEAREST`] nearest
//!    events (stopping early at twice its boundary distance, beyond which its side never needs
//!    a pair). Every event's boundary distance is precomputed.
//! 3. The blossom solver finds a minimum-weight perfect matching with boundary among the
//!    candidate pairs, with duals.
//! 4. Certificate: a pair `(u, v)` left out can only lower the cost if
//!    `2 d(u, v) < pot(u) + pot(v)`, so it lies within distance `max(pot)` of the endpoint
//!    with the larger potential. Every event whose search did not already reach that far is
//!    searched again; pairs with negative reduced cost (blossom duals included) are added and
//!    the matching is solved again. When none remain, the duals are feasible for the complete
//!    pair graph, so the matching is optimal over all pairs.

use super::blossom::{Blossom, Partner, NO_BOUNDARY};
use super::error::MatchingError;
use super::graph::MatchingGraph;
use super::paths::{Control, DetectorGraph, Dijkstra, UNREACHABLE};

/// Default number of nearest events each event's first search collects as candidate partners
/// (see [`Matcher::set_nearest`]).
pub const NEAREST: usize = 8;

/// A matching of one shot's detection events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matching {
    /// Observables flipped by the correction (bit k = observable k).
    pub observables: u64,
    /// Total weight of the correction: the sum of the edge weights along the matched shortest
    /// paths (negative-weight edges included).
    pub weight: f64,
    /// Matched detection events `(a, Some(b))`, or `(a, None)` for an event matched to the
    /// boundary. The correction path of a pair is the shortest path traced from `a`.
    pub pairs: Vec<(usize, Option<usize>)>,
}

/// A candidate pair of events (indices into the shot's event list).
#[derive(Clone, Copy, Debug)]
struct Candidate {
    source: u32,
    target: u32,
    distance: i64,
    observables: u64,
    weight: f64,
}

/// Per-thread scratch space for [`Matcher::decode`]; reuse it across shots.
#[derive(Clone, Debug)]
pub struct Workspace {
    dijkstra: Dijkstra,
    blossom: Blossom,
    /// Per detector: `event_stamp == stamp` marks a detection event with index `event_index`.
    event_stamp: Vec<u32>,
    event_index: Vec<u32>,
    stamp: u32,
    events: Vec<usize>,
    toggled: Vec<bool>,
    touched: Vec<usize>,
    component_events: Vec<u32>,
    candidates: Vec<Candidate>,
    /// Per event: candidates found by its own search start here.
    first_candidate: Vec<usize>,
    /// Per event: every node closer than this was settled by its searches.
    searched: Vec<i64>,
}

/// The matching decoder for one graph. Immutable after construction; share it between threads
/// and give each thread its own [`Workspace`].
#[derive(Clone, Debug)]
pub struct Matcher {
    graph: DetectorGraph,
    component: Vec<u32>,
    num_components: usize,
    num_observables: usize,
    negative_edges: Vec<usize>,
    negative_toggles: Vec<usize>,
    negative_observables: u64,
    negative_weight: f64,
    nearest: usize,
}

impl Matcher {
    /// Prepares the decoder for `graph`. Negative weights (p > 0.5) are handled by flipping
    /// those edges by default; NaN or infinite weights, edges naming missing detectors and
    /// self-loops are refused.
    pub fn new(graph: &MatchingGraph) -> Result<Self, MatchingError> {
        let detector_graph = DetectorGraph::new(graph)?;
        let n = graph.num_detectors;
        let mut union_find: Vec<usize> = (0..n).collect();
        fn find(uf: &mut [usize], mut x: usize) -> usize {
            while uf[x] != x {
                uf[x] = uf[uf[x]];
                x = uf[x];
            }
            x
        }
        let mut negative_edges = Vec::new();
        let mut toggles = vec![false; n];
        let mut negative_observables = 0;
        let mut negative_weight = 0.0;
        for (index, e) in graph.edges.iter().enumerate() {
            if let Some(b) = e.b {
                let (ra, rb) = (find(&mut union_find, e.a), find(&mut union_find, b));
                union_find[ra] = rb;
            }
            if e.weight < 0.0 {
                negative_edges.push(index);
                toggles[e.a] ^= true;
                if let Some(b) = e.b {
                    toggles[b] ^= true;
                }
                negative_observables ^= e.observables;
                negative_weight += e.weight;
            }
        }
        let mut component = vec![u32::MAX; n];
        let mut num_components = 0;
        for v in 0..n {
            let root = find(&mut union_find, v);
            if component[root] == u32::MAX {
                component[root] = num_components as u32;
                num_components += 1;
            }
            component[v] = component[root];
        }
        Ok(Matcher {
            graph: detector_graph,
            component,
            num_components,
            num_observables: graph.num_observables,
            negative_edges,
            negative_toggles: (0..n).filter(|&v| toggles[v]).collect(),
            negative_observables,
            negative_weight,
            nearest: NEAREST,
        })
    }

    /// Sets how many nearest events each event's first search collects (at least 1). A speed
    /// knob only: the result is optimal for any value, since missing pairs are found by the
    /// certificate check.
    pub fn set_nearest(&mut self, nearest: usize) {
        self.nearest = nearest.max(1);
    }

    /// Number of detectors of the graph.
    pub fn num_detectors(&self) -> usize {
        self.graph.num_detectors()
    }

    /// Number of observables of the graph.
    pub fn num_observables(&self) -> usize {
        self.num_observables
    }

    /// Fresh scratch space for this matcher.
    pub fn workspace(&self) -> Workspace {
        let n = self.num_detectors();
        Workspace {
            dijkstra: Dijkstra::new(n),
            blossom: Blossom::default(),
            event_stamp: vec![0; n],
            event_index: vec![0; n],
            stamp: 0,
            events: Vec::new(),
            toggled: vec![false; n],
            touched: Vec::new(),
            component_events: vec![0; self.num_components],
            candidates: Vec::new(),
            first_candidate: Vec::new(),
            searched: Vec::new(),
        }
    }

    /// Decodes one shot given as the list of detectors with a detection event (a detector
    /// listed twice cancels). Returns a minimum-weight matching, or an error when a detector is
    /// out of range or a component without boundary holds an odd number of events.
    pub fn decode(
        &self,
        detection_events: &[usize],
        ws: &mut Workspace,
    ) -> Result<Matching, MatchingError> {
        self.collect_events(detection_events, ws)?;
        self.check_parity(ws)?;
        let mut matching = Matching {
            observables: self.negative_observables,
            weight: self.negative_weight,
            pairs: Vec::with_capacity(ws.events.len()),
        };
        if ws.events.is_empty() {
            return Ok(matching);
        }
        self.find_candidates(ws);
        loop {
            self.load_blossom(ws);
            if let Err(stuck) = ws.blossom.solve() {
                // Only the candidate pairs lacked a perfect matching: give the stuck events
                // every pair in their component and solve again. (The parity check makes a
                // perfect matching exist once all pairs of a component are present.)
                if stuck.iter().all(|&i| ws.searched[i] == UNREACHABLE) {
                    let detector = ws.events[stuck[0]];
                    return Err(MatchingError::OddComponent { detector });
                }
                for &i in &stuck {
                    self.search_from(i, UNREACHABLE, usize::MAX, ws);
                }
                continue;
            }
            if self.add_violated_pairs(ws) == 0 {
                break;
            }
        }
        for i in 0..ws.events.len() {
            let det = ws.events[i];
            match ws.blossom.partner(i) {
                Partner::Boundary => {
                    matching.observables ^= self.graph.boundary_observables(det);
                    matching.weight += self.graph.boundary_weight(det);
                    matching.pairs.push((det, None));
                }
                Partner::Vertex { vertex, edge } if i < vertex => {
                    let c = ws.candidates[edge];
                    matching.observables ^= c.observables;
                    matching.weight += c.weight;
                    let (a, b) = (ws.events[c.source as usize], ws.events[c.target as usize]);
                    matching.pairs.push((a, Some(b)));
                }
                Partner::Vertex { .. } => {}
            }
        }
        Ok(matching)
    }

    /// The correction of a matching found by [`Matcher::decode`]: the indices of the graph
    /// edges flipped (edges used an even number of times cancel), sorted.
    pub fn correction(&self, matching: &Matching, ws: &mut Workspace) -> Vec<usize> {
        let mut edges = self.negative_edges.clone();
        for &(a, b) in &matching.pairs {
            match b {
                None => self.graph.boundary_path(a, &mut edges),
                Some(b) => {
                    ws.dijkstra.search(&self.graph, a, |v, _, _, _| {
                        if v == b {
                            Control::Stop
                        } else {
                            Control::Continue
                        }
                    });
                    ws.dijkstra.path_to(&self.graph, b, &mut edges);
                }
            }
        }
        edges.sort_unstable();
        let mut odd = Vec::with_capacity(edges.len());
        for e in edges {
            if odd.last() == Some(&e) {
                odd.pop();
            } else {
                odd.push(e);
            }
        }
        odd
    }

    /// Applies the negative-edge toggles and fills `ws.events` (sorted, distinct) and the
    /// detector-to-event index.
    fn collect_events(&self, dets: &[usize], ws: &mut Workspace) -> Result<(), MatchingError> {
        let n = self.num_detectors();
        ws.touched.clear();
        for &d in dets.iter().chain(&self.negative_toggles) {
            if d >= n {
                for &t in &ws.touched {
                    ws.toggled[t] = false;
                }
                return Err(MatchingError::DetectorOutOfRange {
                    detector: d,
                    num_detectors: n,
                });
            }
            ws.toggled[d] ^= true;
            ws.touched.push(d);
        }
        ws.events.clear();
        for &t in &ws.touched {
            if ws.toggled[t] {
                ws.toggled[t] = false;
                ws.events.push(t);
            }
        }
        ws.events.sort_unstable();
        ws.stamp = ws.stamp.wrapping_add(1);
        if ws.stamp == 0 {
            ws.event_stamp.iter_mut().for_each(|s| *s = 0);
            ws.stamp = 1;
        }
        for (i, &d) in ws.events.iter().enumerate() {
            ws.event_stamp[d] = ws.stamp;
            ws.event_index[d] = i as u32;
        }
        Ok(())
    }

    /// Refuses shots with an odd number of events in a component without boundary.
    fn check_parity(&self, ws: &mut Workspace) -> Result<(), MatchingError> {
        let mut result = Ok(());
        for &d in &ws.events {
            if self.graph.boundary_distance(d) == UNREACHABLE {
                ws.component_events[self.component[d] as usize] += 1;
            }
        }
        for &d in &ws.events {
            let c = self.component[d] as usize;
            if ws.component_events[c] % 2 == 1 && result.is_ok() {
                result = Err(MatchingError::OddComponent { detector: d });
            }
        }
        for &d in &ws.events {
            ws.component_events[self.component[d] as usize] = 0;
        }
        result
    }

    /// First search from every event: its nearest events become candidate pairs.
    fn find_candidates(&self, ws: &mut Workspace) {
        let count = ws.events.len();
        ws.candidates.clear();
        ws.first_candidate.clear();
        ws.searched.clear();
        ws.searched.resize(count, 0);
        for i in 0..count {
            ws.first_candidate.push(ws.candidates.len());
            let b = self.graph.boundary_distance(ws.events[i]);
            let radius = if b == UNREACHABLE { UNREACHABLE } else { 2 * b };
            self.search_from(i, radius, self.nearest, ws);
        }
        ws.first_candidate.push(ws.candidates.len());
    }

    /// Searches from event `i` until `limit` other events are found or the distance reaches
    /// `radius`, adding each pair found unless an earlier search already holds it.
    fn search_from(&self, i: usize, radius: i64, limit: usize, ws: &mut Workspace) {
        let Workspace {
            dijkstra,
            event_stamp,
            event_index,
            stamp,
            candidates,
            first_candidate,
            searched,
            events,
            ..
        } = ws;
        let stamp = *stamp;
        let first_search = first_candidate.len() == i + 1;
        let mut found = 0;
        let reached = dijkstra.search(&self.graph, events[i], |v, d, obs, w| {
            if d >= radius {
                return Control::Stop;
            }
            if event_stamp[v] == stamp {
                let j = event_index[v] as usize;
                if j != i {
                    found += 1;
                    let known = j < i
                        && first_search
                        && (d < searched[j]
                            || (d == searched[j]
                                && candidates[first_candidate[j]..first_candidate[j + 1]]
                                    .iter()
                                    .any(|c| c.target as usize == i)));
                    if !known && (first_search || d >= searched[i]) {
                        candidates.push(Candidate {
                            source: i as u32,
                            target: j as u32,
                            distance: d,
                            observables: obs,
                            weight: w,
                        });
                    }
                    if found >= limit {
                        return Control::Stop;
                    }
                }
            }
            Control::Continue
        });
        searched[i] = searched[i].max(reached);
    }

    /// Loads the candidate pairs and boundary costs (doubled) into the blossom solver.
    fn load_blossom(&self, ws: &mut Workspace) {
        ws.blossom.reset(ws.events.len());
        for (i, &d) in ws.events.iter().enumerate() {
            let b = self.graph.boundary_distance(d);
            if b != UNREACHABLE {
                ws.blossom.set_boundary(i, 2 * b);
            }
        }
        for c in &ws.candidates {
            ws.blossom
                .add_edge(c.source as usize, c.target as usize, 2 * c.distance);
        }
        debug_assert!(ws.blossom.num_edges() == ws.candidates.len());
        debug_assert!(NO_BOUNDARY > 2 * UNREACHABLE);
    }

    /// Checks the duals against every pair not yet searched; adds the pairs with negative
    /// reduced cost and returns how many were added.
    fn add_violated_pairs(&self, ws: &mut Workspace) -> usize {
        let mut added = 0;
        for i in 0..ws.events.len() {
            // Doubled units: pair (i, j) violates iff 2 d < pot_i + pot_j - 2 common.
            let pot_i = ws.blossom.potential(i);
            if pot_i <= 0 || ws.searched[i] >= pot_i {
                continue;
            }
            let start = ws.candidates.len();
            self.search_from(i, pot_i, usize::MAX, ws);
            let mut kept = start;
            for k in start..ws.candidates.len() {
                let c = ws.candidates[k];
                let j = c.target as usize;
                let reduced = 2 * c.distance - pot_i - ws.blossom.potential(j)
                    + 2 * ws.blossom.common_blossom_dual(i, j);
                if reduced < 0 {
                    ws.candidates[kept] = c;
                    kept += 1;
                }
            }
            ws.candidates.truncate(kept);
            added += kept - start;
        }
        added
    }
}
