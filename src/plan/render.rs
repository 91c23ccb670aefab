//! SQL text for each change. Identifiers and literals go through
//! `canon::quote_ident` / `quote_literal`; expressions are canonical text that
//! sqlparser printed, never raw user input.

use super::routine_sql;
use super::table_attrs as attrs;
use crate::canon::{quote_ident, quote_idents, quote_literal};
use crate::diff::{Change, CommentTarget, CompositeAction, DomainAction};
use crate::model::{
    Column, Constraint, ConstraintKind, DefaultKey, Deferral, Domain, FkAction, FkMatch, GrantKey, GrantObject, Index,
    IndexKey, IndexKeyExpr, ObjectKind, Policy, Privilege, Privileges, QualName, SeqOptions, Sequence, Table,
    PUBLIC_ROLE,
};

fn dotted(name: &str) -> String {
    name.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

/// The statements that carry out one change, without trailing semicolons.
///
/// Long on purpose: one arm per `Change` variant (no catch-all), so the compiler names
/// it whenever a change is added.
pub fn statements(change: &Change) -> Vec<String> {
    match change {
        Change::SetPrivileges { key, from, to } => set_privileges(key, from.as_ref(), to),
        Change::SetDefaultPrivileges { key, from, to } => set_default_privileges(key, from, to),
        Change::CreateSchema { schema } => vec![format!("CREATE SCHEMA {}", quote_ident(&schema.name))],
        Change::DropSchema { name } => vec![format!("DROP SCHEMA {}", quote_ident(name))],
        Change::CreateExtension { extension } => {
            let schema =
                extension.schema.as_ref().map(|s| format!(" WITH SCHEMA {}", quote_ident(s))).unwrap_or_default();
            vec![format!("CREATE EXTENSION IF NOT EXISTS {}{schema}", quote_ident(&extension.name))]
        }
        Change::DropExtension { name } => vec![format!("DROP EXTENSION {}", quote_ident(name))],
        Change::CreateEnum { enum_type } => vec![create_enum(&enum_type.name, &enum_type.labels)],
        Change::DropEnum { name } => vec![format!("DROP TYPE {name}")],
        Change::CreateDomain { domain } => vec![create_domain(domain)],
        Change::DropDomain { name, .. } => vec![format!("DROP DOMAIN {name}")],
        Change::AlterDomain { name, action } => vec![match action {
            DomainAction::SetDefault { to: Some(d) } => format!("ALTER DOMAIN {name} SET DEFAULT {}", default_expr(d)),
            DomainAction::SetDefault { to: None } => format!("ALTER DOMAIN {name} DROP DEFAULT"),
            DomainAction::SetNotNull { not_null: true } => format!("ALTER DOMAIN {name} SET NOT NULL"),
            DomainAction::SetNotNull { not_null: false } => format!("ALTER DOMAIN {name} DROP NOT NULL"),
            DomainAction::AddCheck { check, expr } => {
                format!("ALTER DOMAIN {name} ADD CONSTRAINT {} CHECK ({expr})", quote_ident(check))
            }
            DomainAction::DropCheck { check } => format!("ALTER DOMAIN {name} DROP CONSTRAINT {}", quote_ident(check)),
        }],
        Change::AddEnumValue { name, value, before, after } => {
            let pos = match (before, after) {
                (Some(b), _) => format!(" BEFORE {}", quote_literal(b)),
                (None, Some(a)) => format!(" AFTER {}", quote_literal(a)),
                _ => String::new(),
            };
            vec![format!("ALTER TYPE {name} ADD VALUE {}{pos}", quote_literal(value))]
        }
        Change::RenameEnumValue { name, from, to } => {
            vec![format!("ALTER TYPE {name} RENAME VALUE {} TO {}", quote_literal(from), quote_literal(to))]
        }
        Change::RecreateEnum { from, to, columns } => recreate_enum(&from.name, &to.labels, columns),
        Change::CreateComposite { composite } => {
            let attrs: Vec<String> = composite.attributes.values().map(attribute_def).collect();
            vec![format!("CREATE TYPE {} AS ({})", composite.name, attrs.join(", "))]
        }
        Change::DropComposite { composite } => vec![format!("DROP TYPE {}", composite.name)],
        Change::AlterComposite { name, action } => vec![match action {
            CompositeAction::AddAttribute { attribute } => {
                format!("ALTER TYPE {name} ADD ATTRIBUTE {}", attribute_def(attribute))
            }
            CompositeAction::DropAttribute { attribute } => {
                format!("ALTER TYPE {name} DROP ATTRIBUTE {}", quote_ident(&attribute.name))
            }
            CompositeAction::AlterAttributeType { attribute, to, collation, .. } => {
                let collate = collation.as_ref().map(|c| format!(" COLLATE {}", dotted(c))).unwrap_or_default();
                format!("ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {to}{collate}", quote_ident(attribute))
            }
        }],
        Change::CreateRange { range } => vec![create_range(range)],
        Change::DropRange { range } => vec![format!("DROP TYPE {}", range.name)],
        Change::CreateSequence { sequence } => vec![create_sequence(sequence)],
        Change::AlterSequence { name, from, to } => {
            vec![format!("ALTER SEQUENCE {name}{}", alter_seq_options(from, to))]
        }
        Change::DropSequence { name } => vec![format!("DROP SEQUENCE {name}")],
        Change::SetSequenceOwner { name, owner, .. } => {
            let owner = match owner {
                Some((t, c)) => format!("{t}.{}", quote_ident(c)),
                None => "NONE".to_string(),
            };
            vec![format!("ALTER SEQUENCE {name} OWNED BY {owner}")]
        }
        Change::CreateTable { table } => {
            let mut out = vec![create_table(table)];
            out.extend(table.columns.values().filter_map(|c| set_statistics(&table.name, &c.name, c.statistics)));
            out.extend(table.columns.values().flat_map(|c| attrs::column_settings(&table.name, c)));
            out
        }
        Change::DropTable { table } => match &table.partition_of {
            // Detached first: a foreign key to the parent would otherwise block the drop.
            Some(p) => vec![detach(&p.parent, &table.name), format!("DROP TABLE {}", table.name)],
            None => vec![format!("DROP TABLE {}", table.name)],
        },
        Change::RenameTable { from, to } => vec![format!("ALTER TABLE {from} RENAME TO {}", quote_ident(&to.name))],
        Change::SetUnlogged { table, unlogged } => {
            vec![format!("ALTER TABLE {table} SET {}", if *unlogged { "UNLOGGED" } else { "LOGGED" })]
        }
        Change::AttachPartition { table, partition } => {
            vec![format!("ALTER TABLE {} ATTACH PARTITION {table} {}", partition.parent, partition.bound.sql())]
        }
        Change::DetachPartition { table, parent } => vec![detach(parent, table)],
        Change::SetInherit { table, parent, inherit } => {
            vec![format!("ALTER TABLE {table} {}INHERIT {parent}", if *inherit { "" } else { "NO " })]
        }
        Change::AddColumn { table, column } => {
            let mut out = vec![format!("ALTER TABLE {table} ADD COLUMN {}", column_def(column))];
            out.extend(set_statistics(table, &column.name, column.statistics));
            out.extend(attrs::column_settings(table, column));
            out
        }
        Change::SetStatistics { table, column, statistics } => {
            vec![format!(
                "ALTER TABLE {table} ALTER COLUMN {} SET STATISTICS {}",
                quote_ident(column),
                statistics.unwrap_or(-1)
            )]
        }
        Change::SetStorage { table, column, written, .. } => vec![attrs::set_storage(table, column, written)],
        Change::SetCompression { table, column, compression } => {
            vec![attrs::set_compression(table, column, compression.as_deref())]
        }
        Change::SetClusterOn { table, index } => vec![attrs::cluster_on(table, index.as_deref())],
        Change::SetReplicaIdentity { table, identity } => vec![attrs::replica_identity(table, identity.as_ref())],
        Change::SetTableOptions { table, set, reset } => {
            let mut out = Vec::new();
            if !set.is_empty() {
                out.push(format!("ALTER TABLE {table} SET ({})", storage_parameters(set)));
            }
            if !reset.is_empty() {
                let names: Vec<String> = reset.iter().map(|n| parameter_name(n)).collect();
                out.push(format!("ALTER TABLE {table} RESET ({})", names.join(", ")));
            }
            out
        }
        Change::DropLeftoverColumn { table, column, .. } => {
            vec![format!("ALTER TABLE {table} DROP COLUMN IF EXISTS {}", quote_ident(column))]
        }
        Change::DropColumn { table, column } => {
            vec![format!("ALTER TABLE {table} DROP COLUMN {}", quote_ident(&column.name))]
        }
        Change::RenameColumn { table, from, to } => {
            vec![format!("ALTER TABLE {table} RENAME COLUMN {} TO {}", quote_ident(from), quote_ident(to))]
        }
        Change::AlterColumnType { table, column, from, to, collation, using } => {
            let col = quote_ident(column);
            let collate = collation.as_ref().map(|c| format!(" COLLATE {}", dotted(c))).unwrap_or_default();
            // A user type (an enum) converts to another one only through text.
            let via = if from.schema.is_some() && to.schema.is_some() { "::text" } else { "" };
            let using = if *using { format!(" USING {col}{via}::{to}") } else { String::new() };
            vec![format!("ALTER TABLE {table} ALTER COLUMN {col} TYPE {to}{collate}{using}")]
        }
        Change::SetDefault { table, column, to, .. } => {
            let col = quote_ident(column);
            vec![match to {
                Some(e) => format!("ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {}", default_expr(e)),
                None => format!("ALTER TABLE {table} ALTER COLUMN {col} DROP DEFAULT"),
            }]
        }
        Change::SetNotNull { table, column, not_null } => {
            let verb = if *not_null { "SET" } else { "DROP" };
            vec![format!("ALTER TABLE {table} ALTER COLUMN {} {verb} NOT NULL", quote_ident(column))]
        }
        Change::AlterNotNull { table, column, from, to } => attrs::alter_not_null(table, column, from, to),
        Change::SetIdentity { table, column, from, to } => {
            let col = quote_ident(column);
            vec![match (from, to) {
                (_, None) => format!("ALTER TABLE {table} ALTER COLUMN {col} DROP IDENTITY"),
                (None, Some(id)) => format!(
                    "ALTER TABLE {table} ALTER COLUMN {col} ADD GENERATED {} AS IDENTITY{}",
                    generation(id.always),
                    identity_options(&id.options)
                ),
                (Some(old), Some(new)) => {
                    let mut sets = Vec::new();
                    if old.always != new.always {
                        sets.push(format!(" SET GENERATED {}", generation(new.always)));
                    }
                    for ((key, a), (_, b)) in seq_clauses(&old.options).into_iter().zip(seq_clauses(&new.options)) {
                        // The identity sequence's type follows the column's type by itself.
                        if key != "as" && a != b {
                            sets.push(format!(" SET{b}"));
                        }
                    }
                    format!("ALTER TABLE {table} ALTER COLUMN {col}{}", sets.concat())
                }
            }]
        }
        Change::AddConstraint { table, constraint } => vec![add_constraint(table, constraint)],
        Change::ValidateConstraint { table, constraint } => {
            vec![format!("ALTER TABLE {table} VALIDATE CONSTRAINT {}", quote_ident(&constraint.name))]
        }
        Change::DropConstraint { table, constraint } => {
            vec![format!("ALTER TABLE {table} DROP CONSTRAINT {}", quote_ident(&constraint.name))]
        }
        Change::RenameConstraint { table, from, to } => {
            vec![format!("ALTER TABLE {table} RENAME CONSTRAINT {} TO {}", quote_ident(from), quote_ident(to))]
        }
        Change::CreateIndex { table, index } => {
            let mut out = vec![create_index(table, index, false)];
            out.extend(index_statistics(table, index));
            out
        }
        Change::DropIndex { table, index } => {
            vec![format!("DROP INDEX {}", QualName::new(table.schema.clone(), index.name.clone()))]
        }
        Change::RenameIndex { table, from, to } => vec![format!(
            "ALTER INDEX {} RENAME TO {}",
            QualName::new(table.schema.clone(), from.clone()),
            quote_ident(to)
        )],
        Change::CreateRoutine { routine, replace } => vec![routine_sql::create_routine(routine, *replace)],
        Change::DropRoutine { routine } => vec![format!("DROP {} {}", routine.kind.sql(), routine.id())],
        Change::CreateTrigger { trigger } => {
            let mut v = vec![routine_sql::create_trigger(trigger)];
            if trigger.enabled != crate::model::TriggerEnabled::Origin {
                v.push(routine_sql::trigger_enabled(&trigger.table, &trigger.name, trigger.enabled));
            }
            v
        }
        Change::DropTrigger { trigger } => {
            vec![format!("DROP TRIGGER {} ON {}", quote_ident(&trigger.name), trigger.table)]
        }
        Change::SetTriggerEnabled { trigger, enabled } => {
            vec![routine_sql::trigger_enabled(&trigger.table, &trigger.name, *enabled)]
        }
        Change::DropInvalidIndex { index } => vec![format!("DROP INDEX IF EXISTS {index}")],
        Change::CreateView { view, replace } => vec![create_view(view, *replace)],
        Change::DropView { view } => vec![format!("DROP {} {}", view.keyword(), view.name)],
        Change::SetRowSecurity { table, enabled } => {
            vec![format!("ALTER TABLE {table} {} ROW LEVEL SECURITY", if *enabled { "ENABLE" } else { "DISABLE" })]
        }
        Change::SetForceRowSecurity { table, force } => {
            vec![format!("ALTER TABLE {table} {} ROW LEVEL SECURITY", if *force { "FORCE" } else { "NO FORCE" })]
        }
        Change::CreateObject { object, replace } => object.statements(*replace),
        Change::DropObject { object } => vec![format!("DROP {} {}", object.kind.spec().keyword, object.identity)],
        Change::AlterObject { from, to } => from.alter_statements(to),
        Change::CreatePolicy { table, policy } => vec![create_policy(table, policy)],
        Change::DropPolicy { table, policy } => vec![format!("DROP POLICY {} ON {table}", quote_ident(&policy.name))],
        Change::AlterPolicy { table, from, to } => {
            let mut s = format!("ALTER POLICY {} ON {table}", quote_ident(&to.name));
            if from.roles != to.roles {
                s.push_str(&format!(" TO {}", roles(&to.roles)));
            }
            if from.using != to.using {
                if let Some(u) = &to.using {
                    s.push_str(&format!(" USING ({u})"));
                }
            }
            if from.with_check != to.with_check {
                if let Some(c) = &to.with_check {
                    s.push_str(&format!(" WITH CHECK ({c})"));
                }
            }
            vec![s]
        }
        Change::SetComment { target, text } => {
            let text = text.as_deref().map_or("NULL".to_string(), quote_literal);
            let what = match target {
                CommentTarget::Schema(s) => format!("SCHEMA {}", quote_ident(s)),
                CommentTarget::Table(t) => format!("TABLE {t}"),
                CommentTarget::Column(t, c) => format!("COLUMN {t}.{}", quote_ident(c)),
                CommentTarget::Constraint(t, c) => format!("CONSTRAINT {} ON {t}", quote_ident(c)),
                CommentTarget::Index(i) => format!("INDEX {i}"),
                CommentTarget::Sequence(s) => format!("SEQUENCE {s}"),
                CommentTarget::Type(t) => format!("TYPE {t}"),
                CommentTarget::Domain(t) => format!("DOMAIN {t}"),
                CommentTarget::View { name, materialized: true } => format!("MATERIALIZED VIEW {name}"),
                CommentTarget::View { name, materialized: false } => format!("VIEW {name}"),
                CommentTarget::Routine(r, kind) => format!("{} {r}", kind.sql()),
                CommentTarget::Trigger(t) => format!("TRIGGER {t}"),
                CommentTarget::Policy(t, p) => format!("POLICY {} ON {t}", quote_ident(p)),
                CommentTarget::Object(o) => format!("{} {}", o.kind.spec().keyword, o.identity),
            };
            vec![format!("COMMENT ON {what} IS {text}")]
        }
    }
}

/// `CREATE [OR REPLACE] [MATERIALIZED] VIEW`. The query is the one the model
/// holds: printed by sqlparser, or kept as written where sqlparser could not
/// read it (PostgreSQL then judges it), or as PostgreSQL printed it.
fn create_view(view: &crate::model::View, replace: bool) -> String {
    let mut out = format!("CREATE {}{} {}", if replace { "OR REPLACE " } else { "" }, view.keyword(), view.name);
    if !view.columns.is_empty() {
        out.push_str(&format!(" ({})", quote_idents(&view.columns)));
    }
    if !view.options.is_empty() {
        let opts: Vec<String> =
            view.options.iter().map(|(k, v)| format!("{}={}", dotted(k), quote_literal(v))).collect();
        out.push_str(&format!(" WITH ({})", opts.join(", ")));
    }
    out.push_str(" AS\n");
    out.push_str(view.query.trim_end().trim_end_matches(';'));
    if view.materialized && !view.with_data {
        out.push_str("\nWITH NO DATA");
    }
    out
}

/// A default as SQL, as written: PostgreSQL's grammar takes only simple
/// expressions after DEFAULT, so anything with operators of lower precedence
/// goes in parentheses (which PostgreSQL does not store).
fn default_expr(e: &crate::model::Expr) -> String {
    let text = &e.to_string();
    let needs = [
        " AT TIME ZONE ",
        " COLLATE ",
        " SIMILAR TO ",
        " AND ",
        " OR ",
        " IS ",
        " IN (",
        " LIKE ",
        " ILIKE ",
        " BETWEEN ",
        " = ",
        " <> ",
        " < ",
        " > ",
        " <= ",
        " >= ",
    ];
    if text.starts_with("NOT ") || needs.iter().any(|n| text.contains(n)) {
        format!("({text})")
    } else {
        text.clone()
    }
}

/// `TO` roles: PUBLIC as the keyword, other roles as identifiers.
fn roles(list: &[String]) -> String {
    list.iter()
        .map(|r| if r == PUBLIC_ROLE { "PUBLIC".to_string() } else { quote_ident(r) })
        .collect::<Vec<_>>()
        .join(", ")
}

fn create_policy(table: &QualName, p: &Policy) -> String {
    let mut s = format!("CREATE POLICY {} ON {table}", quote_ident(&p.name));
    if !p.permissive {
        s.push_str(" AS RESTRICTIVE");
    }
    if p.command != crate::model::PolicyCommand::All {
        s.push_str(&format!(" FOR {}", p.command.sql()));
    }
    if p.roles != [PUBLIC_ROLE] {
        s.push_str(&format!(" TO {}", roles(&p.roles)));
    }
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({c})"));
    }
    s
}

fn create_range(r: &crate::model::RangeType) -> String {
    let mut options = vec![format!("SUBTYPE = {}", r.subtype)];
    let named = [
        ("SUBTYPE_OPCLASS", &r.opclass),
        ("COLLATION", &r.collation.as_ref().map(|c| dotted(c))),
        ("CANONICAL", &r.canonical),
        ("SUBTYPE_DIFF", &r.subtype_diff),
        ("MULTIRANGE_TYPE_NAME", &r.multirange.as_ref().map(|m| m.sql())),
    ];
    for (key, value) in named {
        if let Some(v) = value {
            options.push(format!("{key} = {v}"));
        }
    }
    format!("CREATE TYPE {} AS RANGE ({})", r.name, options.join(", "))
}

fn attribute_def(a: &crate::model::Attribute) -> String {
    let collate = a.collation.as_ref().map(|c| format!(" COLLATE {}", dotted(c))).unwrap_or_default();
    format!("{} {}{collate}", quote_ident(&a.name), a.data_type)
}

fn generation(always: bool) -> &'static str {
    if always {
        "ALWAYS"
    } else {
        "BY DEFAULT"
    }
}

fn create_domain(d: &Domain) -> String {
    let mut s = format!("CREATE DOMAIN {} AS {}", d.name, d.base);
    if let Some(c) = &d.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(c)));
    }
    if let Some(default) = &d.default {
        s.push_str(&format!(" DEFAULT {}", default_expr(default)));
    }
    if d.not_null {
        s.push_str(" NOT NULL");
    }
    for (name, expr) in &d.checks {
        s.push_str(&format!(" CONSTRAINT {} CHECK ({expr})", quote_ident(name)));
    }
    s
}

fn create_enum(name: &QualName, labels: &[String]) -> String {
    let labels = labels.iter().map(|l| quote_literal(l)).collect::<Vec<_>>().join(", ");
    format!("CREATE TYPE {name} AS ENUM ({labels})")
}

fn recreate_enum(name: &QualName, labels: &[String], columns: &[(QualName, Column)]) -> Vec<String> {
    let old_name = crate::canon::names::make_object_name(&name.name, None, "pgstate_old");
    let old = QualName::new(name.schema.clone(), old_name.clone());
    let mut out = vec![format!("ALTER TYPE {name} RENAME TO {}", quote_ident(&old_name)), create_enum(name, labels)];
    for (table, col) in columns {
        let c = quote_ident(&col.name);
        let array = if col.data_type.array { "[]" } else { "" };
        if col.default.is_some() {
            out.push(format!("ALTER TABLE {table} ALTER COLUMN {c} DROP DEFAULT"));
        }
        out.push(format!(
            "ALTER TABLE {table} ALTER COLUMN {c} TYPE {name}{array} USING {c}::text{array}::{name}{array}"
        ));
        if let Some(d) = &col.default {
            out.push(format!("ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT {}", default_expr(d)));
        }
    }
    out.push(format!("DROP TYPE {old}"));
    out
}

fn seq_clauses(o: &SeqOptions) -> Vec<(&'static str, String)> {
    vec![
        ("as", format!(" AS {}", o.data_type.sql())),
        ("increment", format!(" INCREMENT BY {}", o.increment)),
        ("min", format!(" MINVALUE {}", o.min)),
        ("max", format!(" MAXVALUE {}", o.max)),
        ("start", format!(" START WITH {}", o.start)),
        ("cache", format!(" CACHE {}", o.cache)),
        ("cycle", if o.cycle { " CYCLE".to_string() } else { " NO CYCLE".to_string() }),
    ]
}

/// Clauses of `to` that differ from `from`.
fn alter_seq_options(from: &SeqOptions, to: &SeqOptions) -> String {
    seq_clauses(from).into_iter().zip(seq_clauses(to)).filter(|(a, b)| a.1 != b.1).map(|(_, b)| b.1).collect()
}

/// Clauses that differ from PostgreSQL's defaults for the sequence's type and increment.
fn non_default_options(o: &SeqOptions, default_type: crate::model::SeqType) -> String {
    let base = SeqOptions::defaults(o.data_type, o.increment);
    let mut out = String::new();
    for ((key, a), (_, b)) in seq_clauses(&base).into_iter().zip(seq_clauses(o)) {
        let differs = match key {
            "as" => o.data_type != default_type,
            "increment" => o.increment != 1,
            _ => a != b,
        };
        if differs {
            out.push_str(&b);
        }
    }
    out
}

fn create_sequence(s: &Sequence) -> String {
    format!("CREATE SEQUENCE {}{}", s.name, non_default_options(&s.options, crate::model::SeqType::BigInt))
}

fn identity_options(o: &SeqOptions) -> String {
    let opts = non_default_options(o, o.data_type);
    if opts.is_empty() {
        String::new()
    } else {
        format!(" ({})", opts.trim())
    }
}

/// One column as in CREATE TABLE / ADD COLUMN.
pub fn column_def(c: &Column) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.data_type);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", dotted(coll)));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
    }
    if let Some(id) = &c.identity {
        s.push_str(&format!(" GENERATED {} AS IDENTITY{}", generation(id.always), identity_options(&id.options)));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {}", default_expr(d)));
    }
    // One NO INHERIT is added after (`attrs::column_settings`), in a form pgstate reads back.
    let nn = &c.not_null_constraint;
    if c.not_null && !nn.no_inherit && (c.identity.is_none() || nn.name.is_some()) {
        if let Some(name) = &nn.name {
            s.push_str(&format!(" CONSTRAINT {}", quote_ident(name)));
        }
        s.push_str(" NOT NULL");
    }
    s
}

fn key_def(k: &IndexKey) -> String {
    let mut s = match &k.expr {
        IndexKeyExpr::Column(c) => quote_ident(c),
        IndexKeyExpr::Expr(e) => format!("({e})"),
    };
    if let Some(c) = &k.collation {
        s.push_str(&format!(" COLLATE {}", dotted(c)));
    }
    if let Some(o) = &k.opclass {
        s.push_str(&format!(" {}", dotted(o)));
    }
    if k.desc {
        s.push_str(" DESC");
    }
    match k.nulls_first {
        Some(true) => s.push_str(" NULLS FIRST"),
        Some(false) => s.push_str(" NULLS LAST"),
        None => {}
    }
    s
}

fn include(cols: &[String]) -> String {
    if cols.is_empty() {
        String::new()
    } else {
        format!(" INCLUDE ({})", quote_idents(cols))
    }
}

/// `ALTER TABLE ... ADD CONSTRAINT ...`, `NOT VALID` when the constraint is
/// (a new table's constraints are always valid: it has no rows to skip).
pub fn add_constraint(table: &QualName, c: &Constraint) -> String {
    let not_valid = if !c.validated && c.can_be_not_valid() { " NOT VALID" } else { "" };
    format!("ALTER TABLE {table} ADD {}{not_valid}", constraint_def(c))
}

/// `CONSTRAINT name ...` as in CREATE TABLE / ADD.
pub fn constraint_def(c: &Constraint) -> String {
    let body = match &c.kind {
        ConstraintKind::PrimaryKey { columns, include: inc } => {
            format!("PRIMARY KEY ({}){}{}", quote_idents(columns), include(inc), index_with(c))
        }
        ConstraintKind::Unique { columns, include: inc, nulls_not_distinct } => format!(
            "UNIQUE{} ({}){}{}",
            if *nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" },
            quote_idents(columns),
            include(inc),
            index_with(c)
        ),
        ConstraintKind::ForeignKey(fk) => {
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                quote_idents(&fk.columns),
                fk.ref_table,
                quote_idents(&fk.ref_columns)
            );
            if fk.match_kind == FkMatch::Full {
                s.push_str(" MATCH FULL");
            }
            if fk.on_update != FkAction::NoAction {
                s.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
            }
            if fk.on_delete != FkAction::NoAction {
                s.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
            }
            s
        }
        ConstraintKind::Check { expr, no_inherit } => {
            format!("CHECK ({expr}){}", if *no_inherit { " NO INHERIT" } else { "" })
        }
        ConstraintKind::Exclusion { method, elements, predicate } => {
            let els = elements.iter().map(|(k, op)| format!("{} WITH {op}", key_def(k))).collect::<Vec<_>>().join(", ");
            let pred = predicate.as_ref().map(|p| format!(" WHERE ({p})")).unwrap_or_default();
            format!("EXCLUDE USING {method} ({els}){pred}")
        }
    };
    let deferral = match c.deferral {
        Deferral::Immediate => "",
        Deferral::Deferrable => " DEFERRABLE",
        Deferral::Deferred => " DEFERRABLE INITIALLY DEFERRED",
    };
    format!("CONSTRAINT {} {body}{deferral}", quote_ident(&c.name))
}

fn detach(parent: &QualName, partition: &QualName) -> String {
    format!("ALTER TABLE {parent} DETACH PARTITION {partition}")
}

/// `name = 'value', ...`: a storage parameter's name may be `toast.` qualified.
fn storage_parameters(params: &[(String, String)]) -> String {
    let params: Vec<String> =
        params.iter().map(|(k, v)| format!("{} = {}", parameter_name(k), quote_literal(v))).collect();
    params.join(", ")
}

/// ` WITH (...)` of a key's index, when it sets storage parameters.
fn index_with(c: &Constraint) -> String {
    if c.index_options.is_empty() {
        return String::new();
    }
    format!(" WITH ({})", storage_parameters(&c.index_options))
}

fn parameter_name(name: &str) -> String {
    name.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

/// `ALTER TABLE ... ALTER COLUMN ... SET STATISTICS n`, when the column sets one.
fn set_statistics(table: &QualName, column: &str, statistics: Option<i32>) -> Option<String> {
    statistics.map(|n| format!("ALTER TABLE {table} ALTER COLUMN {} SET STATISTICS {n}", quote_ident(column)))
}

fn create_table(t: &Table) -> String {
    let mut lines: Vec<String> = t.columns.values().map(column_def).collect();
    lines.extend(t.constraints.values().map(constraint_def));
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    let mut tail = String::new();
    if !t.inherits.is_empty() {
        let parents: Vec<String> = t.inherits.iter().map(|p| p.to_string()).collect();
        tail.push_str(&format!(" INHERITS ({})", parents.join(", ")));
    }
    if let Some(p) = &t.partition_of {
        // A partition's columns are its parent's: only its own constraints are listed.
        let own = if lines.is_empty() { String::new() } else { format!(" (\n    {}\n)", lines.join(",\n    ")) };
        let mut by = t.partition_by.as_ref().map(|k| format!(" PARTITION BY {}", k.sql())).unwrap_or_default();
        if !t.options.is_empty() {
            by.push_str(&format!(" WITH ({})", storage_parameters(&t.options)));
        }
        return format!("CREATE {unlogged}TABLE {} PARTITION OF {}{own} {}{by}", t.name, p.parent, p.bound.sql());
    }
    if let Some(k) = &t.partition_by {
        tail.push_str(&format!(" PARTITION BY {}", k.sql()));
    }
    if !t.options.is_empty() {
        tail.push_str(&format!(" WITH ({})", storage_parameters(&t.options)));
    }
    if lines.is_empty() {
        return format!("CREATE {unlogged}TABLE {} (){tail}", t.name);
    }
    format!("CREATE {unlogged}TABLE {} (\n    {}\n){tail}", t.name, lines.join(",\n    "))
}

/// `ALTER INDEX ... ALTER COLUMN n SET STATISTICS m`, one per key position that sets a target.
pub fn index_statistics(table: &QualName, i: &Index) -> Vec<String> {
    let name = QualName::new(table.schema.clone(), i.name.clone());
    i.statistics.iter().map(|(n, m)| format!("ALTER INDEX {name} ALTER COLUMN {n} SET STATISTICS {m}")).collect()
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] ...`.
pub fn create_index(table: &QualName, i: &Index, concurrently: bool) -> String {
    let unique = if i.unique { "UNIQUE " } else { "" };
    let method = if i.method == "btree" { String::new() } else { format!(" USING {}", quote_ident(&i.method)) };
    let keys = i.keys.iter().map(key_def).collect::<Vec<_>>().join(", ");
    let nnd = if i.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" };
    let with = if i.with.is_empty() {
        String::new()
    } else {
        let params: Vec<String> =
            i.with.iter().map(|(k, v)| format!("{} = {}", quote_ident(k), quote_literal(v))).collect();
        format!(" WITH ({})", params.join(", "))
    };
    let pred = i.predicate.as_ref().map(|p| format!(" WHERE ({p})")).unwrap_or_default();
    let concurrently = if concurrently { "CONCURRENTLY " } else { "" };
    format!(
        "CREATE {unique}INDEX {concurrently}{} ON {table}{method} ({keys}){}{nnd}{with}{pred}",
        quote_ident(&i.name),
        include(&i.include)
    )
}

/// What changes from `from` to `to`: privileges to revoke, grant options to
/// revoke, privileges to grant without and with the grant option.
type AclSteps = (Vec<Privilege>, Vec<Privilege>, Vec<Privilege>, Vec<Privilege>);

fn acl_steps(from: &Privileges, to: &Privileges) -> AclSteps {
    let mut steps: AclSteps = Default::default();
    for (p, g) in &from.0 {
        match to.0.get(p) {
            None => steps.0.push(*p),
            Some(false) if *g => steps.1.push(*p),
            _ => {}
        }
    }
    for (p, g) in &to.0 {
        match (from.0.get(p), g) {
            (None, false) => steps.2.push(*p),
            (None | Some(false), true) => steps.3.push(*p),
            _ => {}
        }
    }
    steps
}

/// `SELECT, INSERT`, or for a column `SELECT (c), INSERT (c)`; `ALL` when it is all of them.
fn privilege_list(list: &[Privilege], column: Option<&str>, kind: ObjectKind) -> String {
    let col = column.map(|c| format!(" ({})", quote_ident(c))).unwrap_or_default();
    if list.len() > 1 && list == kind.all() {
        return format!("ALL{col}");
    }
    list.iter().map(|p| format!("{}{col}", p.name())).collect::<Vec<_>>().join(", ")
}

fn set_privileges(key: &GrantKey, from: Option<&Privileges>, to: &Privileges) -> Vec<String> {
    let on = key.object.on_sql();
    let who = key.grantee.sql();
    let kind = key.object.kind();
    let column = match &key.object {
        GrantObject::Column(_, c) => Some(c.as_str()),
        _ => None,
    };
    let mut out = Vec::new();
    let empty = Privileges::default();
    let from = match from {
        Some(f) => f,
        None => {
            let all = column.map(|c| format!("ALL ({})", quote_ident(c))).unwrap_or_else(|| "ALL".to_string());
            out.push(format!("REVOKE {all} ON {on} FROM {who}"));
            &empty
        }
    };
    let (revoke, revoke_option, grant, grant_option) = acl_steps(from, to);
    if !revoke.is_empty() {
        out.push(format!("REVOKE {} ON {on} FROM {who}", privilege_list(&revoke, column, kind)));
    }
    if !revoke_option.is_empty() {
        out.push(format!(
            "REVOKE GRANT OPTION FOR {} ON {on} FROM {who}",
            privilege_list(&revoke_option, column, kind)
        ));
    }
    if !grant.is_empty() {
        out.push(format!("GRANT {} ON {on} TO {who}", privilege_list(&grant, column, kind)));
    }
    if !grant_option.is_empty() {
        out.push(format!("GRANT {} ON {on} TO {who} WITH GRANT OPTION", privilege_list(&grant_option, column, kind)));
    }
    out
}

fn set_default_privileges(key: &DefaultKey, from: &Privileges, to: &Privileges) -> Vec<String> {
    let prefix = key.prefix_sql();
    let (on, who) = (key.kind.plural(), key.grantee.sql());
    let (revoke, revoke_option, grant, grant_option) = acl_steps(from, to);
    let mut out = Vec::new();
    if !revoke.is_empty() {
        out.push(format!("{prefix} REVOKE {} ON {on} FROM {who}", privilege_list(&revoke, None, key.kind)));
    }
    if !revoke_option.is_empty() {
        out.push(format!(
            "{prefix} REVOKE GRANT OPTION FOR {} ON {on} FROM {who}",
            privilege_list(&revoke_option, None, key.kind)
        ));
    }
    if !grant.is_empty() {
        out.push(format!("{prefix} GRANT {} ON {on} TO {who}", privilege_list(&grant, None, key.kind)));
    }
    if !grant_option.is_empty() {
        out.push(format!(
            "{prefix} GRANT {} ON {on} TO {who} WITH GRANT OPTION",
            privilege_list(&grant_option, None, key.kind)
        ));
    }
    out
}
