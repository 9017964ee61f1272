//! Decoders: syndromes (detection events) in, predicted observable flips out.
//!
//! Every decoder implements [`Decoder`]: a batch of shots of detection events (a
//! [`BitMatrix`], rows = shots, `num_detectors` columns) in, a batch of predicted observable
//! flips (rows = shots, `num_observables` columns) out. [`registry`] builds decoders by name
//! for the command line.

pub mod matching;
pub mod ml;
pub mod registry;

use crate::bits::BitMatrix;

/// A decoder of many shots at once.
pub trait Decoder: Send + Sync {
    /// Detection events per shot (columns of the input).
    fn num_detectors(&self) -> usize;
    /// Observables predicted per shot (columns of the output).
    fn num_observables(&self) -> usize;
    /// Predicts the observable flips of every shot of `dets`.
    fn decode_batch(&self, dets: &BitMatrix) -> Result<BitMatrix, DecodeError>;
    /// Short name (as given to `--decoder`).
    fn name(&self) -> &str;
}

/// Why a batch could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    /// The batch has the wrong number of detector columns.
    #[error(
        "shots have {found} detection-event bits but the decoder's model has {expected} detectors"
    )]
    WidthMismatch {
        /// Detectors of the model.
        expected: usize,
        /// Columns of the batch.
        found: usize,
    },
    /// The decoder failed on a whole batch (e.g. a libtorch error).
    #[error("decoder failed: {0}")]
    Failed(String),
    /// One shot could not be decoded.
    #[error("shot {shot}: {message}")]
    Shot {
        /// Index of the shot: 0-based within the batch, or 1-based within a file after
        /// [`DecodeError::in_file`].
        shot: u64,
        /// What went wrong.
        message: String,
    },
}

impl DecodeError {
    /// Renumbers a per-batch shot index as a 1-based shot number of a file, for a batch that
    /// starts after `shots_before` shots.
    pub fn in_file(self, shots_before: u64) -> Self {
        match self {
            DecodeError::Shot { shot, message } => DecodeError::Shot {
                shot: shots_before + shot + 1,
                message,
            },
            other => other,
        }
    }
}
