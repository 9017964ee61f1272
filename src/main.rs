//! The `qecd` command line: parse with clap, then hand over to `qecd::cli`-style modules in
//! `src/cli/`.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    if let Err(e) = cli::run(args) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
