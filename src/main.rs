//! The `vcaudit` binary: all the work is in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(vcaudit::cli::main())
}
