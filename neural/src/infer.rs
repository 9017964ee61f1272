//! Decoding with a trained model: batched, on CPU or CUDA.

use std::path::Path;
use std::sync::Mutex;

use tch::{Device, Kind, Tensor};

use super::batch::EncodedBatch;
use super::card::ModelCard;
use super::checkpoint::{load_model, LoadedModel};
use super::device::{device_name, with_autocast, DeviceChoice};
use super::model::EndNet;
use super::NeuralError;
use qecd::bits::BitMatrix;
use qecd::code::toric::ToricCode;
use qecd::decode::{DecodeError, Decoder};

/// Default shots per forward pass on the CPU.
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

/// Predicted observable classes (`class(T(s)) xor argmax`) for detector rows, `chunk` shots per
/// forward pass.
pub fn predict_classes(
    net: &EndNet,
    code: &ToricCode,
    dets: &BitMatrix,
    device: Device,
    chunk: usize,
) -> Result<Vec<u8>, NeuralError> {
    let mut out = Vec::with_capacity(dets.rows());
    let stride = dets.stride();
    let chunk = chunk.max(1);
    for start in (0..dets.rows()).step_by(chunk) {
        let rows = chunk.min(dets.rows() - start);
        let bytes = dets.as_bytes()[start * stride..(start + rows) * stride].to_vec();
        let part =
            BitMatrix::from_bytes(rows, dets.cols(), bytes).expect("whole rows of a valid matrix");
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

/// The neural decoder: a trained model for one toric code, ready to decode shots.
pub struct NeuralDecoder {
    model: Mutex<LoadedModel>,
    code: ToricCode,
    device: Device,
    chunk: usize,
}

impl std::fmt::Debug for NeuralDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeuralDecoder")
            .field("distance", &self.code.distance())
            .field("device", &self.device)
            .field("chunk", &self.chunk)
            .finish_non_exhaustive()
    }
}

impl NeuralDecoder {
    /// Loads the model folder `dir` (`card.json` + `model.safetensors`) onto `device`.
    pub fn load(dir: &Path, device: DeviceChoice) -> Result<Self, NeuralError> {
        let device = device.resolve()?;
        let model = load_model(dir, device)?;
        let code = ToricCode::new(model.card.distance).map_err(|e| NeuralError::BadModel {
            path: dir.join(super::card::CARD_FILE),
            message: format!("invalid distance: {e}"),
        })?;
        if model.card.distance < model.card.model.min_distance() {
            return Err(NeuralError::BadModel {
                path: dir.join(super::card::CARD_FILE),
                message: format!(
                    "kernel {} needs L >= {}",
                    model.card.model.kernel,
                    model.card.model.min_distance()
                ),
            });
        }
        Ok(NeuralDecoder {
            model: Mutex::new(model),
            code,
            device,
            chunk: if device.is_cuda() {
                CUDA_CHUNK
            } else {
                CPU_CHUNK
            },
        })
    }

    /// Sets the number of shots per forward pass.
    pub fn with_chunk(mut self, chunk: usize) -> Self {
        self.chunk = chunk.max(1);
        self
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
    /// model was trained for. Noise specs are compared in canonical form (family and its
    /// parameters); the error rate may differ.
    pub fn check_data(&self, distance: usize, noise: Option<&str>) -> Result<(), NeuralError> {
        let card = self.card();
        if distance != card.distance {
            return Err(NeuralError::Mismatch {
                what: "distance L =",
                model: card.distance.to_string(),
                data: format!("L = {distance}"),
            });
        }
        if let Some(noise) = noise {
            let canonical = super::train::canonical_noise(noise)?;
            if canonical != card.noise {
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
    pub fn decode_rows(&self, dets: &BitMatrix) -> Result<BitMatrix, NeuralError> {
        let classes = {
            let model = self.lock();
            predict_classes(&model.net, &self.code, dets, self.device, self.chunk)?
        };
        let mut out = BitMatrix::zeros(dets.rows(), 4);
        for (r, &c) in classes.iter().enumerate() {
            out.row_mut(r)[0] = c;
        }
        Ok(out)
    }

    /// Loads, from `models`, the one trained for distance `distance` (and checks the noise when
    /// known): the model a run over toric shots of that size needs.
    pub fn for_shots(
        models: &[std::path::PathBuf],
        device: DeviceChoice,
        distance: usize,
        noise: Option<&str>,
    ) -> Result<Self, NeuralError> {
        let mut trained_for = Vec::new();
        for dir in models {
            let card = ModelCard::load(dir)?;
            if card.distance == distance {
                let decoder = NeuralDecoder::load(dir, device)?;
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
