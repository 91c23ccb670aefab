//! The TOML form describes the same model as SQL.

use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/toml").join(name)
}

#[test]
fn toml_and_sql_forms_give_the_same_catalog() {
    let toml = pgstate::parse::parse_path(&fixture("schema.toml")).expect("valid TOML schema");
    let sql = pgstate::parse::parse_path(&fixture("schema.sql")).expect("valid SQL schema");
    assert_eq!(toml.catalog.tables.len(), 2);
    assert_eq!(toml.catalog, sql.catalog);
}

#[test]
fn toml_rename_hints_work_like_sql_ones() {
    let from = pgstate::parse::parse_str("from.sql", "CREATE TABLE t (id int, old_name text);").expect("valid");
    let file = pgstate::parse::SourceFile::new(
        "to.toml",
        "[[table]]\nname = \"t\"\n[[table.column]]\nname = \"id\"\ntype = \"int\"\n\
         [[table.column]]\nname = \"new_name\"\ntype = \"text\"\nrenamed_from = \"old_name\"\n",
    );
    let to = pgstate::parse::parse_files(&[file]).expect("valid");
    let plan = pgstate::plan::plan(&from.catalog, &to.catalog, &to.hints).expect("plans");
    assert_eq!(plan.to_sql(), "ALTER TABLE public.t RENAME COLUMN old_name TO new_name;\n");
}

#[test]
fn bad_fragments_are_reported_in_the_toml_file() {
    let errors = match pgstate::parse::parse_path(&fixture("bad.toml")) {
        Err(pgstate::parse::LoadError::Schema(e)) => e,
        other => panic!("expected schema errors, got {other:?}"),
    };
    let summary = errors.summary();
    let path = fixture("bad.toml").display().to_string();
    assert!(summary.contains(&format!("{path}:6:10: \"integer primary\" is not a single type")), "{summary}");
    assert!(summary.contains(&format!("{path}:7:13: \"1 +\" is not a valid SQL expression")), "{summary}");
}
