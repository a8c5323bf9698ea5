//! The `strata` binary: installs the crypto provider and runs the CLI.

fn main() -> std::process::ExitCode {
    strata::probe::install_crypto_provider();
    strata::cli::main()
}
