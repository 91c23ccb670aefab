//! Invalid schemas: every problem reported together, each with file, line and
//! column; the CLI exits with code 2 and changes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn invalid_cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/invalid exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "expected the invalid fixtures, found {}", cases.len());
    cases
}

#[test]
fn each_invalid_fixture_gives_its_diagnostics() {
    for case in invalid_cases() {
        let file_name = case.file_name().and_then(|n| n.to_str()).expect("utf-8 name");
        let text = std::fs::read_to_string(&case).expect("readable");
        let expected = std::fs::read_to_string(case.with_extension("expected")).expect(".expected beside each case");
        let errors = match pgstate::parse::parse_str(file_name, &text) {
            Ok(_) => panic!("{file_name} parsed without error"),
            Err(e) => e,
        };
        assert_eq!(errors.summary(), expected, "{file_name}");
    }
}

#[test]
fn the_cli_exits_2_and_points_at_the_file() {
    for case in invalid_cases() {
        let out = Command::new(env!("CARGO_BIN_EXE_pgstate"))
            .args(["check", "--schema"])
            .arg(&case)
            .output()
            .expect("pgstate runs");
        assert_eq!(out.status.code(), Some(2), "{}", case.display());
        assert!(out.stdout.is_empty(), "nothing on stdout for {}", case.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected = std::fs::read_to_string(case.with_extension("expected")).expect("expected file");
        for line in expected.lines() {
            // `name.sql:3:5: message`: the report shows the path as given, with line and column.
            let parts: Vec<&str> = line.splitn(4, ':').collect();
            let want = format!("{}:{}:{}", case.display(), parts[1], parts[2]);
            assert!(stderr.contains(&want), "{}: stderr lacks {want}:\n{stderr}", case.display());
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn plan_with_a_broken_schema_prints_no_sql() {
    let empty = std::env::temp_dir().join(format!("pgstate-empty-{}.sql", std::process::id()));
    std::fs::write(&empty, "").expect("write");
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid/syntax_error.sql");
    let out = Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(["plan", "--schema"])
        .arg(&broken)
        .arg("--from")
        .arg(&empty)
        .output()
        .expect("pgstate runs");
    let _ = std::fs::remove_file(&empty);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn pg_dump_session_noise_is_accepted() {
    let dump = "\\restrict abc\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\
        SELECT pg_catalog.set_config('search_path', '', false);\n\
        CREATE TABLE public.t (id integer NOT NULL);\nALTER TABLE public.t OWNER TO app;\n\
        ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\\unrestrict abc\n";
    let parsed = pgstate::parse::parse_str("dump.sql", dump).expect("a pg_dump file is a valid schema");
    let plain = pgstate::parse::parse_str("plain.sql", "CREATE TABLE t (id int PRIMARY KEY);").expect("valid");
    assert_eq!(parsed.catalog, plain.catalog);
}

#[test]
fn a_huge_unterminated_string_is_not_echoed_back() {
    let dir = std::env::temp_dir().join(format!("pgstate-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("huge.sql");
    let sql = format!("CREATE TABLE ok (a int);\nCREATE TABLE t (a text DEFAULT '{}\n", "x".repeat(5_000_000));
    std::fs::write(&file, sql).expect("write");
    let out =
        Command::new(env!("CARGO_BIN_EXE_pgstate")).args(["check", "--schema"]).arg(&file).output().expect("runs");
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.len() < 4_000, "{} bytes of error output", err.len());
    assert!(err.contains("Unterminated string literal") && err.contains("huge.sql"), "{err}");
}
