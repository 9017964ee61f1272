//! [`MwpmDecoder`]: the matching decoder as a batch [`Decoder`], parallel over shots.

use super::correlated::Correlations;
use super::from_dem::{dem_graph, mask, CertainFlip, DemGraph, MASK_OBSERVABLES};
use super::{EdgeWeights, Matcher, Matching, MatchingError, MatchingGraph, Workspace};
use crate::bits::{flip_bit, ones_into, BitMatrix};
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
/// reports observables past the 64 of the graph's masks (through the correction's edges). Built
/// with [`MwpmDecoder::from_dem_correlated`], it decodes every shot by correlated (two-pass)
/// matching (see [`super::correlated`]).
#[derive(Clone, Debug)]
pub struct MwpmDecoder {
    matcher: Matcher,
    num_detectors: usize,
    num_observables: usize,
    /// Detectors toggled and observables flipped by the certain mechanisms.
    certain_detectors: Vec<usize>,
    certain_observables: Vec<usize>,
    /// `certain_observables` as a mask of the first 64 observables.
    certain_mask: u64,
    /// Per graph edge, its observables, when there are more than 64 of them.
    wide: Option<Vec<Vec<usize>>>,
    /// The model's correlations, when decoding is correlated.
    correlations: Option<Correlations>,
}

/// Per-thread scratch space of [`MwpmDecoder::decode_shot`] ([`MwpmDecoder::scratch`]).
#[derive(Debug)]
pub struct Scratch {
    ws: Workspace,
    /// Second-pass weights of correlated matching.
    lowered: Vec<(usize, f64)>,
    /// The detection events of the shot being decoded.
    events: Vec<usize>,
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
            certain_mask: 0,
            wide: None,
            correlations: None,
        })
    }

    /// The correlated-matching decoder of a (flattened) detector error model: PyMatching's
    /// `enable_correlations=True` (see [`super::correlated`]). A model without decomposed
    /// (`^`) errors decodes as with [`MwpmDecoder::from_dem`].
    pub fn from_dem_correlated(dem: &FlatDem) -> Result<Self, BuildMwpmError> {
        Self::build_from_dem(dem, true)
    }

    /// Whether shots are decoded by correlated matching.
    pub fn is_correlated(&self) -> bool {
        self.correlations.is_some()
    }

    /// The same decoder with plain (one-pass) matching: PyMatching's `decode_batch(...,
    /// enable_correlations=False)` on a model built with correlations.
    pub fn without_correlations(&self) -> Self {
        MwpmDecoder {
            correlations: None,
            ..self.clone()
        }
    }

    /// The decoder of a (flattened) detector error model, by PyMatching's graph rules (see
    /// [`super::from_dem`]).
    pub fn from_dem(dem: &FlatDem) -> Result<Self, BuildMwpmError> {
        Self::build_from_dem(dem, false)
    }

    /// [`MwpmDecoder::from_dem`], with the model's correlations when `correlated` (the graph
    /// is built once for both).
    fn build_from_dem(dem: &FlatDem, correlated: bool) -> Result<Self, BuildMwpmError> {
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
            decoder.certain_mask ^= mask(&observables);
            decoder.certain_detectors.extend(detectors);
            decoder.certain_observables.extend(observables);
        }
        if graph.num_observables > MASK_OBSERVABLES {
            decoder.wide = Some(edge_observables);
        }
        if correlated {
            decoder.correlations = Some(Correlations::new(dem, &graph));
        }
        Ok(decoder)
    }

    /// The underlying matcher (for the matched pairs and weights of single shots).
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Scratch space for [`MwpmDecoder::decode_shot`], one per thread.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            ws: self.matcher.workspace(),
            lowered: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Decodes one shot, its detectors bit-packed as in a [`BitMatrix`] row: the model's
    /// certain (`p = 1`) mechanisms are applied, correlated decoders match twice. Returns the
    /// matching (its `observables` mask includes the certain flips; its weight is the
    /// matching's own) and, when `correction`, the correction's graph edges.
    pub fn decode_shot(
        &self,
        row: &[u8],
        scratch: &mut Scratch,
        correction: bool,
    ) -> Result<(Matching, Vec<usize>), MatchingError> {
        let mut events = Vec::new();
        self.shot_events(row, &mut events);
        let (mut matching, edges) = self.decode_events(&events, scratch, correction)?;
        matching.observables ^= self.certain_mask;
        Ok((matching, edges))
    }

    /// Decodes one shot's detection events (certain flips already applied): the matching
    /// and, when asked for, the correction's edges. Correlated decoders match twice.
    fn decode_events(
        &self,
        events: &[usize],
        scratch: &mut Scratch,
        correction: bool,
    ) -> Result<(Matching, Vec<usize>), MatchingError> {
        let Scratch { ws, lowered, .. } = scratch;
        let weights = self.final_weights(events, ws, lowered)?;
        if correction {
            self.matcher
                .decode_weighted_with_correction(events, weights, ws)
        } else {
            Ok((
                self.matcher.decode_weighted(events, weights, ws)?,
                Vec::new(),
            ))
        }
    }

    /// The weights of the (last) matching of a shot: the graph's own, or for correlated
    /// decoding those lowered, in `lowered`, by a first matching's correction.
    fn final_weights<'a>(
        &self,
        events: &[usize],
        ws: &mut Workspace,
        lowered: &'a mut Vec<(usize, f64)>,
    ) -> Result<EdgeWeights<'a>, MatchingError> {
        let Some(correlations) = &self.correlations else {
            return Ok(EdgeWeights::Graph);
        };
        let (_, first) = self.matcher.decode_with_correction(events, ws)?;
        lowered.clear();
        correlations.lowered_for(&first, lowered);
        Ok(EdgeWeights::Lowered(lowered))
    }

    /// A shot's detection events (bit-packed row) with the certain flips applied, into
    /// `events`.
    fn shot_events(&self, row: &[u8], events: &mut Vec<usize>) {
        ones_into(row, events);
        events.extend_from_slice(&self.certain_detectors);
    }

    /// The observables predicted for one shot (bit-packed row, at most 64 observables), by the
    /// matcher's fast path: no matched pairs collected, the buffers of `scratch` reused.
    fn shot_observables(&self, row: &[u8], scratch: &mut Scratch) -> Result<u64, MatchingError> {
        let Scratch {
            ws,
            lowered,
            events,
        } = scratch;
        self.shot_events(row, events);
        let weights = self.final_weights(events, ws, lowered)?;
        let observables = self.matcher.decode_observables(events, weights, ws)?;
        Ok(observables ^ self.certain_mask)
    }

    /// Decodes one shot into `out` (a zeroed prediction row).
    fn decode_row(&self, row: &[u8], scratch: &mut Scratch, out: &mut [u8]) -> Result<(), String> {
        match &self.wide {
            None => {
                let observables = self
                    .shot_observables(row, scratch)
                    .map_err(|e| e.to_string())?;
                for (k, byte) in out.iter_mut().enumerate().take(8) {
                    *byte ^= (observables >> (8 * k)) as u8;
                }
            }
            Some(lists) => {
                let (_, edges) = self
                    .decode_shot(row, scratch, true)
                    .map_err(|e| e.to_string())?;
                for &k in &self.certain_observables {
                    flip_bit(out, k);
                }
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
            let mut scratch = self.scratch();
            let mut none = [0u8; 0];
            for r in 0..dets.rows() {
                self.decode_row(dets.row(r), &mut scratch, &mut none)
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
                let mut scratch = self.scratch();
                for (i, pred) in chunk.chunks_mut(stride).enumerate() {
                    let r = task * rows_per_task + i;
                    self.decode_row(dets.row(r), &mut scratch, pred)
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
        match self.correlations {
            None => "mwpm",
            Some(_) => "mwpm-correlated",
        }
    }
}
