//! The toric code on an L x L torus: geometry, checks, logicals, the canonical pure error and
//! the action of translations.
//!
//! # Index conventions (used everywhere: sampler, DEM export, datasets, neural input)
//!
//! - **Vertices** `(i, j)`, row `i`, column `j`, `0 <= i, j < L`, index `i * L + j`.
//! - **Edges (qubits)**: `h(i, j) = i * L + j` joins vertex `(i, j)` to `(i, j + 1)`;
//!   `v(i, j) = L^2 + i * L + j` joins `(i, j)` to `(i + 1, j)` (all indices mod L).
//! - **Plaquette** `(i, j)` is the face with corners `(i, j)` and `(i + 1, j + 1)`: edges
//!   `h(i, j)`, `h(i + 1, j)`, `v(i, j)`, `v(i, j + 1)`.
//! - **Checks and detectors**: vertex checks are Z-type stars and detect X errors; plaquette
//!   checks are X-type and detect Z errors. Detector `i * L + j` is vertex `(i, j)`, detector
//!   `L^2 + i * L + j` is plaquette `(i, j)`; a syndrome is `2 L^2` bits in that order.
//! - **Errors** are packed rows of `4 L^2` bits: bit `e` is the X part on edge `e`, bit
//!   `2 L^2 + e` the Z part (a Y error sets both).
//! - **Logical class**: four bits, the parity of an error's overlap with four fixed cuts
//!   (equivalently its commutation with the four logical operators):
//!   - bit 0: X part on `h(*, 0)` (X chains winding horizontally; Stim observable `L0`),
//!   - bit 1: X part on `v(0, *)` (X chains winding vertically; `L1`),
//!   - bit 2: Z part on `v(*, 0)` (Z chains winding horizontally on the dual lattice; `L2`),
//!   - bit 3: Z part on `h(0, *)` (Z chains winding vertically on the dual lattice; `L3`).
//!
//!   Class `c` has the 16 values `0..16` with those bits.
//! - **Translations** `t(a, b)` send vertex, plaquette and edge `(i, j)` to `(i + a, j + b)`.
//!
//! # The canonical pure error T(s)
//!
//! For each vertex defect `(i, j)`: the path down column `j` to row 0 (edges `v(k, j)`,
//! `k < i`), then along row 0 to column 0 (edges `h(0, k)`, `k < j`); T_X is the XOR of these
//! paths, so its boundary is exactly the defects (their number is even). For each plaquette
//! defect `(i, j)`: the dual path down column `j` to row 0 (crossing `h(k, j)`, `1 <= k <= i`),
//! then along row 0 to column 0 (crossing `v(0, k)`, `1 <= k <= j`).
//!
//! # Translations and classes
//!
//! With `label(e) = class(e xor T(s))`, a translation permutes labels by XOR:
//! `label(t.e) = label(e) xor h(t, s)` where `h(t, s) = class(t.T(s) xor T(t.s))`. For `t(a, b)`
//! this is: bits 0 and 2 flip iff the number of vertex (resp. plaquette) defects with
//! `j + b >= L` is odd; bits 1 and 3 likewise with `i + a >= L` (see `translation_xor`, checked
//! against the definition by property tests).

use thiserror::Error;

use crate::bits::{flip_bit, get_bit, ones};

/// Errors in building a code.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CodeError {
    /// The torus is too small.
    #[error("toric code distance must be at least 2, got {0}")]
    DistanceTooSmall(usize),
    /// The torus is too large for 32-bit detector indexing in the tools we interoperate with.
    #[error("toric code distance {0} is too large (at most 4096)")]
    DistanceTooLarge(usize),
}

/// Number of logical classes of the toric code (4 bits).
pub const NUM_CLASSES: usize = 16;

/// The toric code on an L x L torus (see the module docs for every index convention).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToricCode {
    l: usize,
}

impl ToricCode {
    /// The code of distance `l` (`l >= 2`).
    pub fn new(l: usize) -> Result<Self, CodeError> {
        if l < 2 {
            return Err(CodeError::DistanceTooSmall(l));
        }
        if l > 4096 {
            return Err(CodeError::DistanceTooLarge(l));
        }
        Ok(ToricCode { l })
    }

    /// The linear size L (also the code distance).
    pub fn distance(&self) -> usize {
        self.l
    }

    /// Number of physical qubits, `2 L^2`.
    pub fn num_qubits(&self) -> usize {
        2 * self.l * self.l
    }

    /// Number of checks (detectors), `2 L^2`: vertex checks first, then plaquette checks.
    pub fn num_detectors(&self) -> usize {
        2 * self.l * self.l
    }

    /// Number of logical-class bits (Stim observables), 4.
    pub fn num_observables(&self) -> usize {
        4
    }

    /// Edge index of `h(i, j)` (indices taken mod L).
    pub fn h(&self, i: usize, j: usize) -> usize {
        (i % self.l) * self.l + j % self.l
    }

    /// Edge index of `v(i, j)` (indices taken mod L).
    pub fn v(&self, i: usize, j: usize) -> usize {
        self.l * self.l + (i % self.l) * self.l + j % self.l
    }

    /// `(is_vertical, i, j)` of an edge index.
    pub fn edge_coords(&self, e: usize) -> (bool, usize, usize) {
        let l2 = self.l * self.l;
        let k = e % l2;
        (e >= l2, k / self.l, k % self.l)
    }

    /// The two vertex detectors an X error on edge `e` flips.
    pub fn edge_vertices(&self, e: usize) -> [usize; 2] {
        let l = self.l;
        let (vert, i, j) = self.edge_coords(e);
        if vert {
            [i * l + j, ((i + 1) % l) * l + j]
        } else {
            [i * l + j, i * l + (j + 1) % l]
        }
    }

    /// The two plaquette detectors a Z error on edge `e` flips (as detector indices, offset by
    /// `L^2`).
    pub fn edge_plaquettes(&self, e: usize) -> [usize; 2] {
        let l = self.l;
        let l2 = l * l;
        let (vert, i, j) = self.edge_coords(e);
        if vert {
            // v(i, j) borders plaquettes (i, j) and (i, j - 1).
            [l2 + i * l + j, l2 + i * l + (j + l - 1) % l]
        } else {
            // h(i, j) borders plaquettes (i, j) and (i - 1, j).
            [l2 + i * l + j, l2 + ((i + l - 1) % l) * l + j]
        }
    }

    /// The class bits flipped by an X error on edge `e` (bits 0 and 1).
    pub fn edge_x_class(&self, e: usize) -> u8 {
        let (vert, i, j) = self.edge_coords(e);
        match (vert, i, j) {
            (false, _, 0) => 1,
            (true, 0, _) => 2,
            _ => 0,
        }
    }

    /// The class bits flipped by a Z error on edge `e` (bits 2 and 3).
    pub fn edge_z_class(&self, e: usize) -> u8 {
        let (vert, i, j) = self.edge_coords(e);
        match (vert, i, j) {
            (true, _, 0) => 4,
            (false, 0, _) => 8,
            _ => 0,
        }
    }

    /// The edges of the support of check `d` (a detector index).
    pub fn check_support(&self, d: usize) -> [usize; 4] {
        let l = self.l;
        let l2 = l * l;
        let (i, j) = ((d % l2) / l, d % l);
        if d < l2 {
            [
                self.h(i, j),
                self.h(i, j + l - 1),
                self.v(i, j),
                self.v(i + l - 1, j),
            ]
        } else {
            [
                self.h(i, j),
                self.h(i + 1, j),
                self.v(i, j),
                self.v(i, j + 1),
            ]
        }
    }

    /// Writes the syndrome (`2 L^2` bits, packed) of a packed error row (`4 L^2` bits).
    pub fn syndrome(&self, error: &[u8], syndrome: &mut [u8]) {
        let n = self.num_qubits();
        syndrome.fill(0);
        for q in ones(error) {
            let dets = if q < n {
                self.edge_vertices(q)
            } else {
                self.edge_plaquettes(q - n)
            };
            for d in dets {
                flip_bit(syndrome, d);
            }
        }
    }

    /// The logical class (4 bits) of a packed error row.
    pub fn logical_class(&self, error: &[u8]) -> u8 {
        let n = self.num_qubits();
        ones(error).into_iter().fold(0, |c, q| {
            c ^ if q < n {
                self.edge_x_class(q)
            } else {
                self.edge_z_class(q - n)
            }
        })
    }

    /// The canonical pure error T(s) of a packed syndrome, as a packed error row. Its syndrome
    /// is `s` whenever each sector has an even number of defects (the syndrome of any error).
    pub fn pure_error(&self, syndrome: &[u8]) -> Vec<u8> {
        let l = self.l;
        let l2 = l * l;
        let n = self.num_qubits();
        let mut e = vec![0u8; (2 * n).div_ceil(8)];
        for d in ones(syndrome) {
            let (i, j) = ((d % l2) / l, d % l);
            if d < l2 {
                for k in 0..i {
                    flip_bit(&mut e, self.v(k, j));
                }
                for k in 0..j {
                    flip_bit(&mut e, self.h(0, k));
                }
            } else {
                for k in 1..=i {
                    flip_bit(&mut e, n + self.h(k, j));
                }
                for k in 1..=j {
                    flip_bit(&mut e, n + self.v(0, k));
                }
            }
        }
        e
    }

    /// The logical class of T(s), computed directly from the defects: bit 0 is the parity of
    /// vertex defects off column 0, bit 1 of vertex defects off row 0; the plaquette paths never
    /// cross their cuts.
    pub fn pure_error_class(&self, syndrome: &[u8]) -> u8 {
        let l = self.l;
        let l2 = l * l;
        let mut c = 0u8;
        for d in ones(syndrome) {
            if d < l2 {
                let (i, j) = (d / l, d % l);
                c ^= u8::from(j != 0) | (u8::from(i != 0) << 1);
            }
        }
        c
    }

    /// Translates a packed syndrome by `t(a, b)`.
    pub fn translate_syndrome(&self, syndrome: &[u8], a: usize, b: usize, out: &mut [u8]) {
        self.translate_blocks(syndrome, a, b, out)
    }

    /// Translates a packed error row by `t(a, b)`.
    pub fn translate_error(&self, error: &[u8], a: usize, b: usize, out: &mut [u8]) {
        self.translate_blocks(error, a, b, out)
    }

    /// Moves every set bit `base + i * L + j` (any block of `L^2` bits: vertices, plaquettes,
    /// X or Z parts of edges) to `base + (i + a) * L + (j + b)`, mod L.
    fn translate_blocks(&self, row: &[u8], a: usize, b: usize, out: &mut [u8]) {
        let l = self.l;
        let l2 = l * l;
        out.fill(0);
        for q in ones(row) {
            let (base, k) = (q - q % l2, q % l2);
            let (i, j) = (k / l, k % l);
            flip_bit(out, base + ((i + a) % l) * l + (j + b) % l);
        }
    }

    /// `h(t(a, b), s)`: the XOR by which translating the syndrome `s` by `t(a, b)` permutes the
    /// labels (see the module docs).
    pub fn translation_xor(&self, syndrome: &[u8], a: usize, b: usize) -> u8 {
        let l = self.l;
        let l2 = l * l;
        let (a, b) = (a % l, b % l);
        let mut h = 0u8;
        for d in ones(syndrome) {
            let (k, z) = (d % l2, u8::from(d >= l2) * 2);
            let (i, j) = (k / l, k % l);
            h ^= (u8::from(j + b >= l) | (u8::from(i + a >= l) << 1)) << z;
        }
        h
    }

    /// For every site `x = (a, b)`, writes `out[a * L + b] = h(t_x, t_x^{-1}.s)`: the XOR that
    /// maps the label of the syndrome as seen from site `x` to the label of `s` (the
    /// un-permutation of the END pooling). Bits 0 and 2 are the parity of vertex (plaquette)
    /// defects in columns `< b`, bits 1 and 3 of those in rows `< a`.
    pub fn site_xors(&self, syndrome: &[u8], out: &mut [u8]) {
        let l = self.l;
        let l2 = l * l;
        // Parity of defects per row and per column, for each sector.
        let mut rows = vec![0u8; l];
        let mut cols = vec![0u8; l];
        for d in ones(syndrome) {
            let (k, z) = (d % l2, u8::from(d >= l2) * 2);
            rows[k / l] ^= 2 << z;
            cols[k % l] ^= 1 << z;
        }
        let mut row_prefix = 0u8;
        for a in 0..l {
            let mut col_prefix = 0u8;
            for b in 0..l {
                out[a * l + b] = row_prefix | col_prefix;
                col_prefix ^= cols[b];
            }
            row_prefix ^= rows[a];
        }
    }

    /// The label `class(e xor T(s))` of a packed error row, with `s` its syndrome.
    pub fn label(&self, error: &[u8]) -> u8 {
        let mut s = vec![0u8; self.num_detectors().div_ceil(8)];
        self.syndrome(error, &mut s);
        self.logical_class(error) ^ self.pure_error_class(&s)
    }

    /// The packed error row of a logical operator that flips exactly class bit `k` (0..4):
    /// bit 0 is flipped by X on `h(0, *)`, bit 1 by X on `v(*, 0)`, bit 2 by Z on `v(0, *)`,
    /// bit 3 by Z on `h(*, 0)`.
    pub fn logical_operator(&self, k: usize) -> Vec<u8> {
        let n = self.num_qubits();
        let mut e = vec![0u8; (2 * n).div_ceil(8)];
        for t in 0..self.l {
            let q = match k {
                0 => self.h(0, t),
                1 => self.v(t, 0),
                2 => n + self.v(0, t),
                3 => n + self.h(t, 0),
                _ => panic!("logical index {k} out of range 0..4"),
            };
            flip_bit(&mut e, q);
        }
        e
    }

    /// The packed error row of stabilizer generator `d` (check `d` as a Pauli operator: vertex
    /// checks are Z stars, plaquette checks X plaquettes).
    pub fn stabilizer(&self, d: usize) -> Vec<u8> {
        let n = self.num_qubits();
        let mut e = vec![0u8; (2 * n).div_ceil(8)];
        let offset = if d < self.l * self.l { n } else { 0 };
        for q in self.check_support(d) {
            flip_bit(&mut e, offset + q);
        }
        e
    }

    /// Whether two packed Pauli rows (`4 L^2` bits each) commute.
    pub fn commute(&self, p: &[u8], q: &[u8]) -> bool {
        let n = self.num_qubits();
        let anti = (0..n).filter(|&e| {
            (get_bit(p, e) && get_bit(q, n + e)) ^ (get_bit(p, n + e) && get_bit(q, e))
        });
        anti.count() % 2 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn random_error(code: &ToricCode, bits: &[bool]) -> Vec<u8> {
        let mut e = vec![0u8; (2 * code.num_qubits()).div_ceil(8)];
        for (q, &b) in bits.iter().enumerate().take(2 * code.num_qubits()) {
            if b {
                flip_bit(&mut e, q);
            }
        }
        e
    }

    fn syn(code: &ToricCode, e: &[u8]) -> Vec<u8> {
        let mut s = vec![0u8; code.num_detectors().div_ceil(8)];
        code.syndrome(e, &mut s);
        s
    }

    fn arb_case() -> impl Strategy<Value = (usize, Vec<bool>, usize, usize)> {
        (2usize..7).prop_flat_map(|l| {
            (
                Just(l),
                proptest::collection::vec(proptest::bool::weighted(0.2), 4 * l * l),
                0..l,
                0..l,
            )
        })
    }

    #[test]
    fn rejects_too_small() {
        assert_eq!(ToricCode::new(1), Err(CodeError::DistanceTooSmall(1)));
    }

    #[test]
    fn stabilizers_and_logicals_commute_with_every_check() {
        for l in 2..7 {
            let code = ToricCode::new(l).unwrap();
            let checks: Vec<_> = (0..code.num_detectors())
                .map(|d| code.stabilizer(d))
                .collect();
            for s in &checks {
                assert!(syn(&code, s).iter().all(|&b| b == 0));
                assert_eq!(code.logical_class(s), 0);
                for t in &checks {
                    assert!(code.commute(s, t));
                }
            }
            for k in 0..4 {
                let lk = code.logical_operator(k);
                assert!(syn(&code, &lk).iter().all(|&b| b == 0));
                assert_eq!(code.logical_class(&lk), 1 << k);
                for s in &checks {
                    assert!(code.commute(&lk, s));
                }
            }
            // X on h(0,*) anticommutes with Z on h(*,0); X on v(*,0) with Z on v(0,*).
            let lo: Vec<_> = (0..4).map(|k| code.logical_operator(k)).collect();
            for a in 0..4 {
                for b in 0..4 {
                    let expect_anti = matches!((a, b), (0, 3) | (3, 0) | (1, 2) | (2, 1));
                    assert_eq!(code.commute(&lo[a], &lo[b]), !expect_anti, "{a} {b}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn pure_error_has_the_syndrome((l, bits, _a, _b) in arb_case()) {
            let code = ToricCode::new(l).unwrap();
            let e = random_error(&code, &bits);
            let s = syn(&code, &e);
            let t = code.pure_error(&s);
            prop_assert_eq!(syn(&code, &t), s.clone());
            prop_assert_eq!(code.logical_class(&t), code.pure_error_class(&s));
        }

        #[test]
        fn translation_commutes_with_syndrome((l, bits, a, b) in arb_case()) {
            let code = ToricCode::new(l).unwrap();
            let e = random_error(&code, &bits);
            let mut te = e.clone();
            code.translate_error(&e, a, b, &mut te);
            let mut ts = syn(&code, &e);
            code.translate_syndrome(&syn(&code, &e), a, b, &mut ts);
            prop_assert_eq!(syn(&code, &te), ts);
        }

        #[test]
        fn translation_xor_matches_its_definition((l, bits, a, b) in arb_case()) {
            let code = ToricCode::new(l).unwrap();
            let e = random_error(&code, &bits);
            let s = syn(&code, &e);
            // Definition: h(t, s) = class(t.T(s) xor T(t.s)).
            let t_s = code.pure_error(&s);
            let mut moved = t_s.clone();
            code.translate_error(&t_s, a, b, &mut moved);
            let mut ts = s.clone();
            code.translate_syndrome(&s, a, b, &mut ts);
            let cycle: Vec<u8> = moved.iter().zip(code.pure_error(&ts)).map(|(x, y)| x ^ y).collect();
            prop_assert!(syn(&code, &cycle).iter().all(|&x| x == 0));
            let h = code.translation_xor(&s, a, b);
            prop_assert_eq!(code.logical_class(&cycle), h);
            // Labels obey the rule.
            let mut te = e.clone();
            code.translate_error(&e, a, b, &mut te);
            prop_assert_eq!(code.label(&te), code.label(&e) ^ h);
        }

        #[test]
        fn site_xors_are_translation_xors_from_each_site((l, bits, _a, _b) in arb_case()) {
            let code = ToricCode::new(l).unwrap();
            let e = random_error(&code, &bits);
            let s = syn(&code, &e);
            let mut xs = vec![0u8; l * l];
            code.site_xors(&s, &mut xs);
            for a in 0..l {
                for b in 0..l {
                    let mut seen = s.clone();
                    code.translate_syndrome(&s, l - a, l - b, &mut seen);
                    prop_assert_eq!(xs[a * l + b], code.translation_xor(&seen, a, b));
                }
            }
        }
    }
}
