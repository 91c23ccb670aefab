//! Guards on what pgstate writes and runs: Alembic revisions are valid Python
//! whose strings mean exactly the SQL, revision ids cannot leave `migrations/`
//! or corrupt a header, `downgrade` refuses data loss unless allowed, and a
//! desired state that reads as empty by accident is refused.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::catalog::snapshot_lines;
use support::pg::PgCluster;
use support::run::{pgstate_in, text};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Runs pgstate in `dir` (where `migrations/` and `schema/` are looked for).
fn ok(out: Output) -> String {
    assert!(out.status.success(), "pgstate failed: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// A fresh, empty scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-guards-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// A scratch project with copies of schema/ and migrations/.
fn project(name: &str) -> PathBuf {
    project_at(scratch(name))
}

/// Like `project`, in the directory `dir` (made if missing).
fn project_at(dir: PathBuf) -> PathBuf {
    for sub in ["schema", "migrations"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
        for e in std::fs::read_dir(repo(sub)).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_file() {
                std::fs::copy(&p, dir.join(sub).join(p.file_name().expect("name"))).expect("copy");
            }
        }
    }
    dir
}

/// Reads a generated Alembic file with Python itself: `ast.parse` must accept
/// it, and the argument of every `_sql(...)` (what `op.execute` runs) is
/// evaluated with `ast.literal_eval`. Returns (docstring, revision, upgrade's SQL, downgrade's SQL).
fn python_reads(file: &Path) -> (String, String, Vec<String>, Vec<String>) {
    const SCRIPT: &str = r#"
import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
out = {"doc": ast.get_docstring(tree, clean=False), "revision": None, "upgrade": [], "downgrade": []}
for node in tree.body:
    if isinstance(node, ast.Assign) and node.targets[0].id == "revision":
        out["revision"] = ast.literal_eval(node.value)
    if isinstance(node, ast.FunctionDef):
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "execute":
                arg = call.args[0]
                assert isinstance(arg, ast.Call) and arg.func.id == "_sql", ast.dump(arg)
                out[node.name].append(ast.literal_eval(arg.args[0]))
print(json.dumps(out))
"#;
    let out = Command::new("python3").arg("-c").arg(SCRIPT).arg(file).output().expect("python3 runs");
    assert!(out.status.success(), "Python cannot read the generated file: {}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let list = |k: &str| -> Vec<String> {
        v[k].as_array().expect("list").iter().map(|s| s.as_str().expect("str").to_string()).collect()
    };
    (
        v["doc"].as_str().unwrap_or_default().to_string(),
        v["revision"].as_str().unwrap_or_default().to_string(),
        list("upgrade"),
        list("downgrade"),
    )
}

#[test]
fn alembic_statements_are_python_strings_that_mean_the_sql() {
    let up = vec![
        "ALTER TABLE public.t RENAME TO \"Name\"".to_string(),
        "COMMENT ON TABLE public.\"Name\" IS 'three \"\"\" quotes and a trailing quote \"'".to_string(),
        "SELECT E'a backslash \\\\ and \\' and \\n', '\\'".to_string(),
        "CREATE TABLE public.t (\n    id integer,\n    \"naïve ✓\" text DEFAULT 'café'\n)".to_string(),
        "COMMENT ON COLUMN public.t.id IS 'tab\there, cr\rthere, nul-free \u{7f} \u{2028} end\\'".to_string(),
        "SELECT ':name', '\\:x', '50%', '%(y)s' -- and a colon: :z".to_string(),
        "SELECT 1 -- ends in a backslash \\".to_string(),
    ];
    let down = vec!["DROP TABLE public.\"Name\"".to_string()];
    let message = "a \"\"\" message \\ with a backslash \"";
    let dir = scratch("alembic-literals");
    let file = dir.join("0001_x.py");
    let text = pgstate::revisions::alembic::render("0001", Some("parent_1"), message, "2026-01-01", &up, &down);
    std::fs::write(&file, &text).expect("write");
    let (doc, revision, got_up, got_down) = python_reads(&file);
    assert_eq!(got_up, up, "upgrade()'s strings must be exactly the SQL:\n{text}");
    assert_eq!(got_down, down, "downgrade()'s strings must be exactly the SQL:\n{text}");
    assert_eq!(revision, "0001");
    assert!(doc.starts_with(message), "the docstring keeps the message: {doc:?}");
}

#[test]
fn autogenerate_alembic_writes_valid_python_for_quoted_identifiers() {
    let dir = scratch("alembic-autogen");
    let schema = dir.join("schema.sql");
    std::fs::write(
        &schema,
        "CREATE TABLE \"Name\" (id integer);\nCREATE TABLE t (\"Col\" text DEFAULT 'x\\y', \"a\"\"\"\"\"\"b\" int);\n\
         COMMENT ON TABLE \"Name\" IS 'é \"\"\"';\n",
    )
    .expect("schema");
    let versions = dir.join("versions");
    ok(pgstate_in(
        &dir,
        &[
            "autogenerate",
            "--format",
            "alembic",
            "--alembic-dir",
            &versions.to_string_lossy(),
            "--schema",
            &schema.to_string_lossy(),
            "-m",
            "quoted",
            "--rev-id",
            "abc123",
        ],
    ));
    let file = versions.join("abc123_quoted.py");
    let (_, revision, up, down) = python_reads(&file);
    assert_eq!(revision, "abc123");
    // The strings are the plan's statements, as pgstate prints them.
    let parsed = pgstate::parse::parse_path(&schema).expect("schema parses");
    let plan = pgstate::plan::plan(&pgstate::model::Catalog::default(), &parsed.catalog, &[]).expect("plans");
    let want: Vec<String> = plan.steps.iter().flat_map(|s| s.sql.clone()).collect();
    assert_eq!(up, want);
    assert!(!down.is_empty());
}

/// Every file under `dir`, and the entries of its parent (where `../x` would land).
/// Every path under `root`, sorted.
fn listing(root: &Path) -> Vec<String> {
    fn walk(p: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
            let path = e.path();
            out.push(path.display().to_string());
            if path.is_dir() {
                walk(&path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort();
    out
}

#[test]
fn revision_ids_are_checked_before_anything_is_written() {
    // The project two levels down in a directory of this test's own, so
    // `../../evil` would land inside what `listing` sees (never in the shared /tmp).
    let root = scratch("rev-ids");
    let dir = project_at(root.join("a/project"));
    let versions = dir.join("versions");
    let before = listing(&root);
    let too_long = "a".repeat(65);
    let bad_ids = ["../../evil", "x'); DROP TABLE t; --", "two words", "", "é1", "a-b", "x\n-- parents: y", &too_long];
    for id in bad_ids {
        let runs: [Vec<&str>; 4] = [
            vec!["revision", "-m", "hand", "--rev-id", id],
            vec!["autogenerate", "-m", "auto", "--rev-id", id],
            vec!["merge", "-m", "merge", "--rev-id", id, "9ce227b568e8", "20260115220929"],
            vec!["autogenerate", "-m", "py", "--format", "alembic", "--alembic-dir", "versions", "--rev-id", id],
        ];
        for args in runs {
            let out = pgstate_in(&dir, &args);
            assert_eq!(out.status.code(), Some(2), "{args:?} must be refused: {}", text(&out.stderr));
            assert!(text(&out.stderr).contains("invalid revision id"), "{args:?}: {}", text(&out.stderr));
        }
    }
    assert_eq!(listing(&root), before, "a refused id writes nothing, inside migrations/ or outside");
    assert!(!versions.exists());
    // Real ids pass: Alembic's hex, the seed's words, 64 characters.
    for id in ["1a2b3c4d5e6f", "20260301_Hand_Written", &"b".repeat(64)] {
        ok(pgstate_in(&dir, &["revision", "-m", "hand", "--rev-id", id]));
    }
    assert_eq!(ok(pgstate_in(&dir, &["history"])).lines().count(), 7, "three revisions on the seed's four");
}

#[test]
fn a_revision_file_with_a_bad_parent_id_is_refused_by_name() {
    let dir = project("bad-parent");
    let file = dir.join("migrations/aaaa_bad.sql");
    for parents in ["../x", "x'); DROP TABLE t; --", "20260120_plugin_marketplace a.b"] {
        std::fs::write(&file, format!("-- pgstate revision: aaaa\n-- parents: {parents}\n-- message: bad\n\n-- +up\n"))
            .expect("write");
        let out = pgstate_in(&dir, &["history"]);
        assert_eq!(out.status.code(), Some(2), "parents {parents:?}: {}", text(&out.stdout));
        let err = text(&out.stderr);
        assert!(err.contains("aaaa_bad.sql") && err.contains("not a revision id"), "parents {parents:?}: {err}");
    }
    std::fs::write(&file, "-- pgstate revision: a/b\n-- parents:\n-- message: bad\n\n-- +up\n").expect("write");
    let err = text(&pgstate_in(&dir, &["history"]).stderr);
    assert!(err.contains("aaaa_bad.sql") && err.contains("\"a/b\" is not a revision id"), "{err}");
}

/// Adds a hand-written revision on top of the chain's head and rehashes.
fn add_revision(dir: &Path, id: &str, up: &str, down: &str) {
    let out = ok(pgstate_in(dir, &["heads"]));
    let head = out.split_whitespace().next().expect("a head").to_string();
    let r = pgstate::revisions::Revision {
        id: id.into(),
        parents: vec![head],
        message: id.into(),
        created: "2026-03-01T00:00:00Z".into(),
        up: up.into(),
        down: down.into(),
        path: PathBuf::new(),
    };
    std::fs::write(dir.join(format!("migrations/{id}.sql")), r.render()).expect("write");
    ok(pgstate_in(dir, &["hash"]));
}

#[test]
fn downgrade_refuses_data_loss_unless_allowed() {
    let cluster = PgCluster::shared();
    let dir = project("downgrade");
    let db = cluster.fresh_db("downgrade");
    let url = db.url();
    ok(pgstate_in(&dir, &["upgrade", "--url", &url]));
    let before = snapshot_lines(&db);
    for target in ["base", "-1", "9ce227b568e8"] {
        let out = pgstate_in(&dir, &["downgrade", target, "--url", &url]);
        assert_eq!(out.status.code(), Some(2), "downgrade {target} must be refused: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("loses data")
                && err.contains("20260120_plugin_marketplace: ")
                && err.contains("public.credits"),
            "downgrade {target} names the revisions and objects: {err}"
        );
        assert!(err.contains("--allow-destructive"), "{err}");
        assert_eq!(snapshot_lines(&db), before, "a refused downgrade {target} changes nothing");
    }
    assert!(ok(pgstate_in(&dir, &["current", "--url", &url])).starts_with("20260120_plugin_marketplace"));

    // Renaming back, dropping an index: no data lost, no flag needed.
    add_revision(
        &dir,
        "rename_col",
        "ALTER TABLE public.tools RENAME COLUMN description TO summary;\nCREATE INDEX tools_cat ON public.tools (category);\n",
        "DROP INDEX public.tools_cat;\nALTER TABLE public.tools RENAME COLUMN summary TO description;\n",
    );
    ok(pgstate_in(&dir, &["upgrade", "--url", &url]));
    ok(pgstate_in(&dir, &["downgrade", "-1", "--url", &url]));
    assert_eq!(snapshot_lines(&db), before);

    // The model cannot see a DELETE: the authors' hazard comment counts.
    std::fs::remove_file(dir.join("migrations/rename_col.sql")).expect("rm");
    add_revision(
        &dir,
        "seed_rows",
        "INSERT INTO public.tools (id, name) VALUES ('seeded', 'Seeded');\n",
        "-- hazard: data loss: deletes the seeded tools and whatever refers to them\nDELETE FROM public.tools WHERE id = 'seeded';\n",
    );
    ok(pgstate_in(&dir, &["upgrade", "--url", &url]));
    let out = pgstate_in(&dir, &["downgrade", "-1", "--url", &url]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("seed_rows: deletes the seeded tools"), "{}", text(&out.stderr));
    assert_eq!(db.psql("SELECT count(*) FROM tools WHERE id = 'seeded'").expect("count"), "1");

    ok(pgstate_in(&dir, &["downgrade", "base", "--url", &url, "--allow-destructive"]));
    assert_eq!(
        db.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'pgstate_revision'")
            .expect("count"),
        "0"
    );
}

#[test]
fn a_schema_directory_without_schema_files_is_not_an_empty_schema() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("nothing");
    db.psql("CREATE TABLE keep (id int PRIMARY KEY); INSERT INTO keep VALUES (1); CREATE TYPE mood AS ENUM ('ok');")
        .expect("tables");
    let url = db.url();
    let before = snapshot_lines(&db);
    let dir = scratch("nothing");
    let schema = dir.join("schema");
    std::fs::create_dir_all(schema.join("sub")).expect("mkdir");
    std::fs::write(schema.join("tables.SQL"), "CREATE TABLE keep (id int PRIMARY KEY);").expect("write");
    std::fs::write(schema.join("sub/more.psql"), "CREATE TYPE mood AS ENUM ('ok');").expect("write");
    let s = schema.to_string_lossy().into_owned();
    for args in [
        vec!["plan", "--url", &url, "--schema", &s],
        vec!["apply", "--url", &url, "--schema", &s, "--yes", "--allow-destructive"],
        vec!["drift", "--url", &url, "--schema", &s],
    ] {
        let out = pgstate_in(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
        assert!(out.stdout.is_empty(), "{args:?} prints no plan: {}", text(&out.stdout));
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("{s} holds no .sql or .toml file"))
                && err.contains("tables.SQL")
                && err.contains("more.psql")
                && err.contains("public.keep"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(snapshot_lines(&db), before, "nothing was dropped");
    // Offline, the revision chain's head holds the seed's tables.
    let project = project("nothing-chain");
    std::fs::remove_dir_all(project.join("schema")).expect("rm");
    std::fs::create_dir_all(project.join("schema")).expect("mkdir");
    for args in [vec!["drift"], vec!["autogenerate", "-m", "oops"]] {
        let out = pgstate_in(&project, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("revision chain's head holds"), "{args:?}: {}", text(&out.stderr));
    }
    assert_eq!(std::fs::read_dir(project.join("migrations")).expect("ls").count(), 5, "no revision written");

    // An empty file says "empty" on purpose: the plan drops what is there.
    let empty = dir.join("empty.sql");
    std::fs::write(&empty, "").expect("write");
    for path in [empty.to_string_lossy().into_owned(), "/dev/null".to_string()] {
        let out = ok(pgstate_in(&dir, &["plan", "--url", &url, "--schema", &path]));
        assert!(out.contains("DROP TABLE public.keep") && out.contains("DROP TYPE public.mood"), "{out}");
    }
    std::fs::write(schema.join("empty.sql"), "").expect("write");
    let out = ok(pgstate_in(&dir, &["plan", "--url", &url, "--schema", &s]));
    assert!(out.contains("DROP TABLE public.keep"), "an empty .sql file in the directory: {out}");
    // Against a database with nothing to drop, a directory without files plans nothing.
    let bare = cluster.fresh_db("nothing_bare");
    std::fs::remove_file(schema.join("empty.sql")).expect("rm");
    assert_eq!(ok(pgstate_in(&dir, &["plan", "--url", &bare.url(), "--schema", &s])), "");
}
