//! One module per subcommand. Each holds argument parsing glue and output formatting only; the
//! work is done by the library.

use clap::{Parser, Subcommand};

mod train;

/// qecd: quantum-error-correction decoding engine.
#[derive(Parser, Debug)]
#[command(name = "qecd", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train an equivariant neural decoder (END) for the toric code (feature `neural`).
    Train(Box<train::TrainArgs>),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Train(args) => train::run(*args),
    }
}
