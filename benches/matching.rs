//! Matching decoder speed: toric code L = 16, 32, 64 under bit-flip noise p = 0.1 (the cases
//! PyMatching's timings are quoted for). Shots are sampled in the bench with a fixed seed; one
//! iteration decodes one shot, cycling through 1000 pre-sampled shots.
//!
//! `cargo bench --bench matching`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use qecd::decode::matching::{GraphEdge, Matcher, MatchingGraph};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Toric L x L vertex graph (edge h(i, j) = i L + j, v(i, j) = L^2 + i L + j).
fn toric_graph(l: usize, p: f64) -> MatchingGraph {
    let weight = ((1.0 - p) / p).ln();
    let mut edges = Vec::with_capacity(2 * l * l);
    for vertical in [false, true] {
        for i in 0..l {
            for j in 0..l {
                let (b, observables) = if vertical {
                    (((i + 1) % l) * l + j, ((i == 0) as u64) << 1)
                } else {
                    (i * l + (j + 1) % l, (j == 0) as u64)
                };
                edges.push(GraphEdge {
                    a: i * l + j,
                    b: Some(b),
                    probability: p,
                    weight,
                    observables,
                });
            }
        }
    }
    MatchingGraph {
        num_detectors: l * l,
        num_observables: 2,
        edges,
    }
}

/// Detection events of `shots` independent bit-flip errors.
fn sample(graph: &MatchingGraph, p: f64, shots: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..shots)
        .map(|_| {
            let mut parity = vec![false; graph.num_detectors];
            for e in &graph.edges {
                if rng.random_bool(p) {
                    parity[e.a] ^= true;
                    if let Some(b) = e.b {
                        parity[b] ^= true;
                    }
                }
            }
            (0..graph.num_detectors).filter(|&v| parity[v]).collect()
        })
        .collect()
}

fn toric(c: &mut Criterion) {
    let mut group = c.benchmark_group("mwpm_toric_bitflip_p0.1");
    for l in [16usize, 32, 64] {
        let graph = toric_graph(l, 0.1);
        let shots = sample(&graph, 0.1, 1000, 2024 + l as u64);
        let matcher = Matcher::new(&graph).unwrap();
        let mut ws = matcher.workspace();
        let mut next = 0;
        group.bench_function(BenchmarkId::new("L", l), |b| {
            b.iter(|| {
                let events = &shots[next % shots.len()];
                next += 1;
                matcher.decode(events, &mut ws).unwrap().observables
            })
        });
    }
    group.finish();
}

criterion_group!(benches, toric);
criterion_main!(benches);
