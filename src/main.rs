//! The `qecd` command line: parse with clap, then hand over to `qecd::cli`-style modules in
//! `src/cli/`.

mod cli;

fn main() {
    // Ctrl-C, SIGTERM and SIGHUP remove the temporary files of unfinished outputs and exit
    // with 128 + the signal number.
    #[cfg(unix)]
    if let Err(e) = qecd::io::pending::remove_pending_on_signals() {
        eprintln!("warning: cannot install the signal handler: {e}");
    }
    let args = cli::parse_args();
    if let Err(e) = cli::run(args) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
