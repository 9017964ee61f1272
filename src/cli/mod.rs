//! One module per subcommand. Each holds argument parsing glue and output formatting only; the
//! work is done by the library.

mod bench;
mod common;
mod count_mistakes;
mod mitigate;
mod model;
mod neural_args;
mod predict;
mod progress;
mod sample;
mod threshold;
mod train;

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

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Sample(a) => sample::run(a),
        Command::Predict(a) => predict::run(a),
        Command::CountMistakes(a) => count_mistakes::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Threshold(a) => threshold::run(a),
        Command::Mitigate(args) => mitigate::run(args),
        Command::Train(args) => train::run(*args),
    }
}
