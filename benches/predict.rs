//! The `qecd predict` pipeline without the process: DEM parsing, matching-graph construction and
//! batch decoding of the Stim surface-code fixture (rotated_memory_x d=5, p=0.001).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qecd::bits::BitMatrix;
use qecd::decode::matching::MwpmDecoder;
use qecd::decode::Decoder;
use qecd::dem::parse_dem;
use std::path::Path;

fn fixture(file: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/stim/surface_d5")
            .join(file),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let text = String::from_utf8(fixture("model.dem")).unwrap();
    let dets = BitMatrix::from_bytes(10_000, 120, fixture("dets.b8")).unwrap();
    let mut g = c.benchmark_group("surface_d5");
    g.bench_function("parse_dem", |b| b.iter(|| parse_dem(&text).unwrap()));
    let flat = parse_dem(&text).unwrap().flatten().unwrap();
    g.bench_function("build_decoder", |b| {
        b.iter(|| MwpmDecoder::from_dem(&flat).unwrap())
    });
    let decoder = MwpmDecoder::from_dem(&flat).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    g.throughput(Throughput::Elements(dets.rows() as u64));
    g.sample_size(10);
    g.bench_function("decode_batch_10000_shots_1_thread", |b| {
        b.iter(|| pool.install(|| decoder.decode_batch(&dets).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
