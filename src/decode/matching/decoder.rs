//! [`MwpmDecoder`]: the matching decoder as a batch [`Decoder`], parallel over shots.

use super::from_dem::{graph_from_dem, GraphFromDemError};
use super::{Matcher, MatchingError, MatchingGraph};
use crate::bits::{ones, BitMatrix};
use crate::decode::{DecodeError, Decoder};
use crate::dem::FlatDem;
use rayon::prelude::*;

/// Shots decoded by one task (one [`super::Workspace`] each).
const SHOTS_PER_TASK: usize = 128;

/// Why a matching decoder could not be built from a DEM.
#[derive(Debug, thiserror::Error)]
pub enum BuildMwpmError {
    /// The DEM is not graphlike or has too many observables.
    #[error(transparent)]
    Graph(#[from] GraphFromDemError),
    /// The solver refused the graph.
    #[error(transparent)]
    Matching(#[from] MatchingError),
}

/// Exact minimum-weight perfect matching over a [`MatchingGraph`], decoding the shots of a
/// batch in parallel on the current rayon pool.
#[derive(Clone, Debug)]
pub struct MwpmDecoder {
    matcher: Matcher,
    num_detectors: usize,
    num_observables: usize,
}

impl MwpmDecoder {
    /// The decoder of a matching graph.
    pub fn new(graph: &MatchingGraph) -> Result<Self, MatchingError> {
        Ok(MwpmDecoder {
            matcher: Matcher::new(graph)?,
            num_detectors: graph.num_detectors,
            num_observables: graph.num_observables,
        })
    }

    /// The decoder of a (flattened) detector error model, by PyMatching's graph rules.
    pub fn from_dem(dem: &FlatDem) -> Result<Self, BuildMwpmError> {
        Ok(MwpmDecoder::new(&graph_from_dem(dem)?)?)
    }

    /// The underlying matcher (for the matched pairs and weights of single shots).
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }
}

impl Decoder for MwpmDecoder {
    fn num_detectors(&self) -> usize {
        self.num_detectors
    }

    fn num_observables(&self) -> usize {
        self.num_observables
    }

    fn decode_batch(&self, dets: &BitMatrix) -> Result<BitMatrix, DecodeError> {
        if dets.cols() != self.num_detectors {
            return Err(DecodeError::WidthMismatch {
                expected: self.num_detectors,
                found: dets.cols(),
            });
        }
        let rows = dets.rows();
        let masks: Vec<Vec<u64>> = (0..rows.div_ceil(SHOTS_PER_TASK))
            .into_par_iter()
            .map(|task| {
                let mut ws = self.matcher.workspace();
                let range = task * SHOTS_PER_TASK..rows.min((task + 1) * SHOTS_PER_TASK);
                range
                    .map(|r| {
                        self.matcher
                            .decode(&ones(dets.row(r)), &mut ws)
                            .map(|m| m.observables)
                            .map_err(|e| DecodeError::Shot {
                                shot: r as u64,
                                message: e.to_string(),
                            })
                    })
                    .collect::<Result<Vec<u64>, DecodeError>>()
            })
            .collect::<Result<_, _>>()?;
        let mut out = BitMatrix::zeros(rows, self.num_observables);
        for (r, mask) in masks.into_iter().flatten().enumerate() {
            let row = out.row_mut(r);
            for (k, byte) in row.iter_mut().enumerate() {
                *byte = (mask >> (8 * k)) as u8;
            }
        }
        Ok(out)
    }

    fn name(&self) -> &str {
        "mwpm"
    }
}
