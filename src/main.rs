use std::process::ExitCode;

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
