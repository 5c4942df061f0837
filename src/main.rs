use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    callboard::malloc::return_large_buffers_to_the_os();
    let args = callboard::cli::args::Args::parse();
    match callboard::cli::run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("callboard: {err}");
            err.exit_code()
        }
    }
}
