fn main() {
    std::process::exit(stacklog_cli::run());
}

#[path = "cli.rs"]
mod stacklog_cli;
