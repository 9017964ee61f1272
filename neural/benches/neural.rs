//! Neural decoder throughput on the CPU, one libtorch thread and one rayon thread: inference (syndromes per second,
//! batch 1024, encoding included) with the shipped models' weights at L = 6 and 8, and the L = 8
//! weights at L = 16 (the network has no L-dependent layer); training (samples per second of
//! optimisation steps, and of sampling + encoding the batches) for the shipped shape.
//! The local models (one set of weights for every L): network plus per-shot matching per shot
//! at L = 16 and 32, and the two parts separately, for `decoders/local-depol` in `f32` and in
//! `bf16` (names ending `_bf16`) and `decoders/local-depol-fast` in `bf16` (`_fast_bf16`).
//! `main` applies `qecd-neural`'s start-up settings (`qecd_neural::runtime::configure`) first,
//! so that these figures are the executable's.
//! Trained weights matter for inference speed: a freshly initialised network in eval mode has
//! unnormalised, exploding activations that hit slow floating-point paths.

use criterion::{criterion_group, Criterion, Throughput};
use qecd::code::toric::ToricCode;
use qecd::noise::NoiseSpec;
use qecd::sample::sample_toric;
use qecd_neural::card::ModelKind;
use qecd_neural::channel;
use qecd_neural::checkpoint::load_model;
use qecd_neural::checkpoint::Network;
use qecd_neural::infer::{local_posteriors, predict};
use qecd_neural::model::ModelConfig;
use qecd_neural::precision::Precision;
use qecd_neural::reweight::{decode_shots, SECOND_PASS};
use qecd_neural::train::{make_batch, Learner, TrainConfig};
use std::path::Path;
use tch::Device;

/// Shape of the shipped models.
const SHIPPED: ModelConfig = ModelConfig {
    width: 32,
    depth: 4,
    kernel: 3,
};

/// One libtorch thread and one rayon thread (encoding, matching) for every measurement; the
/// first call sets the global rayon pool.
fn one_thread() {
    tch::set_num_threads(1);
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
}

fn inference(c: &mut Criterion) {
    one_thread();
    let mut group = c.benchmark_group("neural_inference_cpu");
    group.sample_size(10);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../decoders");
    for (l, model) in [
        (6usize, "end-L6-depol"),
        (8, "end-L8-depol"),
        (16, "end-L8-depol"),
    ] {
        let code = ToricCode::new(l).unwrap();
        let shots = sample_toric(
            &code,
            &channel(NoiseSpec::Depolarizing, 0.15).unwrap(),
            1024,
            1,
            false,
        );
        let loaded = load_model(&root.join(model), Device::Cpu).unwrap();
        group.throughput(Throughput::Elements(1024));
        group.bench_function(format!("L{l}_batch1024"), |b| {
            b.iter(|| predict(&loaded.net, &code, &shots.dets, Device::Cpu, 1024).unwrap())
        });
    }
    group.finish();
}

fn local(c: &mut Criterion) {
    one_thread();
    // One matching thread, as one libtorch thread (the first call wins; ignore a second one).
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    let mut group = c.benchmark_group("neural_local_cpu");
    group.sample_size(10);
    const SHOTS: usize = 64;
    let cases = [
        ("local-depol", Precision::F32, ""),
        ("local-depol", Precision::Bf16, "_bf16"),
        ("local-depol-fast", Precision::Bf16, "_fast_bf16"),
    ];
    for (name, precision, suffix) in cases {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../decoders")
            .join(name);
        let mut loaded = load_model(&dir, Device::Cpu).unwrap();
        loaded.set_precision(precision).unwrap();
        let Network::Local(net) = &loaded.net else {
            panic!("decoders/{name} holds a local model");
        };
        for l in [16usize, 32] {
            let code = ToricCode::new(l).unwrap();
            let ch = channel(NoiseSpec::Depolarizing, 0.16).unwrap();
            let shots = sample_toric(&code, &ch, SHOTS, 1, false);
            let dets = &shots.dets;
            group.throughput(Throughput::Elements(SHOTS as u64));
            group.bench_function(format!("L{l}_p0.16_network_and_matching{suffix}"), |b| {
                b.iter(|| predict(&loaded.net, &code, dets, Device::Cpu, SHOTS).unwrap())
            });
            group.bench_function(format!("L{l}_p0.16_network{suffix}"), |b| {
                b.iter(|| local_posteriors(net, &code, dets, Device::Cpu, &[]).unwrap())
            });
            if precision == Precision::F32 {
                let q = local_posteriors(net, &code, dets, Device::Cpu, &[]).unwrap();
                group.bench_function(format!("L{l}_p0.16_matching"), |b| {
                    b.iter(|| {
                        decode_shots(&code, dets.as_bytes(), dets.stride(), &q, Some(SECOND_PASS))
                            .unwrap()
                    })
                });
            }
        }
    }
    group.finish();
}

fn training(c: &mut Criterion) {
    one_thread();
    let mut group = c.benchmark_group("neural_training_cpu");
    group.sample_size(10);
    for l in [4usize, 6, 8] {
        let config = TrainConfig {
            kind: ModelKind::End,
            distances: Vec::new(),
            distance: l,
            noise: NoiseSpec::Depolarizing,
            p: 0.15,
            p_range: None,
            steps: 1000,
            batch: 256,
            lr: 1e-3,
            weight_decay: 1e-4,
            seed: 1,
            model: SHIPPED,
            eval_every: 0,
            eval_shots: 1,
            checkpoint_every: 0,
            init_from: None,
            command: String::new(),
        };
        let batch = make_batch(&config, 0).unwrap();
        let mut learner = Learner::new(ModelKind::End, SHIPPED, 1e-4, Device::Cpu).unwrap();
        group.throughput(Throughput::Elements(256));
        group.bench_function(format!("L{l}_step_batch256"), |b| {
            b.iter(|| learner.step(&batch, 1e-3).unwrap())
        });
        group.bench_function(format!("L{l}_sample_encode_batch256"), |b| {
            b.iter(|| make_batch(&config, 1).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, inference, local, training);
fn main() {
    qecd_neural::runtime::configure();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
