//! One module per subcommand. Each holds argument parsing glue and output formatting only; the
//! work is done by the library.

mod bench;
mod common;
mod count_mistakes;
mod mitigate;
pub mod model;
mod neural_args;
mod predict;
mod progress;
mod sample;
mod threshold;
pub mod train;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// qecd: quantum-error-correction decoding engine. Toric-code simulation, exact minimum-weight
/// perfect matching on Stim detector error models, an equivariant neural decoder, and error
/// mitigation for variational circuits.
#[derive(Parser, Debug)]
#[command(name = "qecd", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Sample toric-code shots (detection events, logical classes, errors) to Stim-compatible
    /// 01/b8 files, and optionally the matching detector error model.
    Sample(sample::SampleArgs),
    /// Decode detection events into predicted observable flips (flags as `pymatching predict`).
    Predict(predict::PredictArgs),
    /// Decode and count the shots whose predicted observable flips are wrong (flags as
    /// `pymatching count_mistakes`).
    #[command(name = "count-mistakes", alias = "count_mistakes")]
    CountMistakes(count_mistakes::CountMistakesArgs),
    /// Decoding throughput (shots per second, microseconds per shot) per thread count.
    Bench(bench::BenchArgs),
    /// Threshold sweep: logical error rates over distances and p, sinter CSV, Wilson
    /// intervals, finite-size-scaling fit, plot.
    Threshold(threshold::ThresholdArgs),
    /// Error mitigation (ZNE, CDR, vnCDR, parametric) for noisy circuits and the TFIM ansatz.
    Mitigate(mitigate::MitigateArgs),
    /// Train an equivariant neural decoder (END) for the toric code (feature `neural`).
    Train(Box<train::TrainArgs>),
}

/// Parses the process's arguments (exits with clap's message on an error). Every option of
/// every subcommand accepts a value that looks like a negative number (`--p -0.1`), so that
/// the option's own range check reports it instead of clap's "unexpected argument '-0'".
pub fn parse_args() -> Cli {
    let command = Cli::command().mut_subcommands(|sub| {
        sub.mut_args(|a| {
            let takes_values = a.get_action().takes_values();
            a.allow_negative_numbers(takes_values)
        })
    });
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut Cli::command()).exit())
}

impl Command {
    /// Whether the command runs a neural network (trains one, or decodes with `neural`).
    fn needs_neural(&self) -> bool {
        let neural = |d: &str| d == "neural";
        match self {
            Command::Train(_) => true,
            Command::Predict(a) => neural(&a.decoder.decoder),
            Command::CountMistakes(a) => neural(&a.decoder.decoder),
            Command::Bench(a) => a.decoder.iter().any(|d| neural(d)),
            Command::Threshold(a) => a.decoder.iter().any(|d| neural(d)),
            Command::Sample(_) | Command::Mitigate(_) => false,
        }
    }
}

/// `qecd train` where the executable has it (`qecd-neural`); `None` in `qecd`.
pub type TrainFn = fn(train::TrainArgs) -> anyhow::Result<()>;

/// Parses the command line and runs it; on failure prints the error and exits with status 1.
///
/// `qecd` passes `train: None`: it links no libtorch, and hands every command that runs a
/// network over to the `qecd-neural` executable beside it. `qecd-neural` passes its `qecd
/// train` and runs everything in process (it installs the neural backend first).
pub fn main(train: Option<TrainFn>) {
    // Ctrl-C, SIGTERM and SIGHUP remove the temporary files of unfinished outputs and exit
    // with 128 + the signal number.
    #[cfg(unix)]
    if let Err(e) = qecd::io::pending::remove_pending_on_signals() {
        eprintln!("warning: cannot install the signal handler: {e}");
    }
    let args = parse_args();
    if train.is_none() && args.command.needs_neural() {
        hand_over();
    }
    if let Err(e) = run(args, train) {
        if reader_went_away(&e) {
            // As a process killed by SIGPIPE (`qecd sample --out - | head`): no message.
            std::process::exit(BROKEN_PIPE_STATUS);
        }
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// Exit status when the reader of an output closed it early: 128 + SIGPIPE, what a shell
/// reports for a tool that SIGPIPE killed.
pub const BROKEN_PIPE_STATUS: i32 = 141;

/// Whether `e` comes from writing to a pipe (or FIFO) whose reader has closed it.
fn reader_went_away(e: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(broken)
            || matches!(
                cause.downcast_ref::<qecd::io::ShotIoError>(),
                Some(qecd::io::ShotIoError::Io { err, .. }) if broken(err)
            )
    })
}

/// Replaces this process with `qecd-neural` (same arguments) when it sits beside this
/// executable; returns when it does not.
fn hand_over() {
    let Some(exe) = std::env::current_exe()
        .ok()
        .map(|p| p.with_file_name("qecd-neural"))
        .filter(|p| p.is_file())
    else {
        return;
    };
    use std::os::unix::process::CommandExt;
    let err = std::process::Command::new(&exe)
        .args(std::env::args_os().skip(1))
        .exec();
    eprintln!("error: cannot start {}: {err}", exe.display());
    std::process::exit(1);
}

/// Runs one parsed command line; `train` is `qecd train` where this executable has it.
pub fn run(cli: Cli, train: Option<TrainFn>) -> anyhow::Result<()> {
    match cli.command {
        Command::Sample(a) => sample::run(a),
        Command::Predict(a) => predict::run(a),
        Command::CountMistakes(a) => count_mistakes::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Threshold(a) => threshold::run(a),
        Command::Mitigate(args) => mitigate::run(args),
        Command::Train(args) => match train {
            Some(train) => train(*args),
            None => anyhow::bail!(
                "`qecd train` needs the neural build: `cargo build --release --features neural` \
                 makes `qecd-neural`, which `qecd` hands neural commands to"
            ),
        },
    }
}
