//! Per-shot matching with the local network's posteriors as edge weights.
//!
//! For one shot, posterior `q` of the X part of edge `e` becomes the weight `ln((1 - q) / q)` of
//! the vertex-graph edge of `e` (the two vertex checks an X error on `e` flips), posterior of its
//! Z part the weight of its plaquette-graph edge; `q` is clamped to `[1e-6, 1 - 1e-6]`. Both
//! graphs are two components of one [`MatchingGraph`] over the `2 L^2` detectors (the toric DEM
//! splits the same way, Y as `X ^ Z`), and the exact matcher decodes them; the observables of the
//! matched edges are the predicted logical class, as for MWPM. The graph is built once per batch
//! and every shot is decoded with its own weights ([`EdgeWeights::PerShot`]), so nothing is
//! rebuilt per shot.
//!
//! # Second pass (Y correlations given the first correction)
//! The network gives each qubit's X and Z parts as marginals. Given that the first matching put
//! an X part on a qubit, a Z part there is likelier than its marginal (together they are a Y),
//! as in PyMatching's correlated matching. So, with `y_shift > 0`, the weight of the other part
//! of every qubit in the first pass's correction is lowered by `y_shift` (nats: its odds are
//! multiplied by `e^y_shift`) and the shot is matched again; the second matching is the
//! prediction. [`Y_SHIFT`] is the value the decoder uses.

use rayon::prelude::*;

use super::NeuralError;
use qecd::bits::ones;
use qecd::code::toric::ToricCode;
use qecd::decode::matching::{EdgeWeights, GraphEdge, Matcher, MatchingGraph};

/// Posteriors are clamped to `[Q_MIN, 1 - Q_MIN]` before taking weights.
pub const Q_MIN: f64 = 1e-6;

/// The second pass's weight shift (module docs). Chosen on 3 000 shots (seed 77) at L = 16,
/// p = 0.175 and L = 24, p = 0.17 among 0, 1, 1.5, 2, 2.5, 3: errors 1194, 1175, -, 1164, -,
/// 1183 and 989, -, 942, 935, 946, - (the depolarizing prior's log odds ratio at p = 0.17 is
/// 2.7; the network's marginals already hold part of the correlation).
pub const Y_SHIFT: f64 = 2.0;

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
    check_posteriors(code, posteriors.len(), 1)?;
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

/// The matching weights of one shot's posteriors (`4 L^2` values, error-row order), in the edge
/// order of [`shot_graph`], into `out`.
pub fn shot_weights(posteriors: &[f32], out: &mut Vec<f64>) {
    out.clear();
    out.extend(posteriors.iter().map(|&q| posterior_weight(f64::from(q))));
}

/// Refuses `found` posteriors for `shots` shots unless there are `4 L^2` per shot.
fn check_posteriors(code: &ToricCode, found: usize, shots: usize) -> Result<(), NeuralError> {
    let per_shot = 2 * code.num_qubits();
    if found == shots * per_shot {
        return Ok(());
    }
    Err(NeuralError::InvalidConfig(format!(
        "{found} posteriors for {shots} shot(s) of L = {}, expected 4 L^2 = {per_shot} per shot",
        code.distance()
    )))
}

/// The matcher of the code's two graphs, whose weights each shot then sets.
fn code_matcher(code: &ToricCode) -> Result<Matcher, NeuralError> {
    let uniform = vec![0.1f32; 2 * code.num_qubits()];
    Ok(Matcher::new(&shot_graph(code, &uniform)?)?)
}

/// Lowers, by `y_shift`, the weight of the other part (Z for X, X for Z) of every qubit whose
/// part is in `correction` (edge indices of [`shot_graph`]): the second pass's weights.
pub fn second_pass_weights(weights: &mut [f64], correction: &[usize], y_shift: f64) {
    let n = weights.len() / 2;
    for &e in correction {
        weights[if e < n { e + n } else { e - n }] -= y_shift;
    }
}

/// Decodes one shot with `matcher` (from [`code_matcher`]) and the weights of its posteriors,
/// twice when `y_shift > 0` (module docs).
fn decode_with(
    matcher: &Matcher,
    ws: &mut qecd::decode::matching::Workspace,
    weights: &mut Vec<f64>,
    dets: &[u8],
    posteriors: &[f32],
    y_shift: f64,
) -> Result<u8, NeuralError> {
    shot_weights(posteriors, weights);
    let events = ones(dets);
    if y_shift > 0.0 {
        let (_, first) =
            matcher.decode_weighted_with_correction(&events, EdgeWeights::PerShot(weights), ws)?;
        second_pass_weights(weights, &first, y_shift);
    }
    let matching = matcher.decode_weighted(&events, EdgeWeights::PerShot(weights), ws)?;
    Ok((matching.observables & 0x0f) as u8)
}

/// Decodes one shot (a packed detector row) with the weights of its posteriors and a second
/// pass of shift `y_shift` (0: none): the predicted logical class (4 bits).
pub fn decode_shot(
    code: &ToricCode,
    dets: &[u8],
    posteriors: &[f32],
    y_shift: f64,
) -> Result<u8, NeuralError> {
    check_posteriors(code, posteriors.len(), 1)?;
    let matcher = code_matcher(code)?;
    decode_with(
        &matcher,
        &mut matcher.workspace(),
        &mut Vec::new(),
        dets,
        posteriors,
        y_shift,
    )
}

/// Decodes `rows` shots in parallel (rayon): `dets` holds the packed detector rows (`stride`
/// bytes each), `posteriors` the `4 L^2` posteriors of each shot, one after the other; second
/// pass of shift `y_shift` as in [`decode_shot`].
pub fn decode_shots(
    code: &ToricCode,
    dets: &[u8],
    stride: usize,
    posteriors: &[f32],
    y_shift: f64,
) -> Result<Vec<u8>, NeuralError> {
    let per_shot = 2 * code.num_qubits();
    check_posteriors(
        code,
        posteriors.len(),
        dets.len().checked_div(stride).unwrap_or(0),
    )?;
    let matcher = code_matcher(code)?;
    dets.par_chunks(stride.max(1))
        .zip(posteriors.par_chunks(per_shot))
        .map_init(
            || (matcher.workspace(), Vec::new()),
            |(ws, weights), (row, q)| decode_with(&matcher, ws, weights, row, q, y_shift),
        )
        .collect()
}
