//! The training labels obey END's translation rule. The labels of the training pipeline are
//! `obs xor class(T(s))` (the sampler's logical class of the error, and the class of the
//! canonical pure error); for every sampled shot and every translation t:
//! - the label equals `class(e xor T(s))`, computed from the error itself;
//! - the translated shot's label is `label xor h(t, s)`, with `h(t, s)` read from the per-site
//!   XORs of the translated syndrome at site t (`h(t, t^{-1}.(t.s))`), the tensor the network's
//!   pooling receives;
//! - site x's XOR of s turns the label of the shot seen from x into the label of s.
//!   (The geometry of `h` itself is property-tested in `code::toric`.)

use qecd::code::toric::ToricCode;
use qecd::noise::NoiseSpec;
use qecd::sample::sample_toric;

fn row_class(row: &[u8]) -> u8 {
    row[0] & 0x0f
}

#[test]
fn pipeline_labels_transform_by_the_site_xors() {
    for (l, spec, p) in [
        (3, "depolarizing", 0.15),
        (4, "biased:eta=10", 0.12),
        (5, "depolarizing", 0.1),
        (6, "bitflip", 0.1),
    ] {
        let code = ToricCode::new(l).unwrap();
        let channel = spec.parse::<NoiseSpec>().unwrap().channel(p).unwrap();
        let shots = sample_toric(&code, &channel, 40, 1000 + l as u64, true);
        let errors = shots.errors.as_ref().unwrap();
        let mut nontrivial = 0;
        for r in 0..shots.dets.rows() {
            let s = shots.dets.row(r);
            let e = errors.row(r);
            let label = row_class(shots.obs.row(r)) ^ code.pure_error_class(s);
            assert_eq!(label, code.label(e), "L = {l}, shot {r}");
            let mut site = vec![0u8; l * l];
            code.site_xors(s, &mut site);
            for a in 0..l {
                for b in 0..l {
                    let mut te = vec![0u8; e.len()];
                    code.translate_error(e, a, b, &mut te);
                    let mut ts = vec![0u8; s.len()];
                    code.translate_syndrome(s, a, b, &mut ts);
                    let mut moved_site = vec![0u8; l * l];
                    code.site_xors(&ts, &mut moved_site);
                    let h = moved_site[a * l + b];
                    nontrivial += usize::from(h != 0);
                    let moved_label = code.logical_class(&te) ^ code.pure_error_class(&ts);
                    assert_eq!(moved_label, label ^ h, "L = {l}, shot {r}, t = ({a}, {b})");
                    // Seen from site x = (a, b): the shot translated by t_x^{-1}.
                    let (ia, ib) = ((l - a) % l, (l - b) % l);
                    let mut be = vec![0u8; e.len()];
                    code.translate_error(e, ia, ib, &mut be);
                    assert_eq!(code.label(&be) ^ site[a * l + b], label, "site ({a}, {b})");
                }
            }
        }
        // The rule is not vacuous: most translations do permute the classes.
        assert!(
            nontrivial > 40 * l * l / 4,
            "L = {l}: only {nontrivial} non-zero XORs"
        );
    }
}

#[test]
fn the_empty_syndrome_has_no_site_xor() {
    for l in 2..=5 {
        let code = ToricCode::new(l).unwrap();
        let empty = vec![0u8; code.num_detectors().div_ceil(8)];
        let mut site = vec![0xffu8; l * l];
        code.site_xors(&empty, &mut site);
        assert!(site.iter().all(|&h| h == 0), "L = {l}: {site:?}");
    }
}
