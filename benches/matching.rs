//! Matching decoder speed: toric code L = 16, 32, 64 under bit-flip noise p = 0.1 (the cases
//! PyMatching's timings are quoted for), and the depolarizing toric code at p = 0.14, L = 16
//! and 32, decoded plainly, with correlated matching, and with per-shot weights (the graph's
//! own, given as [`EdgeWeights::PerShot`]: the cost of the per-shot path itself). Shots are
//! sampled in the bench with a fixed seed; one iteration decodes one shot (or a batch of 256
//! for the decoder-level cases), cycling through pre-sampled shots.
//!
//! `cargo bench --bench matching`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use qecd::code::ToricCode;
use qecd::decode::matching::from_dem::dem_graph;
use qecd::decode::matching::{EdgeWeights, GraphEdge, Matcher, MatchingGraph, MwpmDecoder};
use qecd::decode::Decoder;
use qecd::dem::parse_dem;
use qecd::noise::NoiseSpec;
use qecd::sample::ToricSampler;
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

fn toric_depolarizing(c: &mut Criterion) {
    let mut group = c.benchmark_group("mwpm_toric_depolarizing_p0.14_256_shots");
    group.sample_size(20);
    for l in [16usize, 32] {
        let code = ToricCode::new(l).unwrap();
        let channel = NoiseSpec::Depolarizing.channel(0.14).unwrap();
        let dem = parse_dem(&code.dem_text(&channel).unwrap())
            .unwrap()
            .flatten()
            .unwrap();
        let shots = ToricSampler::new(code, &channel, 7).sample(0, 256, false);
        for (name, decoder) in [
            ("plain", MwpmDecoder::from_dem(&dem).unwrap()),
            (
                "correlated",
                MwpmDecoder::from_dem_correlated(&dem).unwrap(),
            ),
        ] {
            group.bench_function(BenchmarkId::new(name, l), |b| {
                b.iter(|| decoder.decode_batch(&shots.dets).unwrap())
            });
        }
        let graph = dem_graph(&dem).graph;
        let weights: Vec<f64> = graph.edges.iter().map(|e| e.weight).collect();
        let matcher = Matcher::new(&graph).unwrap();
        let mut ws = matcher.workspace();
        let events: Vec<Vec<usize>> = (0..shots.dets.rows())
            .map(|r| qecd::bits::ones(shots.dets.row(r)))
            .collect();
        group.bench_function(BenchmarkId::new("per_shot_weights", l), |b| {
            b.iter(|| {
                for e in &events {
                    let w = EdgeWeights::PerShot(&weights);
                    matcher.decode_weighted(e, w, &mut ws).unwrap();
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, toric, toric_depolarizing);
criterion_main!(benches);
