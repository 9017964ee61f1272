//! Per-shot matching with the local network's posteriors as edge weights.
//!
//! For one shot, posterior `q` of the X part of edge `e` becomes the weight `ln((1 - q) / q)` of
//! the vertex-graph edge of `e` (the two vertex checks an X error on `e` flips), posterior of its
//! Z part the weight of its plaquette-graph edge; `q` is clamped to `[1e-6, 1 - 1e-6]`. Both
//! graphs are two components of one [`MatchingGraph`] over the `2 L^2` detectors (the toric DEM
//! splits the same way, Y as `X ^ Z`), and the exact matcher decodes them; the observables of the
//! matched edges are the predicted logical class, as for MWPM. The graph is built anew for every
//! shot (the matcher has no per-shot weight API yet).

use rayon::prelude::*;

use super::NeuralError;
use qecd::bits::ones;
use qecd::code::toric::ToricCode;
use qecd::decode::matching::{GraphEdge, Matcher, MatchingGraph};

/// Posteriors are clamped to `[Q_MIN, 1 - Q_MIN]` before taking weights.
pub const Q_MIN: f64 = 1e-6;

/// The matching weight `ln((1 - q) / q)` of a posterior `q` (clamped to `[Q_MIN, 1 - Q_MIN]`).
pub fn posterior_weight(q: f64) -> f64 {
    let q = q.clamp(Q_MIN, 1.0 - Q_MIN);
    ((1.0 - q) / q).ln()
}

/// The matching graph of one shot: `posteriors` holds `4 L^2` values in error-row order (X parts
/// of edges `0..2 L^2`, then Z parts). Edge `k` of the graph is the X part of qubit `k` for
/// `k < 2 L^2` and the Z part of qubit `k - 2 L^2` otherwise.
pub fn shot_graph(code: &ToricCode, posteriors: &[f32]) -> Result<MatchingGraph, NeuralError> {
    let n = code.num_qubits();
    if posteriors.len() != 2 * n {
        return Err(NeuralError::InvalidConfig(format!(
            "{} posteriors for a shot of L = {}, expected 4 L^2 = {}",
            posteriors.len(),
            code.distance(),
            2 * n
        )));
    }
    let edge = |[a, b]: [usize; 2], class: u8, q: f32| {
        let q = f64::from(q).clamp(Q_MIN, 1.0 - Q_MIN);
        GraphEdge {
            a,
            b: Some(b),
            probability: q,
            weight: posterior_weight(q),
            observables: u64::from(class),
        }
    };
    let x = (0..n).map(|e| edge(code.edge_vertices(e), code.edge_x_class(e), posteriors[e]));
    let z = (0..n).map(|e| {
        edge(
            code.edge_plaquettes(e),
            code.edge_z_class(e),
            posteriors[n + e],
        )
    });
    Ok(MatchingGraph {
        num_detectors: code.num_detectors(),
        num_observables: 4,
        edges: x.chain(z).collect(),
    })
}

/// Decodes one shot (a packed detector row) with the graph of its posteriors: the predicted
/// logical class (4 bits).
pub fn decode_shot(code: &ToricCode, dets: &[u8], posteriors: &[f32]) -> Result<u8, NeuralError> {
    let matcher = Matcher::new(&shot_graph(code, posteriors)?)?;
    let mut ws = matcher.workspace();
    let matching = matcher.decode(&ones(dets), &mut ws)?;
    Ok((matching.observables & 0x0f) as u8)
}

/// Decodes `rows` shots in parallel (rayon): `dets` holds the packed detector rows (`stride`
/// bytes each), `posteriors` the `4 L^2` posteriors of each shot, one after the other.
pub fn decode_shots(
    code: &ToricCode,
    dets: &[u8],
    stride: usize,
    posteriors: &[f32],
) -> Result<Vec<u8>, NeuralError> {
    let per_shot = 2 * code.num_qubits();
    dets.par_chunks(stride.max(1))
        .zip(posteriors.par_chunks(per_shot))
        .map(|(row, q)| decode_shot(code, row, q))
        .collect()
}
