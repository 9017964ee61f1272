//! The END network: exact translation symmetry of the pooled prediction, the pooling itself,
//! size independence of the weights, and model files (round trip, corrupt files, mismatches).

use qecd::bits::{set_bit, BitMatrix};
use qecd::code::toric::ToricCode;
use qecd::noise::NoiseSpec;
use qecd_neural::batch::EncodedBatch;
use qecd_neural::card::{ModelCard, ModelKind, CARD_FILE, MODEL_FILE};
use qecd_neural::checkpoint::{load_model, save_weights, Network};
use qecd_neural::device::DeviceChoice;
use qecd_neural::infer::{class_logits, NeuralDecoder};
use qecd_neural::model::{EndNet, ModelConfig};
use qecd_neural::pooling::equivariant_pool;
use qecd_neural::train::{train, RunOptions, TrainConfig};
use rand::{Rng, SeedableRng};
use tch::{nn::VarStore, Device, Kind, Tensor};

/// Random valid syndromes (syndromes of random errors) of the L x L toric code.
fn random_syndromes(code: &ToricCode, rows: usize, density: f64, seed: u64) -> BitMatrix {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let n = 2 * code.num_qubits();
    let mut dets = BitMatrix::zeros(rows, code.num_detectors());
    for r in 0..rows {
        let mut e = vec![0u8; n.div_ceil(8)];
        for q in 0..n {
            set_bit(&mut e, q, rng.random::<f64>() < density);
        }
        code.syndrome(&e, dets.row_mut(r));
    }
    dets
}

/// A network with non-trivial batch-norm statistics (a few forward passes in train mode).
fn warmed_net(vs: &VarStore, code: &ToricCode, config: ModelConfig) -> EndNet {
    tch::manual_seed(7);
    let net = EndNet::new(&vs.root(), config).unwrap();
    let dets = random_syndromes(code, 64, 0.1, 99);
    let batch = EncodedBatch::encode(code, &dets).unwrap();
    let (syn, xor) = batch.tensors(Device::Cpu);
    tch::no_grad(|| {
        for _ in 0..3 {
            let _ = net.forward(&syn, &xor, true);
        }
    });
    net
}

fn probs(net: &EndNet, code: &ToricCode, dets: &BitMatrix) -> Vec<[f64; 16]> {
    let batch = EncodedBatch::encode(code, dets).unwrap();
    let p = class_logits(net, &batch, Device::Cpu)
        .softmax(1, Kind::Double)
        .to_device(Device::Cpu);
    let flat = Vec::<f64>::try_from(p.view([-1])).unwrap();
    flat.chunks(16).map(|c| c.try_into().unwrap()).collect()
}

/// Largest |P_{t.s}[c] - P_s[c xor h(t, s)]| over syndromes, translations and classes; with
/// `use_xor = false` the plain (non-equivariant) permutation-free comparison is measured instead.
fn worst_symmetry_violation(
    net: &EndNet,
    code: &ToricCode,
    dets: &BitMatrix,
    use_xor: bool,
) -> f64 {
    let l = code.distance();
    let base = probs(net, code, dets);
    let mut worst: f64 = 0.0;
    for a in 0..l {
        for b in 0..l {
            let mut moved = BitMatrix::zeros(dets.rows(), dets.cols());
            for r in 0..dets.rows() {
                code.translate_syndrome(dets.row(r), a, b, moved.row_mut(r));
            }
            let moved_probs = probs(net, code, &moved);
            let mut xors = vec![0u8; l * l];
            for r in 0..dets.rows() {
                code.site_xors(moved.row(r), &mut xors);
                // site_xors(t.s)[t] = h(t, t^{-1}.t.s) = h(t, s).
                let h = if use_xor { xors[a * l + b] as usize } else { 0 };
                for c in 0..16 {
                    worst = worst.max((moved_probs[r][c] - base[r][c ^ h]).abs());
                }
            }
        }
    }
    worst
}

#[test]
fn pooled_prediction_transforms_like_the_labels_under_every_translation() {
    for l in [3usize, 4, 5] {
        let code = ToricCode::new(l).unwrap();
        let vs = VarStore::new(Device::Cpu);
        let net = warmed_net(
            &vs,
            &code,
            ModelConfig {
                width: 8,
                depth: 2,
                kernel: 3,
            },
        );
        let dets = random_syndromes(&code, 24, 0.12, l as u64);
        let worst = worst_symmetry_violation(&net, &code, &dets, true);
        assert!(worst < 2e-5, "L = {l}: equivariance violated by {worst}");
    }
}

#[test]
fn symmetry_check_detects_a_missing_unpermutation() {
    // Control: comparing without the XOR must fail, or the check above proves nothing.
    let code = ToricCode::new(4).unwrap();
    let vs = VarStore::new(Device::Cpu);
    let net = warmed_net(
        &vs,
        &code,
        ModelConfig {
            width: 8,
            depth: 2,
            kernel: 3,
        },
    );
    let dets = random_syndromes(&code, 24, 0.12, 5);
    let worst = worst_symmetry_violation(&net, &code, &dets, false);
    assert!(
        worst > 1e-3,
        "without the XOR the probabilities should move, worst {worst}"
    );
}

#[test]
fn pooling_unpermutes_each_site_then_averages() {
    // Two sites, one shot: site 0 has logit 1 on class 3 (xor 0), site 1 has logit 1 on
    // class 5 with xor 6, which maps to class 3 as well (new[c] = old[c ^ 6], new[3] = old[5]).
    let mut logits = vec![0f32; 16 * 2];
    logits[3 * 2] = 1.0;
    logits[5 * 2 + 1] = 1.0;
    let site_logits = Tensor::from_slice(&logits).view([1, 16, 1, 2]);
    let xors = Tensor::from_slice(&[0u8, 6]).view([1, 2]);
    let pooled = Vec::<f32>::try_from(equivariant_pool(&site_logits, &xors).view([-1])).unwrap();
    for (c, &v) in pooled.iter().enumerate() {
        assert_eq!(v, if c == 3 { 1.0 } else { 0.0 }, "class {c}");
    }
}

#[test]
fn same_weights_run_on_any_torus_size() {
    let code4 = ToricCode::new(4).unwrap();
    let vs = VarStore::new(Device::Cpu);
    let net = warmed_net(
        &vs,
        &code4,
        ModelConfig {
            width: 8,
            depth: 2,
            kernel: 3,
        },
    );
    for l in [6usize, 8] {
        let code = ToricCode::new(l).unwrap();
        let dets = random_syndromes(&code, 6, 0.1, l as u64);
        let p = probs(&net, &code, &dets);
        assert_eq!(p.len(), 6);
        for row in &p {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        assert!(worst_symmetry_violation(&net, &code, &dets, true) < 2e-5);
    }
}

/// The END network of a loaded END model.
fn end_net(net: &Network) -> &EndNet {
    match net {
        Network::End(net) => net,
        Network::Local(_) => panic!("an END model was expected"),
    }
}

fn tiny_config(distance: usize, steps: u64) -> TrainConfig {
    TrainConfig {
        kind: ModelKind::End,
        distances: Vec::new(),
        distance,
        noise: NoiseSpec::Depolarizing,
        p: 0.06,
        p_range: None,
        steps,
        batch: 64,
        lr: 3e-3,
        weight_decay: 1e-4,
        seed: 11,
        model: ModelConfig {
            width: 8,
            depth: 1,
            kernel: 3,
        },
        eval_every: 0,
        eval_shots: 500,
        checkpoint_every: 0,
        init_from: None,
        command: "test".to_string(),
    }
}

#[test]
fn model_folder_round_trips_and_rejects_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    let config = tiny_config(3, 4);
    train(
        &config,
        &out,
        &RunOptions {
            device: DeviceChoice::Cpu,
            ..Default::default()
        },
        None,
        &mut |_| {},
    )
    .unwrap();

    let code = ToricCode::new(3).unwrap();
    let dets = random_syndromes(&code, 50, 0.08, 3);
    let loaded = load_model(&out, Device::Cpu).unwrap();
    let first = probs(end_net(&loaded.net), &code, &dets);
    let again = probs(
        end_net(&load_model(&out, Device::Cpu).unwrap().net),
        &code,
        &dets,
    );
    assert_eq!(first, again);

    let decoder = NeuralDecoder::load(&out, DeviceChoice::Cpu).unwrap();
    assert_eq!(decoder.decode_rows(&dets).unwrap().rows(), 50);
    let err = decoder.check_data(5, None).unwrap_err().to_string();
    assert!(err.contains("L = 5") && err.contains('3'), "{err}");
    let err = decoder
        .check_data(3, Some("biased:eta=10"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("depolarizing") && err.contains("biased"),
        "{err}"
    );
    assert!(decoder.check_data(3, Some("depolarizing")).is_ok());
    let wrong_width = BitMatrix::zeros(2, 10);
    assert!(decoder.decode_rows(&wrong_width).is_err());

    // A card whose shape does not match the weights.
    let mut card = ModelCard::load(&out).unwrap();
    card.model.width = 16;
    card.save(&out).unwrap();
    let err = load_model(&out, Device::Cpu).unwrap_err().to_string();
    assert!(err.contains(MODEL_FILE) && err.contains("shape"), "{err}");
    card.model.width = 8;
    card.save(&out).unwrap();

    // Truncated weights.
    let bytes = std::fs::read(out.join(MODEL_FILE)).unwrap();
    std::fs::write(out.join(MODEL_FILE), &bytes[..bytes.len() / 2]).unwrap();
    let err = load_model(&out, Device::Cpu).unwrap_err().to_string();
    assert!(err.contains(MODEL_FILE), "{err}");

    // A card that is not JSON.
    std::fs::write(out.join(CARD_FILE), "{ not json").unwrap();
    let err = NeuralDecoder::load(&out, DeviceChoice::Cpu)
        .unwrap_err()
        .to_string();
    assert!(err.contains(CARD_FILE) && err.contains("line 1"), "{err}");

    // Saving into a folder and loading back gives the same weights.
    let vs = VarStore::new(Device::Cpu);
    let _net = EndNet::new(&vs.root(), ModelConfig::default()).unwrap();
    save_weights(&vs, dir.path()).unwrap();
    assert!(dir.path().join(MODEL_FILE).exists());
}

#[test]
fn weights_with_nan_or_infinity_are_refused_naming_file_and_tensor() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    train(
        &tiny_config(3, 2),
        &out,
        &RunOptions {
            device: DeviceChoice::Cpu,
            ..Default::default()
        },
        None,
        &mut |_| {},
    )
    .unwrap();
    let path = out.join(MODEL_FILE);
    let clean = Tensor::read_safetensors(&path).unwrap();
    let (victim, _) = clean
        .iter()
        .find(|(_, t)| t.kind() == Kind::Float && t.numel() > 1)
        .unwrap();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let poisoned: Vec<(String, Tensor)> = clean
            .iter()
            .map(|(name, t)| {
                let t = t.copy();
                if name == victim {
                    let _ = t.view([-1]).get(0).fill_(bad);
                }
                (name.clone(), t)
            })
            .collect();
        Tensor::write_safetensors(&poisoned, &path).unwrap();
        let err = load_model(&out, Device::Cpu).unwrap_err().to_string();
        assert!(
            err.contains(MODEL_FILE) && err.contains(victim.as_str()) && err.contains("NaN"),
            "{bad}: {err}"
        );
        let err = NeuralDecoder::load(&out, DeviceChoice::Cpu).unwrap_err();
        assert!(err.to_string().contains(victim.as_str()), "{err}");
    }
    Tensor::write_safetensors(&clean, &path).unwrap();
    load_model(&out, Device::Cpu).unwrap();
}
