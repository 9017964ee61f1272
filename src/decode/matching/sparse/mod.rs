//! Sparse blossom (Higgott and Gidney, arXiv:2303.15933), the exact minimum-weight matching
//! solver, after PyMatching's `sparse_blossom/`:
//!
//! - [`varying`]: radii as lines in time (growing, frozen, shrinking);
//! - [`tracker`]: the event timeline (a radix heap of integer times) and per-object trackers
//!   that keep one useful check of each node or region queued;
//! - [`event`]: what the two halves say to each other ([`event::MwpmEvent`]), compressed
//!   edges, mates;
//! - [`flooder`]: regions growing over the detector graph, all detection events at once;
//! - [`tree`]: alternating trees of regions;
//! - [`mwpm`]: the matcher, which turns the flooder's events into tree operations and reads
//!   off the matching.
//!
//! Every edge cost is an even integer, so every event happens at an integer time and the
//! matching is exactly optimal for the integer costs.

pub(crate) mod event;
pub(crate) mod flooder;
pub(crate) mod mwpm;
pub(crate) mod search;
pub(crate) mod tracker;
pub(crate) mod tree;
pub(crate) mod varying;

pub(crate) use mwpm::SparseBlossom;

#[cfg(test)]
mod tests {
    use super::super::graph::{GraphEdge, MatchingGraph};
    use super::super::paths::detector_graph::DetectorGraph;
    use super::*;

    /// A graph of `n` detectors from `(a, b, weight, observables)` edges (`b = None`: the
    /// boundary).
    pub(super) fn graph(n: usize, edges: &[(usize, Option<usize>, f64, u64)]) -> MatchingGraph {
        MatchingGraph {
            num_detectors: n,
            num_observables: 1,
            edges: edges
                .iter()
                .map(|&(a, b, weight, observables)| GraphEdge {
                    a,
                    b,
                    probability: 1.0 / (1.0 + weight.exp()),
                    weight,
                    observables,
                })
                .collect(),
        }
    }

    /// Minimum-weight matching of `events` by dynamic programming over subsets, on the
    /// all-pairs distances (the boundary as node `n`).
    fn brute_force(g: &MatchingGraph, events: &[usize]) -> Option<f64> {
        let n = g.num_detectors;
        let mut d = vec![vec![f64::INFINITY; n + 1]; n + 1];
        for (v, row) in d.iter_mut().enumerate() {
            row[v] = 0.0;
        }
        for e in &g.edges {
            let b = e.b.unwrap_or(n);
            d[e.a][b] = d[e.a][b].min(e.weight);
            d[b][e.a] = d[b][e.a].min(e.weight);
        }
        for k in 0..=n {
            for i in 0..=n {
                for j in 0..=n {
                    d[i][j] = d[i][j].min(d[i][k] + d[k][j]);
                }
            }
        }
        let m = events.len();
        let mut best = vec![f64::INFINITY; 1 << m];
        best[0] = 0.0;
        for set in 1..(1usize << m) {
            let i = set.trailing_zeros() as usize;
            let rest = set & !(1 << i);
            let mut b = best[rest] + d[events[i]][n];
            for j in (i + 1)..m {
                if rest & (1 << j) != 0 {
                    b = b.min(best[rest & !(1 << j)] + d[events[i]][events[j]]);
                }
            }
            best[set] = b;
        }
        best[(1 << m) - 1].is_finite().then_some(best[(1 << m) - 1])
    }

    fn solve(g: &MatchingGraph, events: &[usize]) -> Option<f64> {
        let dg = DetectorGraph::new(g).unwrap();
        let mut solver = SparseBlossom::new(g.num_detectors);
        let mut out = Vec::new();
        solver.solve(&dg, events, &mut out).ok()?;
        let mut seen = vec![0; g.num_detectors];
        for m in &out {
            seen[m.from as usize] += 1;
            if let Some(b) = m.to {
                seen[b as usize] += 1;
            }
        }
        for &v in events {
            assert_eq!(seen[v], 1, "event {v} matched once");
        }
        assert_eq!(seen.iter().sum::<usize>(), events.len());
        Some(out.iter().map(|m| m.weight).sum())
    }

    /// A shot whose first blossom shatters and whose regions then form another blossom from
    /// reused arena slots (a stale tree link once broke it).
    #[test]
    fn a_blossom_that_shatters_and_reforms() {
        let g = graph(
            6,
            &[
                (0, Some(1), 2.0, 1),
                (1, Some(2), 3.0, 0),
                (2, Some(3), 1.0, 1),
                (3, Some(4), 2.0, 0),
                (4, Some(5), 3.0, 1),
                (1, Some(4), 0.5, 0),
                (3, Some(4), 0.5, 0),
                (3, Some(0), 1.5, 0),
                (1, Some(0), 2.0, 0),
                (1, Some(3), 0.5, 0),
            ],
        );
        let events = [0, 1, 2, 3, 4, 5];
        assert_eq!(solve(&g, &events), brute_force(&g, &events));
        assert_eq!(solve(&g, &events), Some(6.0));
    }

    /// Random small graphs (weights in steps of 1/4, so every total is exact in floating
    /// point), some with a boundary: the solver's matching has the optimal weight, every event
    /// matched once, and a failure exactly when no perfect matching exists.
    #[test]
    fn random_graphs_match_the_brute_force_optimum() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for _ in 0..3000 {
            let n = rng.random_range(2..9);
            let mut edges = Vec::new();
            for _ in 0..rng.random_range(1..3 * n) {
                let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
                if a != b {
                    edges.push((a, Some(b), rng.random_range(1..12) as f64 / 4.0, 0));
                }
            }
            if rng.random_bool(0.5) {
                for _ in 0..rng.random_range(1..3) {
                    edges.push((
                        rng.random_range(0..n),
                        None,
                        rng.random_range(1..12) as f64 / 4.0,
                        1,
                    ));
                }
            }
            let g = graph(n, &edges);
            let events: Vec<usize> = (0..n).filter(|_| rng.random_bool(0.6)).collect();
            assert_eq!(
                solve(&g, &events),
                brute_force(&g, &events),
                "{edges:?} {events:?}"
            );
        }
    }
}
