//! Decoders by name, for `--decoder` on the command line. To add a decoder, add its name to
//! [`DECODERS`] and an arm to [`build_decoder`].

use super::matching::decoder::{BuildMwpmError, MwpmDecoder};
use super::Decoder;
use crate::dem::FlatDem;

/// Names accepted by [`build_decoder`].
pub const DECODERS: &[&str] = &["mwpm"];

/// What a decoder may be built from.
#[derive(Clone, Copy, Debug)]
pub struct DecoderInput<'a> {
    /// The detector error model of the shots.
    pub dem: &'a FlatDem,
}

/// Why a decoder could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildDecoderError {
    /// No decoder has this name.
    #[error("unknown decoder '{name}' (known: {})", DECODERS.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
    },
    /// The matching decoder could not be built.
    #[error(transparent)]
    Mwpm(#[from] BuildMwpmError),
}

/// Builds the decoder called `name` for `input`.
pub fn build_decoder(
    name: &str,
    input: DecoderInput<'_>,
) -> Result<Box<dyn Decoder>, BuildDecoderError> {
    match name {
        "mwpm" => Ok(Box::new(MwpmDecoder::from_dem(input.dem)?)),
        _ => Err(BuildDecoderError::Unknown {
            name: name.to_string(),
        }),
    }
}
