//! Neural decoder throughput on the CPU: inference (syndromes per second, batch 1024, at
//! L = 6, 8, 16, encoding included) and training (samples per second of optimisation steps and
//! of sampling + encoding the batches). The network has the shape of the shipped models; its
//! weights are freshly initialised (throughput does not depend on their values).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qecd::code::toric::ToricCode;
use qecd::decode::neural::infer::predict_classes;
use qecd::decode::neural::model::{EndNet, ModelConfig};
use qecd::decode::neural::train::{channel, make_batch, Learner, TrainConfig};
use qecd::sample::sample_toric;
use tch::{nn::VarStore, Device};

/// Shape of the shipped models.
const SHIPPED: ModelConfig = ModelConfig {
    width: 32,
    depth: 4,
    kernel: 3,
};

fn inference(c: &mut Criterion) {
    let mut group = c.benchmark_group("neural_inference_cpu");
    group.sample_size(10);
    for l in [6usize, 8, 16] {
        let code = ToricCode::new(l).unwrap();
        let shots = sample_toric(
            &code,
            &channel("depolarizing", 0.15).unwrap(),
            1024,
            1,
            false,
        );
        let vs = VarStore::new(Device::Cpu);
        let net = EndNet::new(&vs.root(), SHIPPED).unwrap();
        group.throughput(Throughput::Elements(1024));
        group.bench_function(format!("L{l}_batch1024"), |b| {
            b.iter(|| predict_classes(&net, &code, &shots.dets, Device::Cpu, 1024).unwrap())
        });
    }
    group.finish();
}

fn training(c: &mut Criterion) {
    let mut group = c.benchmark_group("neural_training_cpu");
    group.sample_size(10);
    for l in [4usize, 6, 8] {
        let code = ToricCode::new(l).unwrap();
        let config = TrainConfig {
            distance: l,
            noise: "depolarizing".to_string(),
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
        let batch = make_batch(&code, &config, 0).unwrap();
        let mut learner = Learner::new(SHIPPED, 1e-4, Device::Cpu).unwrap();
        group.throughput(Throughput::Elements(256));
        group.bench_function(format!("L{l}_step_batch256"), |b| {
            b.iter(|| learner.step(&batch, 1e-3))
        });
        group.bench_function(format!("L{l}_sample_encode_batch256"), |b| {
            b.iter(|| make_batch(&code, &config, 1).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, inference, training);
criterion_main!(benches);
