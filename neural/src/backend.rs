//! [`TorchBackend`]: the libtorch implementation of the registry's
//! [`NeuralBackend`], which `qecd-neural` installs at start-up. The `qecd` executable never
//! names it, so libtorch stays out of its link and every command that runs no network starts
//! without loading it.

use super::infer::NeuralDecoder;
use super::NeuralError;
use qecd::decode::registry::{set_neural_backend, BuildDecoderError, DecoderInput, NeuralBackend};
use qecd::decode::Decoder;

/// The neural decoders of this build (END models found by their cards).
pub struct TorchBackend;

impl TorchBackend {
    /// Installs this backend for [`qecd::decode::registry::build_decoder`].
    pub fn install() {
        set_neural_backend(&TorchBackend);
    }
}

/// The toric distance of the shots: from the context, or from a DEM with `2 L^2` detectors and
/// 4 observables.
fn toric_distance(input: &DecoderInput<'_>) -> Option<usize> {
    if let Some(t) = input.toric {
        return Some(t.distance);
    }
    let nd = input.dem.num_detectors;
    let l = ((nd / 2) as f64).sqrt().round() as usize;
    (l >= 2 && 2 * l * l == nd && input.dem.num_observables == 4).then_some(l)
}

impl NeuralBackend for TorchBackend {
    fn build(&self, input: &DecoderInput<'_>) -> Result<Box<dyn Decoder>, BuildDecoderError> {
        let needs = |what: String| BuildDecoderError::Needs {
            decoder: "neural",
            what,
        };
        let options = input
            .neural
            .filter(|o| !o.models.is_empty())
            .ok_or_else(|| {
                needs("a trained model: --model DIR (e.g. decoders/end-L6-depol)".into())
            })?;
        let distance = toric_distance(input).ok_or_else(|| {
            needs(format!(
                "toric-code shots (2 L^2 detectors, 4 observables); the DEM has {} detectors \
                 and {} observables",
                input.dem.num_detectors, input.dem.num_observables
            ))
        })?;
        let neural = |e: NeuralError| BuildDecoderError::Neural(Box::new(e));
        let device = options.device.parse().map_err(neural)?;
        let noise = input.toric.map(|t| t.noise.to_string());
        let decoder = NeuralDecoder::for_shots(&options.models, device, distance, noise.as_deref())
            .and_then(|d| d.with_symmetries(options.symmetries))
            .and_then(|d| match options.precision.as_str() {
                "" => Ok(d),
                p => d.with_precision(p.parse()?),
            })
            .and_then(|d| match options.passes {
                0 => Ok(d),
                n => d.with_passes(n),
            })
            .map_err(neural)?;
        Ok(Box::new(decoder))
    }
}
