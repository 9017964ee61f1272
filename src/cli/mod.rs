//! One module per subcommand. Each holds argument parsing glue and output formatting only; the
//! work is done by the library.

mod common;
mod progress;
mod sample;
mod train;

use clap::{Parser, Subcommand};

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
    /// Train an equivariant neural decoder (END) for the toric code (feature `neural`).
    Train(Box<train::TrainArgs>),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Sample(a) => sample::run(a),
        Command::Train(args) => train::run(*args),
    }
}
