//! Properties over generated catalogs: diff(a, a) is empty; applying diff(a, b)
//! to a in the model gives b; rendering a catalog as SQL and parsing it again
//! gives the same catalog.

use proptest::prelude::*;

use pgstate::diff::{apply::apply_all, diff};
use pgstate::model::{
    Catalog, Column, ColumnType, Constraint, ConstraintKind, DefaultKey, Deferral, EnumType, Expr, FkAction, FkMatch,
    ForeignKey, GrantKey, GrantObject, Grantee, Index, IndexKey, IndexKeyExpr, Map, ObjectKind, Privileges, QualName,
    Schema, SeqOptions, SeqType, Sequence, Table,
};
use pgstate::plan::{catalog_sql, plan};

/// A small deterministic generator: proptest supplies the seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn comment(g: &mut Gen) -> Option<String> {
    g.chance(20).then(|| g.pick(&["note", "it's", "ünïcode"]).to_string())
}

fn column_type(g: &mut Gen, enums: &[QualName]) -> ColumnType {
    let choice = g.below(if enums.is_empty() { 6 } else { 7 });
    let mut t = match choice {
        0 => ColumnType::builtin("integer"),
        1 => ColumnType::builtin("bigint"),
        2 => ColumnType::builtin("text"),
        3 => ColumnType::builtin("character varying"),
        4 => ColumnType::builtin("boolean"),
        5 => ColumnType::builtin("numeric"),
        _ => {
            let e = g.pick(enums).clone();
            ColumnType { base: e.name, schema: Some(e.schema), typmod: None, array: false }
        }
    };
    if t.base == "character varying" {
        t.typmod = Some(g.pick(&["10", "20"]).to_string());
    }
    if t.base == "numeric" && g.chance(50) {
        t.typmod = Some("10,2".to_string());
    }
    t
}

fn default_for(g: &mut Gen, t: &ColumnType, labels: &Map<QualName, EnumType>) -> Option<Expr> {
    if !g.chance(40) {
        return None;
    }
    Some(Expr::new(match (t.schema.as_ref(), t.base.as_str()) {
        (Some(s), _) => {
            let e = &labels[&QualName::new(s.clone(), t.base.clone())];
            format!("'{}'::{}", e.labels[0], t.without_typmod())
        }
        (None, "integer" | "bigint" | "numeric") => g.pick(&["0", "1", "42"]).to_string(),
        (None, "boolean") => g.pick(&["true", "false"]).to_string(),
        (None, "text") => g.pick(&["'a'::text", "'b'::text"]).to_string(),
        (None, _) => "'x'::character varying".to_string(),
    }))
}

fn catalog(seed: u64) -> Catalog {
    let mut g = Gen(seed);
    let mut cat = Catalog::default();
    let schemas = if g.chance(50) { vec!["public", "app"] } else { vec!["public"] };
    if schemas.len() > 1 {
        cat.schemas.insert("app".into(), Schema { name: "app".into(), comment: comment(&mut g) });
    }
    for e in ["mood", "state"] {
        if g.chance(50) {
            let name = QualName::new(*g.pick(&schemas), e);
            let mut labels: Vec<String> =
                ["a", "b", "c", "d"].iter().filter(|_| g.chance(70)).map(|s| s.to_string()).collect();
            if labels.is_empty() {
                labels.push("z".into());
            }
            if g.chance(30) {
                labels.reverse();
            }
            cat.enums.insert(name.clone(), EnumType { name, labels, comment: comment(&mut g) });
        }
    }
    let enums: Vec<QualName> = cat.enums.keys().cloned().collect();
    for t in ["t0", "t1", "t2", "t3"] {
        if !g.chance(60) {
            continue;
        }
        let name = QualName::new(*g.pick(&schemas), t);
        let mut table = Table::new(name.clone());
        table.unlogged = g.chance(10);
        table.comment = comment(&mut g);
        for c in ["id", "c1", "c2", "c3", "c4"] {
            if c != "id" && !g.chance(60) {
                continue;
            }
            let data_type = if c == "id" {
                ColumnType::builtin(if g.chance(50) { "integer" } else { "bigint" })
            } else {
                column_type(&mut g, &enums)
            };
            let mut col = Column::new(c, data_type.clone());
            col.not_null = c == "id" || g.chance(30);
            col.default = default_for(&mut g, &data_type, &cat.enums);
            col.comment = comment(&mut g);
            table.columns.insert(c.into(), col);
        }
        if g.chance(80) {
            let pk = format!("{t}_pk");
            table.constraints.insert(
                pk.clone(),
                Constraint {
                    name: pk,
                    kind: ConstraintKind::PrimaryKey { columns: vec!["id".into()], include: vec![] },
                    deferral: Deferral::Immediate,
                    validated: true,
                    comment: comment(&mut g),
                },
            );
        }
        let cols: Vec<String> = table.columns.keys().filter(|c| *c != "id").cloned().collect();
        if let Some(c) = cols.first().filter(|_| g.chance(40)) {
            let n = format!("{t}_{c}_uq");
            table.constraints.insert(
                n.clone(),
                Constraint {
                    name: n,
                    kind: ConstraintKind::Unique {
                        columns: vec![c.clone()],
                        include: vec![],
                        nulls_not_distinct: g.chance(30),
                    },
                    deferral: Deferral::Immediate,
                    validated: true,
                    comment: None,
                },
            );
        }
        if g.chance(40) {
            let n = format!("{t}_id_check");
            let expr = g.pick(&["id > 0", "id > 0 AND id < 1000", "id <> 7"]).to_string();
            table.constraints.insert(
                n.clone(),
                Constraint {
                    name: n,
                    kind: ConstraintKind::Check { expr: Expr::new(expr), no_inherit: g.chance(20) },
                    deferral: Deferral::Immediate,
                    validated: true,
                    comment: None,
                },
            );
        }
        for c in &cols {
            if g.chance(30) {
                let n = format!("{t}_{c}_idx");
                table.indexes.insert(
                    n.clone(),
                    Index {
                        name: n,
                        unique: g.chance(20),
                        method: "btree".into(),
                        keys: vec![IndexKey {
                            expr: IndexKeyExpr::Column(c.clone()),
                            opclass: None,
                            desc: g.chance(30),
                            nulls_first: None,
                            collation: None,
                        }],
                        include: vec![],
                        nulls_not_distinct: false,
                        with: if g.chance(20) { vec![("fillfactor".into(), "70".into())] } else { vec![] },
                        predicate: g.chance(20).then(|| Expr::new("id > 10")),
                        comment: comment(&mut g),
                        statistics: vec![],
                    },
                );
            }
        }
        cat.tables.insert(name, table);
    }
    // Foreign keys to primary keys of the same type, once all tables exist.
    let targets: Vec<(QualName, ColumnType)> = cat
        .tables
        .values()
        .filter(|t| t.primary_key().is_some())
        .map(|t| (t.name.clone(), t.columns["id"].data_type.clone()))
        .collect();
    let names: Vec<QualName> = cat.tables.keys().cloned().collect();
    for name in names {
        if targets.is_empty() || !g.chance(50) {
            continue;
        }
        let (target, ty) = g.pick(&targets).clone();
        let table = cat.tables.get_mut(&name).expect("exists");
        let n = format!("{}_ref_fk", name.name);
        table.columns.insert("ref".into(), Column::new("ref", ty));
        table.constraints.insert(
            n.clone(),
            Constraint {
                name: n,
                kind: ConstraintKind::ForeignKey(ForeignKey {
                    columns: vec!["ref".into()],
                    ref_table: target,
                    ref_columns: vec!["id".into()],
                    on_delete: *g.pick(&[FkAction::NoAction, FkAction::Cascade, FkAction::SetNull]),
                    on_update: FkAction::NoAction,
                    match_kind: FkMatch::Simple,
                }),
                deferral: *g.pick(&[Deferral::Immediate, Deferral::Deferred]),
                validated: true,
                comment: None,
            },
        );
    }
    for s in ["s0", "s1"] {
        if g.chance(40) {
            let name = QualName::new(*g.pick(&schemas), s);
            let mut options = SeqOptions::defaults(*g.pick(&[SeqType::Integer, SeqType::BigInt]), *g.pick(&[1, 2]));
            options.cache = *g.pick(&[1, 10]);
            let owner = cat
                .tables
                .values()
                .filter(|t| t.name.schema == name.schema)
                .find(|_| g.chance(50))
                .map(|t| (t.name.clone(), "id".to_string()));
            cat.sequences.insert(name.clone(), Sequence { name, options, owned_by: owner, comment: comment(&mut g) });
        }
    }
    grants(&mut g, &mut cat);
    cat.sort();
    cat
}

/// Each privilege of `kind` with chance `held`, grantable with chance `grantable`.
fn some_privileges(g: &mut Gen, kind: ObjectKind, held: u64, grantable: u64) -> Privileges {
    let mut out = Privileges::default();
    for p in kind.all() {
        if g.chance(held) {
            out.grant(*p, g.chance(grantable));
        }
    }
    out
}

/// Privileges of two roles and PUBLIC on some of the objects, and some default privileges.
fn grants(g: &mut Gen, cat: &mut Catalog) {
    let mut objects: Vec<GrantObject> = cat.schemas.keys().map(|s| GrantObject::Schema(s.clone())).collect();
    objects.push(GrantObject::Schema("public".into()));
    objects.extend(cat.enums.keys().map(|q| GrantObject::Type(q.clone())));
    objects.extend(cat.sequences.keys().map(|q| GrantObject::Sequence(q.clone())));
    for t in cat.tables.values() {
        objects.push(GrantObject::Table(t.name.clone()));
        objects.extend(t.columns.keys().map(|c| GrantObject::Column(t.name.clone(), c.clone())));
    }
    let grantees = [Grantee::Role("r1".into()), Grantee::Role("Odd Role".into()), Grantee::Public];
    for object in objects {
        for grantee in &grantees {
            if !g.chance(25) {
                continue;
            }
            let held = some_privileges(g, object.kind(), 50, 30);
            cat.set_privileges(GrantKey { object: object.clone(), grantee: grantee.clone() }, held);
        }
    }
    for kind in [ObjectKind::Table, ObjectKind::Sequence, ObjectKind::Type] {
        if g.chance(30) {
            let key = DefaultKey {
                for_role: Some("owner".into()),
                schema: if g.chance(50) { Some("public".into()) } else { None },
                kind,
                grantee: g.pick(&grantees).clone(),
            };
            let held = some_privileges(g, kind, 60, 20);
            cat.set_default_privileges(key, held);
        }
    }
}

/// Column order cannot be changed in place, so compare it out.
fn without_column_order(mut c: Catalog) -> Catalog {
    for t in c.tables.values_mut() {
        t.columns.sort_keys();
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn diff_of_a_catalog_with_itself_is_empty(seed in any::<u64>()) {
        let a = catalog(seed);
        prop_assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn applying_the_plan_in_the_model_reaches_the_target(s1 in any::<u64>(), s2 in any::<u64>()) {
        let (a, b) = (catalog(s1), catalog(s2));
        let p = plan(&a, &b, &[]).expect("plans");
        let mut reached = a.clone();
        let ordered: Vec<_> = p.steps.iter().map(|s| s.change.clone()).collect();
        apply_all(&mut reached, &ordered);
        prop_assert_eq!(without_column_order(reached.clone()), without_column_order(b.clone()));
        prop_assert!(diff(&reached, &b).is_empty(), "a second diff is not empty: {:?}", diff(&reached, &b));
    }

    #[test]
    fn replaying_the_plan_sql_reaches_the_target(s1 in any::<u64>(), s2 in any::<u64>()) {
        let (a, b) = (catalog(s1), catalog(s2));
        let sql = plan(&a, &b, &[]).expect("plans").to_sql();
        let reached = match pgstate::revisions::replay::replay(a.clone(), "generated", &sql) {
            Ok(c) => c,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{sql}"))),
        };
        prop_assert_eq!(without_column_order(reached), without_column_order(b), "{}", sql);
    }

    #[test]
    fn rendered_sql_parses_back_to_the_same_catalog(seed in any::<u64>()) {
        let c = catalog(seed);
        let sql = catalog_sql(&c).expect("plans");
        let parsed = match pgstate::parse::parse_str("rendered.sql", &sql) {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{}\n{sql}", e.summary()))),
        };
        prop_assert_eq!(parsed.catalog, c, "{}", sql);
    }
}
