//! Entry point: the window by default, or a headless subcommand (`commands/`, one file each).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Loading a large run makes millions of small, short-lived allocations from several threads;
/// mimalloc serves them faster and returns memory to the system more readily than glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    };
    // A remote run's cache index is written while the run loads: let it finish.
    unisandbox_remote::cache::settle();
    for problem in unisandbox_remote::cache::take_problems() {
        eprintln!("warning: {problem}");
    }
    code
}
