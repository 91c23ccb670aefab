//! Self-test of the integration-test harness (tests/support): a real
//! PostgreSQL is started, two databases get the same schema spelled in two
//! ways, and the independent catalog judge must call them equal, then unequal
//! after a change. Also checks that clusters are cleaned up after a panic and
//! after the process exits without running `Drop`.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{assert_same_catalog, snapshot, snapshot_lines, PgCluster};

/// Spelling A: serial, `int`, inline constraints, unqualified names.
const SCHEMA_A: &str = r#"
CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');
CREATE TABLE author (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL
);
CREATE TABLE book (
    id serial PRIMARY KEY,
    author_id int NOT NULL REFERENCES author (id),
    status varchar(20) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    feeling mood,
    title text COLLATE "C"
);
CREATE INDEX book_author_idx ON book (author_id);
COMMENT ON TABLE book IS 'Books we know';
COMMENT ON COLUMN book.title IS 'The title';
"#;

/// Spelling B: same schema, other column order, `integer`/`character varying`,
/// explicit sequences, table constraints, qualified names.
const SCHEMA_B: &str = r#"
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
ALTER TYPE public.mood ADD VALUE 'meh';
CREATE SEQUENCE public.author_id_seq AS integer;
CREATE TABLE public.author (
    name character varying(100) NOT NULL,
    id integer NOT NULL DEFAULT nextval('public.author_id_seq'::regclass),
    CONSTRAINT author_pkey PRIMARY KEY (id)
);
ALTER SEQUENCE public.author_id_seq OWNED BY public.author.id;
CREATE TABLE public.book (
    title pg_catalog.text COLLATE pg_catalog."C",
    feeling public.mood,
    status character varying(20) DEFAULT 'draft'::character varying NOT NULL,
    author_id integer NOT NULL,
    id integer NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (author_id) REFERENCES public.author,
    -- (pg_dump's spelling of this CHECK does NOT re-parse to the same tree)
    check (STATUS in ( 'draft','published' ))
);
CREATE SEQUENCE public.book_id_seq AS integer OWNED BY public.book.id;
ALTER TABLE public.book ALTER COLUMN id SET DEFAULT nextval('public.book_id_seq');
CREATE INDEX book_author_idx ON public.book USING btree (author_id);
COMMENT ON COLUMN public.book.title IS 'The title';
COMMENT ON TABLE public.book IS 'Books we know';
"#;

#[test]
fn same_schema_two_spellings_then_a_difference() {
    let pg = PgCluster::start();
    assert!(pg.version_num() >= 100000, "version_num {}", pg.version_num());
    assert!(pg.port() > 0);
    assert!(pg.host().is_dir());
    assert!(pg.bin_dir().join("initdb").is_file());

    let a = pg.create_db("smoke_a");
    let b = pg.create_db("smoke_b");
    assert_eq!(a.url(), format!("postgres://postgres@127.0.0.1:{}/smoke_a", pg.port()));
    assert_eq!(a.psql("SELECT current_database(), current_user").unwrap(), "smoke_a|postgres");

    a.psql(SCHEMA_A).unwrap();
    let file = pg.host().join("schema_b.sql");
    std::fs::write(&file, SCHEMA_B).unwrap();
    b.psql_file(&file).unwrap();

    let snap = snapshot(&a);
    for expected in [
        "schema public",
        "extension plpgsql",
        "table public.book persistence=p kind=r",
        "column public.author.id type=integer notnull=true \
         default=nextval('public.author_id_seq'::regclass) identity= generated= collation=",
        "column public.book.author_id type=integer notnull=true default= identity= generated= collation=",
        "column public.book.status type=character varying(20) notnull=true \
         default='draft'::character varying identity= generated= collation=",
        "column public.book.feeling type=public.mood notnull=false default= identity= generated= collation=",
        "column public.book.title type=text notnull=false default= identity= generated= collation=C",
        "constraint public.book book_pkey PRIMARY KEY (id)",
        "constraint public.book book_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.author(id)",
        "constraint public.book book_status_check CHECK (((status)::text = ANY \
         ((ARRAY['draft'::character varying, 'published'::character varying])::text[])))",
        "index public.book_author_idx CREATE INDEX book_author_idx ON public.book USING btree (author_id)",
        "sequence public.author_id_seq type=integer start=1 increment=1 min=1 max=2147483647 \
         cache=1 cycle=false owned_by=public.author.id",
        "enum public.mood 'happy', 'sad', 'meh'",
        "comment table public.book Books we know",
        "comment table column public.book.title The title",
    ] {
        assert!(snap.lines().any(|l| l == expected), "snapshot lacks line\n  {expected}\nsnapshot:\n{snap}");
    }
    // Indexes that back constraints are described by the constraint only.
    assert!(!snap.contains("index public.book_pkey"), "{snap}");
    // Sorted, one fact per line.
    let lines = snapshot_lines(&a);
    assert!(lines.windows(2).all(|w| w[0] <= w[1]));

    assert_same_catalog(&a, &b);

    // Now make them differ: the judge must notice and say where.
    b.psql("ALTER TABLE book ADD COLUMN pages int").unwrap();
    let err = std::panic::catch_unwind(|| assert_same_catalog(&a, &b))
        .expect_err("catalogs with an extra column must differ");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("+ column public.book.pages type=integer notnull=false"), "unexpected diff message:\n{msg}");
    assert!(!msg.contains("\n- "), "nothing is only in a:\n{msg}");

    // A changed comment and a changed enum order are differences too.
    a.psql("ALTER TABLE book ADD COLUMN pages integer").unwrap();
    assert_same_catalog(&a, &b);
    a.psql("COMMENT ON TABLE book IS 'Other'").unwrap();
    assert_ne!(snapshot(&a), snapshot(&b));
}

#[test]
fn errors_and_escaping() {
    let pg = PgCluster::start();
    let db = pg.create_db("errs");
    let err = db.psql("SELECT 1; SELECT * FROM no_such_table; SELECT 2").unwrap_err();
    assert!(err.contains("no_such_table"), "{err}");
    // Multi-line values stay on one line.
    db.psql("CREATE TABLE t (x int); COMMENT ON TABLE t IS E'two\\nlines'").unwrap();
    assert!(snapshot(&db).lines().any(|l| l == r"comment table public.t two\nlines"));
    // Objects that belong to an extension are not described (when contrib is there).
    let has_citext = db.psql("SELECT count(*) FROM pg_available_extensions WHERE name = 'citext'").unwrap() == "1";
    if has_citext {
        let before = snapshot_lines(&db);
        db.psql("CREATE EXTENSION citext").unwrap();
        let mut after = snapshot_lines(&db);
        after.retain(|l| l != "extension citext");
        assert_eq!(before, after, "extension members leaked into the snapshot");
    }
}

#[test]
#[should_panic(expected = "must match [a-z0-9_]+")]
fn bad_database_name_is_refused() {
    let pg = PgCluster::start();
    pg.create_db("Robert'); DROP TABLE students;--");
}

/// `Drop` runs while a panic unwinds: server stopped, directory gone.
#[test]
fn cluster_is_cleaned_up_after_a_panic() {
    let (tx, rx) = std::sync::mpsc::channel();
    let result = std::panic::catch_unwind(move || {
        let pg = PgCluster::start();
        tx.send((pg.host().to_path_buf(), pg.postmaster_pid().unwrap())).unwrap();
        panic!("deliberate panic with a running cluster");
    });
    assert!(result.is_err());
    let (dir, pid) = rx.recv().unwrap();
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(!process_alive(pid), "postmaster {pid} still running");
}

const LEAK_ENV: &str = "PGSTATE_HARNESS_LEAK_CHILD";

/// Helper run as a child process by `watchdog_cleans_up_when_process_exits`:
/// starts a cluster and exits without running `Drop`. A no-op otherwise.
#[test]
fn watchdog_child_leaks_cluster() {
    if std::env::var_os(LEAK_ENV).is_none() {
        return;
    }
    let pg = PgCluster::start();
    println!("LEAKED dir={} pid={}", pg.host().display(), pg.postmaster_pid().unwrap());
    std::process::exit(0);
}

/// A cluster whose `Drop` never runs (static, process::exit, killed test
/// binary) is still stopped and removed by its watchdog.
#[test]
fn watchdog_cleans_up_when_process_exits() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["watchdog_child_leaks_cluster", "--exact", "--nocapture", "--test-threads=1"])
        .env(LEAK_ENV, "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find_map(|l| l.split_once("LEAKED ").map(|(_, rest)| rest)).unwrap_or_else(|| {
        panic!("child printed no LEAKED line\nstdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let (dir, pid) = line.split_once(" pid=").unwrap();
    let dir = Path::new(dir.strip_prefix("dir=").unwrap());
    let pid: u32 = pid.trim().parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while (dir.exists() || process_alive(pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(!process_alive(pid), "postmaster {pid} still running");
}

#[test]
fn shared_cluster_and_fresh_dbs() {
    let pg = PgCluster::shared();
    let x = pg.fresh_db("shared");
    let y = pg.fresh_db("shared");
    assert_ne!(x.name, y.name);
    x.psql("CREATE TABLE only_in_x (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10))").unwrap();
    let snap = snapshot(&x);
    assert!(snap.contains("identity_sequence public.only_in_x.id type=bigint start=10"), "{snap}");
    // The identity column's own sequence is not listed as a sequence.
    assert!(!snap.contains("\nsequence "), "{snap}");
    assert!(!snapshot(&y).contains("only_in_x"));
}

/// Alive and not a zombie (a reaped-late postmaster may linger as one).
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(status) => !status.lines().any(|l| l.starts_with("State:") && l.contains('Z')),
        Err(_) => false,
    }
}
