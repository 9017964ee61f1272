//! The `qecd` command line: parse with clap, then hand over to the modules in `src/cli/`.
//! Commands that train or run a network are handed over to `qecd-neural` (see
//! `src/bin/qecd-neural/`), so this executable never links libtorch.

mod cli;

fn main() {
    cli::main(None);
}
