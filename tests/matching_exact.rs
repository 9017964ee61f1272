//! Exactness of the matching decoder: brute force on random small graphs, error cases, and the
//! PyMatching weights of the toric L=8 fixture.

use proptest::prelude::*;
use qecd::decode::matching::{GraphEdge, Matcher, MatchingError, MatchingGraph};

fn edge(a: usize, b: Option<usize>, weight: f64, observables: u64) -> GraphEdge {
    let probability = 1.0 / (1.0 + weight.exp());
    GraphEdge {
        a,
        b,
        probability,
        weight,
        observables,
    }
}

/// Minimum total weight of an edge set whose detector boundary is exactly `events` (the boundary
/// node may have any parity), by enumerating all edge subsets. `None` if there is none.
fn min_correction(graph: &MatchingGraph, events: &[usize]) -> Option<f64> {
    let target: u64 = events.iter().fold(0, |m, &e| m ^ (1 << e));
    let mut best: Option<f64> = None;
    for subset in 0u64..(1 << graph.edges.len()) {
        let mut parity = 0u64;
        let mut weight = 0.0;
        for (k, e) in graph.edges.iter().enumerate() {
            if subset >> k & 1 == 1 {
                parity ^= 1 << e.a;
                if let Some(b) = e.b {
                    parity ^= 1 << b;
                }
                weight += e.weight;
            }
        }
        if parity == target && best.is_none_or(|b| weight < b - 1e-12) {
            best = Some(weight);
        }
    }
    best
}

/// Checks a decoded shot against its correction: the correction's detector boundary is the
/// event set, and its observables and weight are those reported.
fn check_correction(graph: &MatchingGraph, events: &[usize], matcher: &Matcher) -> f64 {
    let mut ws = matcher.workspace();
    let plain = matcher.decode(events, &mut ws).expect("decodable");
    let (matching, correction) = matcher.decode_with_correction(events, &mut ws).unwrap();
    assert_eq!(plain.weight, matching.weight);
    assert_eq!(plain.pairs, matching.pairs);
    let mut parity = vec![false; graph.num_detectors];
    let (mut observables, mut weight) = (0u64, 0.0);
    for &k in &correction {
        let e = &graph.edges[k];
        parity[e.a] ^= true;
        if let Some(b) = e.b {
            parity[b] ^= true;
        }
        observables ^= e.observables;
        weight += e.weight;
    }
    let mut expected = vec![false; graph.num_detectors];
    for &e in events {
        expected[e] ^= true;
    }
    assert_eq!(
        parity, expected,
        "correction boundary differs from the events"
    );
    assert_eq!(observables, matching.observables);
    // Paths of different pairs may share edges (then they cancel), never lowering the optimum.
    assert!(weight <= matching.weight + 1e-9);
    matching.weight
}

/// A random small graph: up to 7 detectors, up to 12 edges (some to the boundary), weights from
/// a small set so that ties are common, optionally negative.
fn small_graph(negative: bool) -> impl Strategy<Value = (MatchingGraph, Vec<usize>)> {
    (1usize..=7).prop_flat_map(move |n| {
        let low = if negative { -2i32 } else { 0 };
        let e = (0..n, 0..=n, low..5, 0u64..4);
        (
            Just(n),
            proptest::collection::vec(e, 0..=12),
            proptest::collection::vec(any::<bool>(), n),
        )
            .prop_map(|(n, raw, flags)| {
                let edges = raw
                    .into_iter()
                    .filter(|&(a, b, _, _)| a != b)
                    .map(|(a, b, w, obs)| {
                        let b = (b < n).then_some(b);
                        edge(a, b, 0.5 * w as f64 + 0.25 * (w == 0) as i32 as f64, obs)
                    })
                    .collect();
                let events = (0..n).filter(|&i| flags[i]).collect();
                (
                    MatchingGraph {
                        num_detectors: n,
                        num_observables: 2,
                        edges,
                    },
                    events,
                )
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// The matching weight equals the minimum correction weight over all edge subsets, and a
    /// shot without any correction is refused.
    #[test]
    fn weight_equals_brute_force((graph, events) in small_graph(false)) {
        let matcher = Matcher::new(&graph).unwrap();
        match min_correction(&graph, &events) {
            Some(best) => {
                let weight = check_correction(&graph, &events, &matcher);
                prop_assert!((weight - best).abs() < 1e-6, "weight {} brute force {}", weight, best);
            }
            None => {
                let result = matcher.decode(&events, &mut matcher.workspace());
                prop_assert!(
                    matches!(result, Err(MatchingError::OddComponent { .. })),
                    "expected an odd-component error, got {:?}", result
                );
            }
        }
    }

    /// Negative weights (p > 0.5) are handled exactly.
    #[test]
    fn negative_weights_are_exact((graph, events) in small_graph(true)) {
        let matcher = Matcher::new(&graph).unwrap();
        if let Some(best) = min_correction(&graph, &events) {
            let weight = check_correction(&graph, &events, &matcher);
            prop_assert!((weight - best).abs() < 1e-6, "weight {} brute force {}", weight, best);
        }
    }
}

/// Shortest-path distances by Floyd-Warshall (index `n` is the boundary).
fn floyd(graph: &MatchingGraph) -> Vec<Vec<f64>> {
    let n = graph.num_detectors;
    let mut d = vec![vec![f64::INFINITY; n + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0.0;
    }
    for e in &graph.edges {
        let b = e.b.unwrap_or(n);
        d[e.a][b] = d[e.a][b].min(e.weight);
        d[b][e.a] = d[b][e.a].min(e.weight);
    }
    for k in 0..=n {
        for i in 0..=n {
            for j in 0..=n {
                if d[i][k] + d[k][j] < d[i][j] {
                    d[i][j] = d[i][k] + d[k][j];
                }
            }
        }
    }
    d
}

/// Minimum-weight perfect matching of `events` (pairs at shortest-path distance, or to the
/// boundary) by dynamic programming over subsets.
fn min_matching(d: &[Vec<f64>], events: &[usize]) -> f64 {
    let boundary = d.len() - 1;
    let m = events.len();
    let mut dp = vec![f64::INFINITY; 1 << m];
    dp[0] = 0.0;
    for mask in 0..(1usize << m) {
        if dp[mask].is_infinite() {
            continue;
        }
        let Some(i) = (0..m).find(|&i| mask >> i & 1 == 0) else {
            continue;
        };
        let to_boundary = dp[mask] + d[events[i]][boundary];
        let next = mask | 1 << i;
        dp[next] = dp[next].min(to_boundary);
        for j in i + 1..m {
            if mask >> j & 1 == 0 {
                let both = next | 1 << j;
                dp[both] = dp[both].min(dp[mask] + d[events[i]][events[j]]);
            }
        }
    }
    dp[(1 << m) - 1]
}

/// A random connected-ish graph on up to 30 detectors with up to 14 events.
fn medium_graph() -> impl Strategy<Value = (MatchingGraph, Vec<usize>)> {
    (6usize..=30, any::<bool>()).prop_flat_map(|(n, with_boundary)| {
        let e = (0..n, 0..n, 1u32..8);
        let boundary =
            proptest::collection::vec((0..n, 1u32..12), 0..=(if with_boundary { 4 } else { 0 }));
        let events = proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 0..=n.min(14));
        (
            Just(n),
            proptest::collection::vec(e, n..3 * n),
            boundary,
            events,
        )
            .prop_map(|(n, raw, boundary, mut events)| {
                let mut edges: Vec<GraphEdge> = (1..n)
                    .map(|i| edge(i - 1, Some(i), 1.0 + (i % 3) as f64, (i % 2) as u64))
                    .collect();
                edges.extend(
                    raw.into_iter()
                        .filter(|&(a, b, _)| a != b)
                        .map(|(a, b, w)| edge(a, Some(b), w as f64 * 0.5, 0)),
                );
                edges.extend(
                    boundary
                        .into_iter()
                        .map(|(a, w)| edge(a, None, w as f64 * 0.5, 1)),
                );
                let has_boundary = edges.iter().any(|e| e.b.is_none());
                if !has_boundary && events.len() % 2 == 1 {
                    events.pop();
                }
                (
                    MatchingGraph {
                        num_detectors: n,
                        num_observables: 1,
                        edges,
                    },
                    events,
                )
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Larger graphs with many events and few candidates: the certificate loop must find
    /// every pair the optimum needs.
    #[test]
    fn weight_equals_subset_dp((graph, events) in medium_graph()) {
        let matcher = Matcher::new(&graph).unwrap();
        let best = min_matching(&floyd(&graph), &events);
        let weight = check_correction(&graph, &events, &matcher);
        prop_assert!((weight - best).abs() < 1e-6, "weight {} dp {}", weight, best);
    }
}

/// The toric-code L x L vertex graph for bit-flip noise p (edge numbering as in the fixture).
fn toric_graph(l: usize, p: f64) -> MatchingGraph {
    let w = ((1.0 - p) / p).ln();
    let mut edges = Vec::with_capacity(2 * l * l);
    for i in 0..l {
        for j in 0..l {
            edges.push(GraphEdge {
                a: i * l + j,
                b: Some(i * l + (j + 1) % l),
                probability: p,
                weight: w,
                observables: (j == 0) as u64,
            });
        }
    }
    for i in 0..l {
        for j in 0..l {
            edges.push(GraphEdge {
                a: i * l + j,
                b: Some(((i + 1) % l) * l + j),
                probability: p,
                weight: w,
                observables: ((i == 0) as u64) << 1,
            });
        }
    }
    MatchingGraph {
        num_detectors: l * l,
        num_observables: 2,
        edges,
    }
}

#[test]
fn toric_l8_weights_equal_pymatching() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/stim/toric_L8");
    let dets = std::fs::read(format!("{dir}/dets.b8")).unwrap();
    let weights = std::fs::read_to_string(format!("{dir}/pymatching_weight.txt")).unwrap();
    let weights: Vec<f64> = weights.lines().map(|l| l.trim().parse().unwrap()).collect();
    assert_eq!(dets.len(), 8 * weights.len());
    let graph = toric_graph(8, 0.1);
    let matcher = Matcher::new(&graph).unwrap();
    let mut ws = matcher.workspace();
    for (shot, (bytes, &expected)) in dets.chunks(8).zip(&weights).enumerate() {
        let events: Vec<usize> = (0..64)
            .filter(|&k| bytes[k / 8] >> (k % 8) & 1 == 1)
            .collect();
        let matching = matcher.decode(&events, &mut ws).unwrap();
        assert!(
            (matching.weight - expected).abs() <= 1e-6 * expected.max(1.0),
            "shot {shot}: weight {} but PyMatching {expected}",
            matching.weight
        );
    }
}

#[test]
fn odd_events_without_boundary_are_refused() {
    let graph = toric_graph(4, 0.1);
    let matcher = Matcher::new(&graph).unwrap();
    let result = matcher.decode(&[0, 5, 9], &mut matcher.workspace());
    assert!(
        matches!(result, Err(MatchingError::OddComponent { .. })),
        "{result:?}"
    );
    // A detector listed twice cancels, leaving an even number.
    let matching = matcher
        .decode(&[0, 5, 5, 9], &mut matcher.workspace())
        .unwrap();
    assert_eq!(matching.pairs.len(), 1);
}

#[test]
fn bad_input_is_refused() {
    let graph = toric_graph(4, 0.1);
    let matcher = Matcher::new(&graph).unwrap();
    let result = matcher.decode(&[0, 16], &mut matcher.workspace());
    assert_eq!(
        result,
        Err(MatchingError::DetectorOutOfRange {
            detector: 16,
            num_detectors: 16
        })
    );
    let mut bad = graph.clone();
    bad.edges[3].weight = f64::NAN;
    assert!(matches!(
        Matcher::new(&bad),
        Err(MatchingError::BadWeight { edge: 3, .. })
    ));
    let mut bad = graph;
    bad.edges[0].b = Some(99);
    assert!(matches!(
        Matcher::new(&bad),
        Err(MatchingError::EdgeOutOfRange { node: 99, .. })
    ));
}

#[test]
fn no_events_is_an_empty_matching() {
    let matcher = Matcher::new(&toric_graph(4, 0.1)).unwrap();
    let matching = matcher.decode(&[], &mut matcher.workspace()).unwrap();
    assert_eq!(
        (matching.observables, matching.weight, matching.pairs.len()),
        (0, 0.0, 0)
    );
}

/// A translated toric shot has the same matching weight (the torus is homogeneous).
#[test]
fn toric_weight_is_translation_invariant() {
    use rand::{Rng, SeedableRng};
    let l = 12;
    let graph = toric_graph(l, 0.1);
    let matcher = Matcher::new(&graph).unwrap();
    let mut ws = matcher.workspace();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    for _ in 0..200 {
        let mut parity = vec![false; l * l];
        for e in &graph.edges {
            if rng.random_bool(0.1) {
                parity[e.a] ^= true;
                parity[e.b.unwrap()] ^= true;
            }
        }
        let events: Vec<usize> = (0..l * l).filter(|&v| parity[v]).collect();
        let (a, b) = (rng.random_range(0..l), rng.random_range(0..l));
        let moved: Vec<usize> = events
            .iter()
            .map(|&v| ((v / l + a) % l) * l + (v % l + b) % l)
            .collect();
        let w0 = matcher.decode(&events, &mut ws).unwrap().weight;
        let w1 = matcher.decode(&moved, &mut ws).unwrap().weight;
        assert!((w0 - w1).abs() < 1e-9, "{w0} vs {w1}");
    }
}

/// The matcher is shared between rayon threads, each with its own workspace; results do not
/// depend on the thread that decodes a shot.
#[test]
fn parallel_decoding_matches_sequential() {
    use rand::{Rng, SeedableRng};
    use rayon::prelude::*;
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Matcher>();
    let l = 10;
    let graph = toric_graph(l, 0.1);
    let matcher = Matcher::new(&graph).unwrap();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
    let shots: Vec<Vec<usize>> = (0..400)
        .map(|_| {
            let mut parity = vec![false; l * l];
            for e in &graph.edges {
                if rng.random_bool(0.1) {
                    parity[e.a] ^= true;
                    parity[e.b.unwrap()] ^= true;
                }
            }
            (0..l * l).filter(|&v| parity[v]).collect()
        })
        .collect();
    let mut ws = matcher.workspace();
    let sequential: Vec<_> = shots
        .iter()
        .map(|s| matcher.decode(s, &mut ws).unwrap())
        .collect();
    let parallel: Vec<_> = shots
        .par_iter()
        .map_init(
            || matcher.workspace(),
            |ws, s| matcher.decode(s, ws).unwrap(),
        )
        .collect();
    assert_eq!(sequential, parallel);
}

/// A graph on which the solver once returned weight 4.5 instead of the optimum 4: the first
/// check of the duals found some violated pairs but not 3-4 (length 1.5 through detector 1,
/// candidate length 2), and the re-check after the repair looked only near raised duals.
#[test]
fn regression_blossom_near_boundary() {
    let chain = [2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0];
    let mut edges: Vec<GraphEdge> = chain
        .iter()
        .enumerate()
        .map(|(i, &w)| edge(i, Some(i + 1), w, (i % 2 == 0) as u64))
        .collect();
    for (a, b, w) in [
        (1, 3, 0.5),
        (8, 2, 1.0),
        (4, 1, 1.0),
        (5, 7, 0.5),
        (5, 1, 0.5),
        (1, 0, 0.5),
    ] {
        edges.push(edge(a, Some(b), w, 0));
    }
    edges.push(edge(5, None, 1.0, 1));
    let graph = MatchingGraph {
        num_detectors: 9,
        num_observables: 1,
        edges,
    };
    let events = [0, 2, 3, 4, 7, 8];
    let matcher = Matcher::new(&graph).unwrap();
    let best = min_matching(&floyd(&graph), &events);
    assert!((best - 4.0).abs() < 1e-9);
    assert!((check_correction(&graph, &events, &matcher) - best).abs() < 1e-9);
}
