//! Building a [`MatchingGraph`] from a Stim detector error model, by PyMatching's rules:
//!
//! - every `error(p)` with `p > 0` is split at its `^` separators into components, each of
//!   which is an error of probability `p` on its own; `error(0)` mechanisms are dropped;
//! - a component must flip one or two detectors: one detector gives an edge to the boundary,
//!   two give an edge between them; a component that flips no detector is ignored (it cannot
//!   be seen), one that flips three or more makes the DEM non-graphlike and is refused with
//!   its line;
//! - components on the same detector pair (or the same detector's boundary) are merged as
//!   independent errors, `p = p1 (1 - p2) + p2 (1 - p1)`, keeping the observables of the first
//!   (as PyMatching does);
//! - the weight is `ln((1 - p) / p)`: negative for `p > 0.5`. Negative weights are kept; the
//!   solver treats such an edge as flipped by default and matches with `|w|` (PyMatching's
//!   method), so the result is the exact minimum-weight correction. An edge whose merged
//!   probability is exactly 1 would have weight minus infinity and is refused with its line;
//! - observables are a 64-bit mask, so at most 64 observables.

use super::graph::{GraphEdge, MatchingGraph};
use crate::dem::{FlatDem, FlatError};
use std::collections::HashMap;

/// Largest number of observables the graph's bit masks hold.
pub const MAX_OBSERVABLES: usize = 64;

/// Why a DEM cannot be decoded by matching.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GraphFromDemError {
    /// A component of an error flips more than two detectors.
    #[error(
        "line {line}: component {component} of this error flips {count} detectors ({list}); \
         matching needs every component to flip 1 or 2 detectors (decompose such errors with \
         '^', e.g. Stim's decompose_errors=True)"
    )]
    NotGraphlike {
        /// Source line of the `error` instruction.
        line: usize,
        /// 1-based index of the component within the error (separated by `^`).
        component: usize,
        /// Number of detectors it flips.
        count: usize,
        /// The detectors, as `D1 D5 D9`.
        list: String,
    },
    /// The DEM has more than 64 observables.
    #[error(
        "the model has {0} observables; the matching decoder supports at most {MAX_OBSERVABLES}"
    )]
    TooManyObservables(usize),
    /// Errors merged into a certain (`p = 1`) edge.
    #[error(
        "line {line}: the errors on {edge} add up to probability 1 (weight minus infinity); \
         a certain error cannot be matched, remove it and flip its detectors in the input"
    )]
    CertainError {
        /// Source line of the (last) `error` instruction contributing to the edge.
        line: usize,
        /// The edge, as `D3 D4` or `D3 -> boundary`.
        edge: String,
    },
}

/// Builds the matching graph of a flattened DEM.
pub fn graph_from_dem(dem: &FlatDem) -> Result<MatchingGraph, GraphFromDemError> {
    if dem.num_observables > MAX_OBSERVABLES {
        return Err(GraphFromDemError::TooManyObservables(dem.num_observables));
    }
    let mut edges: Vec<GraphEdge> = Vec::new();
    let mut last_line: Vec<usize> = Vec::new();
    let mut index: HashMap<(usize, Option<usize>), usize> = HashMap::new();
    for error in &dem.errors {
        check_graphlike(error)?;
        if error.probability <= 0.0 {
            continue;
        }
        for comp in &error.components {
            let key = match comp.detectors[..] {
                [a] => (a, None),
                [a, b] => (a, Some(b)),
                _ => continue,
            };
            let observables = comp.observables.iter().fold(0u64, |m, &k| m | 1 << k);
            match index.get(&key) {
                Some(&i) => {
                    let e = &mut edges[i];
                    let (p1, p2) = (e.probability, error.probability);
                    e.probability = p1 * (1.0 - p2) + p2 * (1.0 - p1);
                    last_line[i] = error.line;
                }
                None => {
                    index.insert(key, edges.len());
                    last_line.push(error.line);
                    edges.push(GraphEdge {
                        a: key.0,
                        b: key.1,
                        probability: error.probability,
                        weight: 0.0,
                        observables,
                    });
                }
            }
        }
    }
    for (e, &line) in edges.iter_mut().zip(&last_line) {
        if e.probability >= 1.0 {
            return Err(GraphFromDemError::CertainError {
                line,
                edge: match e.b {
                    Some(b) => format!("D{} D{b}", e.a),
                    None => format!("D{} -> boundary", e.a),
                },
            });
        }
        e.weight = ((1.0 - e.probability) / e.probability).ln();
    }
    Ok(MatchingGraph {
        num_detectors: dem.num_detectors,
        num_observables: dem.num_observables,
        edges,
    })
}

fn check_graphlike(error: &FlatError) -> Result<(), GraphFromDemError> {
    match error
        .components
        .iter()
        .enumerate()
        .find(|(_, c)| c.detectors.len() > 2)
    {
        Some((k, c)) => Err(GraphFromDemError::NotGraphlike {
            line: error.line,
            component: k + 1,
            count: c.detectors.len(),
            list: c
                .detectors
                .iter()
                .map(|d| format!("D{d}"))
                .collect::<Vec<_>>()
                .join(" "),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dem::parse_dem;

    fn graph(text: &str) -> Result<MatchingGraph, GraphFromDemError> {
        graph_from_dem(&parse_dem(text).unwrap().flatten())
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
    fn refusals_name_the_line() {
        let err = graph("error(0.1) D0\n\nerror(0.1) D0 D1 ^ D2 D3 D4\n").unwrap_err();
        assert_eq!(
            err,
            GraphFromDemError::NotGraphlike {
                line: 3,
                component: 2,
                count: 3,
                list: "D2 D3 D4".into()
            }
        );
        assert!(err.to_string().starts_with("line 3: component 2"));
        let err = graph("error(1) D0 D1\n").unwrap_err();
        assert!(
            err.to_string().contains("line 1") && err.to_string().contains("D0 D1"),
            "{err}"
        );
        let err = graph("error(0.1) D0 L64\n").unwrap_err();
        assert_eq!(err, GraphFromDemError::TooManyObservables(65));
    }

    #[test]
    fn detector_free_components_are_ignored() {
        let g = graph("error(0.1) L0 ^ D0\n").unwrap();
        assert_eq!(g.edges.len(), 1);
        assert_eq!(g.edges[0].observables, 0);
    }
}
