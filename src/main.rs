//! The `pgstate` binary: the command line is in `cli`.

/// mimalloc: parsing allocates millions of small strings and AST nodes on
/// several threads, where glibc's allocator was a third of the time. Built
/// without transparent huge pages (Cargo.toml says why).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

fn main() -> std::process::ExitCode {
    let code = cli::main();
    if code == std::process::ExitCode::SUCCESS {
        exit_now();
    }
    code
}

/// Ends a command that succeeded without the C exit handlers, once its
/// output is flushed. The only one linked in is mimalloc's, which walks and
/// purges every page still held before the kernel takes them all back at
/// once: 0.06 s after a 10,000-table plan. Nothing of pgstate's waits for
/// exit: throwaway servers and temporary files are removed by their owners'
/// `Drop` before `cli::main` returns, and Rust runs no destructors for statics.
fn exit_now() {
    use std::io::Write;
    // A failed flush takes the ordinary way out, which reports it.
    if std::io::stdout().flush().is_ok() {
        // SAFETY: `_exit` only ends the process; everything that must be
        // written is (stderr is unbuffered, stdout was just flushed).
        unsafe { libc::_exit(0) }
    }
}
