//! The command line itself: completions, apply refusing to go on without a
//! terminal or `--yes`, errors as JSON under `--format json`, and the
//! messages a new user trips on.

use std::process::{Command, Output, Stdio};

fn pgstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .expect("pgstate runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [("bash", "_pgstate()"), ("zsh", "#compdef pgstate"), ("fish", "complete -c pgstate")] {
        let out = pgstate(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("baseline") && script.contains("stamp"), "{shell} knows every command");
    }
    assert_eq!(pgstate(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn apply_without_yes_and_without_a_terminal_refuses() {
    // Nothing is read: the refusal comes before any file or connection.
    let out = pgstate(&["apply", "--url", "postgres://u@127.0.0.1:1/db", "--schema", "/nonexistent"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("stdin is not a terminal") && err.contains("--yes"), "{err}");
}

#[test]
fn errors_are_json_when_json_was_asked_for() {
    let out = pgstate(&["plan", "--url", "mysql://root:pw@h/db", "--schema", "schema", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let message = value["error"].as_str().expect("an error message");
    assert!(message.contains("mysql://") && message.contains("postgres://"), "{message}");
    assert!(!text(&out.stdout).contains(":pw@"), "no password");

    let out =
        pgstate(&["drift", "--url", "postgres://u@127.0.0.1:1/db", "--schema", "/nonexistent", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert!(value["error"].is_string(), "{value}");

    // Text otherwise, on stderr.
    let out = pgstate(&["plan", "--url", "mysql://root@h/db", "--schema", "schema"]);
    assert!(out.stdout.is_empty() && text(&out.stderr).contains("mysql://"));
}

#[test]
fn an_error_in_the_files_comes_before_a_database_that_cannot_be_reached() {
    // plan --url parses the files while it connects: the file's error is still the one told.
    let dir = std::env::temp_dir().join(format!("pgstate-cli-{}-broken", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let schema = dir.join("broken.sql");
    std::fs::write(&schema, "CREATE TABLE ok (id int);\nCREATE TABLE broken (id int,, name text);\n").expect("write");
    let schema = schema.to_string_lossy();
    for url in ["postgres://u@127.0.0.1:1/db", "mysql://root@h/db"] {
        let out = pgstate(&["plan", "--url", url, "--schema", &schema]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = text(&out.stderr);
        assert!(err.contains("broken.sql") && err.contains("2:"), "{url}: the file and line: {err}");
        assert!(!err.contains("127.0.0.1") && !err.contains("mysql"), "{url}: not the connection: {err}");
    }
    // A good file: the connection's error.
    let good = dir.join("good.sql");
    std::fs::write(&good, "CREATE TABLE ok (id int);\n").expect("write");
    let out = pgstate(&["plan", "--url", "postgres://u@127.0.0.1:1/db", "--schema", &good.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("127.0.0.1"), "{}", text(&out.stderr));
}

#[test]
fn a_mistyped_url_says_what_is_wrong() {
    let out = pgstate(&["export", "--url", "postgress//u@h/db"]);
    assert!(text(&out.stderr).contains("neither a postgres:// URL nor key=value pairs"), "{}", text(&out.stderr));
}

#[test]
fn history_and_heads_without_migrations_say_so() {
    let dir = std::env::temp_dir().join(format!("pgstate-cli-{}-nomigrations", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for command in ["history", "heads"] {
        let out = Command::new(env!("CARGO_BIN_EXE_pgstate")).arg(command).current_dir(&dir).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(text(&out.stderr).contains("no revision directory migrations"), "{command}: {}", text(&out.stderr));
    }
}

#[test]
fn a_reader_that_stops_early_ends_a_plan_quietly() {
    // `pgstate plan | head`: Rust ignores SIGPIPE, so a plain print panicked.
    // The plan is larger than a pipe's buffer, so the write fails however
    // late the reader goes.
    let dir = std::env::temp_dir().join(format!("pgstate-cli-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let schema = dir.join("schema.sql");
    let tables: String = (0..600)
        .map(|i| format!("CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL, note varchar(200));\n"))
        .collect();
    std::fs::write(&schema, tables).expect("write the schema");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(["plan", "--parser-only", "--from", "/dev/null", "--schema"])
        .arg(&schema)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgstate runs");
    // The reader is gone before the plan (dozens of tables to parse first) is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("pgstate ends");
    let _ = std::fs::remove_dir_all(&dir);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
