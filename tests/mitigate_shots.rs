//! Finite shots: estimates are unbiased with the multinomial variance (mean over seeds within
//! error of the exact value, empirical variance equal to the predicted one), REM on shots is
//! unbiased for the readout-free value, methods get standard errors and variance
//! amplifications, and a seeded run is reproducible byte for byte. Fixed seeds; the margins are
//! 4 standard errors of the checked statistic.

use qecd::mitigate::density::DensityMatrix;
use qecd::mitigate::executor::{Backend, Executor, Shots};
use qecd::mitigate::measure::{group_distribution, measurement_groups};
use qecd::mitigate::method::Method;
use qecd::mitigate::noise::NoiseModel;
use qecd::mitigate::read_qasm_file;
use qecd::mitigate::report::{run, Problem};
use qecd::mitigate::tfim::Tfim;
use std::path::Path;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/mitigation/tfim4_pbc_h1_hva2.qasm"
);

fn noise() -> NoiseModel {
    NoiseModel::parse("p1=1e-3,p2=1e-2,ro01=0.02,ro10=0.05").unwrap()
}

fn exact_executor() -> Executor {
    let h = Tfim::new(4, 1.0, 1.0, true).unwrap().hamiltonian();
    Executor::new(h, noise(), Backend::Density).unwrap()
}

/// Checks the mean and variance of `seeds` estimates against the exact value and the
/// predicted multinomial variance.
fn check_unbiased(rem: bool) {
    let c = read_qasm_file(Path::new(FIXTURE)).unwrap();
    let exact = exact_executor();
    let shots = 2000u64;
    let rho = DensityMatrix::simulate(&c, &exact.noise).unwrap();
    let groups = measurement_groups(&exact.observable);
    let dists: Vec<_> = groups
        .iter()
        .map(|g| group_distribution(&rho, g, &exact.noise.readout, rem).unwrap())
        .collect();
    let want: f64 = dists.iter().map(|d| d.exact()).sum();
    let predicted_var: f64 = dists
        .iter()
        .map(|d| {
            let m = d.exact();
            let m2: f64 = d
                .probabilities
                .iter()
                .zip(&d.estimator)
                .map(|(p, g)| p * g * g)
                .sum();
            (m2 - m * m) / shots as f64
        })
        .sum();
    let base = if rem {
        exact.with_readout_mitigation().unwrap()
    } else {
        exact
    };
    let exec = base
        .replicate(0)
        .with_shots(Shots {
            per_circuit: shots,
            seed: 5,
        })
        .unwrap();
    let k = 400;
    let (vals, ses): (Vec<f64>, Vec<f64>) = (0..k)
        .map(|r| {
            let e = exec.replicate(r).noisy_estimate(&c).unwrap();
            (e.mean, e.std_err)
        })
        .unzip();
    let n = k as f64;
    let mean = vals.iter().sum::<f64>() / n;
    let var = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!(
        (mean - want).abs() < 4.0 * (predicted_var / n).sqrt(),
        "mean {mean} vs exact {want} (sd of the mean {})",
        (predicted_var / n).sqrt()
    );
    // The sample variance of k normal values has relative sd sqrt(2 / (k - 1)) ~ 0.071.
    let ratio = var / predicted_var;
    assert!(
        (ratio - 1.0).abs() < 4.0 * (2.0 / (n - 1.0)).sqrt(),
        "{ratio}"
    );
    let reported = ses.iter().map(|s| s * s).sum::<f64>() / n;
    assert!((reported / predicted_var - 1.0).abs() < 0.05, "{reported}");
}

#[test]
fn shot_estimates_are_unbiased_with_multinomial_variance() {
    check_unbiased(false);
}

#[test]
fn readout_mitigated_shot_estimates_are_unbiased() {
    check_unbiased(true);
    // The readout-free value is what REM estimates.
    let c = read_qasm_file(Path::new(FIXTURE)).unwrap();
    let exact = exact_executor();
    let rem = exact.with_readout_mitigation().unwrap().noisy(&c).unwrap();
    let free = Executor::new(
        exact.observable.clone(),
        NoiseModel {
            readout: Default::default(),
            ..noise()
        },
        Backend::Density,
    )
    .unwrap()
    .noisy(&c)
    .unwrap();
    assert!((rem - free).abs() < 1e-12);
}

#[test]
fn methods_get_standard_errors_and_variance_amplification() {
    let c = read_qasm_file(Path::new(FIXTURE)).unwrap();
    let exec = exact_executor()
        .with_shots(Shots {
            per_circuit: 10_000,
            seed: 1,
        })
        .unwrap();
    let methods: Vec<(String, Method)> = ["zne:richardson:1,2,3", "rem+zne:linear:1,2,3", "rem"]
        .iter()
        .map(|s| (s.to_string(), s.parse().unwrap()))
        .collect();
    let problem = Problem {
        circuit: c,
        family: None,
        ground: None,
    };
    let report = run(&problem, &exec, &methods, "test", 0).unwrap();
    assert_eq!(report.shots, Some(10_000));
    assert!(report.noisy_std_err > 0.0);
    for row in &report.methods {
        assert!(row.std_error.unwrap() > 0.0, "{row:?}");
    }
    // Richardson at 1, 2, 3 weighs the values 3, -3, 1: variance about 19 times the noisy one
    // (16 replicates estimate it to about +-35%).
    let va = report.methods[0].variance_amplification.unwrap();
    assert!((8.0..45.0).contains(&va), "{va}");
    // Same seed, same bytes.
    let again = run(&problem, &exec.replicate(0), &methods, "test", 0).unwrap();
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
}
