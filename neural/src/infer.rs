//! Decoding with a trained model of either kind, batched, on CPU or CUDA: END's class logits,
//! or the local network's posteriors followed by per-shot matching ([`super::reweight`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tch::{Device, Kind, Tensor};

use super::batch::{bit_floats, grid_tensor, EncodedBatch};
use super::card::{ModelCard, ModelKind, CARD_FILE};
use super::checkpoint::{load_model, LoadedModel, Network};
use super::device::{device_name, with_autocast, DeviceChoice};
use super::local::LocalNet;
use super::model::EndNet;
use super::precision::Precision;
use super::reweight::{decode_shots, SecondPass, SECOND_PASS};
use super::{canonical_noise, NeuralError};
use qecd::bits::BitMatrix;
use qecd::code::toric::ToricCode;
use qecd::code::toric_symmetry::{inverse_permutation, PointSymmetry};
use qecd::decode::{DecodeError, Decoder};

/// Bytes of one hidden activation (`chunk x width x L^2` floats) that the CPU's shots per
/// forward pass aim at: small enough to stay in cache and to reuse the allocator's memory
/// (a 1024-shot pass at L = 32 allocated 200 MB per layer, a fifth of the time went to page
/// faults), large enough to keep the convolutions vectorised. Measured on one thread at L = 32
/// (width 48): 27 ms per shot with 21 shots per pass against 35 ms with 1024.
pub const CPU_ACTIVATION_BYTES: usize = 4 << 20;
/// Most shots per forward pass on the CPU.
pub const CPU_CHUNK: usize = 1024;
/// Default shots per forward pass on CUDA.
pub const CUDA_CHUNK: usize = 65536;

/// Pooled class logits `(B, 16)` (float) of an encoded batch, in eval mode without gradients.
pub fn class_logits(net: &EndNet, batch: &EncodedBatch, device: Device) -> Tensor {
    tch::no_grad(|| {
        let (syn, xor) = batch.tensors(device);
        with_autocast(device, || net.forward(&syn, &xor, false)).to_kind(Kind::Float)
    })
}

/// The rows of `dets` in consecutive blocks of at most `chunk` rows.
fn row_blocks(dets: &BitMatrix, chunk: usize) -> impl Iterator<Item = BitMatrix> + '_ {
    let stride = dets.stride();
    let chunk = chunk.max(1);
    (0..dets.rows()).step_by(chunk).map(move |start| {
        let rows = chunk.min(dets.rows() - start);
        let bytes = dets.as_bytes()[start * stride..(start + rows) * stride].to_vec();
        BitMatrix::from_bytes(rows, dets.cols(), bytes).expect("whole rows of a valid matrix")
    })
}

/// Predicted observable classes (`class(T(s)) xor argmax`) of END for detector rows, `chunk`
/// shots per forward pass.
pub fn predict_classes(
    net: &EndNet,
    code: &ToricCode,
    dets: &BitMatrix,
    device: Device,
    chunk: usize,
) -> Result<Vec<u8>, NeuralError> {
    let mut out = Vec::with_capacity(dets.rows());
    for part in row_blocks(dets, chunk) {
        let rows = part.rows();
        let batch = EncodedBatch::encode(code, &part)?;
        let argmax = class_logits(net, &batch, device)
            .argmax(1, false)
            .to_kind(Kind::Uint8)
            .to_device(Device::Cpu);
        let mut best = vec![0u8; rows];
        argmax.f_copy_data(&mut best, rows)?;
        out.extend(best.iter().zip(&batch.pure_classes).map(|(&c, &t)| c ^ t));
    }
    Ok(out)
}

/// The local network's posteriors for detector rows of `code`: `4 L^2` values per shot in
/// error-row order (see [`super::local`]), shot after shot, averaged over `symmetries` (the
/// identity alone when empty): for each symmetry `g`, the network reads `g` of the syndrome and
/// its posteriors are moved back by `g^-1` (see [`qecd::code::toric_symmetry`]).
pub fn local_posteriors(
    net: &LocalNet,
    code: &ToricCode,
    dets: &BitMatrix,
    device: Device,
    symmetries: &[PointSymmetry],
) -> Result<Vec<f32>, NeuralError> {
    let l = code.distance();
    if dets.cols() != code.num_detectors() {
        return Err(NeuralError::Mismatch {
            what: "detectors per shot (2 L^2) of distance",
            model: format!("{} (L = {l})", code.num_detectors()),
            data: dets.cols().to_string(),
        });
    }
    let rows = dets.rows() as i64;
    let syn = grid_tensor(&bit_floats(dets), dets.rows(), 2, l, device).to_kind(net.kind());
    let q = match symmetries {
        [] | [PointSymmetry::IDENTITY] => with_autocast(device, || net.posteriors(&syn)),
        _ => {
            let index = |perm: Vec<usize>| {
                let perm: Vec<i64> = perm.into_iter().map(|k| k as i64).collect();
                Tensor::from_slice(&perm).to_device(device)
            };
            let flat = syn.view([rows, -1]);
            let mut sum: Option<Tensor> = None;
            for g in symmetries {
                let moved = flat
                    .index_select(1, &index(g.syndrome_permutation(code)))
                    .view([rows, 2, l as i64, l as i64]);
                let q = with_autocast(device, || net.posteriors(&moved)).view([rows, -1]);
                let back = index(inverse_permutation(&g.error_permutation(code)));
                let q = q.index_select(1, &back);
                sum = Some(match sum {
                    Some(s) => s + q,
                    None => q,
                });
            }
            sum.expect("at least one symmetry") / symmetries.len() as f64
        }
    }
    .to_device(Device::Cpu);
    let n = dets.rows() * 4 * l * l;
    let mut out = vec![0f32; n];
    q.f_copy_data(&mut out, n)?;
    Ok(out)
}

/// The first `count` of the toric code's point symmetries ([`PointSymmetry::all`]), for a model
/// trained on noise `noise`: `count` must be 1, 2, 4, 8 or 16 (a group), and 16, which
/// exchanges X and Z, needs noise that treats them alike.
pub fn symmetries_for(count: usize, noise: &str) -> Result<Vec<PointSymmetry>, NeuralError> {
    let count = count.max(1);
    if ![1, 2, 4, 8, 16].contains(&count) {
        return Err(NeuralError::InvalidConfig(format!(
            "--symmetries {count}: expected 1, 2, 4, 8 or 16 (the sizes of the groups it \
             averages over)"
        )));
    }
    if count == 16 {
        let c = super::channel(super::parse_noise(noise)?, 0.1)?;
        if c.px != c.pz {
            return Err(NeuralError::InvalidConfig(format!(
                "--symmetries 16 exchanges X and Z errors, but the model's noise '{noise}' \
                 does not treat them alike; use at most 8"
            )));
        }
    }
    Ok(PointSymmetry::all()[..count].to_vec())
}

/// Predicted observable classes of the local network for detector rows: posteriors (averaged
/// over `symmetries`), `chunk` shots per forward pass, then matching on each shot's weights
/// (in parallel).
pub fn predict_local(
    net: &LocalNet,
    code: &ToricCode,
    dets: &BitMatrix,
    device: Device,
    chunk: usize,
    symmetries: &[PointSymmetry],
) -> Result<Vec<u8>, NeuralError> {
    let mut out = Vec::with_capacity(dets.rows());
    for part in row_blocks(dets, chunk) {
        let q = local_posteriors(net, code, &part, device, symmetries)?;
        out.extend(decode_shots(
            code,
            part.as_bytes(),
            part.stride(),
            &q,
            Some(SECOND_PASS),
        )?);
    }
    Ok(out)
}

/// Predicted observable classes (4 bits per shot) of a network of either kind (the local one
/// on its plain posteriors).
pub fn predict(
    net: &Network,
    code: &ToricCode,
    dets: &BitMatrix,
    device: Device,
    chunk: usize,
) -> Result<Vec<u8>, NeuralError> {
    match net {
        Network::End(net) => predict_classes(net, code, dets, device, chunk),
        Network::Local(net) => predict_local(net, code, dets, device, chunk, &[]),
    }
}

/// The neural decoder: a trained model (either kind) for one toric code, ready to decode shots.
pub struct NeuralDecoder {
    model: Mutex<LoadedModel>,
    code: ToricCode,
    device: Device,
    chunk: usize,
    /// Local models: the symmetries the posteriors are averaged over.
    symmetries: Vec<PointSymmetry>,
    /// Local models: the second matching pass, if any ([`super::reweight`]).
    second_pass: Option<SecondPass>,
}

impl std::fmt::Debug for NeuralDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeuralDecoder")
            .field("distance", &self.code.distance())
            .field("device", &self.device)
            .field("chunk", &self.chunk)
            .field("symmetries", &self.symmetries.len())
            .field("precision", &self.precision())
            .field("second_pass", &self.second_pass)
            .finish_non_exhaustive()
    }
}

/// Sets libtorch's intra-op threads (a process-wide setting) to `threads` unless it is already.
fn match_torch_threads(threads: usize) {
    let threads = i32::try_from(threads).unwrap_or(i32::MAX);
    if tch::get_num_threads() != threads {
        tch::set_num_threads(threads);
    }
}

/// Shots per forward pass on the CPU for a network of `width` channels on the L = `distance`
/// torus: one hidden activation near [`CPU_ACTIVATION_BYTES`], between 1 and [`CPU_CHUNK`].
pub fn cpu_chunk(width: usize, distance: usize) -> usize {
    let per_shot = 4 * width.max(1) * distance * distance;
    (CPU_ACTIVATION_BYTES / per_shot).clamp(1, CPU_CHUNK)
}

impl NeuralDecoder {
    /// Loads the model folder `dir` (`card.json` + `model.safetensors`) onto `device`, for the
    /// torus size of its card.
    pub fn load(dir: &Path, device: DeviceChoice) -> Result<Self, NeuralError> {
        let distance = ModelCard::load(dir)?.distance;
        Self::load_for(dir, device, distance)
    }

    /// Loads the model folder `dir` onto `device` to decode shots of the L = `distance` torus:
    /// END models only decode the size they were trained for, local models any size.
    pub fn load_for(
        dir: &Path,
        device: DeviceChoice,
        distance: usize,
    ) -> Result<Self, NeuralError> {
        let device = device.resolve()?;
        let model = load_model(dir, device)?;
        let card_path = || dir.join(CARD_FILE);
        let code = ToricCode::new(distance).map_err(|e| NeuralError::BadModel {
            path: card_path(),
            message: format!("invalid distance: {e}"),
        })?;
        let min = model.card.model.min_distance();
        if distance < min {
            return Err(NeuralError::BadModel {
                path: card_path(),
                message: format!("kernel {} needs L >= {min}", model.card.model.kernel),
            });
        }
        let chunk = if device.is_cuda() {
            CUDA_CHUNK
        } else {
            cpu_chunk(model.card.model.width as usize, distance)
        };
        let decoder = NeuralDecoder {
            model: Mutex::new(model),
            code,
            device,
            chunk,
            symmetries: vec![PointSymmetry::IDENTITY],
            second_pass: Some(SECOND_PASS),
        };
        decoder.check_data(distance, None)?;
        Ok(decoder)
    }

    /// Sets the number of shots per forward pass.
    pub fn with_chunk(mut self, chunk: usize) -> Self {
        self.chunk = chunk.max(1);
        self
    }

    /// Averages a local model's posteriors over the first `count` point symmetries of the torus
    /// (see [`symmetries_for`]); END models refuse anything but 1.
    pub fn with_symmetries(mut self, count: usize) -> Result<Self, NeuralError> {
        let card = self.card();
        if card.kind == ModelKind::End && count > 1 {
            return Err(NeuralError::InvalidConfig(format!(
                "--symmetries {count}: END models are already invariant; only local models \
                 average over symmetries"
            )));
        }
        self.symmetries = symmetries_for(count, &card.noise)?;
        Ok(self)
    }

    /// Runs a local model's network in `precision` (see [`super::precision`]); END models
    /// refuse anything but `f32`.
    pub fn with_precision(self, precision: Precision) -> Result<Self, NeuralError> {
        self.lock().set_precision(precision)?;
        Ok(self)
    }

    /// The arithmetic of the forward pass.
    pub fn precision(&self) -> Precision {
        self.lock().precision()
    }

    /// Matches each shot of a local model `passes` times: 1 (the network's marginals as the
    /// weights) or 2 (then again with [`SECOND_PASS`]'s reweighting from the first correction,
    /// the default); END models refuse anything but the default.
    pub fn with_passes(mut self, passes: usize) -> Result<Self, NeuralError> {
        if self.card().kind == ModelKind::End && passes != 2 {
            return Err(NeuralError::InvalidConfig(format!(
                "--passes {passes}: END models do not match; only local models take --passes"
            )));
        }
        self.second_pass = match passes {
            1 => None,
            2 => Some(SECOND_PASS),
            other => {
                return Err(NeuralError::InvalidConfig(format!(
                    "--passes {other}: expected 1 or 2 matching passes"
                )))
            }
        };
        Ok(self)
    }

    /// Matching passes per shot of a local model (1 or 2).
    pub fn passes(&self) -> usize {
        1 + usize::from(self.second_pass.is_some())
    }

    /// How many symmetries the posteriors are averaged over.
    pub fn symmetries(&self) -> usize {
        self.symmetries.len()
    }

    /// The model's card.
    pub fn card(&self) -> ModelCard {
        self.lock().card.clone()
    }

    /// The code the model decodes.
    pub fn code(&self) -> &ToricCode {
        &self.code
    }

    /// The device it runs on, as text.
    pub fn device_name(&self) -> String {
        device_name(self.device)
    }

    /// Checks that data of distance `distance` (and noise spec `noise`, when known) is what the
    /// model was trained for: END models need their own L, local models any L. Noise specs are
    /// compared in canonical form (family and its parameters); the error rate may differ.
    pub fn check_data(&self, distance: usize, noise: Option<&str>) -> Result<(), NeuralError> {
        let card = self.card();
        if card.kind == ModelKind::End && distance != card.distance {
            return Err(NeuralError::Mismatch {
                what: "distance L =",
                model: card.distance.to_string(),
                data: format!("L = {distance}"),
            });
        }
        if let Some(noise) = noise {
            if canonical_noise(noise)? != card.noise {
                return Err(NeuralError::Mismatch {
                    what: "noise",
                    model: format!("'{}'", card.noise),
                    data: format!("noise '{noise}'"),
                });
            }
        }
        Ok(())
    }

    /// Predicted observable flips (4 bits per shot: the logical class) for detector rows.
    ///
    /// On the CPU the network uses as many libtorch threads as the rayon pool this is called
    /// in (`--threads`), so that one thread means one thread for the network too.
    pub fn decode_rows(&self, dets: &BitMatrix) -> Result<BitMatrix, NeuralError> {
        if !self.device.is_cuda() {
            match_torch_threads(rayon::current_num_threads());
        }
        let mut classes = Vec::with_capacity(dets.rows());
        for part in row_blocks(dets, self.chunk) {
            // The network runs under the lock; the local model's matching runs after it.
            let posteriors = match &self.lock().net {
                Network::End(net) => {
                    let rows = part.rows();
                    classes.extend(predict_classes(net, &self.code, &part, self.device, rows)?);
                    continue;
                }
                Network::Local(net) => {
                    local_posteriors(net, &self.code, &part, self.device, &self.symmetries)?
                }
            };
            classes.extend(decode_shots(
                &self.code,
                part.as_bytes(),
                part.stride(),
                &posteriors,
                self.second_pass,
            )?);
        }
        let mut out = BitMatrix::zeros(dets.rows(), 4);
        for (r, &c) in classes.iter().enumerate() {
            out.row_mut(r)[0] = c;
        }
        Ok(out)
    }

    /// Loads, from `models`, the one that decodes toric shots of distance `distance` (a local
    /// model, or the END model trained for that L), and checks the noise when known.
    pub fn for_shots(
        models: &[PathBuf],
        device: DeviceChoice,
        distance: usize,
        noise: Option<&str>,
    ) -> Result<Self, NeuralError> {
        let mut trained_for = Vec::new();
        for dir in models {
            let card = ModelCard::load(dir)?;
            if card.kind == ModelKind::Local || card.distance == distance {
                let decoder = NeuralDecoder::load_for(dir, device, distance)?;
                decoder.check_data(distance, noise)?;
                return Ok(decoder);
            }
            trained_for.push(format!("{} (L = {})", dir.display(), card.distance));
        }
        Err(NeuralError::NoModelFor {
            distance,
            available: trained_for.join(", "),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LoadedModel> {
        self.model.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Decoder for NeuralDecoder {
    fn num_detectors(&self) -> usize {
        self.code.num_detectors()
    }

    fn num_observables(&self) -> usize {
        4
    }

    fn decode_batch(&self, dets: &BitMatrix) -> Result<BitMatrix, DecodeError> {
        if dets.cols() != self.code.num_detectors() {
            return Err(DecodeError::WidthMismatch {
                expected: self.code.num_detectors(),
                found: dets.cols(),
            });
        }
        self.decode_rows(dets)
            .map_err(|e| DecodeError::Failed(e.to_string()))
    }

    fn name(&self) -> &str {
        "neural"
    }
}
