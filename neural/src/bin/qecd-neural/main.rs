//! `qecd-neural`: the `qecd` command line with the neural decoder in process (feature
//! `neural`, libtorch). `qecd` hands every command that trains or runs a network over to this
//! executable, so that `qecd` itself never loads libtorch and starts in milliseconds.

#[path = "../../../../src/cli/mod.rs"]
mod cli;
mod train;

fn main() {
    qecd_neural::runtime::configure();
    qecd_neural::backend::TorchBackend::install();
    cli::main(Some(train::run));
}
