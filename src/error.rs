//! [`Error`]: one error type for library users, so that a program built on qecd can use `?` on
//! every step (code, noise, DEM, decoder, decoding, shot files) without naming each module's
//! own error type. Each module still returns its own precise error; this only wraps them.

use crate::code::CodeError;
use crate::decode::matching::decoder::BuildMwpmError;
use crate::decode::matching::MatchingError;
use crate::decode::registry::BuildDecoderError;
use crate::decode::DecodeError;
use crate::dem::{DemError, FlattenError};
use crate::io::ShotIoError;
use crate::noise::NoiseError;

/// Any error of the library's everyday steps.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An invalid code (see [`CodeError`]).
    #[error(transparent)]
    Code(#[from] CodeError),
    /// An invalid noise channel or noise spec.
    #[error(transparent)]
    Noise(#[from] NoiseError),
    /// A DEM that could not be read, parsed or flattened.
    #[error(transparent)]
    Dem(#[from] DemError),
    /// A DEM past a size limit once flattened.
    #[error(transparent)]
    Flatten(#[from] FlattenError),
    /// A matching graph the solver refused.
    #[error(transparent)]
    Matching(#[from] MatchingError),
    /// A matching decoder that could not be built.
    #[error(transparent)]
    BuildMwpm(#[from] BuildMwpmError),
    /// A decoder (by name) that could not be built.
    #[error(transparent)]
    BuildDecoder(#[from] BuildDecoderError),
    /// A batch that could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A shot file that could not be read or written.
    #[error(transparent)]
    ShotIo(#[from] ShotIoError),
}
