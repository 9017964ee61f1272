//! Unitary folding with Mitiq 1.1.0's semantics (`mitiq.zne.scaling.folding`).
//!
//! All three functions first put the circuit in Cirq's moment order
//! ([`Circuit::in_moment_order`]), because Mitiq counts and picks gates in
//! `all_operations()` order of a circuit built with the `EARLIEST` strategy.
//!
//! - [`fold_global`]: with `(k, f) = divmod(s - 1, 2)`, the circuit becomes `U (U^† U)^k`
//!   followed by `L^† L`, where `L` is the last `round(f * len / 2)` operations (Python's
//!   round-half-to-even).
//! - [`fold_all`]: every gate `G` becomes `G (G^† G)^m` with `m = round((s - 1) / 2)`.
//! - [`fold_gates_at_random`]: every gate is folded `floor((s - 1) / 2)` times, then gates are
//!   visited in a seeded random order and folded once more while that brings the total weight
//!   closer to `s` times the original (Mitiq's `_create_fold_mask`, gate weights `0.99^k` for a
//!   `k`-qubit gate). The order is a Fisher-Yates shuffle driven by MT19937 exactly as
//!   `numpy.random.RandomState(seed).shuffle`, so the same seed folds the same gates as Mitiq.

use super::circuit::{Circuit, Op};
use super::MitigateError;

/// The folding methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folding {
    /// Mitiq's `fold_global`.
    Global,
    /// Mitiq's `fold_all`.
    All,
    /// Mitiq's `fold_gates_at_random` with this seed.
    Random(u32),
}

impl Folding {
    /// Folds `circuit` to noise scale `scale`.
    pub fn apply(&self, circuit: &Circuit, scale: f64) -> Result<Circuit, MitigateError> {
        match *self {
            Folding::Global => fold_global(circuit, scale),
            Folding::All => fold_all(circuit, scale),
            Folding::Random(seed) => fold_gates_at_random(circuit, scale, seed),
        }
    }
}

/// The largest noise scale factor accepted (ZNE uses scales of a few units; a scale of `s`
/// makes the circuit about `s` times longer).
pub const MAX_SCALE_FACTOR: f64 = 100.0;

/// The most gates a folded circuit may have (about 50 bytes each in memory).
pub const MAX_FOLDED_GATES: usize = 10_000_000;

/// Checks a noise scale factor: a finite number in `[1, MAX_SCALE_FACTOR]`.
pub fn check_scale_factor(scale: f64) -> Result<(), MitigateError> {
    if scale.is_finite() && (1.0..=MAX_SCALE_FACTOR).contains(&scale) {
        Ok(())
    } else {
        Err(MitigateError::Invalid(format!(
            "noise scale factor must be a number from 1 to {MAX_SCALE_FACTOR}, found {scale}"
        )))
    }
}

/// Checks `scale` and that folding `circuit` to it stays within [`MAX_FOLDED_GATES`], before
/// anything is allocated.
fn check_scale(circuit: &Circuit, scale: f64) -> Result<(), MitigateError> {
    check_scale_factor(scale)?;
    let gates = (scale * circuit.ops.len() as f64).ceil() + 1.0;
    if gates > MAX_FOLDED_GATES as f64 {
        return Err(MitigateError::Invalid(format!(
            "folding {} gates to scale {scale} gives about {gates} gates, more than the limit of \
             {MAX_FOLDED_GATES}",
            circuit.ops.len()
        )));
    }
    Ok(())
}

/// Python's `round` (half to even).
fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

/// Mitiq's `fold_global`.
pub fn fold_global(circuit: &Circuit, scale: f64) -> Result<Circuit, MitigateError> {
    check_scale(circuit, scale)?;
    let base = circuit.in_moment_order();
    let k = ((scale - 1.0) / 2.0).floor();
    let frac = (scale - 1.0) - 2.0 * k;
    let mut out = base.clone();
    let inv = base.inverse();
    for _ in 0..k as usize {
        out.ops.extend_from_slice(&inv.ops);
        out.ops.extend_from_slice(&base.ops);
    }
    let num = round_half_even(frac * base.ops.len() as f64 / 2.0) as usize;
    let tail = &base.ops[base.ops.len() - num.min(base.ops.len())..];
    out.ops.extend(tail.iter().rev().map(Op::inverse));
    out.ops.extend_from_slice(tail);
    Ok(out)
}

fn apply_fold_mask(base: &Circuit, mask: &[usize]) -> Circuit {
    let mut out = Circuit::new(base.num_qubits);
    for (op, &m) in base.ops.iter().zip(mask) {
        out.push(*op);
        for _ in 0..m {
            out.push(op.inverse());
            out.push(*op);
        }
    }
    out
}

/// Mitiq's `fold_all` (no gates excluded).
pub fn fold_all(circuit: &Circuit, scale: f64) -> Result<Circuit, MitigateError> {
    check_scale(circuit, scale)?;
    let base = circuit.in_moment_order();
    let m = round_half_even((scale - 1.0) / 2.0) as usize;
    Ok(apply_fold_mask(&base, &vec![m; base.ops.len()]))
}

/// Mitiq's `fold_gates_at_random` with default gate weights and `numpy` `RandomState(seed)`.
pub fn fold_gates_at_random(
    circuit: &Circuit,
    scale: f64,
    seed: u32,
) -> Result<Circuit, MitigateError> {
    check_scale(circuit, scale)?;
    let base = circuit.in_moment_order();
    let weights: Vec<f64> = base
        .ops
        .iter()
        .map(|o| 0.99f64.powi(o.gate.arity() as i32))
        .collect();
    let uniform = ((scale - 1.0) / 2.0).floor();
    let odd = 2.0 * uniform + 1.0;
    let mut mask = vec![uniform as usize; base.ops.len()];
    if (odd - scale).abs() > 1e-8 + 1e-5 * scale.abs() {
        let mut order: Vec<usize> = (0..base.ops.len()).collect();
        Mt19937::new(seed).shuffle(&mut order);
        let input: f64 = weights.iter().sum();
        let mut output = odd * input;
        let mut err = (output - scale * input).abs();
        for j in order {
            let new_output = output + 2.0 * weights[j];
            let new_err = (new_output - scale * input).abs();
            if new_err >= err {
                break;
            }
            err = new_err;
            output = new_output;
            mask[j] += 1;
        }
    }
    Ok(apply_fold_mask(&base, &mask))
}

/// The Mersenne Twister MT19937 with numpy's legacy seeding (`init_genrand`).
struct Mt19937 {
    state: [u32; 624],
    pos: usize,
}

impl Mt19937 {
    fn new(seed: u32) -> Mt19937 {
        let mut state = [0u32; 624];
        state[0] = seed;
        for i in 1..624 {
            let prev = state[i - 1];
            state[i] = 1812433253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, pos: 624 }
    }

    fn next_u32(&mut self) -> u32 {
        if self.pos >= 624 {
            for i in 0..624 {
                let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % 624] & 0x7fff_ffff);
                let mut v = self.state[(i + 397) % 624] ^ (y >> 1);
                if y & 1 == 1 {
                    v ^= 0x9908_b0df;
                }
                self.state[i] = v;
            }
            self.pos = 0;
        }
        let mut y = self.state[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// numpy's legacy `random_interval(max)`: rejection sampling under a bit mask.
    fn interval(&mut self, max: u32) -> u32 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for s in [1, 2, 4, 8, 16] {
            mask |= mask >> s;
        }
        loop {
            let v = self.next_u32() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// `RandomState.shuffle`: for i from n-1 down to 1, swap x[i] with x[interval(i)].
    fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.interval(i as u32) as usize;
            x.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_matches_reference_outputs() {
        // numpy.random.RandomState(5489).randint(0, 2**32, dtype=np.uint32)[:3] and the
        // reference implementation's first outputs for seed 5489.
        let mut mt = Mt19937::new(5489);
        assert_eq!(mt.next_u32(), 3499211612);
        assert_eq!(mt.next_u32(), 581869302);
        assert_eq!(mt.next_u32(), 3890346734);
    }

    #[test]
    fn shuffle_matches_numpy() {
        // np.random.RandomState(0).shuffle(x := list(range(10))); x
        let mut x: Vec<usize> = (0..10).collect();
        Mt19937::new(0).shuffle(&mut x);
        assert_eq!(x, vec![2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    }

    #[test]
    fn python_rounding() {
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(3.5), 4.0);
        assert_eq!(round_half_even(0.5), 0.0);
        assert_eq!(round_half_even(1.2), 1.0);
    }
}
