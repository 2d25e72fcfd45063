//! `stockroom`: see `stockroom --help`.

fn main() -> std::process::ExitCode {
    api::cli::main()
}
