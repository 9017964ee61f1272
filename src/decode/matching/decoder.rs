//! [`MwpmDecoder`]: the matching decoder as a batch [`Decoder`], parallel over shots.

use super::from_dem::{dem_graph, CertainFlip, DemGraph, MASK_OBSERVABLES};
use super::{Matcher, MatchingError, MatchingGraph, Workspace};
use crate::bits::{flip_bit, ones, BitMatrix};
use crate::decode::{DecodeError, Decoder};
use crate::dem::FlatDem;
use rayon::prelude::*;

/// Shots decoded by one task (one [`super::Workspace`] each).
const SHOTS_PER_TASK: usize = 128;

/// Why a matching decoder could not be built from a DEM.
#[derive(Debug, thiserror::Error)]
pub enum BuildMwpmError {
    /// The solver refused the graph.
    #[error(transparent)]
    Matching(#[from] MatchingError),
}

/// Exact minimum-weight perfect matching over a [`MatchingGraph`], decoding the shots of a
/// batch in parallel on the current rayon pool.
///
/// Built from a DEM, it also applies the model's certain (`p = 1`) mechanisms to every shot and
/// reports observables past the 64 of the graph's masks (through the correction's edges).
#[derive(Clone, Debug)]
pub struct MwpmDecoder {
    matcher: Matcher,
    num_detectors: usize,
    num_observables: usize,
    /// Detectors toggled and observables flipped by the certain mechanisms.
    certain_detectors: Vec<usize>,
    certain_observables: Vec<usize>,
    /// Per graph edge, its observables, when there are more than 64 of them.
    wide: Option<Vec<Vec<usize>>>,
}

impl MwpmDecoder {
    /// The decoder of a matching graph.
    pub fn new(graph: &MatchingGraph) -> Result<Self, MatchingError> {
        Ok(MwpmDecoder {
            matcher: Matcher::new(graph)?,
            num_detectors: graph.num_detectors,
            num_observables: graph.num_observables,
            certain_detectors: Vec::new(),
            certain_observables: Vec::new(),
            wide: None,
        })
    }

    /// The decoder of a (flattened) detector error model, by PyMatching's graph rules (see
    /// [`super::from_dem`]).
    pub fn from_dem(dem: &FlatDem) -> Result<Self, BuildMwpmError> {
        let DemGraph {
            graph,
            edge_observables,
            certain,
        } = dem_graph(dem);
        let mut decoder = MwpmDecoder::new(&graph)?;
        for CertainFlip {
            detectors,
            observables,
        } in certain
        {
            decoder.certain_detectors.extend(detectors);
            decoder.certain_observables.extend(observables);
        }
        if graph.num_observables > MASK_OBSERVABLES {
            decoder.wide = Some(edge_observables);
        }
        Ok(decoder)
    }

    /// The underlying matcher (for the matched pairs and weights of single shots).
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Decodes one shot into `out` (a zeroed prediction row).
    fn decode_row(&self, row: &[u8], ws: &mut Workspace, out: &mut [u8]) -> Result<(), String> {
        let mut events = ones(row);
        events.extend_from_slice(&self.certain_detectors);
        for &k in &self.certain_observables {
            flip_bit(out, k);
        }
        match &self.wide {
            None => {
                let mask = self
                    .matcher
                    .decode(&events, ws)
                    .map_err(|e| e.to_string())?
                    .observables;
                for (k, byte) in out.iter_mut().enumerate().take(8) {
                    *byte ^= (mask >> (8 * k)) as u8;
                }
            }
            Some(lists) => {
                let (_, edges) = self
                    .matcher
                    .decode_with_correction(&events, ws)
                    .map_err(|e| e.to_string())?;
                for e in edges {
                    for &k in &lists[e] {
                        flip_bit(out, k);
                    }
                }
            }
        }
        Ok(())
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
        let mut out = BitMatrix::zeros(dets.rows(), self.num_observables);
        let stride = out.stride().max(1);
        if out.stride() == 0 {
            // No observables: nothing to predict, but every shot must still be decodable.
            let mut ws = self.matcher.workspace();
            let mut none = [0u8; 0];
            for r in 0..dets.rows() {
                self.decode_row(dets.row(r), &mut ws, &mut none)
                    .map_err(|message| DecodeError::Shot {
                        shot: r as u64,
                        message,
                    })?;
            }
            return Ok(out);
        }
        let rows_per_task = SHOTS_PER_TASK;
        let bytes = rows_per_task * stride;
        out.as_bytes_mut()
            .par_chunks_mut(bytes)
            .enumerate()
            .try_for_each(|(task, chunk)| {
                let mut ws = self.matcher.workspace();
                for (i, pred) in chunk.chunks_mut(stride).enumerate() {
                    let r = task * rows_per_task + i;
                    self.decode_row(dets.row(r), &mut ws, pred)
                        .map_err(|message| DecodeError::Shot {
                            shot: r as u64,
                            message,
                        })?;
                }
                Ok(())
            })?;
        Ok(out)
    }

    fn name(&self) -> &str {
        "mwpm"
    }
}
