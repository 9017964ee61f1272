//! Point symmetries of the toric code: the rotations and reflections of the torus, and the
//! duality that exchanges the lattice with its dual (and X with Z), as permutations of
//! syndrome bits and of error bits.
//!
//! # Doubled coordinates
//! Every object of the lattice sits at a point of the `2L x 2L` grid: vertex `(i, j)` at
//! `(2i, 2j)`, plaquette `(i, j)` at `(2i + 1, 2j + 1)`, edge `h(i, j)` at `(2i, 2j + 1)` and
//! `v(i, j)` at `(2i + 1, 2j)` (all mod `2L`). An X error on an edge flips the vertices at
//! distance 1 from it, a Z error the plaquettes at distance 1. A map
//! `(y, x) -> M (y, x) + o` with `M` one of the 8 signed permutation matrices (the symmetries
//! of the square) preserves these distances; with `o = (0, 0)` it sends vertices to vertices
//! and keeps X and Z, with `o = (1, 1)` ([`PointSymmetry::dual`]) it sends vertices to
//! plaquettes and needs X and Z exchanged. Both send the syndrome of an error to the syndrome
//! of its image, so for noise that treats X and Z alike (depolarizing) the 16 maps, together
//! with the translations, are symmetries of the decoding problem; for any independent
//! Pauli noise, the 8 without duality are.
//!
//! # Order
//! [`PointSymmetry::all`] lists them so that the first 1, 2, 4, 8 and 16 are groups up to
//! translations: the identity; the half turn; the two diagonal reflections; the whole square;
//! the square with duality. Averaging a translation-equivariant decoder's output over such a
//! prefix makes it equivariant under that group.

use super::toric::ToricCode;
use crate::bits::{get_bit, set_bit};

/// One point symmetry `(y, x) -> M (y, x) + o` of the doubled lattice (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PointSymmetry {
    /// Exchange the two coordinates first.
    pub transpose: bool,
    /// Then negate the row coordinate.
    pub flip_rows: bool,
    /// And negate the column coordinate.
    pub flip_cols: bool,
    /// Then shift by `(1, 1)`: vertices go to plaquettes and X parts to Z parts.
    pub dual: bool,
}

/// Where a point of the doubled lattice lies: which block of a syndrome or error row holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Site {
    Vertex,
    Plaquette,
    Horizontal,
    Vertical,
}

impl Site {
    /// Whether a check (vertex or plaquette) sits here, rather than a qubit.
    fn is_check(self) -> bool {
        matches!(self, Site::Vertex | Site::Plaquette)
    }

    fn of(y: usize, x: usize) -> Site {
        match (y % 2, x % 2) {
            (0, 0) => Site::Vertex,
            (1, 1) => Site::Plaquette,
            (0, _) => Site::Horizontal,
            _ => Site::Vertical,
        }
    }
}

impl PointSymmetry {
    /// The identity.
    pub const IDENTITY: PointSymmetry = PointSymmetry {
        transpose: false,
        flip_rows: false,
        flip_cols: false,
        dual: false,
    };

    /// The 16 symmetries, ordered so that every prefix of length 1, 2, 4, 8 or 16 is a group up
    /// to translations (module docs). The last 8 are the dual ones.
    pub fn all() -> [PointSymmetry; 16] {
        // (transpose, flip_rows, flip_cols): identity, half turn, diagonal, anti-diagonal,
        // then the row flip, the column flip and the two quarter turns.
        const SQUARE: [(bool, bool, bool); 8] = [
            (false, false, false),
            (false, true, true),
            (true, false, false),
            (true, true, true),
            (false, true, false),
            (false, false, true),
            (true, true, false),
            (true, false, true),
        ];
        std::array::from_fn(|k| {
            let (transpose, flip_rows, flip_cols) = SQUARE[k % 8];
            PointSymmetry {
                transpose,
                flip_rows,
                flip_cols,
                dual: k >= 8,
            }
        })
    }

    /// The image of doubled point `(y, x)` on the torus of size `l`.
    fn map(self, l: usize, y: usize, x: usize) -> (usize, usize) {
        let n = 2 * l;
        let (mut y, mut x) = if self.transpose { (x, y) } else { (y, x) };
        if self.flip_rows {
            y = (n - y) % n;
        }
        if self.flip_cols {
            x = (n - x) % n;
        }
        if self.dual {
            y = (y + 1) % n;
            x = (x + 1) % n;
        }
        (y, x)
    }

    /// `perm[k]` = the bit that moves to bit `k` of a syndrome row (`2 L^2` bits, vertices then
    /// plaquettes): the symmetry's image `s'` of syndrome `s` is `s'[k] = s[perm[k]]`.
    pub fn syndrome_permutation(self, code: &ToricCode) -> Vec<usize> {
        let mut perm = vec![0; code.num_detectors()];
        for (source, target) in self.moves(code, Site::is_check) {
            perm[target] = source;
        }
        perm
    }

    /// `perm[k]` = the bit that moves to bit `k` of an error row (`4 L^2` bits: X parts of
    /// edges `h` then `v`, then Z parts): the image `e'` of error `e` is `e'[k] = e[perm[k]]`.
    /// The same permutation carries any per-qubit quantity in that order (posteriors).
    pub fn error_permutation(self, code: &ToricCode) -> Vec<usize> {
        let n = code.num_qubits();
        let mut perm = vec![0; 2 * n];
        for (source, target) in self.moves(code, |site| !site.is_check()) {
            for pauli in 0..2 {
                let target_pauli = pauli ^ usize::from(self.dual);
                perm[target_pauli * n + target] = pauli * n + source;
            }
        }
        perm
    }

    /// `(index, index of the image)` of every object of the lattice whose site `keep` accepts
    /// (indices as in [`ToricCode`]: detectors for checks, edges for qubits).
    fn moves<'a>(
        self,
        code: &'a ToricCode,
        keep: impl Fn(Site) -> bool + 'a,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let l = code.distance();
        (0..2 * l)
            .flat_map(move |y| (0..2 * l).map(move |x| (y, x)))
            .filter(move |&(y, x)| keep(Site::of(y, x)))
            .map(move |(y, x)| {
                let (y2, x2) = self.map(l, y, x);
                debug_assert_eq!(Site::of(y, x).is_check(), Site::of(y2, x2).is_check());
                (index(code, y, x), index(code, y2, x2))
            })
    }
}

/// The index of the object at doubled point `(y, x)`: its detector for a check, its edge for
/// a qubit ([`ToricCode`]'s conventions).
fn index(code: &ToricCode, y: usize, x: usize) -> usize {
    let l = code.distance();
    let (i, j) = (y / 2, x / 2);
    match Site::of(y, x) {
        Site::Vertex => i * l + j,
        Site::Plaquette => l * l + i * l + j,
        Site::Horizontal => code.h(i, j),
        Site::Vertical => code.v(i, j),
    }
}

/// The inverse of a permutation given as `perm[k]` = source of `k`.
pub fn inverse_permutation(perm: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; perm.len()];
    for (k, &s) in perm.iter().enumerate() {
        inv[s] = k;
    }
    inv
}

/// Moves the bits of a packed row by `perm` (`perm[k]` = source of bit `k`, as
/// [`PointSymmetry::syndrome_permutation`] and [`PointSymmetry::error_permutation`] give):
/// `out[k] = row[perm[k]]`. `out` holds at least `perm.len()` bits.
pub fn permute_bits(row: &[u8], perm: &[usize], out: &mut [u8]) {
    for (k, &s) in perm.iter().enumerate() {
        set_bit(out, k, get_bit(row, s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::{ones, set_bit};
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn permute(bits: &[u8], perm: &[usize]) -> Vec<u8> {
        let mut out = vec![0u8; bits.len()];
        permute_bits(bits, perm, &mut out);
        out
    }

    fn is_permutation(perm: &[usize]) -> bool {
        perm.iter().copied().collect::<HashSet<_>>().len() == perm.len()
            && perm.iter().all(|&s| s < perm.len())
    }

    #[test]
    fn every_map_is_a_permutation_and_only_the_identity_fixes_everything() {
        for l in [2, 3, 5, 6] {
            let code = ToricCode::new(l).unwrap();
            for (k, g) in PointSymmetry::all().into_iter().enumerate() {
                let s = g.syndrome_permutation(&code);
                let e = g.error_permutation(&code);
                assert!(is_permutation(&s) && is_permutation(&e), "L={l} g={g:?}");
                let fixed = e.iter().enumerate().all(|(i, &j)| i == j);
                assert_eq!(fixed, k == 0, "L={l} g={g:?}");
            }
        }
    }

    /// The permutation of error bits that translates by `t(a, b)` ([`ToricCode::translate_error`]
    /// of each single bit): `perm[k]` = source of `k`.
    fn translation(code: &ToricCode, a: usize, b: usize) -> Vec<usize> {
        let bits = 2 * code.num_qubits();
        let mut perm = vec![0; bits];
        let (mut one, mut moved) = (vec![0u8; bits.div_ceil(8)], vec![0u8; bits.div_ceil(8)]);
        for source in 0..bits {
            one.fill(0);
            set_bit(&mut one, source, true);
            code.translate_error(&one, a, b, &mut moved);
            perm[ones(&moved)[0]] = source;
        }
        perm
    }

    #[test]
    fn prefixes_are_groups_up_to_translations() {
        let code = ToricCode::new(5).unwrap();
        let perms: Vec<Vec<usize>> = PointSymmetry::all()
            .iter()
            .map(|g| g.error_permutation(&code))
            .collect();
        let translations: Vec<Vec<usize>> =
            (0..25).map(|t| translation(&code, t / 5, t % 5)).collect();
        // e' = g(e) is e'[k] = e[g[k]], so h(g(e)) has source g[h[k]].
        let compose =
            |g: &[usize], h: &[usize]| -> Vec<usize> { h.iter().map(|&k| g[k]).collect() };
        for n in [1, 2, 4, 8, 16] {
            let closure: HashSet<Vec<usize>> = perms[..n]
                .iter()
                .flat_map(|p| translations.iter().map(|t| compose(p, t)))
                .collect();
            assert_eq!(
                closure.len(),
                25 * n,
                "prefix {n}: elements equal up to translation"
            );
            for g in &perms[..n] {
                for h in &perms[..n] {
                    assert!(closure.contains(&compose(g, h)), "prefix {n} not closed");
                }
            }
        }
        // The check can fail: a prefix of 3 is not a group.
        let three: HashSet<Vec<usize>> = perms[..3]
            .iter()
            .flat_map(|p| translations.iter().map(|t| compose(p, t)))
            .collect();
        let closed = perms[..3]
            .iter()
            .all(|g| perms[..3].iter().all(|h| three.contains(&compose(g, h))));
        assert!(!closed);
    }

    proptest! {
        #[test]
        fn the_syndrome_of_the_image_is_the_image_of_the_syndrome(
            l in 2usize..7,
            flips in proptest::collection::vec(proptest::bool::weighted(0.2), 4 * 6 * 6),
        ) {
            let code = ToricCode::new(l).unwrap();
            let bits = 2 * code.num_qubits();
            let mut error = vec![0u8; bits.div_ceil(8)];
            for (k, &flip) in flips[..bits].iter().enumerate() {
                set_bit(&mut error, k, flip);
            }
            let mut syndrome = vec![0u8; code.num_detectors().div_ceil(8)];
            code.syndrome(&error, &mut syndrome);
            for g in PointSymmetry::all() {
                let moved = permute(&error, &g.error_permutation(&code));
                let mut moved_syndrome = vec![0u8; syndrome.len()];
                code.syndrome(&moved, &mut moved_syndrome);
                prop_assert_eq!(
                    &moved_syndrome,
                    &permute(&syndrome, &g.syndrome_permutation(&code)),
                    "g = {:?}", g
                );
            }
        }
    }

    #[test]
    fn inverse_undoes() {
        let code = ToricCode::new(4).unwrap();
        for g in PointSymmetry::all() {
            let p = g.error_permutation(&code);
            let inv = inverse_permutation(&p);
            assert!((0..p.len()).all(|k| p[inv[k]] == k && inv[p[k]] == k));
        }
    }
}
