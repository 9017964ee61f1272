//! Sampling throughput of the toric-code simulator (one thread, as Stim's sampler is).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qecd::code::ToricCode;
use qecd::noise::NoiseSpec;
use qecd::sample::ToricSampler;

fn sampling(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("sample_toric");
    for (noise, p) in [(NoiseSpec::BitFlip, 0.1), (NoiseSpec::Depolarizing, 0.15)] {
        for l in [8usize, 16, 32] {
            let shots = 4096;
            let sampler =
                ToricSampler::new(ToricCode::new(l).unwrap(), &noise.channel(p).unwrap(), 1);
            group.throughput(Throughput::Elements(shots as u64));
            group.bench_with_input(BenchmarkId::new(format!("{noise}_p{p}"), l), &l, |b, _| {
                b.iter(|| pool.install(|| sampler.sample(0, shots, false)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, sampling);
criterion_main!(benches);
