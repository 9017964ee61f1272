//! The translation rule behind END's pooling, checked on the simulator's own labels: for every
//! error e and translation t, label(t.e) = label(e) xor h(t, s(e)), where
//! label(e) = class(e) xor class(T(s(e))) and h(t, s) = class(t.T(s) xor T(t.s)); and the
//! per-site XORs the code hands to the network are h(t_x, t_x^{-1}.s).

use proptest::prelude::*;
use qecd::bits::{get_bit, set_bit};
use qecd::code::toric::ToricCode;

/// Translates a packed edge vector by (a, b): h(i,j) -> h(i+a, j+b), v(i,j) -> v(i+a, j+b).
fn translate_edges(l: usize, e: &[u8], a: usize, b: usize) -> Vec<u8> {
    let mut out = vec![0u8; e.len()];
    for sector in 0..2 {
        for i in 0..l {
            for j in 0..l {
                let from = sector * l * l + i * l + j;
                let to = sector * l * l + (i + a) % l * l + (j + b) % l;
                set_bit(&mut out, to, get_bit(e, from));
            }
        }
    }
    out
}

fn syndrome(code: &ToricCode, x: &[u8], z: &[u8]) -> Vec<u8> {
    let mut s = vec![0u8; code.num_detectors().div_ceil(8)];
    code.syndrome(x, z, &mut s);
    s
}

fn label(code: &ToricCode, x: &[u8], z: &[u8]) -> u8 {
    code.logical_class(x, z) ^ code.pure_error_class(&syndrome(code, x, z))
}

/// h(t, s) from its definition: the class of t.T(s) xor T(t.s).
fn h_by_definition(code: &ToricCode, s: &[u8], a: usize, b: usize) -> u8 {
    let l = code.distance();
    let (tx, tz) = code.pure_error(s);
    let mut moved = vec![0u8; s.len()];
    code.translate_syndrome(s, a, b, &mut moved);
    let (ux, uz) = code.pure_error(&moved);
    let x: Vec<u8> = translate_edges(l, &tx, a, b).iter().zip(&ux).map(|(p, q)| p ^ q).collect();
    let z: Vec<u8> = translate_edges(l, &tz, a, b).iter().zip(&uz).map(|(p, q)| p ^ q).collect();
    assert!(syndrome(code, &x, &z).iter().all(|&w| w == 0), "t.T(s) xor T(t.s) must be a cycle");
    code.logical_class(&x, &z)
}

fn error_strategy() -> impl Strategy<Value = (usize, Vec<bool>, Vec<bool>)> {
    (2usize..=6).prop_flat_map(|l| {
        let n = 2 * l * l;
        (
            Just(l),
            proptest::collection::vec(proptest::bool::weighted(0.15), n),
            proptest::collection::vec(proptest::bool::weighted(0.15), n),
        )
    })
}

fn pack(bits: &[bool]) -> Vec<u8> {
    let mut out = vec![0u8; bits.len().div_ceil(8)];
    for (i, &b) in bits.iter().enumerate() {
        set_bit(&mut out, i, b);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn labels_transform_by_the_syndrome_dependent_xor((l, xb, zb) in error_strategy()) {
        let code = ToricCode::new(l).unwrap();
        let (x, z) = (pack(&xb), pack(&zb));
        let s = syndrome(&code, &x, &z);
        let base = label(&code, &x, &z);
        let mut site = vec![0u8; l * l];
        code.site_xors(&s, &mut site);
        for a in 0..l {
            for b in 0..l {
                let (tx, tz) = (translate_edges(l, &x, a, b), translate_edges(l, &z, a, b));
                let ts = syndrome(&code, &tx, &tz);
                let mut moved = vec![0u8; s.len()];
                code.translate_syndrome(&s, a, b, &mut moved);
                prop_assert_eq!(&ts, &moved, "translate_syndrome disagrees with moving the error");
                let h = h_by_definition(&code, &s, a, b);
                prop_assert_eq!(label(&code, &tx, &tz), base ^ h, "t = ({}, {})", a, b);
                // The site XORs of t.s at site t are h(t, s) ...
                let mut moved_site = vec![0u8; l * l];
                code.site_xors(&ts, &mut moved_site);
                prop_assert_eq!(moved_site[a * l + b], h);
                // ... and site x of s carries h(t_x, t_x^{-1}.s): label(e) = label(t_x^{-1}.e) xor it.
                let (ia, ib) = ((l - a) % l, (l - b) % l);
                let (bx, bz) = (translate_edges(l, &x, ia, ib), translate_edges(l, &z, ia, ib));
                prop_assert_eq!(base, label(&code, &bx, &bz) ^ site[a * l + b]);
            }
        }
    }
}

#[test]
fn the_identity_translation_and_the_empty_syndrome_have_no_xor() {
    for l in 2..=5 {
        let code = ToricCode::new(l).unwrap();
        let empty = vec![0u8; code.num_detectors().div_ceil(8)];
        let mut site = vec![0xffu8; l * l];
        code.site_xors(&empty, &mut site);
        assert!(site.iter().all(|&h| h == 0), "L = {l}: {site:?}");
    }
}
