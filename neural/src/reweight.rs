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
//! as in PyMatching's correlated matching; given that it put none there, a Z part is less
//! likely. So [`SecondPass`] reweights from the first pass's correction: the other part of every
//! qubit in the correction has its weight lowered by `y_shift` nats (its odds multiplied by
//! `e^y_shift`), every other edge has its weight raised by `raise` nats, and the shot is matched
//! again; the second matching is the prediction. [`SECOND_PASS`] holds the values the decoder
//! uses. (PyMatching's correlated matching lowers only; the depolarizing channel's likelihood
//! ratios at p = 0.17 would give 2.1 and 0.6 nats, but the first correction is stronger
//! evidence than the channel alone says, and a larger `raise` is measurably better; see
//! [`SECOND_PASS`].)

use rayon::prelude::*;

use super::NeuralError;
use qecd::bits::ones;
use qecd::code::toric::ToricCode;
use qecd::decode::matching::{EdgeWeights, GraphEdge, Matcher, MatchingGraph};

/// Posteriors are clamped to `[Q_MIN, 1 - Q_MIN]` before taking weights.
pub const Q_MIN: f64 = 1e-6;

/// How the second matching pass reweights a shot from the first pass's correction (module
/// docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecondPass {
    /// Nats by which the weight of the other part (Z for X, X for Z) of every qubit whose part
    /// is in the first correction is lowered.
    pub y_shift: f64,
    /// Nats by which the weight of every other edge is raised.
    pub raise: f64,
}

/// The second pass the decoder uses. Chosen on fresh shots, logical errors for each
/// `(y_shift, raise)` on the same shots (paired: about 200 shots differ between two settings,
/// so differences beyond about 30 are real). Before the model's fine-tuning, L = 24, p = 0.175,
/// 5 000 shots (seed 1002): (2, 0) 1949, (2, 1.2) 1891, (2, 2.5) 1851, (2, 4) 1822, (2, 8) 1802,
/// (2, 16) 1859, (0, 4) 1821 (fine-tuned: (2, 0) 1933, (2, 4) 1820). The shipped model: L = 32, p = 0.175, 4 000 shots (seed 1006): (2, 0) 1443, (2, 4)
/// 1401, (2, 6) 1415, (2, 8) 1429, (2, 11) 1464; L = 8, p = 0.14, 10 000 shots: (2, 0) 1648,
/// (2, 4) 1595, (2, 8) 1598; L = 16, p = 0.10, 20 000 shots: (2, 0) 64, (2, 4) 49. A third pass
/// from the second's correction is worse (L = 24: 1935 with (2, 4)). `y_shift` = 2 was chosen
/// first, alone, among 0 to 3 (L = 16 and 24, p = 0.17).
pub const SECOND_PASS: SecondPass = SecondPass {
    y_shift: 2.0,
    raise: 4.0,
};

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

/// Turns `weights` (the first pass's, in the edge order of [`shot_graph`]) into the second
/// pass's for `correction` (the first pass's edges): every weight is raised by `pass.raise`,
/// except that the other part (Z for X, X for Z) of every qubit whose part is in `correction`
/// is lowered by `pass.y_shift` instead.
pub fn second_pass_weights(weights: &mut [f64], correction: &[usize], pass: SecondPass) {
    let n = weights.len() / 2;
    for w in weights.iter_mut() {
        *w += pass.raise;
    }
    for &e in correction {
        weights[if e < n { e + n } else { e - n }] -= pass.y_shift + pass.raise;
    }
}

/// Decodes one shot with `matcher` (from [`code_matcher`]) and the weights of its posteriors,
/// once, or twice with a [`SecondPass`] (module docs).
fn decode_with(
    matcher: &Matcher,
    ws: &mut qecd::decode::matching::Workspace,
    weights: &mut Vec<f64>,
    dets: &[u8],
    posteriors: &[f32],
    second: Option<SecondPass>,
) -> Result<u8, NeuralError> {
    shot_weights(posteriors, weights);
    let events = ones(dets);
    if let Some(pass) = second {
        let (_, first) =
            matcher.decode_weighted_with_correction(&events, EdgeWeights::PerShot(weights), ws)?;
        second_pass_weights(weights, &first, pass);
    }
    let matching = matcher.decode_weighted(&events, EdgeWeights::PerShot(weights), ws)?;
    Ok((matching.observables & 0x0f) as u8)
}

/// Decodes one shot (a packed detector row) with the weights of its posteriors and, if given, a
/// second pass: the predicted logical class (4 bits).
pub fn decode_shot(
    code: &ToricCode,
    dets: &[u8],
    posteriors: &[f32],
    second: Option<SecondPass>,
) -> Result<u8, NeuralError> {
    check_posteriors(code, posteriors.len(), 1)?;
    let matcher = code_matcher(code)?;
    decode_with(
        &matcher,
        &mut matcher.workspace(),
        &mut Vec::new(),
        dets,
        posteriors,
        second,
    )
}

/// Decodes `rows` shots in parallel (rayon): `dets` holds the packed detector rows (`stride`
/// bytes each), `posteriors` the `4 L^2` posteriors of each shot, one after the other; second
/// pass as in [`decode_shot`].
pub fn decode_shots(
    code: &ToricCode,
    dets: &[u8],
    stride: usize,
    posteriors: &[f32],
    second: Option<SecondPass>,
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
            |(ws, weights), (row, q)| decode_with(&matcher, ws, weights, row, q, second),
        )
        .collect()
}
