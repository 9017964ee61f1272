//! Building a [`MatchingGraph`] from a Stim detector error model, by PyMatching's rules:
//!
//! - every `error(p)` with `p > 0` is split at its `^` separators into components, each of
//!   which is an error of probability `p` on its own; `error(0)` mechanisms are dropped;
//! - a component flipping one detector gives an edge to the boundary, two give an edge between
//!   them; a component that flips no detector is ignored (it cannot be seen), and one that flips
//!   three or more cannot be matched and is dropped, as PyMatching drops it
//!   ([`undecomposable_components`] lists them, for callers that warn or refuse);
//! - components on the same detector pair (or the same detector's boundary) are merged as
//!   independent errors, `p = p1 (1 - p2) + p2 (1 - p1)`, keeping the observables of the first
//!   (as PyMatching does); a merged probability of 0 (two certain errors cancel) drops the edge;
//! - the weight is `ln((1 - p) / p)`: negative for `p > 0.5`. Negative weights are kept; the
//!   solver treats such an edge as flipped by default and matches with `|w|` (PyMatching's
//!   method). A certain edge (`p = 1`) is flipped in every shot and can never be undone, so it
//!   is not an edge of the graph but a fixed flip ([`DemGraph::certain`]; PyMatching fails on
//!   such models with "maximum absolute edge weight exceeded");
//! - observables are a 64-bit mask on each edge; a model with more than 64 observables also
//!   gets the full observable list of every edge ([`DemGraph::edge_observables`]).

use super::graph::{GraphEdge, MatchingGraph};
use crate::dem::{FlatDem, FlatError};
use std::collections::HashMap;

/// Observables that fit the graph's bit masks; models with more are decoded through the
/// correction's edges ([`DemGraph::edge_observables`]).
pub const MASK_OBSERVABLES: usize = 64;

/// An error component that matching cannot use (it flips three or more detectors).
#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "line {line}: component {component} of this error flips {count} detectors ({list}); \
     matching needs every component to flip 1 or 2 detectors (decompose such errors with '^', \
     e.g. Stim's decompose_errors=True)"
)]
pub struct NotGraphlike {
    /// Source line of the `error` instruction.
    pub line: usize,
    /// 1-based index of the component within the error (separated by `^`).
    pub component: usize,
    /// Number of detectors it flips.
    pub count: usize,
    /// The detectors, as `D1 D5 D9`.
    pub list: String,
}

/// The undecomposable components of a model: how many, and the first one.
#[derive(Debug, PartialEq)]
pub struct Undecomposable {
    /// Number of components (of errors with `p > 0`) flipping three or more detectors.
    pub count: usize,
    /// The first of them.
    pub first: NotGraphlike,
}

/// Why a DEM cannot be decoded by matching.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GraphFromDemError {
    /// A component of an error flips more than two detectors (only from
    /// [`check_graphlike`]; graph construction drops such components).
    #[error(transparent)]
    NotGraphlike(#[from] NotGraphlike),
}

/// A fixed flip: a certain (`p = 1`) mechanism, present in every shot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertainFlip {
    /// The detectors it flips (one or two).
    pub detectors: Vec<usize>,
    /// The observables it flips.
    pub observables: Vec<usize>,
}

/// The matching graph of a DEM with what the graph itself cannot hold.
#[derive(Clone, Debug, PartialEq)]
pub struct DemGraph {
    /// The graph (observable masks cover observables below 64).
    pub graph: MatchingGraph,
    /// Per graph edge, every observable it flips (sorted).
    pub edge_observables: Vec<Vec<usize>>,
    /// Certain mechanisms, applied to every shot before matching.
    pub certain: Vec<CertainFlip>,
}

/// Builds the matching graph of a flattened DEM (see the module documentation).
pub fn graph_from_dem(dem: &FlatDem) -> MatchingGraph {
    dem_graph(dem).graph
}

/// Builds the matching graph of a flattened DEM with the full observable lists and the certain
/// flips.
pub fn dem_graph(dem: &FlatDem) -> DemGraph {
    struct Merged {
        key: (usize, Option<usize>),
        probability: f64,
        observables: Vec<usize>,
    }
    let mut merged: Vec<Merged> = Vec::new();
    let mut index: HashMap<(usize, Option<usize>), usize> = HashMap::new();
    for error in &dem.errors {
        if error.probability <= 0.0 {
            continue;
        }
        for comp in &error.components {
            let key = match comp.detectors[..] {
                [a] => (a, None),
                [a, b] => (a, Some(b)),
                _ => continue,
            };
            match index.get(&key) {
                Some(&i) => {
                    let e = &mut merged[i];
                    let (p1, p2) = (e.probability, error.probability);
                    e.probability = p1 * (1.0 - p2) + p2 * (1.0 - p1);
                }
                None => {
                    index.insert(key, merged.len());
                    merged.push(Merged {
                        key,
                        probability: error.probability,
                        observables: comp.observables.clone(),
                    });
                }
            }
        }
    }
    let mut edges = Vec::new();
    let mut edge_observables = Vec::new();
    let mut certain = Vec::new();
    for m in merged {
        if m.probability <= 0.0 {
            continue;
        }
        if m.probability >= 1.0 {
            certain.push(CertainFlip {
                detectors: std::iter::once(m.key.0).chain(m.key.1).collect(),
                observables: m.observables,
            });
            continue;
        }
        edges.push(GraphEdge {
            a: m.key.0,
            b: m.key.1,
            probability: m.probability,
            weight: ((1.0 - m.probability) / m.probability).ln(),
            observables: mask(&m.observables),
        });
        edge_observables.push(m.observables);
    }
    DemGraph {
        graph: MatchingGraph {
            num_detectors: dem.num_detectors,
            num_observables: dem.num_observables,
            edges,
        },
        edge_observables,
        certain,
    }
}

/// The bit mask of the observables below [`MASK_OBSERVABLES`].
pub fn mask(observables: &[usize]) -> u64 {
    observables
        .iter()
        .filter(|&&k| k < MASK_OBSERVABLES)
        .fold(0u64, |m, &k| m | 1 << k)
}

/// The components (of errors with `p > 0`) that flip three or more detectors, which matching
/// drops; `None` when there are none.
pub fn undecomposable_components(dem: &FlatDem) -> Option<Undecomposable> {
    let mut found = dem
        .errors
        .iter()
        .filter(|e| e.probability > 0.0)
        .flat_map(|e| {
            e.components
                .iter()
                .enumerate()
                .filter(|(_, c)| c.detectors.len() > 2)
                .map(move |(k, c)| (e, k, c))
        });
    let (e, k, c) = found.next()?;
    Some(Undecomposable {
        count: 1 + found.count(),
        first: not_graphlike(e, k, &c.detectors),
    })
}

/// Refuses a model with an undecomposable component (what `--strict` asks for).
pub fn check_graphlike(dem: &FlatDem) -> Result<(), GraphFromDemError> {
    match undecomposable_components(dem) {
        Some(u) => Err(u.first.into()),
        None => Ok(()),
    }
}

fn not_graphlike(error: &FlatError, k: usize, detectors: &[usize]) -> NotGraphlike {
    NotGraphlike {
        line: error.line,
        component: k + 1,
        count: detectors.len(),
        list: detectors
            .iter()
            .map(|d| format!("D{d}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dem::parse_dem;

    fn flat(text: &str) -> FlatDem {
        parse_dem(text).unwrap().flatten().unwrap()
    }

    fn graph(text: &str) -> Result<MatchingGraph, GraphFromDemError> {
        Ok(graph_from_dem(&flat(text)))
    }

    #[test]
    fn components_become_edges_and_boundary_edges() {
        let g = graph("error(0.1) D0 D1 L0 ^ D2\nerror(0.2) D1\ndetector D5\n").unwrap();
        assert_eq!(g.num_detectors, 6);
        assert_eq!(g.num_observables, 1);
        assert_eq!(g.edges.len(), 3);
        assert_eq!(
            (g.edges[0].a, g.edges[0].b, g.edges[0].observables),
            (0, Some(1), 1)
        );
        assert_eq!(
            (g.edges[1].a, g.edges[1].b, g.edges[1].observables),
            (2, None, 0)
        );
        assert_eq!((g.edges[2].a, g.edges[2].b), (1, None));
        assert!((g.edges[0].weight - (0.9f64 / 0.1).ln()).abs() < 1e-12);
    }

    #[test]
    fn parallel_edges_merge_as_independent_errors() {
        let g = graph("error(0.1) D1 D0 L0\nerror(0.2) D0 D1 ^ D3\nerror(0.3) D0 D1 L1\n").unwrap();
        let e = g.edges.iter().find(|e| e.b == Some(1)).unwrap();
        let p12 = 0.1 * 0.8 + 0.2 * 0.9;
        let p = p12 * 0.7 + 0.3 * (1.0 - p12);
        assert!((e.probability - p).abs() < 1e-15);
        assert!((e.weight - ((1.0 - p) / p).ln()).abs() < 1e-12);
        assert_eq!(e.observables, 1, "first mechanism's observables are kept");
        assert_eq!(g.edges.len(), 2);
    }

    #[test]
    fn zero_probability_is_dropped_and_large_probability_gives_negative_weight() {
        let g = graph("error(0) D0 D1\nerror(0.75) D1 D2\n").unwrap();
        assert_eq!(g.num_detectors, 3);
        assert_eq!(g.edges.len(), 1);
        assert!((g.edges[0].weight - (0.25f64 / 0.75).ln()).abs() < 1e-12);
        assert!(g.edges[0].weight < 0.0);
    }

    #[test]
    fn undecomposable_components_are_dropped_and_reported_with_their_line() {
        let dem = flat("error(0.1) D0\n\nerror(0.1) D0 D1 ^ D2 D3 D4\nerror(0.2) D1 D2 D3\n");
        let u = undecomposable_components(&dem).unwrap();
        assert_eq!(u.count, 2);
        assert_eq!(
            u.first,
            NotGraphlike {
                line: 3,
                component: 2,
                count: 3,
                list: "D2 D3 D4".into()
            }
        );
        let err = check_graphlike(&dem).unwrap_err();
        assert!(err.to_string().starts_with("line 3: component 2"), "{err}");
        let g = graph_from_dem(&dem);
        assert_eq!(g.edges.len(), 2, "D0 boundary and D0-D1 remain");
        assert!(undecomposable_components(&flat("error(0) D0 D1 D2\n")).is_none());
    }

    #[test]
    fn certain_errors_are_fixed_flips_and_cancelling_pairs_vanish() {
        let g = dem_graph(&flat("error(1) D0 L0\nerror(0.1) D0 D1\n"));
        assert_eq!(g.graph.edges.len(), 1);
        assert_eq!(
            g.certain,
            vec![CertainFlip {
                detectors: vec![0],
                observables: vec![0]
            }]
        );
        let g = dem_graph(&flat("error(1) D0\nerror(1) D0 L0\nerror(0.1) D1\n"));
        assert!(g.certain.is_empty());
        assert_eq!(
            g.graph.edges.len(),
            1,
            "the two certain errors cancel: p = 0"
        );
        assert_eq!(g.graph.edges[0].a, 1);
    }

    #[test]
    fn wide_observables_are_listed_per_edge() {
        let g = dem_graph(&flat("error(0.1) D0 L70 L3\nerror(0.2) D0 D1 L64\n"));
        assert_eq!(g.graph.num_observables, 71);
        assert_eq!(g.edge_observables, vec![vec![3, 70], vec![64]]);
        assert_eq!(g.graph.edges[0].observables, 1 << 3);
        assert_eq!(g.graph.edges[1].observables, 0);
    }

    #[test]
    fn detector_free_components_are_ignored() {
        let g = graph("error(0.1) L0 ^ D0\n").unwrap();
        assert_eq!(g.edges.len(), 1);
        assert_eq!(g.edges[0].observables, 0);
    }
}
