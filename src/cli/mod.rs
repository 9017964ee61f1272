//! One module per subcommand. Each holds argument parsing glue and output formatting only; the
//! work is done by the library.

mod mitigate;

use clap::{Parser, Subcommand};

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
    /// Error mitigation (ZNE, CDR, vnCDR, parametric) for noisy circuits and the TFIM ansatz.
    Mitigate(mitigate::MitigateArgs),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Mitigate(args) => mitigate::run(args),
    }
}
