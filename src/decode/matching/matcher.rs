//! The public entry of the matching decoder: [`Matcher`] (built once per graph) decodes the
//! detection events of one shot into a minimum-weight matching, using a per-thread
//! [`Workspace`].
//!
//! # How a shot is decoded, exactly
//! 1. Detection events are toggled by the endpoints of negative-weight edges (p > 0.5): such
//!    an edge is taken as flipped by default, which turns the problem into one with weights
//!    `|w|` (PyMatching does the same).
//! 2. Candidate pairs: regions grow from all events at once (a Voronoi diagram of the detector
//!    graph); two events whose regions touch become a candidate pair, with the length of the
//!    path through the contact (an upper bound on their distance). Every event's boundary
//!    distance is precomputed.
//! 3. The blossom solver finds a minimum-cost perfect matching with boundary among the
//!    candidate pairs, with duals (vertex potentials `pot` and blossom duals).
//! 4. Certificate over all pairs. A pair `(u, v)` violates the dual constraints iff
//!    `2 d(u, v) < pot(u) + pot(v) - 2 common(u, v)` (doubled units; `common` = duals of the
//!    blossoms holding both). Pairs in different groups (outermost blossoms with positive dual,
//!    see [`Blossom::group`]) have `common = 0`: regions grow again, each event's starting at
//!    `-pot`, over the nodes of negative value only; along a violated pair's shortest path
//!    every node has a negative value and some region contact has a negative value, and the
//!    pair of that contact is itself violated (its value is exact). Pairs inside one
//!    group are checked by a search from each member of radius `pot - z(outermost blossom)`,
//!    which bounds what the pair's own blossoms leave of the potentials.
//! 5. Violated pairs are added and the matching is repaired rather than recomputed
//!    ([`Blossom::resolve`]), which leaves every added pair with a non-negative reduced cost.
//!    The cross-group check of step 4 finds at least one violated pair whenever one exists,
//!    not necessarily all of them; the in-group check finds all. A pair's reduced cost drops
//!    only when a dual holding one of its ends rises ([`Blossom::raised`]), and two events
//!    join one group only through a blossom whose dual rose. So after the first full check,
//!    a violated pair either lies across groups (the cross-group check finds one) or lies
//!    inside a group with an end raised since the last in-group check (a local search from
//!    those events, of radius `(q + max q of the group) / 2`, finds all of these); the in-group
//!    check is repeated only when many events were raised. The matching is final when neither finds anything. Then the
//!    duals are feasible for the complete pair graph, so the matching is optimal over all
//!    pairs; and so is its cost, although candidate costs were upper bounds on distances (the
//!    matched costs equal the dual objective, a lower bound on the optimum).

use super::blossom::{Blossom, Partner};
use super::error::MatchingError;
use super::graph::MatchingGraph;
use super::paths::{Contact, Control, DetectorGraph, Dijkstra, Regions, UNREACHABLE};

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

/// A candidate pair of events (indices into the shot's event list) with a path between them.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    a: u32,
    b: u32,
    length: i64,
    observables: u64,
    weight: f64,
}

impl Candidate {
    /// The pair of events `i` and `j`, stored with the smaller index first.
    fn pair(i: u32, j: u32, length: i64, observables: u64, weight: f64) -> Self {
        Candidate {
            a: i.min(j),
            b: i.max(j),
            length,
            observables,
            weight,
        }
    }

    fn from_contact(c: &Contact) -> Self {
        Candidate::pair(c.a, c.b, c.length, c.observables, c.weight)
    }
}

/// Per-thread scratch space for [`Matcher::decode`]; reuse it across shots.
#[derive(Clone, Debug)]
pub struct Workspace {
    dijkstra: Dijkstra,
    regions: Regions,
    blossom: Blossom,
    /// Per detector: `event_stamp == stamp` marks a detection event with index `event_index`.
    event_stamp: Vec<u32>,
    event_index: Vec<u32>,
    stamp: u32,
    events: Vec<usize>,
    toggled: Vec<bool>,
    touched: Vec<usize>,
    component_events: Vec<u32>,
    /// Per event: its group in the solved matching (see [`Blossom::group`]).
    group: Vec<usize>,
    /// Scratch of the local in-group search: per group, the largest `q` of its members.
    group_best: Vec<i64>,
    /// Per event: how far its region may grow when collecting candidates, and whether the
    /// limit is strict.
    limits: Vec<i64>,
    strict: Vec<bool>,
    candidates: Vec<Candidate>,
    /// Per event: all pairs of its component are already candidates.
    exhausted: Vec<bool>,
    /// The graph under the weights of the current shot, when it has its own.
    shot: Option<Box<ShotGraph>>,
    /// Whether the blossom and the candidates hold the solution of the last shot, decoded
    /// with the graph's own weights (where [`Matcher::decode_again_lowered`] starts).
    graph_solution: bool,
}

/// The matching decoder for one graph. Immutable after construction; share it between threads
/// and give each thread its own [`Workspace`].
#[derive(Clone, Debug)]
pub struct Matcher {
    graph: DetectorGraph,
    component: Vec<u32>,
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
    /// Edges and nodes changed by [`EdgeWeights::Lowered`], restored after the shot.
    edges_changed: Vec<u32>,
    nodes_changed: Vec<u32>,
    /// Whether the weights were replaced by [`EdgeWeights::PerShot`] (so differ everywhere).
    replaced: bool,
}

/// The matcher under one weighting of its edges (the graph's own, or a shot's).
struct View<'a> {
    graph: &'a DetectorGraph,
    negatives: &'a Negatives,
    component: &'a [u32],
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
        let negatives = Negatives::of(&detector_graph, graph.edges.iter().map(|e| e.weight));
        Ok(Matcher {
            graph: detector_graph,
            component,
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
            dijkstra: Dijkstra::new(n),
            regions: Regions::new(n),
            blossom: Blossom::default(),
            event_stamp: vec![0; n],
            event_index: vec![0; n],
            stamp: 0,
            events: Vec::new(),
            toggled: vec![false; n],
            touched: Vec::new(),
            component_events: vec![0; self.num_components],
            group: Vec::new(),
            group_best: Vec::new(),
            limits: Vec::new(),
            strict: Vec::new(),
            candidates: Vec::new(),
            exhausted: Vec::new(),
            shot: None,
            graph_solution: false,
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
        self.with_weights(weights, ws, |view, _, ws| {
            view.solve(detection_events, ws)?;
            Ok(view.matching(ws))
        })
    }

    /// [`Matcher::decode_with_correction`] with the edge weights given for this shot.
    pub fn decode_weighted_with_correction(
        &self,
        detection_events: &[usize],
        weights: EdgeWeights<'_>,
        ws: &mut Workspace,
    ) -> Result<(Matching, Vec<usize>), MatchingError> {
        self.with_weights(weights, ws, |view, _, ws| {
            view.solve(detection_events, ws)?;
            let matching = view.matching(ws);
            Ok(view.correction(matching, ws))
        })
    }

    /// Decodes the shot last decoded in `ws` (by [`Matcher::decode`] or
    /// [`Matcher::decode_with_correction`], with the graph's own weights) again, with some
    /// edges lowered as by [`EdgeWeights::Lowered`], starting from that shot's solution
    /// instead of from nothing: the second pass of correlated matching. The result is a
    /// minimum-weight matching under the lowered weights, of the same weight as
    /// [`Matcher::decode_weighted`] with [`EdgeWeights::Lowered`] gives (where minimum-weight
    /// matchings tie, possibly another of them). Refused with
    /// [`MatchingError::NoPreviousShot`] when `ws` holds no such shot; a shot can be decoded
    /// again once.
    pub fn decode_again_lowered(
        &self,
        lowered: &[(usize, f64)],
        ws: &mut Workspace,
    ) -> Result<Matching, MatchingError> {
        self.again_lowered(lowered, ws, |view, ws| view.matching(ws))
    }

    /// [`Matcher::decode_again_lowered`], also returning the correction (as
    /// [`Matcher::decode_with_correction`]).
    pub fn decode_again_lowered_with_correction(
        &self,
        lowered: &[(usize, f64)],
        ws: &mut Workspace,
    ) -> Result<(Matching, Vec<usize>), MatchingError> {
        self.again_lowered(lowered, ws, |view, ws| {
            let matching = view.matching(ws);
            view.correction(matching, ws)
        })
    }

    /// Re-solves the shot held by `ws` under the lowered weights, then runs `finish`.
    fn again_lowered<T>(
        &self,
        lowered: &[(usize, f64)],
        ws: &mut Workspace,
        finish: impl FnOnce(&View<'_>, &mut Workspace) -> T,
    ) -> Result<T, MatchingError> {
        if !ws.graph_solution {
            return Err(MatchingError::NoPreviousShot);
        }
        self.with_weights(EdgeWeights::Lowered(lowered), ws, |view, changed, ws| {
            view.resolve_lowered(changed, ws)?;
            Ok(finish(view, ws))
        })
    }

    /// Runs `decode` on the view of this matcher under `weights`, with the detectors whose
    /// boundary distance a lowering changed.
    fn with_weights<T>(
        &self,
        weights: EdgeWeights<'_>,
        ws: &mut Workspace,
        decode: impl FnOnce(&View<'_>, &[u32], &mut Workspace) -> Result<T, MatchingError>,
    ) -> Result<T, MatchingError> {
        let base = View {
            graph: &self.graph,
            negatives: &self.negatives,
            component: &self.component,
        };
        if let EdgeWeights::Graph = weights {
            let result = decode(&base, &[], ws);
            ws.graph_solution = result.is_ok();
            return result;
        }
        ws.graph_solution = false;
        let mut shot = ws.shot.take().unwrap_or_else(|| {
            Box::new(ShotGraph {
                graph: self.graph.clone(),
                negatives: self.negatives.clone(),
                edges_changed: Vec::new(),
                nodes_changed: Vec::new(),
                replaced: false,
            })
        });
        let result = self.reweight(&mut shot, weights).and_then(|()| {
            let view = View {
                graph: &shot.graph,
                negatives: &shot.negatives,
                component: &self.component,
            };
            decode(&view, &shot.nodes_changed, ws)
        });
        if !shot.replaced {
            shot.graph
                .restore(&self.graph, &shot.edges_changed, &shot.nodes_changed);
        }
        shot.edges_changed.clear();
        shot.nodes_changed.clear();
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
                    shot.graph.lower_weights(
                        lowered,
                        &mut shot.edges_changed,
                        &mut shot.nodes_changed,
                    );
                } else {
                    let kept: Vec<(usize, f64)> = lowered
                        .iter()
                        .copied()
                        .filter(|(e, _)| negatives.binary_search(e).is_err())
                        .collect();
                    shot.graph.lower_weights(
                        &kept,
                        &mut shot.edges_changed,
                        &mut shot.nodes_changed,
                    );
                }
                Ok(())
            }
        }
    }
}

impl View<'_> {
    /// The matching left in `ws` by [`View::solve`].
    fn matching(&self, ws: &Workspace) -> Matching {
        let mut matching = Matching {
            observables: self.negatives.observables,
            weight: self.negatives.weight,
            pairs: Vec::with_capacity(ws.events.len()),
        };
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
                    matching.pairs.push((det, Some(ws.events[vertex])));
                }
                Partner::Vertex { .. } => {}
            }
        }
        matching
    }

    /// The correction of `matching`: its edges, traced along shortest paths (see
    /// [`Matcher::decode_with_correction`]).
    fn correction(&self, mut matching: Matching, ws: &mut Workspace) -> (Matching, Vec<usize>) {
        let mut edges = self.negatives.edges.clone();
        for &(a, b) in &matching.pairs {
            match b {
                None => self.graph.boundary_path(a, &mut edges),
                Some(b) => {
                    ws.dijkstra.search(self.graph, a, |v, _, _, _| {
                        if v == b {
                            Control::Stop
                        } else {
                            Control::Continue
                        }
                    });
                    ws.dijkstra.path_to(self.graph, b, &mut edges);
                }
            }
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

    /// Finds the optimal matching of a shot's events; the result is left in `ws.blossom`.
    fn solve(&self, detection_events: &[usize], ws: &mut Workspace) -> Result<(), MatchingError> {
        self.collect_events(detection_events, ws)?;
        self.check_parity(ws)?;
        ws.exhausted.clear();
        ws.exhausted.resize(ws.events.len(), false);
        ws.candidates.clear();
        self.find_candidates(ws);
        self.load_blossom(ws);
        let result = ws.blossom.solve();
        self.certify(result, ws)
    }

    /// Re-solves the shot left in `ws` by a solve under other weights, after this view's
    /// weights lowered some edges (and, through them, the boundary distances of the detectors
    /// in `nodes_changed`). The old candidates stay: their lengths are still upper bounds on
    /// the distances, which is all the blossom needs, and one that is matched in the end has
    /// its length equal to the new distance, so its path holds no lowered edge and its
    /// observables and weight are still right. Boundary costs are lowered in the blossom, and
    /// the certificate runs from a full check.
    fn resolve_lowered(
        &self,
        nodes_changed: &[u32],
        ws: &mut Workspace,
    ) -> Result<(), MatchingError> {
        for &d in nodes_changed {
            let d = d as usize;
            if ws.event_stamp[d] == ws.stamp {
                let i = ws.event_index[d] as usize;
                ws.blossom
                    .lower_boundary(i, 2 * self.graph.boundary_distance(d));
            }
        }
        let result = ws.blossom.resolve(ws.candidates.len());
        self.certify(result, ws)
    }

    /// The certificate loop (module notes, steps 4 and 5) from the blossom's `result` on the
    /// candidates so far: adds violated pairs and repairs until none is left.
    fn certify(
        &self,
        mut result: Result<(), Vec<usize>>,
        ws: &mut Workspace,
    ) -> Result<(), MatchingError> {
        let mut verified = false;
        loop {
            let start = ws.candidates.len();
            match result {
                Err(stuck) => {
                    // Only the candidate pairs lacked a perfect matching: give the stuck events
                    // every pair in their component. (The parity check makes a perfect matching
                    // exist once all pairs of a component are present.)
                    if stuck.iter().all(|&i| ws.exhausted[i]) {
                        let detector = ws.events[stuck[0]];
                        return Err(MatchingError::OddComponent { detector });
                    }
                    for &i in &stuck {
                        self.add_all_pairs(i, ws);
                    }
                }
                Ok(()) => {
                    // Which pairs can be violated now (see the module notes, step 5): pairs
                    // across groups, found by the cross-group check (it finds one whenever
                    // there is one), and pairs inside a group with an end whose duals rose
                    // since the last check of the pairs inside groups (`raised`), found by a
                    // local search. A pair with no raised end that is inside a group now was
                    // inside one at that check, which found every such violation. When much
                    // was raised, everything is checked again.
                    let changed = match verified {
                        true => ws.blossom.raised().len(),
                        false => ws.events.len(),
                    };
                    let added = if 8 * changed < ws.events.len() {
                        match self.add_violated_pairs_near_changes(ws) {
                            0 => self.add_violated_pairs(ws, false),
                            added => added,
                        }
                    } else {
                        ws.blossom.clear_raised();
                        self.add_violated_pairs(ws, true)
                    };
                    if added == 0 {
                        return Ok(());
                    }
                    verified = true;
                }
            }
            for c in &ws.candidates[start..] {
                ws.blossom
                    .add_edge(c.a as usize, c.b as usize, 2 * c.length);
            }
            result = ws.blossom.resolve(start);
        }
    }

    /// After a re-solve: only pairs with an end raised since the last in-group check (see
    /// [`Blossom::raised`]) can have become violated inside a group. Searches from each raised
    /// event in a group far enough to meet any partner of its group it could violate with
    /// (pairs across groups are left to the cross-group check).
    fn add_violated_pairs_near_changes(&self, ws: &mut Workspace) -> usize {
        let start = ws.candidates.len();
        let count = ws.events.len();
        let mut groups = std::mem::take(&mut ws.group);
        groups.clear();
        groups.extend((0..count).map(|i| ws.blossom.group(i)));
        // Per group (a vertex or blossom index, below `2 * count`): the largest `q` of its
        // members, `q = pot - z(outermost blossom)` as in the in-group check.
        let mut best = std::mem::take(&mut ws.group_best);
        best.clear();
        best.resize(2 * count, i64::MIN);
        for (i, &g) in groups.iter().enumerate() {
            if g != i {
                let q = ws.blossom.potential(i) - ws.blossom.outermost_dual(i);
                best[g] = best[g].max(q);
            }
        }
        for k in 0..ws.blossom.raised().len() {
            let i = ws.blossom.raised()[k];
            let group = groups[i];
            if group == i {
                continue;
            }
            let outer = ws.blossom.outermost_dual(i);
            let reach = ws.blossom.potential(i) - outer + best[group];
            if reach <= 0 {
                continue;
            }
            // A violated partner has `2 d < q_i + q_j <= reach`: stop once
            // `2 * length >= reach` (lengths are integers).
            self.add_violations_from(ws, i, (reach + 1) / 2, |j, bare| {
                groups[j] == group && bare + 2 * outer < 0
            });
        }
        ws.group = groups;
        ws.group_best = best;
        dedup_candidates(&mut ws.candidates, start);
        ws.candidates.len() - start
    }

    /// Applies the negative-edge toggles and fills `ws.events` (sorted, distinct) and the
    /// detector-to-event index.
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

    /// Candidate pairs: events whose regions touch when all grow at the same rate. Each region
    /// grows to its boundary distance at most (a pair is worth matching only if
    /// `d(u, v) < b(u) + b(v)`, and then the two balls meet) and stops a little after it
    /// touches another region (at three quarters of the contact's value, see [`Regions::grow`]):
    /// a heuristic for a small first candidate set; the certificate finds the pairs it misses.
    fn find_candidates(&self, ws: &mut Workspace) {
        let Workspace {
            regions,
            events,
            candidates,
            limits,
            strict,
            ..
        } = ws;
        let start = candidates.len();
        let sources = events.iter().enumerate().map(|(i, &d)| (d, 0, i as u32));
        limits.clear();
        limits.extend(events.iter().map(|&d| {
            let b = self.graph.boundary_distance(d);
            if b == UNREACHABLE {
                UNREACHABLE
            } else {
                b + 1
            }
        }));
        let stop = limits.iter().copied().max().unwrap_or(0);
        // Regions of events without boundary settle their last queued layer too: without it,
        // matchings among the candidates fail more often on boundaryless (toric) graphs.
        strict.clear();
        strict.extend(limits.iter().map(|&l| l != UNREACHABLE));
        let limits = Some((limits.as_mut_slice(), strict.as_slice()));
        regions.grow(self.graph, sources, 1, stop, limits, |c| {
            let new = Candidate::from_contact(&c);
            // Contacts of one pair often come in a row: keep only the shortest of a run.
            match candidates.last_mut() {
                Some(last) if (last.a, last.b) == (new.a, new.b) => {
                    if new.length < last.length {
                        *last = new;
                    }
                }
                _ => candidates.push(new),
            }
        });
        dedup_candidates(candidates, start);
    }

    /// Adds a candidate pair from event `i` to every other event of its component.
    fn add_all_pairs(&self, i: usize, ws: &mut Workspace) {
        let Workspace {
            dijkstra,
            event_stamp,
            event_index,
            stamp,
            candidates,
            events,
            ..
        } = ws;
        let stamp = *stamp;
        dijkstra.search(self.graph, events[i], |v, length, observables, weight| {
            if event_stamp[v] == stamp && event_index[v] as usize != i {
                candidates.push(Candidate::pair(
                    i as u32,
                    event_index[v],
                    length,
                    observables,
                    weight,
                ));
            }
            Control::Continue
        });
        ws.exhausted[i] = true;
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
                .add_edge(c.a as usize, c.b as usize, 2 * c.length);
        }
    }

    /// Checks the duals against every pair of events in different groups and, if `in_groups`,
    /// every pair inside one group (see the module notes); adds the pairs with negative reduced
    /// cost and returns how many were added.
    fn add_violated_pairs(&self, ws: &mut Workspace, in_groups: bool) -> usize {
        let start = ws.candidates.len();
        let count = ws.events.len();
        let max_pot = (0..count)
            .map(|i| ws.blossom.potential(i))
            .max()
            .unwrap_or(0);
        if max_pot <= 0 {
            return 0;
        }
        ws.group.clear();
        ws.group.extend((0..count).map(|i| ws.blossom.group(i)));
        // Pairs in different groups.
        {
            let Workspace {
                regions,
                events,
                candidates,
                blossom,
                group,
                ..
            } = ws;
            let sources = events
                .iter()
                .enumerate()
                .map(|(i, &d)| (d, -blossom.potential(i), i as u32));
            // Along a violated pair's path, `min(A, B) < 0` at every node (`A`, `B`: the values
            // from either end, `A + B < 0`), so growing only below 0 settles the whole path.
            regions.grow(self.graph, sources, 2, 0, None, |c| {
                if c.value < 0 && group[c.a as usize] != group[c.b as usize] {
                    candidates.push(Candidate::from_contact(&c));
                }
            });
        }
        // Pairs inside one group. For such a pair with smallest common blossom C, the duals
        // of C and the blossoms around it (summing to `above`) cancel out of the reduced cost, so
        // it is violated only if `2 d < q_u + q_v` with `q = pot - above <= pot - z(outermost)`:
        // a search of that radius from each member meets every partner it could violate with
        // the larger `q`.
        let groups = std::mem::take(&mut ws.group);
        for i in (0..count).filter(|_| in_groups) {
            let group = groups[i];
            if group == i {
                continue;
            }
            let outer = ws.blossom.outermost_dual(i);
            let radius = ws.blossom.potential(i) - outer;
            if radius <= 0 {
                continue;
            }
            self.add_violations_from(ws, i, radius, |j, bare| {
                groups[j] == group && bare + 2 * outer < 0
            });
        }
        ws.group = groups;
        dedup_candidates(&mut ws.candidates, start);
        ws.candidates.len() - start
    }

    /// Searches from event `i` over paths shorter than `radius` and adds the pair `(i, j)` for
    /// every other event `j` that violates the duals: `bare = 2 d - pot_i - pot_j` plus twice
    /// their common blossom duals is negative, and `accept(j, bare)` holds.
    fn add_violations_from(
        &self,
        ws: &mut Workspace,
        i: usize,
        radius: i64,
        accept: impl Fn(usize, i64) -> bool,
    ) {
        let Workspace {
            dijkstra,
            event_stamp,
            event_index,
            stamp,
            candidates,
            events,
            blossom,
            ..
        } = ws;
        let stamp = *stamp;
        let pot_i = blossom.potential(i);
        blossom.anchor(i);
        dijkstra.search(self.graph, events[i], |v, length, observables, weight| {
            if length >= radius {
                return Control::Stop;
            }
            if event_stamp[v] == stamp {
                let j = event_index[v] as usize;
                // The blossom term is never negative: skip it unless the rest is.
                let bare = 2 * length - pot_i - blossom.potential(j);
                if j != i
                    && bare < 0
                    && accept(j, bare)
                    && bare + 2 * blossom.common_with_anchor(j) < 0
                {
                    candidates.push(Candidate::pair(
                        i as u32,
                        j as u32,
                        length,
                        observables,
                        weight,
                    ));
                }
            }
            Control::Continue
        });
    }
}

/// Sorts `candidates[start..]` by pair and length and keeps the shortest of each pair.
fn dedup_candidates(candidates: &mut Vec<Candidate>, start: usize) {
    candidates[start..].sort_unstable_by_key(|c| (c.a, c.b, c.length));
    let mut kept = start;
    for k in start..candidates.len() {
        if kept == start
            || (candidates[kept - 1].a, candidates[kept - 1].b)
                != (candidates[k].a, candidates[k].b)
        {
            candidates[kept] = candidates[k];
            kept += 1;
        }
    }
    candidates.truncate(kept);
}
