use std::process::ExitCode;

/// The allocator is the program's choice, not the library's: see the module for why jemalloc.
#[cfg(not(target_env = "msvc"))]
mod malloc;

use clap::Parser;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!(
                "callboard: cannot start the async runtime ({err}); check the process and thread limits"
            );
            return ExitCode::FAILURE;
        }
    };
    let args = callboard::cli::args::Args::parse();
    match runtime.block_on(callboard::cli::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("callboard: {err}");
            err.exit_code()
        }
    }
}
