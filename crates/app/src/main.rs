use std::process::ExitCode;

fn main() -> ExitCode {
    axis_app::cli::main()
}
