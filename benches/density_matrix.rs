//! Density-matrix simulator benches: one noisy run and one ZNE call on the fixture circuit
//! (the numbers the side-by-side script compares with Cirq and Mitiq), and the cost of a noisy
//! run of the 2-layer HVA as the chain grows.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use qecd::mitigate::ansatz::Hva;
use qecd::mitigate::executor::{Backend, Executor};
use qecd::mitigate::fold::Folding;
use qecd::mitigate::noise::NoiseModel;
use qecd::mitigate::read_qasm_file;
use qecd::mitigate::tfim::Tfim;
use qecd::mitigate::zne::{Extrapolation, Zne};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn fixture(c: &mut Criterion) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/mitigation/tfim4_pbc_h1_hva2.qasm");
    let circuit = read_qasm_file(&path).expect("fixture");
    let model = Tfim::new(4, 1.0, 1.0, true).unwrap();
    let exec = Executor::new(
        model.hamiltonian(),
        NoiseModel::depolarizing(1e-3, 1e-2).unwrap(),
        Backend::Density,
    )
    .unwrap();
    let zne = Zne {
        scales: vec![1.0, 2.0, 3.0],
        folding: Folding::Global,
        extrapolation: Extrapolation::Richardson,
    };
    let mut g = c.benchmark_group("fixture_tfim4");
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("noisy_run", |b| {
        b.iter(|| black_box(exec.noisy(&circuit).unwrap()))
    });
    g.bench_function("zne_richardson_123_fold_global", |b| {
        b.iter(|| black_box(zne.run(&circuit, &exec).unwrap().value))
    });
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("hva2_noisy_run");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for n in [4usize, 6, 8, 10] {
        let model = Tfim::new(n, 1.0, 1.0, true).unwrap();
        let hva = Hva { model, layers: 2 };
        let circuit = hva.circuit(&[-0.67, 0.15, -2.71, -2.15]).unwrap();
        let exec = Executor::new(
            model.hamiltonian(),
            NoiseModel::depolarizing(1e-3, 1e-2).unwrap(),
            Backend::Density,
        )
        .unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(exec.noisy(&circuit).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, fixture, scaling);
criterion_main!(benches);
