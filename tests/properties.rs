//! Properties over generated catalogs: diff(a, a) is empty; applying diff(a, b)
//! to a in the model gives b; replaying the plan's SQL on a gives b; rendering
//! a catalog as SQL and parsing it again gives the same catalog.
//!
//! Catalogs come from proptest strategies, so a failure shrinks to a small
//! one. A strategy draws a `Shape`: plain choices (which objects exist, their
//! options, and indexes into what exists, resolved when the catalog is built),
//! never a seed. Kinds whose model holds what the parser derives and never
//! compares (a view's outputs and dependencies, a routine's body key, what a
//! trigger, policy or generic object refers to) are written as SQL from the
//! shape and read onto the rest with `parse::parse_onto`, the same
//! canonicalization every source goes through; everything else is built as
//! model values in the parser's canonical form.

use proptest::prelude::*;

use pgstate::change::Change;
use pgstate::diff::{apply::apply_all, diff};
use pgstate::model::{
    Attribute, Catalog, Column, ColumnType, CompositeType, Constraint, ConstraintKind, DefaultKey, Deferral, Domain,
    EnumType, Expr, FkAction, FkMatch, ForeignKey, GrantKey, GrantObject, Grantee, Identity, Index, IndexKey,
    IndexKeyExpr, Map, ObjectKind, PartitionBound, PartitionKey, PartitionOf, PartitionStrategy, Privileges, QualName,
    RangeType, RenameHint, Schema, SeqOptions, SeqType, Sequence, Table,
};
use pgstate::plan::{catalog_sql, plan};

const COMMENTS: &[&str] = &["note", "it's", "ünïcode"];

fn comment() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.2, prop::sample::select(COMMENTS).prop_map(str::to_string))
}

fn schema() -> impl Strategy<Value = &'static str> {
    prop_oneof![3 => Just("public"), 1 => Just("app")]
}

// ---------------------------------------------------------------- the shape

#[derive(Debug, Clone)]
struct EnumShape {
    schema: &'static str,
    labels: Vec<&'static str>,
    comment: Option<String>,
}

prop_compose! {
    fn enum_shape()(schema in schema(), labels in prop::sample::subsequence(vec!["a", "b", "c", "d"], 1..=4),
                    reverse in any::<bool>(), comment in comment()) -> EnumShape {
        let mut labels = labels;
        if reverse {
            labels.reverse();
        }
        EnumShape { schema, labels, comment }
    }
}

#[derive(Debug, Clone)]
struct DomainShape {
    default: bool,
    not_null: bool,
    check: bool,
    comment: Option<String>,
}

prop_compose! {
    fn domain_shape()(default in any::<bool>(), not_null in any::<bool>(),
                      check in any::<bool>(), comment in comment()) -> DomainShape {
        DomainShape { default, not_null, check, comment }
    }
}

/// The type of a non-key column: a built-in, or the n-th user type of a kind.
#[derive(Debug, Clone, Copy)]
enum TypeShape {
    Builtin(&'static str, Option<&'static str>),
    Enum(usize),
    Domain(usize),
    Composite,
    Range,
}

fn type_shape() -> impl Strategy<Value = TypeShape> {
    prop_oneof![
        4 => prop::sample::select(vec![
            ("integer", None), ("bigint", None), ("text", None), ("boolean", None), ("numeric", None),
            ("numeric", Some("10,2")), ("character varying", Some("10")), ("character varying", Some("20")),
        ]).prop_map(|(b, m)| TypeShape::Builtin(b, m)),
        1 => (0..2usize).prop_map(TypeShape::Enum),
        1 => (0..2usize).prop_map(TypeShape::Domain),
        1 => Just(TypeShape::Composite),
        1 => Just(TypeShape::Range),
    ]
}

#[derive(Debug, Clone)]
struct ColumnShape {
    ty: TypeShape,
    not_null: bool,
    default: Option<usize>,
    generated: bool,
    comment: Option<String>,
}

prop_compose! {
    fn column_shape()(ty in type_shape(), not_null in prop::bool::weighted(0.3),
                      default in prop::option::weighted(0.4, 0..3usize), generated in prop::bool::weighted(0.1),
                      comment in comment()) -> ColumnShape {
        ColumnShape { ty, not_null, default, generated, comment }
    }
}

/// How the key column `id` gets its values.
#[derive(Debug, Clone, Copy)]
enum IdShape {
    Plain,
    Default42,
    Identity(bool),
}

#[derive(Debug, Clone)]
struct IndexShape {
    column: usize,
    unique: bool,
    desc: bool,
    expression: bool,
    predicate: bool,
    fillfactor: bool,
    comment: Option<String>,
}

prop_compose! {
    fn index_shape()(column in 0..4usize, unique in prop::bool::weighted(0.2), desc in prop::bool::weighted(0.3),
                     expression in prop::bool::weighted(0.3), predicate in prop::bool::weighted(0.2),
                     fillfactor in prop::bool::weighted(0.2), comment in comment()) -> IndexShape {
        IndexShape { column, unique, desc, expression, predicate, fillfactor, comment }
    }
}

#[derive(Debug, Clone)]
struct FkShape {
    target: usize,
    on_delete: FkAction,
    deferral: Deferral,
    validated: bool,
}

prop_compose! {
    fn fk_shape()(target in 0..4usize,
                  on_delete in prop::sample::select(vec![FkAction::NoAction, FkAction::Cascade, FkAction::SetNull]),
                  deferral in prop::sample::select(vec![Deferral::Immediate, Deferral::Deferred]),
                  validated in prop::bool::weighted(0.8)) -> FkShape {
        FkShape { target, on_delete, deferral, validated }
    }
}

#[derive(Debug, Clone)]
struct PolicyShape {
    restrictive: bool,
    command: &'static str,
    role: &'static str,
    bound: u8,
    comment: Option<String>,
}

prop_compose! {
    fn policy_shape()(restrictive in prop::bool::weighted(0.3),
                      command in prop::sample::select(vec!["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"]),
                      role in prop::sample::select(vec!["r1", "PUBLIC"]), bound in 0..3u8,
                      comment in comment()) -> PolicyShape {
        PolicyShape { restrictive, command, role, bound, comment }
    }
}

#[derive(Debug, Clone)]
struct TriggerShape {
    after: bool,
    events: Vec<&'static str>,
    row: bool,
    comment: Option<String>,
}

prop_compose! {
    fn trigger_shape()(after in any::<bool>(),
                       events in prop::sample::subsequence(vec!["INSERT", "UPDATE", "DELETE"], 1..=3),
                       row in any::<bool>(), comment in comment()) -> TriggerShape {
        TriggerShape { after, events, row, comment }
    }
}

#[derive(Debug, Clone)]
struct TableShape {
    schema: &'static str,
    id: IdShape,
    bigint: bool,
    columns: Vec<Option<ColumnShape>>,
    pk: bool,
    unique: Option<(bool, bool)>,
    exclusion: bool,
    check: Option<(u8, bool, bool)>,
    indexes: Vec<IndexShape>,
    fk: Option<FkShape>,
    unlogged: bool,
    rls: Option<bool>,
    policies: Vec<PolicyShape>,
    trigger: Option<TriggerShape>,
    comment: Option<String>,
}

prop_compose! {
    fn table_shape()(
        schema in schema(),
        id in prop_oneof![3 => Just(IdShape::Plain), 1 => Just(IdShape::Default42), 1 => any::<bool>().prop_map(IdShape::Identity)],
        bigint in any::<bool>(),
        columns in prop::collection::vec(prop::option::weighted(0.6, column_shape()), 4),
        pk in prop::bool::weighted(0.8),
        unique in prop::option::weighted(0.3, (prop::bool::weighted(0.3), prop::bool::weighted(0.3))),
        exclusion in prop::bool::weighted(0.1),
        check in prop::option::weighted(0.4, (0..3u8, prop::bool::weighted(0.2), prop::bool::weighted(0.8))),
        indexes in prop::collection::vec(index_shape(), 0..3),
        fk in prop::option::weighted(0.4, fk_shape()),
        unlogged in prop::bool::weighted(0.1),
        (rls, policies, trigger, comment) in (
            prop::option::weighted(0.3, any::<bool>()),
            prop::collection::vec(policy_shape(), 0..2),
            prop::option::weighted(0.3, trigger_shape()),
            comment(),
        ),
    ) -> TableShape {
        TableShape { schema, id, bigint, columns, pk, unique, exclusion, check, indexes, fk, unlogged, rls, policies, trigger, comment }
    }
}

#[derive(Debug, Clone)]
struct PartitionShape {
    strategy: PartitionStrategy,
    children: usize,
    default: bool,
    index: bool,
}

prop_compose! {
    fn partition_shape()(strategy in prop::sample::select(vec![PartitionStrategy::Range, PartitionStrategy::List, PartitionStrategy::Hash]), children in 0..3usize, default in any::<bool>(),
                         index in any::<bool>()) -> PartitionShape {
        PartitionShape { strategy, children, default, index }
    }
}

#[derive(Debug, Clone)]
struct ViewShape {
    materialized: bool,
    table: usize,
    columns: Vec<bool>,
    bound: u8,
    comment: Option<String>,
}

prop_compose! {
    fn view_shape()(materialized in prop::bool::weighted(0.3), table in 0..4usize, columns in prop::collection::vec(any::<bool>(), 4), bound in 0..3u8,
                    comment in comment()) -> ViewShape {
        ViewShape { materialized, table, columns, bound, comment }
    }
}

#[derive(Debug, Clone)]
struct FunctionShape {
    procedure: bool,
    plpgsql: bool,
    volatility: &'static str,
    strict: bool,
    add: u8,
    comment: Option<String>,
}

prop_compose! {
    fn function_shape()(procedure in prop::bool::weighted(0.2), plpgsql in any::<bool>(),
                        volatility in prop::sample::select(vec!["IMMUTABLE", "STABLE", "VOLATILE"]),
                        strict in any::<bool>(), add in 0..3u8, comment in comment()) -> FunctionShape {
        FunctionShape { procedure, plpgsql, volatility, strict, add, comment }
    }
}

/// Generic objects that need no database to be valid, as SQL.
fn generic_object() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(vec![
        ("coll_c", "CREATE COLLATION public.coll_c (locale = 'C')"),
        ("coll_icu", "CREATE COLLATION public.coll_icu (provider = icu, locale = 'und')"),
        ("coll_nd", "CREATE COLLATION public.coll_nd (provider = icu, deterministic = false, locale = 'und')"),
        ("op_eq", "CREATE OPERATOR public.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = int4eq)"),
        ("op_lt", "CREATE OPERATOR public.<<< (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = int8lt)"),
        ("agg_sum", "CREATE AGGREGATE public.mysum(integer) (SFUNC = int4pl, STYPE = integer)"),
        ("agg_sum0", "CREATE AGGREGATE public.mysum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0')"),
        ("dict", "CREATE TEXT SEARCH DICTIONARY public.dict (TEMPLATE = simple, STOPWORDS = english)"),
        ("dict2", "CREATE TEXT SEARCH DICTIONARY public.dict (TEMPLATE = simple, ACCEPT = false)"),
    ])
}

/// A sequence: bigint, its increment, owned by a table's `id`, its comment.
type SequenceShape = (bool, u8, bool, Option<String>);

#[derive(Debug, Clone)]
struct Shape {
    app: Option<Option<String>>,
    enums: Vec<Option<EnumShape>>,
    domains: Vec<Option<DomainShape>>,
    composite: Option<(bool, Option<String>)>,
    range: Option<(bool, Option<String>)>,
    tables: Vec<Option<TableShape>>,
    partitioned: Option<PartitionShape>,
    child: Option<Option<String>>,
    sequences: Vec<Option<SequenceShape>>,
    views: Vec<Option<ViewShape>>,
    functions: Vec<Option<FunctionShape>>,
    objects: Vec<(&'static str, &'static str)>,
    grants: Vec<(usize, u8, u16, u16)>,
    defaults: Vec<(u8, bool, u8, u16, u16)>,
}

fn shape() -> impl Strategy<Value = Shape> {
    let types = (
        prop::option::weighted(0.5, comment()),
        prop::collection::vec(prop::option::weighted(0.5, enum_shape()), 2),
        prop::collection::vec(prop::option::weighted(0.4, domain_shape()), 2),
        prop::option::weighted(0.3, (any::<bool>(), comment())),
        prop::option::weighted(0.3, (any::<bool>(), comment())),
    );
    let relations = (
        prop::collection::vec(prop::option::weighted(0.6, table_shape()), 4),
        prop::option::weighted(0.3, partition_shape()),
        prop::option::weighted(0.2, comment()),
        prop::collection::vec(prop::option::weighted(0.4, (any::<bool>(), 1..3u8, any::<bool>(), comment())), 2),
        prop::collection::vec(prop::option::weighted(0.3, view_shape()), 2),
    );
    let rest = (
        prop::collection::vec(prop::option::weighted(0.3, function_shape()), 2),
        prop::collection::vec(generic_object(), 0..3),
        prop::collection::vec((any::<usize>(), 0..3u8, any::<u16>(), any::<u16>()), 0..8),
        prop::collection::vec((0..3u8, any::<bool>(), 0..3u8, any::<u16>(), any::<u16>()), 0..2),
    );
    (types, relations, rest).prop_map(
        |(
            (app, enums, domains, composite, range),
            (tables, partitioned, child, sequences, views),
            (functions, objects, grants, defaults),
        )| Shape {
            app,
            enums,
            domains,
            composite,
            range,
            tables,
            partitioned,
            child,
            sequences,
            views,
            functions,
            objects,
            grants,
            defaults,
        },
    )
}

fn catalog() -> impl Strategy<Value = Catalog> {
    shape().prop_map(|s| build(&s))
}

// ---------------------------------------------------------------- building

fn user_type(q: &QualName) -> ColumnType {
    ColumnType { base: q.name.clone(), schema: Some(q.schema.clone()), typmod: None, array: false }
}

fn constraint(name: String, kind: ConstraintKind) -> Constraint {
    Constraint { name, kind, deferral: Deferral::Immediate, validated: true, comment: None, index_options: vec![] }
}

fn types(s: &Shape, cat: &mut Catalog) {
    if let Some(comment) = &s.app {
        cat.schemas.insert("app".into(), Schema { name: "app".into(), comment: comment.clone() });
    }
    let schemas = |want: &'static str| if s.app.is_some() { want } else { "public" };
    for (i, e) in s.enums.iter().enumerate() {
        let Some(e) = e else { continue };
        let name = QualName::new(schemas(e.schema), format!("mood{i}"));
        let labels = e.labels.iter().map(|l| l.to_string()).collect();
        cat.enums.insert(name.clone(), EnumType { name, labels, comment: e.comment.clone() });
    }
    for (i, d) in s.domains.iter().enumerate() {
        let Some(d) = d else { continue };
        let name = QualName::new("public", format!("dom{i}"));
        // A domain's base type cannot change in place (pgstate warns and leaves it): one per name.
        let (base, default, check) =
            if i == 1 { ("text", "'x'::text", "length(value) < 10") } else { ("integer", "1", "value > 0") };
        let mut checks = Map::default();
        if d.check {
            checks.insert(format!("dom{i}_check"), Expr::new(check));
        }
        cat.domains.insert(
            name.clone(),
            Domain {
                name,
                base: ColumnType::builtin(base),
                collation: None,
                default: d.default.then(|| Expr::new(default)),
                not_null: d.not_null,
                checks,
                comment: d.comment.clone(),
            },
        );
    }
    if let Some((two, comment)) = &s.composite {
        let name = QualName::new("public", "pair");
        let mut attributes = Map::default();
        for (n, t) in [("x", "integer"), ("y", "text")].into_iter().take(if *two { 2 } else { 1 }) {
            attributes.insert(
                n.to_string(),
                Attribute { name: n.into(), data_type: ColumnType::builtin(t), collation: None },
            );
        }
        cat.composites.insert(name.clone(), CompositeType { name, attributes, comment: comment.clone() });
    }
    if let Some((numeric, comment)) = &s.range {
        let name = QualName::new("public", "span");
        cat.ranges.insert(
            name.clone(),
            RangeType {
                name,
                subtype: ColumnType::builtin(if *numeric { "numeric" } else { "integer" }),
                opclass: None,
                collation: None,
                canonical: None,
                subtype_diff: None,
                multirange: None,
                comment: comment.clone(),
            },
        );
    }
}

/// A column's type and a default for it, or `None` when the user type it names was not drawn.
fn column_type(cat: &Catalog, t: TypeShape) -> Option<(ColumnType, Vec<String>)> {
    let nth = |keys: Vec<&QualName>, i: usize| keys.get(i).map(|q| user_type(q));
    Some(match t {
        TypeShape::Builtin(base, typmod) => {
            let mut ty = ColumnType::builtin(base);
            ty.typmod = typmod.map(str::to_string);
            let defaults: &[&str] = match base {
                "integer" | "bigint" | "numeric" => &["0", "1", "42"],
                "boolean" => &["true", "false"],
                "text" => &["'a'::text", "'b'::text"],
                _ => &["'x'::character varying"],
            };
            (ty, defaults.iter().map(|d| d.to_string()).collect())
        }
        TypeShape::Enum(i) => {
            let ty = nth(cat.enums.keys().collect(), i)?;
            let e = &cat.enums[&ty.custom()?];
            let defaults = e.labels.iter().map(|l| format!("'{l}'::{ty}")).collect();
            (ty, defaults)
        }
        TypeShape::Domain(i) => (nth(cat.domains.keys().collect(), i)?, vec![]),
        TypeShape::Composite => (nth(cat.composites.keys().collect(), 0)?, vec![]),
        TypeShape::Range => (nth(cat.ranges.keys().collect(), 0)?, vec![]),
    })
}

fn table(cat: &Catalog, name: QualName, t: &TableShape) -> Table {
    let mut table = Table::new(name.clone());
    table.unlogged = t.unlogged;
    table.comment = t.comment.clone();
    let id_type = ColumnType::builtin(if t.bigint { "bigint" } else { "integer" });
    let mut id = Column::new("id", id_type);
    id.not_null = true;
    match t.id {
        IdShape::Plain => {}
        IdShape::Default42 => id.default = Some(Expr::new("42")),
        IdShape::Identity(always) => {
            let seq = if t.bigint { SeqType::BigInt } else { SeqType::Integer };
            id.identity = Some(Box::new(Identity { always, options: SeqOptions::defaults(seq, 1) }));
        }
    }
    table.columns.insert("id".into(), id);
    for (i, c) in t.columns.iter().enumerate() {
        let Some(c) = c else { continue };
        let Some((ty, defaults)) = column_type(cat, c.ty) else { continue };
        let name = format!("c{i}");
        let mut col = Column::new(name.clone(), ty.clone());
        col.not_null = c.not_null;
        col.comment = c.comment.clone();
        if c.generated && matches!(ty.base.as_str(), "integer" | "bigint") && ty.schema.is_none() {
            col.generated = Some(Box::new(Expr::new("id * 2")));
        } else if let Some(d) = c.default.and_then(|d| defaults.get(d % defaults.len().max(1))) {
            col.default = Some(Expr::new(d.clone()));
        }
        table.columns.insert(name, col);
    }
    let n = &name.name;
    if t.pk {
        table.constraints.insert(
            format!("{n}_pkey"),
            constraint(format!("{n}_pkey"), ConstraintKind::PrimaryKey { columns: vec!["id".into()], include: vec![] }),
        );
    }
    let others: Vec<String> = table.columns.keys().filter(|c| *c != "id").cloned().collect();
    let plain: Vec<String> = others
        .iter()
        .filter(|c| {
            table.columns[*c].data_type.schema.is_none()
                || cat.enums.contains_key(&table.columns[*c].data_type.custom().unwrap())
        })
        .cloned()
        .collect();
    if let (Some((nnd, include)), Some(c)) = (t.unique, plain.first()) {
        let cn = format!("{n}_{c}_key");
        let include = if include { vec!["id".to_string()] } else { vec![] };
        table.constraints.insert(
            cn.clone(),
            constraint(cn, ConstraintKind::Unique { columns: vec![c.clone()], include, nulls_not_distinct: nnd }),
        );
    }
    if let Some((which, no_inherit, validated)) = t.check {
        let expr = ["id > 0", "id > 0 AND id < 1000", "id <> 7"][which as usize];
        let mut c = constraint(format!("{n}_id_check"), ConstraintKind::Check { expr: Expr::new(expr), no_inherit });
        c.validated = validated;
        table.constraints.insert(c.name.clone(), c);
    }
    let texts: Vec<&String> = plain.iter().filter(|c| table.columns[*c].data_type.base == "text").collect();
    for ix in &t.indexes {
        let key = match (ix.expression, texts.first()) {
            (true, Some(c)) => IndexKeyExpr::Expr(Expr::new(format!("lower({c})"))),
            _ => match plain.get(ix.column % plain.len().max(1)) {
                Some(c) => IndexKeyExpr::Column(c.clone()),
                None => IndexKeyExpr::Column("id".into()),
            },
        };
        let label = match &key {
            IndexKeyExpr::Column(c) => c.clone(),
            IndexKeyExpr::Expr(_) => "lower".into(),
        };
        let name = format!("{n}_{label}_idx");
        table.indexes.insert(
            name.clone(),
            Index {
                name,
                unique: ix.unique,
                method: "btree".into(),
                keys: vec![IndexKey { expr: key, opclass: None, desc: ix.desc, nulls_first: None, collation: None }],
                include: vec![],
                nulls_not_distinct: false,
                with: if ix.fillfactor { vec![("fillfactor".into(), "70".into())] } else { vec![] },
                predicate: ix.predicate.then(|| Expr::new("id > 10")),
                comment: ix.comment.clone(),
                statistics: vec![],
            },
        );
    }
    table
}

fn tables(s: &Shape, cat: &mut Catalog) {
    let schemas = |want: &'static str| if s.app.is_some() { want } else { "public" };
    for (i, t) in s.tables.iter().enumerate() {
        let Some(t) = t else { continue };
        let name = QualName::new(schemas(t.schema), format!("t{i}"));
        let table = table(cat, name.clone(), t);
        cat.tables.insert(name, table);
    }
    // Foreign keys to primary keys of the same type, once all tables exist.
    let targets: Vec<(QualName, ColumnType)> = cat
        .tables
        .values()
        .filter(|t| t.primary_key().is_some())
        .map(|t| (t.name.clone(), t.columns["id"].data_type.clone()))
        .collect();
    for (i, t) in s.tables.iter().enumerate() {
        let (Some(t), false) = (t, targets.is_empty()) else { continue };
        let Some(fk) = &t.fk else { continue };
        let (target, ty) = targets[fk.target % targets.len()].clone();
        let name = QualName::new(schemas(t.schema), format!("t{i}"));
        let table = cat.tables.get_mut(&name).expect("drawn");
        let n = format!("t{i}_ref_fkey");
        table.columns.insert("ref".into(), Column::new("ref", ty));
        let mut c = constraint(
            n,
            ConstraintKind::ForeignKey(ForeignKey {
                columns: vec!["ref".into()],
                ref_table: target,
                ref_columns: vec!["id".into()],
                on_delete: fk.on_delete,
                on_update: FkAction::NoAction,
                match_kind: FkMatch::Simple,
            }),
        );
        c.deferral = fk.deferral;
        c.validated = fk.validated;
        table.constraints.insert(c.name.clone(), c);
    }
    if let Some(p) = &s.partitioned {
        partitions(p, cat);
    }
    // An INHERITS child of public.t0, with a column of its own. Always t0: a child
    // moved to another parent (or a parent moved to another schema) keeps the old parent's columns as its own
    // (`NO INHERIT` leaves them local, `INHERIT` cannot take them back), which
    // pgstate does not plan; see the README.
    if let (Some(comment), Some(parent)) =
        (&s.child, cat.tables.keys().find(|q| q.name == "t0" && q.schema == "public").cloned())
    {
        let mut child = Table::new(QualName::new("public", "kid"));
        child.columns.insert("extra".into(), Column::new("extra", ColumnType::builtin("text")));
        child.inherits = vec![parent];
        child.comment = comment.clone();
        cat.tables.insert(child.name.clone(), child);
    }
    for (i, q) in s.sequences.iter().enumerate() {
        let Some((bigint, increment, owned, comment)) = q else { continue };
        let name = QualName::new("public", format!("s{i}"));
        let mut options =
            SeqOptions::defaults(if *bigint { SeqType::BigInt } else { SeqType::Integer }, *increment as i64);
        options.cache = if *owned { 10 } else { 1 };
        let owned_by = owned
            .then(|| cat.tables.values().find(|t| t.name.schema == "public" && t.columns.contains_key("id")))
            .flatten()
            .map(|t| (t.name.clone(), "id".to_string()));
        cat.sequences.insert(name.clone(), Sequence { name, options, owned_by, comment: comment.clone() });
    }
}

/// A range or list partitioned table on an integer key, with children and bounds as PostgreSQL prints them.
fn partitions(p: &PartitionShape, cat: &mut Catalog) {
    let name = QualName::new("public", "pt");
    let mut parent = Table::new(name.clone());
    let mut id = Column::new("id", ColumnType::builtin("integer"));
    id.not_null = true;
    parent.columns.insert("id".into(), id);
    parent.columns.insert("k".into(), Column::new("k", ColumnType::builtin("integer")));
    parent.partition_by = Some(PartitionKey { strategy: p.strategy, keys: vec![Expr::new("k")] });
    if p.index {
        parent.indexes.insert(
            "pt_k_idx".into(),
            Index {
                name: "pt_k_idx".into(),
                unique: false,
                method: "btree".into(),
                keys: vec![IndexKey {
                    expr: IndexKeyExpr::Column("k".into()),
                    opclass: None,
                    desc: false,
                    nulls_first: None,
                    collation: None,
                }],
                include: vec![],
                nulls_not_distinct: false,
                predicate: None,
                with: vec![],
                comment: None,
                statistics: vec![],
            },
        );
    }
    cat.tables.insert(name.clone(), parent);
    let mut bounds: Vec<(String, PartitionBound)> = (0..p.children)
        .map(|i| {
            let bound = match p.strategy {
                PartitionStrategy::List => PartitionBound::In(vec![(2 * i + 1).to_string(), (2 * i + 2).to_string()]),
                PartitionStrategy::Range => {
                    PartitionBound::Range { from: vec![(10 * i).to_string()], to: vec![(10 * i + 10).to_string()] }
                }
                PartitionStrategy::Hash => PartitionBound::Hash { modulus: 3, remainder: i as u32 },
            };
            (format!("pt_{i}"), bound)
        })
        .collect();
    // A hash partitioned table has no default partition.
    if p.default && p.strategy != PartitionStrategy::Hash {
        bounds.push(("pt_d".into(), PartitionBound::Default));
    }
    for (n, bound) in bounds {
        let mut child = Table::new(QualName::new("public", n));
        child.partition_of = Some(PartitionOf { parent: name.clone(), bound });
        cat.tables.insert(child.name.clone(), child);
    }
}

/// Views, routines, triggers, policies, generic objects and their comments as SQL.
fn derived_sql(s: &Shape, cat: &Catalog) -> String {
    let mut sql = String::new();
    let plain: Vec<&Table> =
        cat.tables.values().filter(|t| t.name.name.starts_with('t') && t.name.name.len() == 2).collect();
    for (i, v) in s.views.iter().enumerate() {
        let (Some(v), false) = (v, plain.is_empty()) else { continue };
        let t = plain[v.table % plain.len()];
        let mut cols = vec!["id".to_string()];
        cols.extend(t.columns.keys().skip(1).zip(&v.columns).filter(|(_, k)| **k).map(|(c, _)| c.clone()));
        let kind = if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
        sql += &format!(
            "CREATE {kind} public.v{i} AS SELECT {} FROM {} WHERE id > {};\n",
            cols.join(", "),
            t.name,
            v.bound
        );
        if v.materialized {
            sql += &format!("CREATE INDEX v{i}_id_idx ON public.v{i} (id);\n");
        }
        if let Some(c) = &v.comment {
            sql += &format!("COMMENT ON {kind} public.v{i} IS {};\n", lit(c));
        }
    }
    for (i, f) in s.functions.iter().enumerate() {
        let Some(f) = f else { continue };
        if f.procedure {
            let body = if f.plpgsql { "BEGIN PERFORM a; END" } else { "SELECT a" };
            let lang = if f.plpgsql { "plpgsql" } else { "sql" };
            sql += &format!("CREATE PROCEDURE public.f{i}(a integer) LANGUAGE {lang} AS $$ {body} $$;\n");
            if let Some(c) = &f.comment {
                sql += &format!("COMMENT ON PROCEDURE public.f{i}(integer) IS {};\n", lit(c));
            }
            continue;
        }
        let body = if f.plpgsql { format!("BEGIN RETURN a + {}; END", f.add) } else { format!("SELECT a + {}", f.add) };
        let lang = if f.plpgsql { "plpgsql" } else { "sql" };
        let strict = if f.strict { " STRICT" } else { "" };
        sql += &format!(
            "CREATE FUNCTION public.f{i}(a integer) RETURNS integer LANGUAGE {lang} {}{strict} AS $$ {body} $$;\n",
            f.volatility
        );
        if let Some(c) = &f.comment {
            sql += &format!("COMMENT ON FUNCTION public.f{i}(integer) IS {};\n", lit(c));
        }
    }
    let shaped = s.tables.iter().enumerate().filter_map(|(i, t)| Some((i, t.as_ref()?)));
    let mut trigger_function = false;
    for (i, t) in shaped {
        let Some(table) = cat.tables.values().find(|x| x.name.name == format!("t{i}")) else { continue };
        let name = &table.name;
        if t.exclusion {
            sql += &format!("ALTER TABLE {name} ADD CONSTRAINT t{i}_id_excl EXCLUDE USING btree (id WITH =);\n");
        }
        if let Some(force) = t.rls {
            sql += &format!("ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;\n");
            if force {
                sql += &format!("ALTER TABLE {name} FORCE ROW LEVEL SECURITY;\n");
            }
        }
        for (j, p) in t.policies.iter().enumerate() {
            let kind = if p.restrictive { " AS RESTRICTIVE" } else { "" };
            let using = format!("USING (id > {})", p.bound);
            let check = format!("WITH CHECK (id < {})", 1000 + p.bound as u32);
            let clauses = match p.command {
                "SELECT" | "DELETE" => using,
                "INSERT" => check,
                _ => format!("{using} {check}"),
            };
            sql += &format!("CREATE POLICY p{j} ON {name}{kind} FOR {} TO {} {clauses};\n", p.command, p.role);
            if let Some(c) = &p.comment {
                sql += &format!("COMMENT ON POLICY p{j} ON {name} IS {};\n", lit(c));
            }
        }
        if let Some(tr) = &t.trigger {
            trigger_function = true;
            let timing = if tr.after { "AFTER" } else { "BEFORE" };
            let each = if tr.row { "ROW" } else { "STATEMENT" };
            let when = if tr.row && !tr.events.contains(&"DELETE") { " WHEN (new.id > 0)" } else { "" };
            sql += &format!(
                "CREATE TRIGGER tr {timing} {} ON {name} FOR EACH {each}{when} EXECUTE FUNCTION public.trg();\n",
                tr.events.join(" OR ")
            );
            if let Some(c) = &tr.comment {
                sql += &format!("COMMENT ON TRIGGER tr ON {name} IS {};\n", lit(c));
            }
        }
    }
    if trigger_function {
        sql += "CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n";
    }
    let mut seen = Vec::new();
    for (key, stmt) in &s.objects {
        let object = stmt.split(" (").next().expect("split");
        let identity = object.split_whitespace().nth(2).unwrap_or(key);
        if seen.contains(&identity) {
            continue;
        }
        seen.push(identity);
        sql += &format!("{stmt};\n");
    }
    sql
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn build(s: &Shape) -> Catalog {
    let mut cat = Catalog::default();
    types(s, &mut cat);
    tables(s, &mut cat);
    let sql = derived_sql(s, &cat);
    let mut cat = match pgstate::parse::parse_onto(cat, "generated.sql", &sql) {
        Ok(p) => p.catalog,
        Err(e) => panic!("generated SQL does not parse: {}\n{sql}", e.summary()),
    };
    grants(s, &mut cat);
    cat.sort();
    cat
}

/// Each privilege of `kind` held when its bit is set in `held`, grantable when also set in `grantable`.
fn some_privileges(kind: ObjectKind, held: u16, grantable: u16) -> Privileges {
    let mut out = Privileges::default();
    for (i, p) in kind.all().iter().enumerate() {
        if held & (1 << (i % 16)) != 0 {
            out.grant(*p, grantable & (1 << (i % 16)) != 0);
        }
    }
    out
}

/// Privileges of two roles and PUBLIC on drawn objects, and some default privileges.
fn grants(s: &Shape, cat: &mut Catalog) {
    let mut objects: Vec<GrantObject> = cat.schemas.keys().map(|s| GrantObject::Schema(s.clone())).collect();
    objects.push(GrantObject::Schema("public".into()));
    objects.extend(cat.enums.keys().chain(cat.domains.keys()).map(|q| GrantObject::Type(q.clone())));
    // Not composite or range types: pgstate does not model their privileges (see the README).
    objects.extend(cat.sequences.keys().map(|q| GrantObject::Sequence(q.clone())));
    objects.extend(cat.views.keys().map(|q| GrantObject::Table(q.clone())));
    objects.extend(cat.routines.keys().map(|r| GrantObject::Function(r.to_string())));
    for t in cat.tables.values() {
        objects.push(GrantObject::Table(t.name.clone()));
        objects.extend(t.columns.keys().map(|c| GrantObject::Column(t.name.clone(), c.clone())));
    }
    let grantees = [Grantee::Role("r1".into()), Grantee::Role("Odd Role".into()), Grantee::Public];
    for (object, grantee, held, grantable) in &s.grants {
        let object = objects[object % objects.len()].clone();
        let held = some_privileges(object.kind(), *held, *grantable);
        let key = GrantKey { object, grantee: grantees[*grantee as usize].clone() };
        cat.set_privileges(key, held);
    }
    for (kind, in_public, grantee, held, grantable) in &s.defaults {
        let kind = [ObjectKind::Table, ObjectKind::Sequence, ObjectKind::Type][*kind as usize];
        let key = DefaultKey {
            for_role: Some("owner".into()),
            schema: in_public.then(|| "public".into()),
            kind,
            grantee: grantees[*grantee as usize].clone(),
        };
        cat.set_default_privileges(key, some_privileges(kind, *held, *grantable));
    }
}

// ---------------------------------------------------------------- comparing

/// Column order cannot be changed in place, and a constraint the schema
/// allows `NOT VALID` is met by a valid one (a new table's constraints are
/// always valid; the differ never un-validates), so both are compared out.
fn comparable(mut c: Catalog) -> Catalog {
    for t in c.tables.values_mut() {
        t.columns.sort_keys();
        for k in t.constraints.values_mut() {
            k.validated = true;
        }
    }
    c
}

/// Asserts that two catalogs are equal once comparable, showing the differing lines.
fn same(reached: &Catalog, want: &Catalog, sql: &str) -> Result<(), TestCaseError> {
    let (r, w) = (comparable(reached.clone()), comparable(want.clone()));
    if r == w {
        return Ok(());
    }
    let (r, w) = (format!("{r:#?}"), format!("{w:#?}"));
    let lines = similar::TextDiff::from_lines(&r, &w).unified_diff().context_radius(6).to_string();
    Err(TestCaseError::fail(format!("reached (-) differs from wanted (+):\n{lines}\n{sql}")))
}

/// 200 cases a property, or `PROPTEST_CASES` for a longer search.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    ProptestConfig { cases, max_shrink_iters: 2000, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn diff_of_a_catalog_with_itself_is_empty(a in catalog()) {
        prop_assert!(diff(&a, &a).is_empty(), "{:?}", diff(&a, &a));
    }

    #[test]
    fn applying_the_plan_in_the_model_reaches_the_target(a in catalog(), b in catalog()) {
        let p = plan(&a, &b, &[]).expect("plans");
        let mut reached = a.clone();
        let ordered: Vec<_> = p.steps.iter().map(|s| s.change.clone()).collect();
        apply_all(&mut reached, &ordered);
        same(&reached, &b, "")?;
        prop_assert!(diff(&reached, &b).is_empty(), "a second diff is not empty: {:?}", diff(&reached, &b));
    }

    #[test]
    fn replaying_the_plan_sql_reaches_the_target(a in catalog(), b in catalog()) {
        let sql = plan(&a, &b, &[]).expect("plans").to_sql();
        let reached = match pgstate::revisions::replay::replay(a.clone(), "generated", &sql) {
            Ok(c) => c,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{sql}"))),
        };
        same(&reached, &b, &sql)?;
        prop_assert!(diff(&reached, &b).is_empty(), "a second diff is not empty: {:?}\n{}", diff(&reached, &b), sql);
    }

    #[test]
    fn rendered_sql_parses_back_to_the_same_catalog(c in catalog()) {
        let sql = catalog_sql(&c).expect("plans");
        let parsed = match pgstate::parse::parse_str("rendered.sql", &sql) {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{}\n{sql}", e.summary()))),
        };
        same(&parsed.catalog, &c, &sql)?;
    }
}

/// A catalog and one of its columns or tables renamed (by the model's own
/// `RENAME`), with the hint a schema file would carry.
fn renamed() -> impl Strategy<Value = (Catalog, Catalog, RenameHint)> {
    (catalog(), any::<prop::sample::Index>(), any::<bool>()).prop_filter_map(
        "no table to rename",
        |(a, pick, table)| {
            let tables: Vec<&Table> = a.tables.values().filter(|t| t.partition_of.is_none()).collect();
            if tables.is_empty() {
                return None;
            }
            let t = pick.get(&tables);
            let (change, hint) = if table || t.columns.is_empty() {
                let to = QualName::new(t.name.schema.clone(), format!("{}_new", t.name.name));
                let change = Change::RenameTable { from: t.name.clone(), to: to.clone() };
                (change, RenameHint::Table { table: to, from: t.name.clone() })
            } else {
                let from = pick.get(&t.columns.keys().collect::<Vec<_>>()).to_string();
                let to = format!("{from}_new");
                let change = Change::RenameColumn { table: t.name.clone(), from: from.clone(), to: to.clone() };
                (change, RenameHint::Column { table: t.name.clone(), column: to, from })
            };
            let mut b = a.clone();
            apply_all(&mut b, &[change]);
            b.sort();
            Some((a, b, hint))
        },
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_hinted_rename_is_planned_as_a_rename((a, b, hint) in renamed()) {
        let p = plan(&a, &b, std::slice::from_ref(&hint)).expect("plans");
        let sql = p.to_sql();
        prop_assert!(sql.contains(" RENAME "), "no rename for {:?}:\n{}", hint, sql);
        prop_assert!(!sql.contains("DROP TABLE") && !sql.contains("DROP COLUMN"), "{:?}:\n{}", hint, sql);
        let reached = match pgstate::revisions::replay::replay(a.clone(), "generated", &sql) {
            Ok(c) => c,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{sql}"))),
        };
        same(&reached, &b, &sql)?;
    }
}
