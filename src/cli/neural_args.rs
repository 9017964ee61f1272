//! `--model`, `--device`, `--symmetries`, `--precision` and `--passes`: how `--decoder neural`
//! finds its trained model, where it runs, what it averages over, in what arithmetic, and how
//! often it matches.

use std::path::PathBuf;

use clap::Args;
use qecd::decode::registry::NeuralOptions;

/// Options of the neural decoder.
#[derive(Args, Debug, Clone)]
pub struct NeuralArgs {
    /// With --decoder neural: trained model folder(s) (card.json + model.safetensors), comma
    /// separated; the one trained for the shots' L is used (e.g. decoders/end-L6-depol).
    #[arg(long, value_delimiter = ',')]
    pub model: Vec<PathBuf>,
    /// With --decoder neural: where the network runs: auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// With a local model: average its posteriors over this many point symmetries of the torus
    /// (1, 2, 4, 8: rotations and reflections; 16: with the X/Z duality, for noise that treats
    /// X and Z alike). Costs that many network passes per shot.
    #[arg(long, default_value_t = 1)]
    pub symmetries: usize,
    /// With a local model: the network's arithmetic, f32 (as trained) or bf16 (1.6x to 2x
    /// faster on CPUs with AVX-512 BF16, emulated elsewhere; posteriors rounded to 8 significant
    /// bits).
    #[arg(long, default_value = "f32", value_parser = ["f32", "bf16"])]
    pub precision: String,
    /// With a local model: matching passes per shot, 1 (the network's marginals as weights) or
    /// 2 (then again, reweighted for Y errors from the first correction; fewer errors, twice
    /// the matching time).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub passes: u8,
}

impl NeuralArgs {
    /// The registry's view of these options.
    pub fn options(&self) -> NeuralOptions {
        NeuralOptions {
            models: self.model.clone(),
            device: self.device.clone(),
            symmetries: self.symmetries,
            precision: self.precision.clone(),
            passes: usize::from(self.passes),
        }
    }
}
