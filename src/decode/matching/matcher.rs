//! The public entry of the matching decoder: [`Matcher`] (built once per graph) decodes the
//! detection events of one shot into a minimum-weight matching, using a per-thread
//! [`Workspace`].
//!
//! # How a shot is decoded, exactly
//! 1. Detection events are toggled by the endpoints of negative-weight edges (p > 0.5): such
//!    an edge is taken as flipped by default, which turns the problem into one with weights
//!    `|w|` (PyMatching does the same).
//! 2. Sparse blossom ([`super::sparse`]) grows a region from every event at once over the
//!    detector graph, on one timeline of integer times; regions that touch are matched, form
//!    alternating trees and blossoms, exactly as Edmonds' blossom algorithm does on the
//!    complete graph of events, whose pairs it never lists. Each match is a path (its ends,
//!    observables and weight), between two events or from an event to the boundary.
//! 3. The correction, when asked for, is traced along a shortest path of each matched pair.

use super::error::MatchingError;
use super::graph::MatchingGraph;
use super::paths::DetectorGraph;
use super::sparse::event::CompressedEdge;
use super::sparse::search::SearchFlooder;
use super::sparse::SparseBlossom;

/// A matching of one shot's detection events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matching {
    /// Observables flipped by the correction (bit k = observable k).
    pub observables: u64,
    /// Total weight of the correction: the sum of the edge weights along the matched shortest
    /// paths (negative-weight edges included).
    pub weight: f64,
    /// Matched detection events `(a, Some(b))`, or `(a, None)` for an event matched to the
    /// boundary.
    pub pairs: Vec<(usize, Option<usize>)>,
}

/// Per-thread scratch space for [`Matcher::decode`]; reuse it across shots. A workspace made
/// by another matcher (not a clone of this one) is replaced by a fresh one when first used.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The [`Matcher::id`] of the matcher it was made for.
    matcher: u64,
    search: SearchFlooder,
    sparse: SparseBlossom,
    /// The shot's detection events after the negative-edge toggles (sorted, distinct).
    events: Vec<usize>,
    toggled: Vec<bool>,
    touched: Vec<usize>,
    component_events: Vec<u32>,
    /// The matched paths of the last shot.
    matches: Vec<CompressedEdge>,
    /// The graph under the weights of the current shot, when it has its own.
    shot: Option<Box<ShotGraph>>,
}

/// The matching decoder for one graph. Immutable after construction; share it between threads
/// and give each thread its own [`Workspace`].
#[derive(Clone, Debug)]
pub struct Matcher {
    /// Tells its workspaces from other matchers' (clones share it: they are the same graph).
    id: u64,
    graph: DetectorGraph,
    component: Vec<u32>,
    /// Per component: whether it has an edge to the boundary.
    component_boundary: Vec<bool>,
    num_components: usize,
    num_observables: usize,
    negatives: Negatives,
}

/// The edges of negative weight (`p > 0.5`) under one weighting: flipped by default, so the
/// solver matches with `|w|` from the detectors they toggle.
#[derive(Clone, Debug, Default, PartialEq)]
struct Negatives {
    /// The edges, ascending.
    edges: Vec<usize>,
    /// Detectors toggled an odd number of times by them.
    toggles: Vec<usize>,
    /// Observables they flip together.
    observables: u64,
    /// Their total (negative) weight.
    weight: f64,
}

impl Negatives {
    /// The negative edges of `graph` under the signed `weights` (one per edge).
    fn of(graph: &DetectorGraph, weights: impl Iterator<Item = f64>) -> Self {
        let mut negatives = Negatives::default();
        let mut toggled: Vec<usize> = Vec::new();
        for (edge, w) in weights.enumerate() {
            if w < 0.0 {
                negatives.edges.push(edge);
                let (a, b) = graph.edge_ends(edge);
                toggled.push(a);
                toggled.extend(b);
                negatives.observables ^= graph.edge_observables(edge);
                negatives.weight += w;
            }
        }
        toggled.sort_unstable();
        let mut k = 0;
        while k < toggled.len() {
            let run = toggled[k..]
                .iter()
                .take_while(|&&d| d == toggled[k])
                .count();
            if run % 2 == 1 {
                negatives.toggles.push(toggled[k]);
            }
            k += run;
        }
        negatives
    }
}

/// The weights a shot is decoded with ([`Matcher::decode_weighted`]).
#[derive(Clone, Copy, Debug)]
pub enum EdgeWeights<'a> {
    /// The graph's own weights.
    Graph,
    /// A weight for every edge of the graph, in the graph's edge order, replacing the graph's
    /// for this shot (a neural network's or belief propagation's posteriors, for example).
    /// Negative weights are allowed; NaN and infinite ones are refused.
    PerShot(&'a [f64]),
    /// The graph's weights with some edges lowered: each `(edge, weight)` with
    /// `0 <= weight < |current weight|` replaces the edge's weight for this shot (an edge listed
    /// twice takes the smaller). Edges of negative weight are left as they are. This is the
    /// reweighting of correlated matching, and costs time in proportion to what it changes.
    Lowered(&'a [(usize, f64)]),
}

/// A workspace's copy of the graph under a shot's own weights.
#[derive(Clone, Debug)]
struct ShotGraph {
    graph: DetectorGraph,
    negatives: Negatives,
    /// Edges changed by [`EdgeWeights::Lowered`], restored after the shot.
    edges_changed: Vec<u32>,
    /// Whether the weights were replaced by [`EdgeWeights::PerShot`] (so differ everywhere).
    replaced: bool,
}

/// The matcher under one weighting of its edges (the graph's own, or a shot's).
struct View<'a> {
    graph: &'a DetectorGraph,
    negatives: &'a Negatives,
    component: &'a [u32],
    component_boundary: &'a [bool],
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
        for e in &graph.edges {
            if let Some(b) = e.b {
                let (ra, rb) = (find(&mut union_find, e.a), find(&mut union_find, b));
                union_find[ra] = rb;
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
        let mut component_boundary = vec![false; num_components];
        for e in graph.edges.iter().filter(|e| e.b.is_none()) {
            component_boundary[component[e.a] as usize] = true;
        }
        let negatives = Negatives::of(&detector_graph, graph.edges.iter().map(|e| e.weight));
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Ok(Matcher {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            graph: detector_graph,
            component,
            component_boundary,
            num_components,
            num_observables: graph.num_observables,
            negatives,
        })
    }

    /// Number of detectors of the graph.
    pub fn num_detectors(&self) -> usize {
        self.graph.num_detectors()
    }

    /// Number of edges of the graph (the length of [`EdgeWeights::PerShot`] weights).
    pub fn num_edges(&self) -> usize {
        self.graph.num_edges()
    }

    /// Number of observables of the graph.
    pub fn num_observables(&self) -> usize {
        self.num_observables
    }

    /// The detectors of edge `edge` (in the graph's edge order), `None` for the boundary.
    pub fn edge_ends(&self, edge: usize) -> (usize, Option<usize>) {
        self.graph.edge_ends(edge)
    }

    /// Fresh scratch space for this matcher.
    pub fn workspace(&self) -> Workspace {
        let n = self.num_detectors();
        Workspace {
            matcher: self.id,
            search: SearchFlooder::new(n),
            sparse: SparseBlossom::new(n),
            events: Vec::new(),
            toggled: vec![false; n],
            touched: Vec::new(),
            component_events: vec![0; self.num_components],
            matches: Vec::new(),
            shot: None,
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
        self.decode_weighted(detection_events, EdgeWeights::Graph, ws)
    }

    /// Decodes one shot as [`Matcher::decode`] and also returns the correction: the sorted
    /// indices of the graph edges flipped (negative-weight edges included; edges used an even
    /// number of times cancel). Each pair's path is traced by a fresh shortest-path search, so
    /// where several shortest paths tie, the observables reported here (those of this
    /// correction) may differ from [`Matcher::decode`]'s, at equal weight.
    pub fn decode_with_correction(
        &self,
        detection_events: &[usize],
        ws: &mut Workspace,
    ) -> Result<(Matching, Vec<usize>), MatchingError> {
        self.decode_weighted_with_correction(detection_events, EdgeWeights::Graph, ws)
    }

    /// Decodes one shot as [`Matcher::decode`], with the edge weights given for this shot (the
    /// graph itself is not rebuilt; see [`EdgeWeights`]). The matching's weight is in these
    /// weights.
    pub fn decode_weighted(
        &self,
        detection_events: &[usize],
        weights: EdgeWeights<'_>,
        ws: &mut Workspace,
    ) -> Result<Matching, MatchingError> {
        self.solve(detection_events, weights, ws, |view, ws| view.matching(ws))
    }

    /// The observables flipped by the matching [`Matcher::decode_weighted`] finds (its
    /// `observables`), without collecting the matched pairs: the fast path for callers that
    /// want only the prediction, as PyMatching's `decode_detection_events_for_up_to_64_observables`.
    pub fn decode_observables(
        &self,
        detection_events: &[usize],
        weights: EdgeWeights<'_>,
        ws: &mut Workspace,
    ) -> Result<u64, MatchingError> {
        self.solve(detection_events, weights, ws, |view, ws| {
            view.observables(ws)
        })
    }

    /// [`Matcher::decode_with_correction`] with the edge weights given for this shot.
    pub fn decode_weighted_with_correction(
        &self,
        detection_events: &[usize],
        weights: EdgeWeights<'_>,
        ws: &mut Workspace,
    ) -> Result<(Matching, Vec<usize>), MatchingError> {
        self.solve(detection_events, weights, ws, |view, ws| {
            let matching = view.matching(ws);
            view.correction(matching, ws)
        })
    }

    /// Solves the shot on the view of this matcher under `weights`, then lets `read` take its
    /// result out of `ws`.
    fn solve<T>(
        &self,
        detection_events: &[usize],
        weights: EdgeWeights<'_>,
        ws: &mut Workspace,
        read: impl FnOnce(&View<'_>, &mut Workspace) -> T,
    ) -> Result<T, MatchingError> {
        if ws.matcher != self.id {
            *ws = self.workspace();
        }
        let decode = |view: &View<'_>, ws: &mut Workspace| {
            view.solve(detection_events, ws)?;
            Ok(read(view, ws))
        };
        let base = View {
            graph: &self.graph,
            negatives: &self.negatives,
            component: &self.component,
            component_boundary: &self.component_boundary,
        };
        if let EdgeWeights::Graph = weights {
            return decode(&base, ws);
        }
        let mut shot = ws.shot.take().unwrap_or_else(|| {
            Box::new(ShotGraph {
                graph: self.graph.clone(),
                negatives: self.negatives.clone(),
                edges_changed: Vec::new(),
                replaced: false,
            })
        });
        let result = self.reweight(&mut shot, weights).and_then(|()| {
            let view = View {
                graph: &shot.graph,
                negatives: &shot.negatives,
                component: &self.component,
                component_boundary: &self.component_boundary,
            };
            decode(&view, ws)
        });
        if !shot.replaced {
            shot.graph.restore(&self.graph, &shot.edges_changed);
        }
        shot.edges_changed.clear();
        ws.shot = Some(shot);
        result
    }

    /// Puts a shot's weights into the workspace's copy of the graph (which holds the graph's
    /// own weights, or the last [`EdgeWeights::PerShot`] weights when `replaced`).
    fn reweight(
        &self,
        shot: &mut ShotGraph,
        weights: EdgeWeights<'_>,
    ) -> Result<(), MatchingError> {
        let num_edges = self.graph.num_edges();
        match weights {
            EdgeWeights::Graph => Ok(()),
            EdgeWeights::PerShot(w) => {
                if w.len() != num_edges {
                    return Err(MatchingError::WeightCount {
                        expected: num_edges,
                        found: w.len(),
                    });
                }
                shot.replaced = true;
                shot.graph.set_weights(w)?;
                shot.negatives = Negatives::of(&shot.graph, w.iter().copied());
                Ok(())
            }
            EdgeWeights::Lowered(lowered) => {
                if let Some(&(edge, _)) = lowered.iter().find(|(e, _)| *e >= num_edges) {
                    return Err(MatchingError::NoSuchEdge { edge, num_edges });
                }
                if let Some(&(edge, weight)) = lowered.iter().find(|(_, w)| w.is_nan()) {
                    return Err(MatchingError::BadWeight { edge, weight });
                }
                if shot.replaced {
                    shot.graph.clone_from(&self.graph);
                    shot.negatives.clone_from(&self.negatives);
                    shot.replaced = false;
                }
                let negatives = &self.negatives.edges;
                if negatives.is_empty() {
                    shot.graph.lower_weights(lowered, &mut shot.edges_changed);
                } else {
                    let kept: Vec<(usize, f64)> = lowered
                        .iter()
                        .copied()
                        .filter(|(e, _)| negatives.binary_search(e).is_err())
                        .collect();
                    shot.graph.lower_weights(&kept, &mut shot.edges_changed);
                }
                Ok(())
            }
        }
    }
}

impl View<'_> {
    /// The observables of the matching left in `ws` by [`View::solve`].
    fn observables(&self, ws: &Workspace) -> u64 {
        ws.matches
            .iter()
            .fold(self.negatives.observables, |o, m| o ^ m.observables)
    }

    /// The matching left in `ws` by [`View::solve`].
    fn matching(&self, ws: &Workspace) -> Matching {
        let mut matching = Matching {
            observables: self.negatives.observables,
            weight: self.negatives.weight,
            pairs: Vec::with_capacity(ws.matches.len()),
        };
        for m in &ws.matches {
            matching.observables ^= m.observables;
            matching.weight += m.weight;
            let (a, b) = (m.from as usize, m.to.map(|b| b as usize));
            matching.pairs.push(match b {
                Some(b) if b < a => (b, Some(a)),
                _ => (a, b),
            });
        }
        matching.pairs.sort_unstable();
        matching
    }

    /// The correction of `matching`: its edges, traced along shortest paths (see
    /// [`Matcher::decode_with_correction`]).
    fn correction(&self, mut matching: Matching, ws: &mut Workspace) -> (Matching, Vec<usize>) {
        let mut edges = self.negatives.edges.clone();
        for m in &ws.matches {
            let traced = ws.search.trace(
                self.graph,
                m.from as usize,
                m.to.map(|t| t as usize),
                &mut edges,
            );
            debug_assert!(traced, "a matched pair has a path");
        }
        matching.observables = edges
            .iter()
            .fold(0, |o, &e| o ^ self.graph.edge_observables(e));
        edges.sort_unstable();
        let mut odd = Vec::with_capacity(edges.len());
        for e in edges {
            if odd.last() == Some(&e) {
                odd.pop();
            } else {
                odd.push(e);
            }
        }
        (matching, odd)
    }

    /// Finds the optimal matching of a shot's events; its paths are left in `ws.matches`.
    fn solve(&self, detection_events: &[usize], ws: &mut Workspace) -> Result<(), MatchingError> {
        self.collect_events(detection_events, ws)?;
        self.check_parity(ws)?;
        ws.matches.clear();
        ws.sparse
            .solve(self.graph, &ws.events, &mut ws.matches)
            .map_err(|e| MatchingError::OddComponent {
                detector: e.detector,
            })
    }

    /// Applies the negative-edge toggles and fills `ws.events` (sorted, distinct).
    fn collect_events(&self, dets: &[usize], ws: &mut Workspace) -> Result<(), MatchingError> {
        let n = self.graph.num_detectors();
        ws.touched.clear();
        for &d in dets.iter().chain(&self.negatives.toggles) {
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
        Ok(())
    }

    /// Refuses shots with an odd number of events in a component without boundary.
    fn check_parity(&self, ws: &mut Workspace) -> Result<(), MatchingError> {
        let mut result = Ok(());
        for &d in &ws.events {
            if !self.component_boundary[self.component[d] as usize] {
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
}
