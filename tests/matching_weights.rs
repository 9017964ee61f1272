//! Per-shot edge weights ([`EdgeWeights`]) and correlated matching: a shot decoded with its own
//! weights equals the same shot decoded by a matcher built for those weights, in one workspace
//! reused across shots of different weightings; bad weights are refused with clear errors; and
//! correlated decoding reweights by PyMatching's rule.

use proptest::prelude::*;
use qecd::decode::matching::correlated::Correlations;
use qecd::decode::matching::from_dem::dem_graph;
use qecd::decode::matching::{
    EdgeWeights, GraphEdge, Matcher, MatchingError, MatchingGraph, MwpmDecoder,
};
use qecd::decode::Decoder;
use qecd::dem::{parse_dem, FlatDem};

fn edge(a: usize, b: Option<usize>, weight: f64, observables: u64) -> GraphEdge {
    GraphEdge {
        a,
        b,
        probability: 1.0 / (1.0 + weight.exp()),
        weight,
        observables,
    }
}

/// A random graph (up to 9 detectors, 16 edges, some to the boundary) with two more weightings
/// of its edges, and two shots' events.
type Case = (MatchingGraph, Vec<f64>, Vec<f64>, Vec<usize>, Vec<usize>);

fn case() -> impl Strategy<Value = Case> {
    (2usize..=9).prop_flat_map(|n| {
        let e = (0..n, 0..=n, 0u64..4);
        (
            proptest::collection::vec(e, 1..=16),
            proptest::collection::vec(-3i32..12, 16 * 3),
            proptest::collection::vec(any::<bool>(), 2 * n),
        )
            .prop_map(move |(raw, ws, flags)| {
                let raw: Vec<_> = raw.into_iter().filter(|&(a, b, _)| a != b).collect();
                let m = raw.len();
                let w = |k: usize| 0.5 * ws[k] as f64 + 0.125;
                let edges = raw
                    .iter()
                    .enumerate()
                    .map(|(k, &(a, b, obs))| edge(a, (b < n).then_some(b), w(k).abs(), obs))
                    .collect();
                let second = (0..m).map(|k| w(16 + k)).collect();
                let third = (0..m).map(|k| w(32 + k)).collect();
                let events = |s: usize| (0..n).filter(|&i| flags[s * n + i]).collect();
                let graph = MatchingGraph {
                    num_detectors: n,
                    num_observables: 2,
                    edges,
                };
                (graph, second, third, events(0), events(1))
            })
    })
}

/// `graph` with its weights replaced.
fn reweighted(graph: &MatchingGraph, weights: &[f64]) -> MatchingGraph {
    let mut g = graph.clone();
    for (e, &w) in g.edges.iter_mut().zip(weights) {
        e.weight = w;
    }
    g
}

/// The result of decoding `events` with a fresh matcher for `graph`: weight and observables,
/// or the error.
fn oracle(graph: &MatchingGraph, events: &[usize]) -> Result<(f64, u64), MatchingError> {
    let m = Matcher::new(graph)?;
    let r = m.decode(events, &mut m.workspace())?;
    Ok((r.weight, r.observables))
}

fn same(
    got: Result<(f64, u64), MatchingError>,
    want: Result<(f64, u64), MatchingError>,
) -> Result<(), TestCaseError> {
    match (got, want) {
        (Ok((w1, _)), Ok((w2, _))) => {
            prop_assert!((w1 - w2).abs() < 1e-6, "weight {} expected {}", w1, w2)
        }
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        (a, b) => prop_assert!(false, "got {:?}, expected {:?}", a, b),
    }
    Ok(())
}

/// The non-negative weights of `second` on the edges `keep` accepts, as a lowering.
fn lowering(second: &[f64], keep: impl Fn(usize) -> bool) -> Vec<(usize, f64)> {
    second
        .iter()
        .enumerate()
        .filter(|&(k, &w)| w >= 0.0 && keep(k))
        .map(|(k, &w)| (k, w))
        .collect()
}

/// The graph's weights after `lowered` (each edge takes the smaller of its weight and the new).
fn lowered_weights(graph: &MatchingGraph, lowered: &[(usize, f64)]) -> Vec<f64> {
    let mut target: Vec<f64> = graph.edges.iter().map(|e| e.weight).collect();
    for &(k, w) in lowered {
        target[k] = target[k].min(w);
    }
    target
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Per-shot weights (negative ones included) decode as a matcher built for them, and the
    /// graph's own weights come back afterwards; one workspace serves all.
    #[test]
    fn per_shot_weights_match_a_rebuilt_graph((graph, second, third, ev1, ev2) in case()) {
        let matcher = Matcher::new(&graph).unwrap();
        let mut ws = matcher.workspace();
        for (weights, events) in [(&second, &ev1), (&third, &ev2), (&second, &ev2)] {
            let got = matcher
                .decode_weighted(events, EdgeWeights::PerShot(weights), &mut ws)
                .map(|m| (m.weight, m.observables));
            same(got, oracle(&reweighted(&graph, weights), events))?;
            let plain = matcher.decode(events, &mut ws).map(|m| (m.weight, m.observables));
            same(plain, oracle(&graph, events))?;
        }
    }

    /// A workspace made by another matcher (here one of a single detector, last used with
    /// per-shot weights of its own graph) decodes as a fresh workspace of this one: it is
    /// replaced, not read out of bounds or under the other graph's weights.
    #[test]
    fn workspaces_of_other_matchers_are_replaced((graph, second, _third, ev1, ev2) in case()) {
        let small = MatchingGraph {
            num_detectors: 1,
            num_observables: 2,
            edges: vec![edge(0, None, 1.0, 1)],
        };
        let other = Matcher::new(&small).unwrap();
        let mut ws = other.workspace();
        other.decode_weighted(&[0], EdgeWeights::PerShot(&[0.5]), &mut ws).unwrap();
        let matcher = Matcher::new(&graph).unwrap();
        let plain = matcher.decode(&ev1, &mut ws).map(|m| (m.weight, m.observables));
        same(plain, oracle(&graph, &ev1))?;
        // And back: the other matcher gets a workspace of its own again.
        let lowered = lowering(&second, |_| true);
        matcher.decode_weighted(&ev2, EdgeWeights::Lowered(&lowered), &mut ws).ok();
        let back = other.decode(&[0], &mut ws).map(|m| (m.weight, m.observables));
        same(back, Ok((1.0, 1)))?;
    }

    /// Lowered weights take the smaller of the old and the new, incrementally, and are undone
    /// after the shot.
    #[test]
    fn lowered_weights_match_a_rebuilt_graph((graph, second, _third, ev1, ev2) in case()) {
        let matcher = Matcher::new(&graph).unwrap();
        let mut ws = matcher.workspace();
        let lowered = lowering(&second, |k| k % 2 == 0);
        let target = lowered_weights(&graph, &lowered);
        for events in [&ev1, &ev2] {
            let got = matcher
                .decode_weighted(events, EdgeWeights::Lowered(&lowered), &mut ws)
                .map(|m| (m.weight, m.observables));
            same(got, oracle(&reweighted(&graph, &target), events))?;
            // A per-shot weighting in between must not leak into the next lowering.
            let _ = matcher.decode_weighted(events, EdgeWeights::PerShot(&second), &mut ws);
            let plain = matcher.decode(events, &mut ws).map(|m| (m.weight, m.observables));
            same(plain, oracle(&graph, events))?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Under lowered weights (correlated matching's second pass) the correction explains the
    /// events, has the reported weight and observables, and the weight of a plain decode.
    #[test]
    fn lowered_corrections_explain_the_events((graph, second, _third, ev1, ev2) in case()) {
        let matcher = Matcher::new(&graph).unwrap();
        let mut ws = matcher.workspace();
        let lowered = lowering(&second, |k| k % 3 != 1);
        let target = lowered_weights(&graph, &lowered);
        for events in [&ev1, &ev2] {
            let plain = matcher
                .decode_weighted(events, EdgeWeights::Lowered(&lowered), &mut ws)
                .map(|m| (m.weight, m.observables));
            let Ok((m, edges)) =
                matcher.decode_weighted_with_correction(events, EdgeWeights::Lowered(&lowered), &mut ws)
            else {
                prop_assert!(plain.is_err());
                continue;
            };
            let mut parity = vec![false; graph.num_detectors];
            let (mut weight, mut observables) = (0.0, 0u64);
            for &e in &edges {
                let edge = &graph.edges[e];
                parity[edge.a] ^= true;
                if let Some(b) = edge.b {
                    parity[b] ^= true;
                }
                weight += target[e];
                observables ^= edge.observables;
            }
            let mut fired = vec![false; graph.num_detectors];
            for &d in events.iter() {
                fired[d] ^= true;
            }
            prop_assert_eq!(parity, fired);
            prop_assert!((weight - m.weight).abs() < 1e-6);
            prop_assert_eq!(observables, m.observables);
            same(Ok((m.weight, 0)), plain)?;
        }
    }
}

fn flat(text: &str) -> FlatDem {
    parse_dem(text).unwrap().flatten().unwrap()
}

#[test]
fn bad_weights_are_refused() {
    let graph = MatchingGraph {
        num_detectors: 2,
        num_observables: 1,
        edges: vec![edge(0, Some(1), 1.0, 1), edge(0, None, 2.0, 0)],
    };
    let matcher = Matcher::new(&graph).unwrap();
    let mut ws = matcher.workspace();
    let err = matcher
        .decode_weighted(&[0, 1], EdgeWeights::PerShot(&[1.0]), &mut ws)
        .unwrap_err();
    assert_eq!(
        err,
        MatchingError::WeightCount {
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "1 edge weights given for a graph of 2 edges"
    );
    let err = matcher
        .decode_weighted(&[0, 1], EdgeWeights::PerShot(&[1.0, f64::NAN]), &mut ws)
        .unwrap_err();
    assert!(
        matches!(err, MatchingError::BadWeight { edge: 1, .. }),
        "{err:?}"
    );
    let err = matcher
        .decode_weighted(&[0, 1], EdgeWeights::Lowered(&[(5, 0.5)]), &mut ws)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "weight given for edge 5, but the graph has 2 edges"
    );
    // The workspace still decodes with the graph's weights.
    let m = matcher.decode(&[0, 1], &mut ws).unwrap();
    assert_eq!(m.pairs, vec![(0, Some(1))]);
}

/// PyMatching's joint-probability rule on a two-component error: `q = P(a and c) / P(c)`,
/// capped at 0.5.
#[test]
fn implied_weights_follow_pymatching() {
    let dem = flat(
        "error(0.3) D0 D1\n\
         error(0.1) D0 D1 ^ D2 D3\n\
         error(0.05) D2 D3\n\
         error(0.3) D4 ^ D5\n",
    );
    let graph = dem_graph(&dem).graph;
    let c = Correlations::new(&dem, &graph);
    let index = |a, b| {
        graph
            .edges
            .iter()
            .position(|e| (e.a, e.b) == (a, b))
            .unwrap()
    };
    let (e01, e23, e4, e5) = (
        index(0, Some(1)),
        index(2, Some(3)),
        index(4, None),
        index(5, None),
    );
    let xor = |p: f64, q: f64| p * (1.0 - q) + q * (1.0 - p);
    let w = |q: f64| ((1.0 - q) / q).ln();
    // Given D0 D1 fired: P(both) = 0.1, P(D0 D1) = 0.3 xor 0.1 = 0.34, q = 0.29.
    assert_eq!(c.implied(e01), &[(e23, w(0.1 / xor(0.3, 0.1)))]);
    // Given D2 D3: 0.1 / (0.1 xor 0.05) = 0.71, capped at 0.5: weight 0.
    assert_eq!(c.implied(e23), &[(e01, 0.0)]);
    // 0.3 / 0.3 = 1, capped at 0.5: weight 0.
    assert_eq!(c.implied(e4), &[(e5, 0.0)]);
    assert_eq!(c.implied(e5), &[(e4, 0.0)]);
    assert!(!c.is_empty());
    assert!(Correlations::new(&flat("error(0.1) D0 D1\n"), &graph).is_empty());
}

/// A Y-like error: once the first pass has used its vertex half (D0 D1), its plaquette half
/// (D3 D4) becomes likely, and the second pass takes it instead of the two-edge path that flips
/// L0.
#[test]
fn correlated_matching_uses_the_decomposition() {
    let dem = flat(
        "error(0.2) D0 D1 ^ D3 D4\n\
         error(0.01) D0 D2\n\
         error(0.01) D1 D2\n\
         error(0.35) D3 D5\n\
         error(0.35) D4 D5 L0\n",
    );
    let plain = MwpmDecoder::from_dem(&dem).unwrap();
    let correlated = MwpmDecoder::from_dem_correlated(&dem).unwrap();
    assert!(correlated.is_correlated() && !plain.is_correlated());
    assert_eq!(correlated.name(), "mwpm-correlated");
    let mut dets = qecd::bits::BitMatrix::zeros(2, 6);
    for d in [0, 1, 3, 4] {
        dets.set(0, d, true);
    }
    // Second shot: only the plaquette half; nothing to correlate with, both take the path.
    dets.set(1, 3, true);
    dets.set(1, 4, true);
    let p = plain.decode_batch(&dets).unwrap();
    let c = correlated.decode_batch(&dets).unwrap();
    assert!(
        p.get(0, 0),
        "plain matching takes D3-D5-D4 (weight 1.24 < 1.39)"
    );
    assert!(
        !c.get(0, 0),
        "correlated matching takes D3 D4 (weight 0 after the first pass)"
    );
    assert!(p.get(1, 0) && c.get(1, 0));

    // A model without `^` decodes identically with correlations on.
    let flat_dem = flat("error(0.1) D0 D1 L0\nerror(0.2) D1\nerror(0.1) D0\n");
    let a = MwpmDecoder::from_dem(&flat_dem).unwrap();
    let b = MwpmDecoder::from_dem_correlated(&flat_dem).unwrap();
    let mut dets = qecd::bits::BitMatrix::zeros(4, 2);
    dets.set(1, 0, true);
    dets.set(2, 1, true);
    dets.set(3, 0, true);
    dets.set(3, 1, true);
    assert_eq!(
        a.decode_batch(&dets).unwrap(),
        b.decode_batch(&dets).unwrap()
    );
}

/// [`MwpmDecoder::decode_shot`] (what the Python package decodes single shots with) applies the
/// model's certain (`p = 1`) mechanisms as `decode_batch` does, and
/// [`MwpmDecoder::without_correlations`] is the plain decoder of the same model.
#[test]
fn single_shots_apply_certain_flips_as_batches_do() {
    let text = "error(0.1) D0 D1\nerror(0.1) D1 L0\nerror(0.2) D0\n\
                error(0.05) D1 D2 ^ D0 L0\nerror(0.1) D2 D3\nerror(0.1) D3\nerror(1) D2 L1";
    let dem: FlatDem = parse_dem(text).unwrap().flatten().unwrap();
    let plain = MwpmDecoder::from_dem(&dem).unwrap();
    let correlated = MwpmDecoder::from_dem_correlated(&dem).unwrap();
    let uncorrelated = correlated.without_correlations();
    assert!(correlated.is_correlated() && !uncorrelated.is_correlated());
    assert_eq!(uncorrelated.name(), "mwpm");
    let mut dets = qecd::bits::BitMatrix::zeros(16, 4);
    for r in 0..16 {
        for k in 0..4 {
            if r >> k & 1 == 1 {
                dets.row_mut(r)[0] |= 1 << k;
            }
        }
    }
    for decoder in [&plain, &correlated, &uncorrelated] {
        let batch = decoder.decode_batch(&dets).unwrap();
        let mut scratch = decoder.scratch();
        for r in 0..16 {
            let (m, _) = decoder
                .decode_shot(dets.row(r), &mut scratch, true)
                .unwrap();
            assert_eq!(m.observables as u8, batch.row(r)[0], "shot {r}");
        }
    }
    assert_eq!(
        uncorrelated.decode_batch(&dets).unwrap(),
        plain.decode_batch(&dets).unwrap()
    );
    // The certain flip of L1 is in every prediction.
    let batch = plain.decode_batch(&dets).unwrap();
    assert!((0..16).all(|r| batch.row(r)[0] & 0b10 != 0));
}
