//! Correlated (two-pass) matching, with PyMatching 2.4's semantics (`enable_correlations`).
//!
//! A decomposed DEM error `error(p) A ^ B` is one mechanism that flips two graph edges at once
//! (a Y error on the toric code flips a vertex edge and a plaquette edge). Matching alone treats
//! the two as independent. Correlated matching decodes twice:
//!
//! 1. match with the graph's weights and take the correction's edges;
//! 2. for every edge `c` of that correction and every edge `a` that shares a mechanism with it,
//!    lower `a`'s weight to `ln((1 - q) / q)` with `q = min(0.5, P(a and c) / P(c))`, the
//!    probability that `a` fires given that `c` did (where an edge is lowered more than once,
//!    the smallest weight wins); match again with these weights, which are then undone.
//!
//! The joint probabilities come from the model as PyMatching computes them
//! (`add_decomposed_error_to_joint_probabilities`): every error with `p > 0` adds `p` (as an
//! independent XOR) to `P(e)` for each of its components `e` and to `P(e and f)` for each pair of
//! its components. Components that are not edges of the graph (flipping no detector or three or
//! more, or merged into a certain flip) are left out; PyMatching refuses such models when
//! correlations are on. Models without `^` have nothing to correlate: the second pass equals the
//! first.

use std::collections::HashMap;

use super::graph::MatchingGraph;
use crate::dem::FlatDem;

/// Per graph edge, the weights that its use in a first-pass correction implies for the edges
/// that share a mechanism with it (compressed rows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Correlations {
    offsets: Vec<u32>,
    implied: Vec<(usize, f64)>,
}

/// `p1 XOR p2` for independent events.
fn bernoulli_xor(p1: f64, p2: f64) -> f64 {
    p1 * (1.0 - p2) + p2 * (1.0 - p1)
}

impl Correlations {
    /// The correlations of `dem` over the edges of `graph` (its matching graph, built by
    /// [`super::from_dem::dem_graph`]).
    pub fn new(dem: &FlatDem, graph: &MatchingGraph) -> Self {
        let edge_of: HashMap<(usize, Option<usize>), usize> = graph
            .edges
            .iter()
            .enumerate()
            .map(|(k, e)| ((e.a, e.b), k))
            .collect();
        let mut joint: HashMap<(usize, usize), f64> = HashMap::new();
        let mut edges = Vec::new();
        for error in &dem.errors {
            if error.probability <= 0.0 {
                continue;
            }
            edges.clear();
            edges.extend(error.components.iter().filter_map(|c| {
                let key = match c.detectors[..] {
                    [a] => (a, None),
                    [a, b] => (a, Some(b)),
                    _ => return None,
                };
                edge_of.get(&key).copied()
            }));
            let p = error.probability;
            for (k0, &e0) in edges.iter().enumerate() {
                for &e1 in &edges[k0 + 1..] {
                    for key in [(e0, e1), (e1, e0)] {
                        let q = joint.entry(key).or_insert(0.0);
                        *q = bernoulli_xor(*q, p);
                    }
                }
            }
            for &e in &edges {
                let q = joint.entry((e, e)).or_insert(0.0);
                *q = bernoulli_xor(*q, p);
            }
        }
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); graph.edges.len()];
        for (&(cause, affected), &p_both) in &joint {
            if cause == affected {
                continue;
            }
            let marginal = joint.get(&(cause, cause)).copied().unwrap_or(0.0);
            if marginal <= 0.0 || p_both <= 0.0 {
                continue;
            }
            let q = (p_both / marginal).min(0.5);
            rows[cause].push((affected, ((1.0 - q) / q).ln()));
        }
        let mut offsets = Vec::with_capacity(rows.len() + 1);
        let mut implied = Vec::new();
        offsets.push(0);
        for mut row in rows {
            row.sort_unstable_by_key(|&(e, _)| e);
            implied.extend(row);
            offsets.push(implied.len() as u32);
        }
        Correlations { offsets, implied }
    }

    /// Whether no edge shares a mechanism with another (the model has no useful `^`).
    pub fn is_empty(&self) -> bool {
        self.implied.is_empty()
    }

    /// The weights implied by a first-pass use of `edge`: `(affected edge, weight)`.
    pub fn implied(&self, edge: usize) -> &[(usize, f64)] {
        match (self.offsets.get(edge), self.offsets.get(edge + 1)) {
            (Some(&a), Some(&b)) => &self.implied[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Appends to `out` the weights that a first-pass correction (its edges) implies: the input
    /// of [`super::EdgeWeights::Lowered`] for the second pass.
    pub fn lowered_for(&self, correction: &[usize], out: &mut Vec<(usize, f64)>) {
        for &edge in correction {
            out.extend_from_slice(self.implied(edge));
        }
    }
}
