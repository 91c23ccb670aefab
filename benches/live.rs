//! Live-database benchmark: pgstate against a real PostgreSQL, side by side
//! with `pg_dump --schema-only` and migra, in one run.
//!
//! Plain `std`, no harness: `cargo bench --bench live` (or `just bench-live`,
//! which also installs migra into `target/bench-venv`).
//!
//! 1. Introspection (`pgstate::introspect::introspect`) of databases with
//!    1,000, 2,000 and 10,000 tables: median / min wall time, `Live.queries`
//!    and the statements the server actually logged.
//! 2. `plan --url` of the 2,000-table database to a desired file where about a
//!    tenth of the tables changed: the library path (parse the file +
//!    `ops::live::plan` + `to_sql`) and the CLI end to end (`target/release/pgstate`).
//! 3. References on the same databases in the same run: `pg_dump --schema-only`
//!    (each scale) and `migra --unsafe current desired` (2,000 tables; the
//!    desired state loaded into a second database).
//!
//! Env: `PGSTATE_BENCH_RUNS=N` overrides every run count; `PGSTATE_MIGRA=/path`
//! picks the migra executable (default: `migra` on `PATH`).
//!
//! A throwaway cluster comes from the test harness (`tests/support`);
//! `max_locks_per_transaction` is raised (ALTER SYSTEM + restart) because the
//! 10,000-table load runs in one transaction and pg_dump locks every table.

#[path = "../tests/support/mod.rs"]
mod support;

// The allocator the pgstate binary uses, so library figures match the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pgstate::connection::Target;
use pgstate::introspect::{introspect_over, Scope, READERS};
use pgstate::model::{Catalog, ConstraintKind};
use pgstate::parse::{parse_catalog_ddl, parse_path, parse_str};
use support::{Db, PgCluster};

#[path = "support/schema_gen.rs"]
mod schema_gen;

use schema_gen::{generate, render_schema, Flavor};

// ---------------------------------------------------------------------------
// Measurement helpers
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Stats {
    median: Duration,
    min: Duration,
    runs: usize,
    /// Median CPU time (user + sys) of the measured side, when known.
    cpu: Option<Duration>,
}

fn stats(mut times: Vec<Duration>) -> Stats {
    times.sort();
    Stats { median: times[times.len() / 2], min: times[0], runs: times.len(), cpu: None }
}

/// Wall times and CPU times of the same runs.
fn stats_cpu(times: Vec<Duration>, mut cpu: Vec<Duration>) -> Stats {
    cpu.sort();
    let mut s = stats(times);
    s.cpu = cpu.get(cpu.len() / 2).copied();
    s
}

/// (user + sys of this process, user + sys of its waited-for children), from /proc/self/stat.
fn cpu_times() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<u64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    // Fields 14..17 of proc(5): utime stime cutime cstime, in clock ticks (100 Hz on Linux).
    let tick = |n: u64| Duration::from_millis(n * 10);
    let get = |i: usize| f.get(i).copied().unwrap_or(0);
    (tick(get(11) + get(12)), tick(get(13) + get(14)))
}

fn self_cpu() -> Duration {
    cpu_times().0
}

fn children_cpu() -> Duration {
    cpu_times().1
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn cell(s: &Stats) -> String {
    format!("{} / {}", ms(s.median), ms(s.min))
}

fn cpu_cell(s: &Stats) -> String {
    s.cpu.map(ms).unwrap_or_else(|| "n/a".into())
}

fn runs(default: usize) -> usize {
    std::env::var("PGSTATE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).filter(|&r| r > 0).unwrap_or(default)
}

struct Shape {
    tables: usize,
    columns: usize,
    indexes: usize,
    pk_unique: usize,
    fks: usize,
    checks: usize,
}

fn shape(c: &Catalog) -> Shape {
    let cons = || c.tables.values().flat_map(|t| t.constraints.values());
    Shape {
        tables: c.tables.len(),
        columns: c.tables.values().map(|t| t.columns.len()).sum(),
        indexes: c.tables.values().map(|t| t.indexes.len()).sum(),
        pk_unique: cons()
            .filter(|k| matches!(k.kind, ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }))
            .count(),
        fks: cons().filter(|k| matches!(k.kind, ConstraintKind::ForeignKey(_))).count(),
        checks: cons().filter(|k| matches!(k.kind, ConstraintKind::Check { .. })).count(),
    }
}

fn current_uid_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// Sets server parameters that need a restart, then restarts the harness's
/// cluster in place (same port, same options: pg_ctl reuses postmaster.opts).
fn restart_with(cluster: &PgCluster, settings: &[(&str, &str)]) {
    let admin = cluster.db("postgres");
    for (k, v) in settings {
        admin.psql(&format!("ALTER SYSTEM SET {k} = '{v}'")).unwrap_or_else(|e| panic!("ALTER SYSTEM {k}: {e}"));
    }
    let pg_ctl = cluster.bin_dir().join("pg_ctl");
    let mut cmd = if current_uid_is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
        c
    } else {
        Command::new(&pg_ctl)
    };
    for var in ["PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGOPTIONS"] {
        cmd.env_remove(var);
    }
    let out = cmd
        .current_dir(cluster.host())
        .arg("-D")
        .arg(cluster.data_dir())
        .arg("-l")
        .arg(cluster.host().join("log"))
        .args(["-w", "-t", "120", "-m", "fast", "restart"])
        .stdin(Stdio::null())
        .output()
        .expect("running pg_ctl restart");
    assert!(
        out.status.success(),
        "pg_ctl restart failed: {}{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        cluster.log()
    );
}

fn set_statement_log(cluster: &PgCluster, on: bool) {
    let admin = cluster.db("postgres");
    let sql = if on {
        "ALTER SYSTEM SET log_min_duration_statement = 0; ALTER SYSTEM SET log_line_prefix = '%m [%p] ';\
         SELECT pg_reload_conf();"
    } else {
        "ALTER SYSTEM RESET log_min_duration_statement; ALTER SYSTEM RESET log_line_prefix; SELECT pg_reload_conf();"
    };
    admin.psql(sql).unwrap_or_else(|e| panic!("setting the statement log: {e}"));
    // The reload is asynchronous; new backends must see it.
    std::thread::sleep(Duration::from_millis(500));
}

/// What the server logged for one backend: statements run and their summed durations.
#[derive(Default)]
struct ServerLog {
    /// `execute` (extended protocol) and `statement:` (simple protocol) lines.
    statements: usize,
    /// parse + bind + execute + simple statements, as the server timed them.
    total: Duration,
    /// (duration, first line of the statement) of each execute / statement.
    each: Vec<(Duration, String)>,
}

fn read_server_log(cluster: &PgCluster, from: usize, pids: &[i32]) -> ServerLog {
    let log = cluster.log();
    let tags: Vec<String> = pids.iter().map(|pid| format!(" [{pid}] ")).collect();
    let mut out = ServerLog::default();
    for line in log.get(from..).unwrap_or("").lines().filter(|l| tags.iter().any(|t| l.contains(t))) {
        let Some(rest) = line.split("duration: ").nth(1) else {
            continue;
        };
        let Some((num, what)) = rest.split_once(" ms") else {
            continue;
        };
        let Ok(ms) = num.trim().parse::<f64>() else {
            continue;
        };
        let d = Duration::from_secs_f64(ms / 1e3);
        out.total += d;
        let what = what.trim_start();
        if what.starts_with("execute") || what.starts_with("statement:") {
            out.statements += 1;
            let text = what.split_once(": ").map(|x| x.1).unwrap_or(what);
            out.each.push((d, text.chars().take(90).collect()));
        }
    }
    out
}

/// Runs `f` on a fresh connection and `READERS` more (as the CLI opens them)
/// with every statement logged (with its duration); returns f's output, its
/// wall time and what the server logged for all of them.
fn logged<T>(
    cluster: &PgCluster,
    rt: &tokio::runtime::Runtime,
    url: &str,
    f: impl AsyncFnOnce(&tokio_postgres::Client, &[tokio_postgres::Client]) -> T,
) -> (T, Duration, ServerLog) {
    set_statement_log(cluster, true);
    let (out, wall, pids, from) = rt.block_on(async {
        let target = Target::from_arg(Some(url)).unwrap();
        let client = target.connect().await.expect("connect");
        let readers = target.connect_all(READERS).await.expect("connect");
        let mut pids = Vec::new();
        for c in std::iter::once(&client).chain(&readers) {
            pids.push(c.query_one("SELECT pg_backend_pid()", &[]).await.unwrap().get::<_, i32>(0));
        }
        let from = cluster.log().len();
        let start = Instant::now();
        let out = f(&client, &readers).await;
        (out, start.elapsed(), pids, from)
    });
    std::thread::sleep(Duration::from_millis(200));
    let log = read_server_log(cluster, from, &pids);
    set_statement_log(cluster, false);
    (out, wall, log)
}

/// Where the CLI settles expressions by default: a throwaway server, started only when needed.
fn pad() -> pgstate::ops::settle::Scratchpad {
    pgstate::ops::settle::Scratchpad::new(pgstate::ops::settle::Settle::LocalServer)
}

/// What `ops::live::plan` leaves out: pgstate's default version table.
fn ignore() -> [pgstate::model::QualName; 1] {
    [pgstate::revisions::version_table::default_table()]
}

fn scope() -> Scope {
    Scope::Schemas(vec!["public".into()])
}

fn pg_dump_bin(cluster: &PgCluster) -> PathBuf {
    let own = cluster.bin_dir().join("pg_dump");
    if own.is_file() {
        own
    } else {
        PathBuf::from("pg_dump")
    }
}

/// One `pg_dump --schema-only` run; returns its wall time and output size.
fn pg_dump(bin: &Path, db: &Db) -> (Duration, usize) {
    let start = Instant::now();
    let out = Command::new(bin)
        .args(["--schema-only", "-h", "127.0.0.1", "-U", "postgres", "-p", &db.port.to_string(), "-d", &db.name])
        .env_remove("PGOPTIONS")
        .stdin(Stdio::null())
        .output()
        .expect("running pg_dump");
    let t = start.elapsed();
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    (t, out.stdout.len())
}

fn load(db: &Db, path: &Path, sql: &str) -> Duration {
    std::fs::write(path, format!("BEGIN;\n{sql}COMMIT;\n")).expect("writing the schema file");
    let start = Instant::now();
    db.psql_file(path).unwrap_or_else(|e| panic!("loading {} into {}: {e}", path.display(), db.name));
    start.elapsed()
}

fn machine(admin: &Db) -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    let version = admin.psql("SHOW server_version").unwrap_or_else(|e| e);
    format!("nproc {cpus} ({model}), PostgreSQL {version}")
}

// ---------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------

struct IntroRow {
    /// Over the one session, no readers (runs interleaved with `stats`').
    one: Stats,
    shape: Shape,
    stats: Stats,
    queries: usize,
    server: ServerLog,
    logged_wall: Duration,
    parse_proxy: Duration,
    proxy_bytes: usize,
    dump: Stats,
    dump_bytes: usize,
}

/// One connection per run (connecting is not timed): like the CLI and pg_dump,
/// each run starts with a backend whose catalog caches are cold.
/// Introspection over the one session alone (what every run did before the readers).
fn time_introspect_one(rt: &tokio::runtime::Runtime, url: &str, tables: usize) -> Duration {
    rt.block_on(async {
        let client = Target::from_arg(Some(url)).unwrap().connect().await.expect("connect");
        let start = Instant::now();
        let live = introspect_over(&client, &[], &scope(), "public").await.expect("introspect");
        assert_eq!(live.catalog.tables.len(), tables);
        start.elapsed()
    })
}

/// Introspection as the CLI reads: the time counts opening the readers.
fn time_introspect(rt: &tokio::runtime::Runtime, url: &str, tables: usize) -> (Duration, Duration, usize) {
    rt.block_on(async {
        let target = Target::from_arg(Some(url)).unwrap();
        let client = target.connect().await.expect("connect");
        let cpu = self_cpu();
        let start = Instant::now();
        let readers = target.connect_all(READERS).await.expect("connect");
        let live = introspect_over(&client, &readers, &scope(), "public").await.expect("introspect");
        let t = start.elapsed();
        let cpu = self_cpu().saturating_sub(cpu);
        assert_eq!(live.catalog.tables.len(), tables);
        (t, cpu, live.queries)
    })
}

/// `pgstate plan --url URL --schema DESIRED`, whole processes: wall and CPU, and the script's bytes.
fn cli_plan(cli: &Path, url: &str, desired: &Path, dir: &Path, n: usize) -> (Stats, usize) {
    let (mut times, mut cpus, mut bytes) = (Vec::new(), Vec::new(), 0);
    for _ in 0..n {
        let cpu = children_cpu();
        let start = Instant::now();
        let out = Command::new(cli)
            .args(["plan", "--url", url, "--schema"])
            .arg(desired)
            .current_dir(dir)
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .output()
            .expect("running pgstate");
        times.push(start.elapsed());
        cpus.push(children_cpu().saturating_sub(cpu));
        assert!(out.status.success(), "pgstate plan --url failed: {}", String::from_utf8_lossy(&out.stderr));
        bytes = out.stdout.len();
    }
    (stats_cpu(times, cpus), bytes)
}

fn main() {
    let wall = Instant::now();
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-live"));
    std::fs::create_dir_all(&dir).expect("creating target/bench-live");
    let cli = PathBuf::from(env!("CARGO_BIN_EXE_pgstate"));

    eprintln!("live bench: starting a throwaway cluster...");
    let cluster = PgCluster::start();
    restart_with(&cluster, &[("max_locks_per_transaction", "1024")]);
    let admin = cluster.db("postgres");
    let machine = machine(&admin);
    eprintln!("live bench: {machine}");
    let rt = pgstate::connection::runtime().expect("tokio runtime");

    // Schemas and databases.
    let (orig_1k, _) = generate(1_000, Flavor::Live);
    let (orig_2k, changed_2k) = generate(2_000, Flavor::Live);
    let (orig_10k, changed_10k) = generate(10_000, Flavor::Live);
    let sql_1k = render_schema(&orig_1k, Flavor::Live);
    let sql_2k = render_schema(&orig_2k, Flavor::Live);
    let sql_2k_desired = render_schema(&changed_2k, Flavor::Live);
    let sql_10k = render_schema(&orig_10k, Flavor::Live);
    let desired_10k_path = dir.join("desired_10000.sql");
    std::fs::write(&desired_10k_path, render_schema(&changed_10k, Flavor::Live)).unwrap();
    drop((orig_1k, orig_2k, changed_2k, orig_10k, changed_10k));

    let db_1k = cluster.create_db("s1000");
    let db_2k = cluster.create_db("s2000");
    let db_2k_desired = cluster.create_db("s2000_desired");
    let db_10k = cluster.create_db("s10000");
    // Two loading streams (one per core): the 10,000 tables, and the rest.
    eprintln!("live bench: loading 1,000 + 2,000 + 2,000 (desired) and 10,000 tables, two streams...");
    let load_start = Instant::now();
    let loads: Vec<String> = std::thread::scope(|s| {
        let big = s.spawn(|| vec![(db_10k.name.clone(), load(&db_10k, &dir.join("s10000.sql"), &sql_10k))]);
        let small = s.spawn(|| {
            [
                (&db_1k, "s1000.sql", &sql_1k),
                (&db_2k, "s2000.sql", &sql_2k),
                (&db_2k_desired, "s2000_desired.sql", &sql_2k_desired),
            ]
            .into_iter()
            .map(|(db, file, sql)| (db.name.clone(), load(db, &dir.join(file), sql)))
            .collect::<Vec<_>>()
        });
        let mut all = small.join().expect("loader");
        all.extend(big.join().expect("loader"));
        all.into_iter().map(|(name, t)| format!("{name} {:.1} s", t.as_secs_f64())).collect()
    });
    let load_wall = load_start.elapsed();
    // The files pgstate reads: plain DDL, no BEGIN/COMMIT.
    let desired_path = dir.join("desired_2000.sql");
    std::fs::write(&desired_path, &sql_2k_desired).unwrap();
    let current_path = dir.join("current_2000.sql");
    std::fs::write(&current_path, &sql_2k).unwrap();
    for db in [&db_1k, &db_2k, &db_2k_desired, &db_10k] {
        db.psql("VACUUM ANALYZE").ok();
    }

    // 1. Introspection (+ pg_dump of the same database).
    let dump_bin = pg_dump_bin(&cluster);
    let mut intro_rows = Vec::new();
    for (db, n_runs, proxy_runs) in [(&db_1k, runs(5), 3), (&db_2k, runs(5), 3), (&db_10k, runs(3), 1)] {
        eprintln!("live bench: introspecting {} ({n_runs} runs)...", db.name);
        let url = db.url();
        // Instrumented run first (also warms the shared buffers): statements and server time.
        let (live, logged_wall, server) = logged(&cluster, &rt, &url, async |c, r| {
            introspect_over(c, r, &scope(), "public").await.expect("introspect")
        });
        let tables = live.catalog.tables.len();
        let (mut times, mut cpus, mut queries) = (Vec::new(), Vec::new(), live.queries);
        let mut one = Vec::new();
        for _ in 0..n_runs {
            let (t, cpu, q) = time_introspect(&rt, &url, tables);
            times.push(t);
            cpus.push(cpu);
            queries = q;
            one.push(time_introspect_one(&rt, &url, tables));
        }
        // Parse-cost proxy: the same catalog printed as DDL, read by the same parser.
        let ddl = pgstate::plan::plan(&Catalog::default(), &live.catalog, &[]).expect("plans").to_sql();
        let mut ptimes = Vec::new();
        for _ in 0..proxy_runs {
            let start = Instant::now();
            let p = parse_catalog_ddl("proxy", &ddl, Default::default())
                .unwrap_or_else(|e| panic!("proxy DDL: {}", e.summary()));
            ptimes.push(start.elapsed());
            assert_eq!(p.catalog.tables.len(), tables);
        }
        eprintln!("live bench: pg_dump {} ({n_runs} runs)...", db.name);
        let (mut dtimes, mut dcpus, mut dump_bytes) = (Vec::new(), Vec::new(), 0);
        for _ in 0..n_runs {
            let cpu = children_cpu();
            let (t, b) = pg_dump(&dump_bin, db);
            dcpus.push(children_cpu().saturating_sub(cpu));
            dtimes.push(t);
            dump_bytes = b;
        }
        intro_rows.push(IntroRow {
            shape: shape(&live.catalog),
            stats: stats_cpu(times, cpus),
            one: stats(one),
            queries,
            server,
            logged_wall,
            parse_proxy: stats(ptimes).median,
            proxy_bytes: ddl.len(),
            dump: stats_cpu(dtimes, dcpus),
            dump_bytes,
        });
    }

    // 2. plan --url of the 2,000-table database.
    eprintln!("live bench: plan --url (2,000 tables)...");
    let url_2k = db_2k.url();
    let current_parsed = parse_str("current", &sql_2k).unwrap_or_else(|e| panic!("{}", e.summary()));
    let desired_parsed = parse_path(&desired_path).unwrap_or_else(|e| panic!("desired: {e}"));
    let offline =
        pgstate::plan::plan(&current_parsed.catalog, &desired_parsed.catalog, &desired_parsed.hints).expect("plans");
    let offline_steps = offline.steps.len();
    drop((current_parsed, desired_parsed, offline));
    // Instrumented library run: statements (introspection + reconcile) and server time.
    let ((live_steps, live_sql_bytes), plan_logged_wall, plan_log) = logged(&cluster, &rt, &url_2k, async |c, r| {
        let parsed = parse_path(&desired_path).expect("desired");
        let lp =
            pgstate::ops::live::plan_over(c, r, &parsed, &scope(), &ignore(), &mut pad()).await.expect("live plan");
        (lp.plan.steps.len(), lp.plan.to_sql().len())
    });
    // Identity: the database against its own DDL must plan nothing.
    let (identity_steps, identity_wall, identity_log) = logged(&cluster, &rt, &url_2k, async |c, r| {
        let parsed = parse_path(&current_path).expect("current");
        pgstate::ops::live::plan_over(c, r, &parsed, &scope(), &ignore(), &mut pad())
            .await
            .expect("identity plan")
            .plan
            .steps
            .len()
    });
    let n_plan = runs(5);
    let (mut lib_times, mut lib_cpus, mut parse_times) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n_plan {
        let start = Instant::now();
        let p = parse_path(&desired_path).expect("desired");
        parse_times.push(start.elapsed());
        drop(p);
        let (t, cpu) = rt.block_on(async {
            let target = Target::from_arg(Some(&url_2k)).unwrap();
            let client = target.connect().await.expect("connect");
            let cpu = self_cpu();
            let start = Instant::now();
            let readers = target.connect_all(READERS).await.expect("connect");
            let parsed = parse_path(&desired_path).expect("desired");
            let lp = pgstate::ops::live::plan_over(&client, &readers, &parsed, &scope(), &ignore(), &mut pad())
                .await
                .expect("live plan");
            let sql = lp.plan.to_sql();
            let t = start.elapsed();
            assert_eq!(sql.len(), live_sql_bytes);
            (t, self_cpu().saturating_sub(cpu))
        });
        lib_times.push(t);
        lib_cpus.push(cpu);
    }
    let lib = stats_cpu(lib_times, lib_cpus);
    let parse_desired = stats(parse_times);
    eprintln!("live bench: pgstate CLI plan --url ({n_plan} runs)...");
    let (cli_stats, cli_bytes) = cli_plan(&cli, &url_2k, &desired_path, &dir, n_plan);
    // The same at 10,000 tables, beside pg_dump of that database (section 1).
    let n_plan_10k = runs(3);
    eprintln!("live bench: pgstate CLI plan --url, 10,000 tables ({n_plan_10k} runs)...");
    let (cli_10k, cli_10k_bytes) = cli_plan(&cli, &db_10k.url(), &desired_10k_path, &dir, n_plan_10k);

    // 3. migra: current 2,000-table database -> the desired one.
    let migra_bin = std::env::var("PGSTATE_MIGRA").unwrap_or_else(|_| "migra".into());
    // SQLAlchemy 2 maps a bare postgresql:// to psycopg 3; migra's docs assume psycopg2.
    let migra_url = |db: &Db| format!("postgresql+psycopg2://postgres@127.0.0.1:{}/{}", db.port, db.name);
    let n_migra = runs(3);
    eprintln!("live bench: migra ({n_migra} runs)...");
    let (mut migra_times, mut migra_cpus) = (Vec::new(), Vec::new());
    let mut migra_note = String::new();
    let mut migra_statements = 0;
    for _ in 0..n_migra {
        let cpu = children_cpu();
        let start = Instant::now();
        let out = Command::new(&migra_bin)
            .arg("--unsafe")
            .arg(migra_url(&db_2k))
            .arg(migra_url(&db_2k_desired))
            .stdin(Stdio::null())
            .output();
        let t = start.elapsed();
        match out {
            Err(e) => {
                migra_note =
                    format!("could not run `{migra_bin}`: {e} (run scripts/bench-live.sh, or set PGSTATE_MIGRA)");
                break;
            }
            // migra exits 0 when there is nothing to do, 2 when it printed a migration.
            Ok(o) if matches!(o.status.code(), Some(0) | Some(2)) => {
                migra_times.push(t);
                migra_cpus.push(children_cpu().saturating_sub(cpu));
                migra_statements =
                    String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.trim_end().ends_with(';')).count();
            }
            Ok(o) => {
                let err = String::from_utf8_lossy(&o.stderr);
                let tail: Vec<&str> = err.lines().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
                migra_note = format!("migra failed ({}): {}", o.status, tail.join(" | "));
                break;
            }
        }
    }
    let migra = (!migra_times.is_empty()).then(|| stats_cpu(migra_times, migra_cpus));

    // ---------------------------------------------------------------------
    // Report
    // ---------------------------------------------------------------------
    let load_avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!();
    println!("pgstate live benchmark (times in ms: wall median / min; CPU = median user+sys of the client process)");
    println!(
        "machine: {machine}; load average at the end: {}",
        load_avg.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "loaded (psql -f, one transaction each, two streams, {:.1} s): {}",
        load_wall.as_secs_f64(),
        loads.join(", ")
    );
    println!();
    println!("1. introspect(public) vs pg_dump --schema-only, same database");
    println!(
        "| tables | columns | indexes | PK+UNIQUE | FKs | CHECKs | runs | introspect | CPU | Live.queries | statements logged | server time (logged run) | parse proxy | pg_dump | pg_dump CPU | pg_dump bytes | introspect / pg_dump |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &intro_rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} of {} | {} | {} | {} | {} | {:.2}x |",
            r.shape.tables,
            r.shape.columns,
            r.shape.indexes,
            r.shape.pk_unique,
            r.shape.fks,
            r.shape.checks,
            r.stats.runs,
            cell(&r.stats),
            cpu_cell(&r.stats),
            r.queries,
            r.server.statements,
            ms(r.server.total),
            ms(r.logged_wall),
            ms(r.parse_proxy),
            cell(&r.dump),
            cpu_cell(&r.dump),
            r.dump_bytes,
            r.stats.median.as_secs_f64() / r.dump.median.as_secs_f64(),
        );
    }
    println!();
    println!(
        "introspect over the session and {READERS} reader(s) in one snapshot vs over the one session, runs interleaved:"
    );
    for r in &intro_rows {
        println!(
            "  {} tables: readers {} ms, one session {} ms ({:.2}x)",
            r.shape.tables,
            cell(&r.stats),
            cell(&r.one),
            r.stats.median.as_secs_f64() / r.one.median.as_secs_f64()
        );
    }
    println!();
    println!(
        "server time = sum of the durations the server logged (parse/bind/execute) for the introspection's backend, in a separate run;"
    );
    println!(
        "parse proxy = parse_catalog_ddl() of the introspected catalog printed back as DDL ({} bytes at the largest scale).",
        intro_rows.last().map(|r| r.proxy_bytes).unwrap_or(0)
    );
    if let Some(r) = intro_rows.last() {
        println!("statements of the logged {}-table introspection (server ms):", r.shape.tables);
        let mut each = r.server.each.clone();
        each.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (d, text) in each.iter().take(5) {
            println!("  {:>9}  {}", ms(*d), text);
        }
    }
    println!();
    println!("2. plan --url, 2,000 tables -> desired file (~10% of tables changed, some created/dropped)");
    println!("| path | runs | time | CPU | steps / statements | script bytes |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| library: parse desired + ops::live::plan + to_sql | {} | {} | {} | {} | {} |",
        lib.runs,
        cell(&lib),
        cpu_cell(&lib),
        live_steps,
        live_sql_bytes
    );
    println!(
        "| CLI end to end: pgstate plan --url --schema | {} | {} | {} | {} | {} |",
        cli_stats.runs,
        cell(&cli_stats),
        cpu_cell(&cli_stats),
        live_steps,
        cli_bytes
    );
    if let Some(r) = intro_rows.iter().find(|r| r.shape.tables == 10_000) {
        println!(
            "| CLI end to end, 10,000 tables (~10% changed) | {} | {} | {} | | {} |",
            cli_10k.runs,
            cell(&cli_10k),
            cpu_cell(&cli_10k),
            cli_10k_bytes
        );
        println!(
            "| pg_dump --schema-only, 10,000 tables | {} | {} | {} | | {} |",
            r.dump.runs,
            cell(&r.dump),
            cpu_cell(&r.dump),
            r.dump_bytes
        );
    }
    println!("| (part) parse_path(desired file) | {} | {} | | | |", parse_desired.runs, cell(&parse_desired));
    let row_2k = intro_rows.iter().find(|r| r.shape.tables == 2_000);
    if let Some(r) = row_2k {
        println!(
            "| (part) introspect, 2,000 tables (section 1) | {} | {} | {} | | |",
            r.stats.runs,
            cell(&r.stats),
            cpu_cell(&r.stats)
        );
        println!(
            "| pg_dump --schema-only, 2,000 tables | {} | {} | {} | | {} |",
            r.dump.runs,
            cell(&r.dump),
            cpu_cell(&r.dump),
            r.dump_bytes
        );
    }
    match &migra {
        Some(m) => println!(
            "| migra --unsafe current desired | {} | {} | {} | {} statements | |",
            m.runs,
            cell(m),
            cpu_cell(m),
            migra_statements
        ),
        None => println!("| migra --unsafe current desired | 0 | n/a | | | |"),
    }
    println!();
    println!(
        "offline plan(current file, desired file): {offline_steps} steps; live plan: {live_steps} steps; \
         identity (database vs its own DDL): {identity_steps} steps in {} ms",
        ms(identity_wall)
    );
    println!(
        "logged library plan run: {} ms wall, {} statements, {} ms server time; identity run: {} statements, {} ms server time",
        ms(plan_logged_wall),
        plan_log.statements,
        ms(plan_log.total),
        identity_log.statements,
        ms(identity_log.total)
    );
    if !migra_note.is_empty() {
        println!("migra: {migra_note}");
    }
    println!();
    println!("targets (2,000 tables, wall medians):");
    for (label, t) in [("CLI", cli_stats.median), ("library", lib.median)] {
        let vs_dump = row_2k.map(|r| t.as_secs_f64() / r.dump.median.as_secs_f64());
        let vs_migra = migra.as_ref().map(|m| t.as_secs_f64() / m.median.as_secs_f64());
        println!(
            "  plan --url ({label}) / pg_dump = {} (target <= 2.00x: {});  / migra = {} (target <= 0.20x: {})",
            vs_dump.map(|v| format!("{v:.2}x")).unwrap_or("n/a".into()),
            vs_dump.map(|v| if v <= 2.0 { "met" } else { "MISSED" }).unwrap_or("n/a"),
            vs_migra.map(|v| format!("{v:.2}x")).unwrap_or("n/a".into()),
            vs_migra.map(|v| if v <= 0.2 { "met" } else { "MISSED" }).unwrap_or("n/a"),
        );
    }
    if let Some(r) = intro_rows.iter().find(|r| r.shape.tables == 10_000) {
        let v = cli_10k.median.as_secs_f64() / r.dump.median.as_secs_f64();
        println!(
            "  plan --url (CLI), 10,000 tables / pg_dump = {v:.2}x (target <= 0.50x: {})",
            if v <= 0.5 { "met" } else { "MISSED" }
        );
    }
    let q: Vec<usize> = intro_rows.iter().map(|r| r.queries).collect();
    let logged_q: Vec<usize> = intro_rows.iter().map(|r| r.server.statements).collect();
    println!(
        "  queries per introspection by scale: Live.queries {q:?}, logged {logged_q:?} ({})",
        if logged_q.windows(2).all(|w| w[0] == w[1]) { "constant" } else { "GROWS with the table count" }
    );
    println!("total bench wall time: {:.1} s", wall.elapsed().as_secs_f64());
}
