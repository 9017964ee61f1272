//! Training: the model learns (beats the no-correction baseline by a wide margin and comes
//! close to the maximum-likelihood decoder at L = 3), resumed runs continue exactly, and bad
//! settings are refused with clear errors.

use qecd::code::toric::ToricCode;
use qecd::decode::ml::MlDecoder;
use qecd::noise::NoiseSpec;
use qecd::sample::sample_toric;
use qecd_neural::batch::{labels, row_classes, EncodedBatch};
use qecd_neural::card::{ModelCard, ModelKind};
use qecd_neural::channel;
use qecd_neural::checkpoint::load_model;
use qecd_neural::device::DeviceChoice;
use qecd_neural::infer::NeuralDecoder;
use qecd_neural::model::ModelConfig;
use qecd_neural::train::{train, RunOptions, TrainConfig};
use tch::Device;

fn config(steps: u64) -> TrainConfig {
    TrainConfig {
        kind: ModelKind::End,
        distances: Vec::new(),
        distance: 3,
        noise: NoiseSpec::Depolarizing,
        p: 0.08,
        p_range: None,
        steps,
        batch: 128,
        lr: 5e-3,
        weight_decay: 1e-4,
        seed: 3,
        model: ModelConfig {
            width: 16,
            depth: 2,
            kernel: 3,
        },
        eval_every: 0,
        eval_shots: 2000,
        checkpoint_every: 0,
        init_from: None,
        command: "test".to_string(),
    }
}

/// libtorch's random generator (initial weights) is global to the process: tests that train
/// take this lock so that concurrent tests do not interleave their draws.
static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    TORCH_RNG.lock().unwrap_or_else(|e| e.into_inner())
}

fn cpu() -> RunOptions {
    RunOptions {
        device: DeviceChoice::Cpu,
        ..Default::default()
    }
}

#[test]
fn training_at_l3_approaches_maximum_likelihood() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("l3");
    tch::set_num_threads(1);
    let outcome = train(&config(400), &out, &cpu(), None, &mut |_| {}).unwrap();
    assert_eq!(outcome.card.training.steps_done, 400);
    assert_eq!(outcome.card.training.samples, 400 * 128);

    // Fresh shots (a seed the training never used).
    let code = ToricCode::new(3).unwrap();
    let ch = channel(NoiseSpec::Depolarizing, 0.08).unwrap();
    let shots = sample_toric(&code, &ch, 3000, 12345, false);
    let truth = row_classes(&shots.obs);
    let pure = EncodedBatch::encode(&code, &shots.dets)
        .unwrap()
        .pure_classes;
    let no_correction = labels(&shots.obs, &pure)
        .iter()
        .filter(|&&c| c != 0)
        .count();

    let neural = NeuralDecoder::load(&out, DeviceChoice::Cpu).unwrap();
    let pred = row_classes(&neural.decode_rows(&shots.dets).unwrap());
    let neural_wrong = pred.iter().zip(&truth).filter(|(a, b)| a != b).count();

    let ml = MlDecoder::new(&code, &ch).unwrap();
    let ml_pred = row_classes(&ml.decode_rows(&shots.dets).unwrap());
    let ml_wrong = ml_pred.iter().zip(&truth).filter(|(a, b)| a != b).count();

    eprintln!(
        "L=3 p=0.08, 3000 shots: T(s) alone {no_correction}, neural {neural_wrong}, ML {ml_wrong}"
    );
    // ML is optimal, so it is a floor up to sampling noise; the trained model must sit well
    // below the no-correction baseline and within 30% + 15 shots of ML after 400 short steps.
    assert!(
        ml_wrong <= neural_wrong + 15,
        "ML {ml_wrong} vs neural {neural_wrong}"
    );
    assert!(
        3 * neural_wrong < no_correction,
        "neural {neural_wrong} vs T(s) {no_correction}"
    );
    assert!(
        (neural_wrong as f64) < 1.3 * ml_wrong as f64 + 15.0,
        "neural {neural_wrong} too far above ML {ml_wrong}"
    );
}

#[test]
fn resumed_training_matches_an_uninterrupted_run() {
    let _guard = serial();
    tch::set_num_threads(1);
    let dir = tempfile::tempdir().unwrap();
    let (straight, split) = (dir.path().join("straight"), dir.path().join("split"));
    let c = TrainConfig {
        batch: 32,
        ..config(6)
    };
    train(&c, &straight, &cpu(), None, &mut |_| {}).unwrap();
    let first = RunOptions {
        stop_after: Some(3),
        ..cpu()
    };
    let part = train(&c, &split, &first, None, &mut |_| {}).unwrap();
    assert_eq!(part.card.training.steps_done, 3);
    let err = train(&c, &split, &cpu(), None, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("--resume"), "{err}");
    let resumed = train(
        &c,
        &split,
        &RunOptions {
            resume: true,
            ..cpu()
        },
        None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(resumed.card.training.steps_done, 6);

    let a = load_model(&straight, Device::Cpu).unwrap().vs.variables();
    let b = load_model(&split, Device::Cpu).unwrap().vs.variables();
    for (name, ta) in &a {
        let diff = (ta - &b[name]).abs().max().double_value(&[]);
        assert!(diff < 1e-5, "{name} differs by {diff} after resuming");
    }
    assert_eq!(ModelCard::load(&split).unwrap().training.samples, 6 * 32);
}

#[test]
fn bad_settings_are_refused() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad");
    let cases: Vec<(TrainConfig, &str)> = vec![
        (
            TrainConfig {
                noise: NoiseSpec::Pauli {
                    px: 0.7,
                    py: 0.7,
                    pz: 0.0,
                },
                ..config(1)
            },
            "--noise 'pauli:px=0.7,py=0.7,pz=0' at p",
        ),
        (
            TrainConfig {
                p: 1.5,
                ..config(1)
            },
            "--p 1.5",
        ),
        (
            TrainConfig {
                p_range: Some((0.2, 0.1)),
                ..config(1)
            },
            "--p-range",
        ),
        (
            TrainConfig {
                model: ModelConfig {
                    width: 4,
                    depth: 1,
                    kernel: 2,
                },
                ..config(1)
            },
            "odd kernel",
        ),
        (
            TrainConfig {
                steps: 0,
                ..config(1)
            },
            "--steps",
        ),
    ];
    for (c, needle) in cases {
        let err = train(&c, &out, &cpu(), None, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "expected '{needle}' in: {err}");
    }
    let err = train(
        &config(1),
        &out,
        &RunOptions {
            resume: true,
            ..cpu()
        },
        None,
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("card.json"), "{err}");

    // A card whose noise spec does not parse cannot be resumed.
    let run = dir.path().join("run");
    train(&config(1), &run, &cpu(), None, &mut |_| {}).unwrap();
    let card = run.join("card.json");
    let text = std::fs::read_to_string(&card).unwrap();
    assert!(text.contains("\"noise\": \"depolarizing\""), "{text}");
    std::fs::write(&card, text.replace("\"depolarizing\"", "\"nonsense\"")).unwrap();
    let resume = RunOptions {
        resume: true,
        ..cpu()
    };
    let err = train(&config(1), &run, &resume, None, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("--noise 'nonsense'"), "{err}");
}

#[test]
fn init_from_starts_from_another_models_weights_at_another_size() {
    let _guard = serial();
    tch::set_num_threads(1);
    let dir = tempfile::tempdir().unwrap();
    let (small, big, wrong) = (
        dir.path().join("l3"),
        dir.path().join("l4"),
        dir.path().join("w"),
    );
    let c3 = TrainConfig {
        batch: 32,
        ..config(3)
    };
    train(&c3, &small, &cpu(), None, &mut |_| {}).unwrap();
    // One step with a negligible learning rate: the kernels stay those of the L = 3 model.
    let c4 = TrainConfig {
        distance: 4,
        batch: 32,
        lr: 1e-12,
        init_from: Some(small.clone()),
        ..config(1)
    };
    let outcome = train(&c4, &big, &cpu(), None, &mut |_| {}).unwrap();
    assert_eq!(outcome.card.training.init_from.as_deref(), small.to_str());
    // The card keeps the first stage's training record; its own time and samples are its own.
    let first = ModelCard::load(&small).unwrap().training;
    let recorded = outcome.card.training.init_training.as_deref().unwrap();
    assert_eq!(recorded, &first);
    assert_eq!(outcome.card.training.samples, 32);
    assert_eq!(
        ModelCard::load(&big).unwrap().training,
        outcome.card.training
    );
    let a = load_model(&small, Device::Cpu).unwrap().vs.variables();
    let b = load_model(&big, Device::Cpu).unwrap().vs.variables();
    for name in ["stem.weight", "blocks.0.conv1.weight", "head_out.weight"] {
        let diff = (&a[name] - &b[name]).abs().max().double_value(&[]);
        assert!(diff < 1e-6, "{name} moved by {diff}");
    }
    // A model of another shape cannot seed this one.
    let other = TrainConfig {
        model: ModelConfig {
            width: 8,
            depth: 2,
            kernel: 3,
        },
        init_from: Some(small.clone()),
        ..config(1)
    };
    let err = train(&other, &wrong, &cpu(), None, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--init-from") && err.contains("width: 16"),
        "{err}"
    );
}
