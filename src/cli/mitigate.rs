//! `qecd mitigate`: run a circuit under gate noise and mitigate an observable's expectation
//! value; or build and optimise the TFIM ansatz; or run the noise-strength study.

use super::progress::Progress;
use anyhow::{bail, Context, Result};
use clap::Args;
use qecd::io::{check_outputs, AtomicOutput};
use qecd::mitigate::ansatz::Hva;
use qecd::mitigate::circuit::Circuit;
use qecd::mitigate::executor::{Backend, Executor, Shots};
use qecd::mitigate::fold::Folding;
use qecd::mitigate::method::{parse_method, Family, Method, PARAMETRIC_NEEDS_FAMILY};
use qecd::mitigate::noise::NoiseModel;
use qecd::mitigate::observable::PauliSum;
use qecd::mitigate::plot::plot_study;
use qecd::mitigate::qasm::write_qasm;
use qecd::mitigate::read_qasm_file;
use qecd::mitigate::report::Problem;
use qecd::mitigate::study::{budget_rmse, run_study, Chain, StudyConfig, StudyRow, STUDY_SHOTS};
use qecd::mitigate::tfim::Tfim;
use qecd::mitigate::vqe::{optimize, Objective};
use qecd::mitigate::zne::{Extrapolation, Zne};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `qecd mitigate`.
#[derive(Args, Debug)]
pub struct MitigateArgs {
    /// OpenQASM 2.0 circuit to run.
    #[arg(long, conflicts_with = "tfim")]
    circuit: Option<PathBuf>,
    /// Build and optimise the HVA for a TFIM chain: `n=4,h=1,layers=2[,J=1][,periodic|open]`.
    #[arg(long)]
    tfim: Option<String>,
    /// Observable: `tfim:n=4,J=1,h=1,periodic` or `pauli:1.0*Z0*Z1+0.5*X2` (default with
    /// --tfim: that chain's Hamiltonian).
    #[arg(long)]
    observable: Option<String>,
    /// Noise model: `depolarizing:p1=1e-3,p2=1e-2[,gamma=..][,ro=..|ro01=..,ro10=..]
    /// [,idle=..][,idle_rz=..]`.
    #[arg(long, default_value = "depolarizing:p1=1e-3,p2=1e-2")]
    noise: String,
    /// Mitigation method (repeatable): `zne:<fit>:<scales>:<folding>` with fit `linear`,
    /// `richardson`, `poly<k>`, `exp` (unknown asymptote), `exp0` or `exp@<a>` (known
    /// asymptote), folding `fold-global`, `fold-all`, `fold-random[:seed]`; `cdr[:<n>]`,
    /// `vncdr[:<n>]` (scales 1,2,3), `parametric` (needs --tfim);
    /// `lre:<degree>:<fold_multiplier>[:<chunks>]`; `pec:<samples>[:<seed>[:global|local]]`;
    /// `ddd:xx|xyxy|yy` (needs idle noise); `rem` or `rem+<method>` (needs readout noise).
    #[arg(long = "method")]
    methods: Vec<String>,
    /// Finite shots `N[:seed]`: every noisy value is estimated from N shots per circuit and
    /// commuting group of observable terms (density simulator); methods get standard errors.
    #[arg(long)]
    shots: Option<String>,
    /// Noisy simulator: `density` or `trajectories[:count]`.
    #[arg(long, default_value = "density")]
    sim: String,
    /// What the VQE minimises with --tfim: `ideal`, `noisy` or `zne` (Richardson 1,2,3).
    #[arg(long, default_value = "ideal")]
    vqe: String,
    /// HVA angles `gamma1,beta1,gamma2,...` to use with --tfim instead of optimising them.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    theta: Option<Vec<f64>>,
    /// Small fields whose optimised angles train the parametric scheme.
    #[arg(long, default_value = "0.1,0.2,0.3,0.4", value_delimiter = ',')]
    train_fields: Vec<f64>,
    /// Explicit training angles for the parametric scheme, `g1,b1,...;g1,b1,...` (replaces
    /// --train-fields).
    #[arg(long, allow_hyphen_values = true)]
    train_theta: Option<String>,
    /// Seed for every random choice (training sets, random folding, trajectories).
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the (optimised) circuit as OpenQASM 2.0 here.
    #[arg(long)]
    write_circuit: Option<PathBuf>,
    /// Also time the noisy run and each method over this many repetitions (medians in the
    /// JSON's `timing` field and on stderr).
    #[arg(long, default_value_t = 0)]
    timing: usize,
    /// Run the noise-strength study instead (writes study.json, study.csv, study.png,
    /// study.svg into --out-dir).
    #[arg(long)]
    study: bool,
    /// Output folder of --study.
    #[arg(long, default_value = "docs/mitigation-study")]
    out_dir: PathBuf,
    /// Study chains as `n:periodic|open:layers`, separated by `;`.
    #[arg(long, default_value = "4:periodic:2;8:open:3")]
    study_chains: String,
    /// Study fields.
    #[arg(long, default_value = "0.5,1,1.5", value_delimiter = ',')]
    study_fields: Vec<f64>,
    /// Study two-qubit rates (p1 = p2 / 10).
    #[arg(
        long,
        default_value = "0.001,0.002,0.005,0.01,0.02,0.03",
        value_delimiter = ','
    )]
    study_p2: Vec<f64>,
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out =
        AtomicOutput::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    out.write_all(bytes)
        .and_then(|_| out.commit())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn parse_observable(spec: &str) -> Result<PauliSum> {
    if let Some(rest) = spec.strip_prefix("tfim:") {
        let (m, extra) = Tfim::parse(rest)?;
        if let Some((k, _)) = extra.first() {
            bail!("observable '{spec}': unknown key '{k}'");
        }
        Ok(m.hamiltonian())
    } else if let Some(rest) = spec.strip_prefix("pauli:") {
        Ok(PauliSum::parse(rest)?)
    } else {
        bail!("observable '{spec}': expected tfim:<chain> or pauli:<sum>")
    }
}

fn parse_backend(spec: &str, seed: u64) -> Result<Backend> {
    match spec.split_once(':') {
        None if spec == "density" => Ok(Backend::Density),
        None if spec == "trajectories" => Ok(Backend::Trajectories { count: 1000, seed }),
        Some(("trajectories", n)) => Ok(Backend::Trajectories {
            count: n.parse().with_context(|| {
                format!("--sim '{spec}': expected a trajectory count, found '{n}'")
            })?,
            seed,
        }),
        _ => bail!("--sim '{spec}': expected density or trajectories[:count]"),
    }
}

fn parse_chains(spec: &str) -> Result<Vec<Chain>> {
    spec.split(';')
        .map(|c| {
            let p: Vec<&str> = c.trim().split(':').collect();
            if p.len() != 3 {
                bail!("study chain '{c}': expected n:periodic|open:layers");
            }
            let periodic = match p[1] {
                "periodic" => true,
                "open" => false,
                o => bail!("study chain '{c}': expected periodic or open, found '{o}'"),
            };
            Ok(Chain {
                n: p[0]
                    .parse()
                    .with_context(|| format!("study chain '{c}': bad n"))?,
                periodic,
                layers: p[2]
                    .parse()
                    .with_context(|| format!("study chain '{c}': bad layers"))?,
            })
        })
        .collect()
}

fn study(args: &MitigateArgs) -> Result<()> {
    let cfg = StudyConfig {
        chains: parse_chains(&args.study_chains)?,
        fields: args.study_fields.clone(),
        p2s: args.study_p2.clone(),
        seed: args.seed,
        shots: args
            .shots
            .as_deref()
            .map(|s| s.parse::<Shots>().map(|s| s.seed))
            .transpose()?,
        ..StudyConfig::default()
    };
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let files = ["study.csv", "study.json", "study.png", "study.svg"].map(|f| args.out_dir.join(f));
    check_outputs(
        &files
            .iter()
            .map(|f| ("--out-dir", Some(f.as_path())))
            .collect::<Vec<_>>(),
    )?;
    let total = cfg.chains.len() * cfg.fields.len() * cfg.p2s.len();
    let mut progress = Progress::new(total as u64, "cases");
    let rows = run_study(&cfg, |_| progress.inc(1))?;
    progress.finish();
    let mut csv = String::from(
        "n,boundary,h,p2,method,ground,ideal,noisy,mitigated,error,reduction,circuits",
    );
    if cfg.shots.is_some() {
        for n in STUDY_SHOTS {
            csv.push_str(&format!(
                ",mitigated_{n},std_error_{n},variance_amplification_{n}"
            ));
        }
    }
    csv.push('\n');
    for r in &rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{:.10},{:.10},{:.10},{:.10},{:.3e},{:.3},{}",
            r.n,
            if r.periodic { "periodic" } else { "open" },
            r.h,
            r.p2,
            r.method,
            r.ground,
            r.ideal,
            r.noisy,
            r.mitigated,
            r.error,
            r.reduction,
            r.circuits
        ));
        if cfg.shots.is_some() {
            if r.shots.is_empty() {
                csv.push_str(&",".repeat(3 * STUDY_SHOTS.len()));
            }
            for s in &r.shots {
                csv.push_str(&format!(
                    ",{:.10},{:.3e},{:.2}",
                    s.mitigated, s.std_error, s.variance_amplification
                ));
            }
        }
        csv.push('\n');
    }
    write_atomically(&args.out_dir.join("study.csv"), csv.as_bytes())?;
    write_atomically(
        &args.out_dir.join("study.json"),
        serde_json::to_string_pretty(&rows)?.as_bytes(),
    )?;
    plot_study(&rows, &args.out_dir.join("study.png"))?;
    plot_study(&rows, &args.out_dir.join("study.svg"))?;
    print_study_summary(&rows);
    Ok(())
}

/// Prints, per chain and field, the error of every method at p2 = 1e-2 (or the closest rate).
fn print_study_summary(rows: &[StudyRow]) {
    let mut keys: Vec<(usize, bool, f64)> = Vec::new();
    for r in rows {
        if !keys.contains(&(r.n, r.periodic, r.h)) {
            keys.push((r.n, r.periodic, r.h));
        }
    }
    for (n, periodic, h) in keys {
        let sel: Vec<&StudyRow> = rows
            .iter()
            .filter(|r| r.n == n && r.periodic == periodic && r.h == h)
            .collect();
        let p = sel
            .iter()
            .map(|r| r.p2)
            .min_by(|a, b| (a - 0.01).abs().total_cmp(&(b - 0.01).abs()))
            .unwrap_or(0.01);
        println!(
            "n={n} {} h={h} p2={p}: ground {:.6}, ideal circuit {:.6}",
            if periodic { "periodic" } else { "open" },
            sel[0].ground,
            sel[0].ideal
        );
        println!(
            "  {:<24} {:>13} {:>11} {:>10} {:>8}",
            "method", "mitigated", "error", "reduction", "circuits"
        );
        for r in sel.iter().filter(|r| r.p2 == p) {
            println!(
                "  {:<24} {:>13.6} {:>11.3e} {:>10.1} {:>8}",
                r.method, r.mitigated, r.error, r.reduction, r.circuits
            );
        }
        let at: Vec<&&StudyRow> = sel
            .iter()
            .filter(|r| r.p2 == p && !r.shots.is_empty())
            .collect();
        if let Some(noisy) = at.iter().find(|r| r.method == "noisy") {
            println!(
                "  finite shots (std_error at {} shots per circuit, variance amplification, RMSE \
                 at a total budget of 1e6 / 1e8 shots):",
                STUDY_SHOTS.map(|n| n.to_string()).join(" / ")
            );
            for r in &at {
                let se: Vec<String> = r
                    .shots
                    .iter()
                    .map(|s| format!("{:.2e}", s.std_error))
                    .collect();
                println!(
                    "  {:<24} {:>21} {:>8.1} {:>10.3e} {:>10.3e}",
                    r.method,
                    se.join(" / "),
                    r.shots.last().map_or(0.0, |s| s.variance_amplification),
                    budget_rmse(r, noisy, 1e6).unwrap_or(f64::NAN),
                    budget_rmse(r, noisy, 1e8).unwrap_or(f64::NAN)
                );
            }
        }
    }
}

/// Runs `qecd mitigate`.
pub fn run(args: MitigateArgs) -> Result<()> {
    if args.study {
        return study(&args);
    }
    check_outputs(&[
        ("--json", args.json.as_deref()),
        ("--write-circuit", args.write_circuit.as_deref()),
    ])?;
    // Every method is parsed before any simulation (or VQE) runs.
    let specs = if args.methods.is_empty() {
        vec!["zne:richardson:1,2,3:fold-global".to_string()]
    } else {
        args.methods.clone()
    };
    let methods = specs
        .into_iter()
        .map(|spec| {
            let method = parse_method(&spec, args.seed)?;
            Ok((spec, method))
        })
        .collect::<Result<Vec<(String, Method)>>>()?;
    if args.tfim.is_none() && methods.iter().any(|(_, m)| m.needs_family()) {
        bail!(PARAMETRIC_NEEDS_FAMILY);
    }
    let noise = NoiseModel::parse(&args.noise).context("--noise")?;
    let backend = parse_backend(&args.sim, args.seed)?;
    let shots = args.shots.as_deref().map(str::parse::<Shots>).transpose()?;
    let mut hva = None;
    let (circuit, observable): (Option<Circuit>, PauliSum) = match (&args.circuit, &args.tfim) {
        (Some(path), None) => {
            let c = read_qasm_file(path)?;
            let obs = args
                .observable
                .as_deref()
                .context("--observable is required with --circuit")
                .and_then(parse_observable)?;
            (Some(c), obs)
        }
        (None, Some(spec)) => {
            let (m, extra) = Tfim::parse(spec).context("--tfim")?;
            let mut layers = 2;
            for (k, v) in extra {
                match k.as_str() {
                    "layers" | "p" => {
                        layers = v.parse().with_context(|| format!("--tfim: expected a whole number of layers, found '{v}'"))?
                    }
                    _ => bail!("--tfim '{spec}': unknown key '{k}' (expected n, J, h, layers, periodic/open)"),
                }
            }
            hva = Some(Hva { model: m, layers });
            let obs = match &args.observable {
                Some(o) => parse_observable(o)?,
                None => m.hamiltonian(),
            };
            (None, obs)
        }
        _ => {
            bail!("give exactly one of --circuit FILE.qasm, --tfim n=..,h=..,layers=.., or --study")
        }
    };
    let exec = Executor::new(observable, noise, backend)?;
    let exec = match shots {
        Some(s) => exec.with_shots(s)?,
        None => exec,
    };
    let (circuit, theta) = match (circuit, &hva) {
        (Some(c), _) => (c, None),
        (None, Some(h)) => {
            let t = match &args.theta {
                Some(t) => t.clone(),
                None => {
                    let objective = match args.vqe.as_str() {
                        "ideal" => Objective::Ideal,
                        "noisy" => Objective::Noisy,
                        "zne" => Objective::Mitigated(Zne {
                            scales: vec![1.0, 2.0, 3.0],
                            folding: Folding::Global,
                            extrapolation: Extrapolation::Richardson,
                        }),
                        o => bail!("--vqe '{o}': expected ideal, noisy or zne"),
                    };
                    let r = optimize(h, &exec, &objective, &[], 4000)?;
                    eprintln!(
                        "VQE ({}): {} evaluations, objective {:.8}",
                        args.vqe, r.evaluations, r.energy
                    );
                    r.theta
                }
            };
            (h.circuit(&t)?, Some(t))
        }
        (None, None) => unreachable!("checked above"),
    };
    if let Some(path) = &args.write_circuit {
        write_atomically(path, write_qasm(&circuit).as_bytes())?;
    }
    let family = match (&hva, theta) {
        (Some(h), Some(t)) if methods.iter().any(|(_, m)| m.needs_family()) => {
            Some(match &args.train_theta {
                Some(spec) => Family {
                    hva: *h,
                    theta: t,
                    training: parse_train_theta(spec, h.num_params())?,
                },
                None => Family::train_at_fields(*h, t, &args.train_fields)?,
            })
        }
        (Some(h), Some(t)) => Some(Family {
            hva: *h,
            theta: t,
            training: Vec::new(),
        }),
        _ => None,
    };
    let problem = Problem {
        circuit,
        ground: hva.and_then(|h| h.model.ground_energy().ok()),
        family,
    };
    let report = qecd::mitigate::report::run(&problem, &exec, &methods, &args.noise, args.timing)?;
    print!("{}", report.table());
    if let Some(t) = &report.timing {
        eprintln!(
            "timing over {} repetitions: noisy run {:.3e} s (median)",
            t.repetitions, t.noisy_run_median_s
        );
        for (m, s) in &t.method_median_s {
            eprintln!("  {m}: {s:.3e} s (median)");
        }
    }
    if let Some(path) = &args.json {
        write_atomically(path, serde_json::to_string_pretty(&report)?.as_bytes())?;
    }
    Ok(())
}

/// Parses `--train-theta g1,b1,..;g1,b1,..` for an ansatz of `num_params` angles.
fn parse_train_theta(spec: &str, num_params: usize) -> Result<Vec<Vec<f64>>> {
    spec.split(';')
        .enumerate()
        .map(|(i, point)| {
            let t = point
                .split(',')
                .map(|x| {
                    x.trim().parse::<f64>().with_context(|| {
                        format!(
                            "--train-theta point {}: expected a number, found '{x}'",
                            i + 1
                        )
                    })
                })
                .collect::<Result<Vec<f64>>>()?;
            if t.len() != num_params {
                bail!(
                    "--train-theta point {}: the ansatz takes {num_params} angles, found {}",
                    i + 1,
                    t.len()
                );
            }
            Ok(t)
        })
        .collect()
}
