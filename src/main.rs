//! The `pgstate` binary: the command line is in `cli`.

/// mimalloc: parsing allocates millions of small strings and AST nodes on
/// several threads, where glibc's allocator was a third of the time. Built
/// without transparent huge pages (Cargo.toml says why).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
