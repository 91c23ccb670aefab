//! The synthetic schemas both benchmarks use: `n` tables of about ten columns,
//! two indexes and one or two foreign keys each (to earlier tables, so a
//! script loads as written), some CHECKs with IN lists and some UNIQUEs; and a
//! changed copy with about a tenth of the tables altered (add column, drop
//! column, widen a varchar, add an index, drop an index, change a default),
//! a few unreferenced tables dropped and a few new ones. Deterministic.

// Each benchmark uses one flavor: the other is dead code there.
#![allow(dead_code)]

use std::fmt::Write as _;

/// Which spelling of ids and timestamps to use.
#[derive(Clone, Copy)]
pub enum Flavor {
    /// uuid-ossp ids and `timestamp` (the planner bench, like agenticrag).
    Offline,
    /// Built-in `gen_random_uuid()` ids and `timestamptz` (the live bench).
    Live,
}

impl Flavor {
    fn id(self) -> &'static str {
        match self {
            Flavor::Offline => "uuid PRIMARY KEY DEFAULT uuid_generate_v4()",
            Flavor::Live => "uuid PRIMARY KEY DEFAULT gen_random_uuid()",
        }
    }

    fn created_at(self) -> &'static str {
        match self {
            Flavor::Offline => "timestamp NOT NULL DEFAULT now()",
            Flavor::Live => "timestamptz NOT NULL DEFAULT now()",
        }
    }

    fn prelude(self) -> &'static str {
        match self {
            Flavor::Offline => "CREATE EXTENSION \"uuid-ossp\";\n\n",
            Flavor::Live => "",
        }
    }
}

/// A 64-bit LCG (Knuth's MMIX constants); the high bits are used.
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Self {
        Lcg(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// Uniform-ish in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `1/n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

#[derive(Clone)]
struct Col {
    name: String,
    /// Type and inline clauses, e.g. `integer NOT NULL DEFAULT 0`.
    def: String,
}

#[derive(Clone)]
struct Fk {
    column: String,
    target: usize,
    on_delete: &'static str,
    /// Written as a named table constraint rather than inline `REFERENCES`.
    table_constraint: bool,
}

#[derive(Clone)]
struct Idx {
    name: String,
    columns: Vec<String>,
}

#[derive(Clone)]
pub struct TableSpec {
    id: usize,
    columns: Vec<Col>,
    fks: Vec<Fk>,
    check: bool,
    unique: bool,
    indexes: Vec<Idx>,
}

fn table_name(id: usize) -> String {
    format!("t{id:05}")
}

fn new_table(id: usize, live: &[usize], rng: &mut Lcg, flavor: Flavor) -> TableSpec {
    let name = table_name(id);
    let varchar = [32, 64, 128, 255][rng.below(4) as usize];
    let mut columns = vec![
        Col { name: "id".into(), def: flavor.id().into() },
        Col { name: "name".into(), def: format!("varchar({varchar}) NOT NULL") },
        Col { name: "description".into(), def: "text".into() },
        Col { name: "qty".into(), def: "integer NOT NULL DEFAULT 0".into() },
        Col { name: "total".into(), def: "bigint".into() },
        Col { name: "active".into(), def: "boolean NOT NULL DEFAULT true".into() },
        Col { name: "created_at".into(), def: flavor.created_at().into() },
        Col { name: "meta".into(), def: "jsonb NOT NULL DEFAULT '{}'".into() },
        Col { name: "price".into(), def: "numeric(10,2)".into() },
    ];
    let check = rng.one_in(5);
    if check {
        columns.push(Col { name: "status".into(), def: "varchar(16) NOT NULL DEFAULT 'new'".into() });
    }
    let unique = rng.one_in(7);

    let mut fks = Vec::new();
    if !live.is_empty() {
        let count = if live.len() > 1 && rng.one_in(2) { 2 } else { 1 };
        for k in 0..count {
            let target = live[rng.below(live.len() as u64) as usize];
            let column = format!("parent{}_id", k + 1);
            let on_delete = if k == 0 { "CASCADE" } else { "SET NULL" };
            let not_null = if k == 0 { " NOT NULL" } else { "" };
            columns.push(Col { name: column.clone(), def: format!("uuid{not_null}") });
            fks.push(Fk { column, target, on_delete, table_constraint: rng.one_in(2) });
        }
    }

    let indexes = vec![
        Idx { name: format!("{name}_created_at_idx"), columns: vec!["created_at".into()] },
        Idx { name: format!("{name}_name_active_idx"), columns: vec!["name".into(), "active".into()] },
    ];
    TableSpec { id, columns, fks, check, unique, indexes }
}

fn render_table(t: &TableSpec, out: &mut String) {
    let name = table_name(t.id);
    let _ = writeln!(out, "CREATE TABLE {name} (");
    let mut lines: Vec<String> = Vec::new();
    for c in &t.columns {
        let mut line = format!("    {} {}", c.name, c.def);
        if let Some(fk) = t.fks.iter().find(|f| f.column == c.name && !f.table_constraint) {
            let _ = write!(line, " REFERENCES {} (id) ON DELETE {}", table_name(fk.target), fk.on_delete);
        }
        lines.push(line);
    }
    for fk in t.fks.iter().filter(|f| f.table_constraint) {
        lines.push(format!(
            "    CONSTRAINT {name}_{col}_fkey FOREIGN KEY ({col}) REFERENCES {target} (id) ON DELETE {act}",
            col = fk.column,
            target = table_name(fk.target),
            act = fk.on_delete,
        ));
    }
    if t.check {
        lines.push(format!(
            "    CONSTRAINT {name}_status_check CHECK (status IN ('new', 'active', 'archived', 'deleted'))"
        ));
    }
    if t.unique {
        lines.push(format!("    CONSTRAINT {name}_name_key UNIQUE (name)"));
    }
    out.push_str(&lines.join(",\n"));
    out.push_str("\n);\n");
    for i in &t.indexes {
        let _ = writeln!(out, "CREATE INDEX {} ON {name} ({});", i.name, i.columns.join(", "));
    }
    out.push('\n');
}

pub fn render_schema(tables: &[TableSpec], flavor: Flavor) -> String {
    let mut out = String::with_capacity(tables.len() * 900);
    out.push_str(flavor.prelude());
    for t in tables {
        render_table(t, &mut out);
    }
    out
}

/// The original schema and its changed copy, as table specs.
pub fn generate(n: usize, flavor: Flavor) -> (Vec<TableSpec>, Vec<TableSpec>) {
    let mut rng = Lcg::new(n as u64);
    let mut original = Vec::with_capacity(n);
    let mut ids: Vec<usize> = Vec::with_capacity(n);
    for id in 0..n {
        let t = new_table(id, &ids, &mut rng, flavor);
        original.push(t);
        ids.push(id);
    }

    // Drop a few tables nothing else references.
    let mut referenced = vec![false; n];
    for t in &original {
        for fk in &t.fks {
            referenced[fk.target] = true;
        }
    }
    let unreferenced: Vec<usize> = (0..n).filter(|&i| !referenced[i]).collect();
    let n_drop = (n / 200 + 2).min(unreferenced.len());
    let mut dropped = vec![false; n];
    let mut picked = 0;
    while picked < n_drop {
        let i = unreferenced[rng.below(unreferenced.len() as u64) as usize];
        if !dropped[i] {
            dropped[i] = true;
            picked += 1;
        }
    }

    // Alter ~10% of the surviving tables, cycling through six kinds of change.
    let mut changed: Vec<TableSpec> = Vec::with_capacity(n + n / 100 + 3);
    let mut kind = 0;
    for t in &original {
        if dropped[t.id] {
            continue;
        }
        let mut t = t.clone();
        if rng.one_in(10) {
            let name = table_name(t.id);
            match kind % 6 {
                0 => t.columns.push(Col { name: "extra_note".into(), def: "text".into() }),
                1 => t.columns.retain(|c| c.name != "total"),
                2 => {
                    let c = t.columns.iter_mut().find(|c| c.name == "name").unwrap();
                    c.def = "varchar(512) NOT NULL".into();
                }
                3 => t.indexes.push(Idx { name: format!("{name}_qty_idx"), columns: vec!["qty".into()] }),
                4 => t.indexes.retain(|i| !i.name.ends_with("_name_active_idx")),
                _ => {
                    let c = t.columns.iter_mut().find(|c| c.name == "qty").unwrap();
                    c.def = "integer NOT NULL DEFAULT 1".into();
                }
            }
            kind += 1;
        }
        changed.push(t);
    }

    // A few new tables, referencing surviving ones.
    let live: Vec<usize> = (0..n).filter(|&i| !dropped[i]).collect();
    for k in 0..(n / 100 + 3) {
        changed.push(new_table(n + k, &live, &mut rng, flavor));
    }
    (original, changed)
}
