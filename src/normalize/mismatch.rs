//! Which expressions differ between the desired and the live catalog, for
//! objects both have.

use crate::introspect::ExpressionKinds;
use crate::model::{Catalog, Column, ConstraintKind, Index, QualName, RoutineId};

/// Per table: the columns whose default or generation expression differs, and
/// the check/exclusion constraints and expression indexes whose text differs.
#[derive(Debug, Default)]
pub struct TableMismatch {
    /// Columns with a differing default.
    pub defaults: Vec<String>,
    /// Columns with a differing generation expression.
    pub generated: Vec<String>,
    /// Constraints (check or exclusion) that differ.
    pub constraints: Vec<String>,
    /// Indexes that differ.
    pub indexes: Vec<String>,
    /// Policies whose `USING` or `WITH CHECK` text differs.
    pub policies: Vec<String>,
}

impl TableMismatch {
    /// Whether something other than a default needs a scratch table.
    pub fn needs_scratch_table(&self) -> bool {
        !(self.generated.is_empty()
            && self.constraints.is_empty()
            && self.indexes.is_empty()
            && self.policies.is_empty())
    }
}

/// All mismatches: by table, and the domains whose default or checks differ.
#[derive(Debug, Default)]
pub struct Mismatches {
    /// Per table.
    pub tables: Vec<(QualName, TableMismatch)>,
    /// Domains (same base type on both sides) with a differing default or check.
    pub domains: Vec<QualName>,
    /// Views whose definitions differ.
    pub views: Vec<QualName>,
    /// Partitions of the same parent on both sides whose bounds differ.
    pub bounds: Vec<QualName>,
    /// Routines whose SQL-standard bodies (`RETURN`, `BEGIN ATOMIC`) differ.
    pub routines: Vec<RoutineId>,
}

impl Mismatches {
    /// The kinds beyond tables that the scratch schema is read back for:
    /// those some mismatch is of.
    pub fn kinds(&self) -> ExpressionKinds {
        let any = |f: fn(&TableMismatch) -> bool| self.tables.iter().any(|(_, m)| f(m));
        ExpressionKinds {
            domains: !self.domains.is_empty(),
            constraints: any(|m| !m.constraints.is_empty()),
            indexes: any(|m| !m.indexes.is_empty()),
            policies: any(|m| !m.policies.is_empty()),
        }
    }

    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.domains.is_empty()
            && self.views.is_empty()
            && self.bounds.is_empty()
            && self.routines.is_empty()
    }
}

/// Finds the expressions (and view definitions) worth asking the server about.
pub fn find(desired: &Catalog, live: &Catalog) -> Mismatches {
    let mut out = Mismatches {
        views: desired
            .views
            .iter()
            .filter(|(n, want)| live.views.get(*n).is_some_and(|have| !have.same_definition(want)))
            .map(|(n, _)| n.clone())
            .collect(),
        bounds: desired
            .tables
            .values()
            .filter(|t| {
                let have = live.tables.get(&t.name).and_then(|l| l.partition_of.as_ref());
                matches!((&t.partition_of, have), (Some(w), Some(h)) if w.parent == h.parent && w.bound != h.bound)
            })
            .map(|t| t.name.clone())
            .collect(),
        routines: desired
            .routines
            .iter()
            .filter(|(id, want)| {
                live.routines
                    .get(*id)
                    .is_some_and(|have| want.sql_body && have.sql_body && want.body_key != have.body_key)
            })
            .map(|(id, _)| id.clone())
            .collect(),
        ..Mismatches::default()
    };
    for (name, want) in &desired.tables {
        let Some(have) = live.tables.get(name) else { continue };
        let mut m = TableMismatch::default();
        for (c, col) in &want.columns {
            let Some(old) = have.columns.get(c) else { continue };
            if col.default.is_some() && old.default.is_some() && col.default != old.default && !surely_differ(col, old)
            {
                m.defaults.push(c.clone());
            }
            if col.generated.is_some() && old.generated.is_some() && col.generated != old.generated {
                m.generated.push(c.clone());
            }
        }
        for (n, con) in &want.constraints {
            let Some(old) = have.constraints.get(n) else { continue };
            let expression_kind = matches!(
                (&con.kind, &old.kind),
                (ConstraintKind::Check { .. }, ConstraintKind::Check { .. })
                    | (ConstraintKind::Exclusion { .. }, ConstraintKind::Exclusion { .. })
            );
            if expression_kind && con != old {
                m.constraints.push(n.clone());
            }
        }
        for (n, idx) in &want.indexes {
            let Some(old) = have.indexes.get(n) else { continue };
            // Expressions, predicates, and operator classes written out though they are the default.
            if idx != old {
                m.indexes.push(n.clone());
            }
        }
        for (n, p) in &want.policies {
            let Some(old) = have.policies.get(n) else { continue };
            if p.using != old.using || p.with_check != old.with_check {
                m.policies.push(n.clone());
            }
        }
        if !m.defaults.is_empty() || m.needs_scratch_table() {
            out.tables.push((name.clone(), m));
        }
    }
    for (name, want) in &desired.domains {
        let Some(have) = live.domains.get(name) else { continue };
        let same_type = want.base == have.base && want.collation == have.collation;
        let default_differs = want.default.is_some() && have.default.is_some() && want.default != have.default;
        let check_differs = want.checks.iter().any(|(n, e)| have.checks.get(n).is_some_and(|h| h != e));
        if same_type && (default_differs || check_differs) {
            out.domains.push(name.clone());
        }
    }
    out
}

/// Whether two defaults of a column are integer constants of different
/// values on an integer column of one type: PostgreSQL stores them as
/// different constants whatever their spelling, so there is nothing for a
/// server to settle (a counter's or a flag's new default, the common case,
/// then starts no throwaway server).
fn surely_differ(want: &Column, have: &Column) -> bool {
    let value = |c: &Column| c.default.as_ref().and_then(|e| integer_constant(&e.0));
    // A typmod on an integer type is the parser's leniency, not PostgreSQL's.
    want.data_type.integer_type().is_some()
        && want.data_type.typmod.is_none()
        && want.data_type == have.data_type
        && matches!((value(want), value(have)), (Some(a), Some(b)) if a != b)
}

/// The value of an integer constant as the parser or PostgreSQL spells it:
/// `42`, `-42`, `'-42'::integer` (a negative or non-int4 constant printed
/// with its type).
fn integer_constant(text: &str) -> Option<i64> {
    let digits = match text.strip_prefix('\'') {
        Some(quoted) => {
            let (inner, cast) = quoted.split_once('\'')?;
            matches!(cast, "::smallint" | "::integer" | "::bigint").then_some(inner)?
        }
        None => text,
    };
    let unsigned = digits.strip_prefix('-').unwrap_or(digits);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `t` under its own name with its columns' names, types and collations only.
pub(super) fn columns_only(t: &crate::model::Table) -> crate::model::Table {
    let mut bare = crate::model::Table::new(t.name.clone());
    for c in t.columns.values() {
        let mut col = crate::model::Column::new(c.name.clone(), c.data_type.clone());
        col.collation = c.collation.clone();
        bare.columns.insert(col.name.clone(), col);
    }
    bare
}

/// The part of `catalog` that settling `found` needs: its tables, the
/// relations their policies read (columns and types only), and every schema,
/// extension, type, sequence and routine (which expressions may name).
pub fn involved(catalog: &Catalog, found: &Mismatches) -> Catalog {
    let mut tables: crate::model::Map<QualName, crate::model::Table> =
        found.tables.iter().filter_map(|(t, _)| Some((t.clone(), catalog.tables.get(t)?.clone()))).collect();
    let read: Vec<QualName> = tables
        .values()
        .flat_map(|t| t.policies.values().flat_map(|p| p.depends.iter().filter_map(crate::model::Dep::relation)))
        .filter(|r| !tables.contains_key(*r))
        .cloned()
        .collect();
    for r in read {
        if let Some(t) = catalog.tables.get(&r) {
            tables.insert(r, columns_only(t));
        }
    }
    Catalog {
        schemas: catalog.schemas.clone(),
        extensions: catalog.extensions.clone(),
        enums: catalog.enums.clone(),
        domains: catalog.domains.clone(),
        composites: catalog.composites.clone(),
        ranges: catalog.ranges.clone(),
        sequences: catalog.sequences.clone(),
        routines: catalog.routines.clone(),
        triggers: Default::default(),
        tables,
        views: Default::default(),
        ..Catalog::default()
    }
}

/// Where the server stored a desired expression as it stored the current
/// one, or exactly as the current one is spelled (a current state read from a
/// database is in the server's spelling, which need not be a fixpoint of
/// storing it again), `desired` takes `current`'s spelling. Returns how many did.
pub fn adopt(
    desired: &mut Catalog,
    current: &Catalog,
    desired_stored: &Catalog,
    current_stored: &Catalog,
    found: &Mismatches,
) -> usize {
    let mut adopted = 0;
    let comparable = |x: &Index| Index { name: String::new(), comment: None, ..x.clone() };
    for name in &found.domains {
        let (Some(want), Some(have), Some(ws), Some(hs)) = (
            desired.domains.get_mut(name),
            current.domains.get(name),
            desired_stored.domains.get(name),
            current_stored.domains.get(name),
        ) else {
            continue;
        };
        if want.default != have.default && (ws.default == hs.default || ws.default == have.default) {
            want.default = have.default.clone();
            adopted += 1;
        }
        for (n, expr) in want.checks.iter_mut() {
            let (Some(h), Some(w), Some(s)) = (have.checks.get(n), ws.checks.get(n), hs.checks.get(n)) else {
                continue;
            };
            if h != expr && (w == s || w == h) {
                *expr = h.clone();
                adopted += 1;
            }
        }
    }
    for (table, m) in &found.tables {
        let (Some(want), Some(have), Some(ws), Some(hs)) = (
            desired.tables.get_mut(table),
            current.tables.get(table),
            desired_stored.tables.get(table),
            current_stored.tables.get(table),
        ) else {
            continue;
        };
        for c in &m.defaults {
            let w = &ws.columns[c].default;
            if w == &hs.columns[c].default || w == &have.columns[c].default {
                want.columns[c].default = have.columns[c].default.clone();
                adopted += 1;
            }
        }
        for c in &m.generated {
            let w = &ws.columns[c].generated;
            if w == &hs.columns[c].generated || w == &have.columns[c].generated {
                want.columns[c].generated = have.columns[c].generated.clone();
                adopted += 1;
            }
        }
        for n in &m.constraints {
            let w = &ws.constraints[n].kind;
            if w == &hs.constraints[n].kind || w == &have.constraints[n].kind {
                want.constraints[n].kind = have.constraints[n].kind.clone();
                adopted += 1;
            }
        }
        for n in &m.policies {
            let (w, h, p) = (&ws.policies[n], &hs.policies[n], &have.policies[n]);
            let policy = &mut want.policies[n];
            if (w.using == h.using || w.using == p.using) && policy.using != p.using {
                policy.using = p.using.clone();
                adopted += 1;
            }
            if (w.with_check == h.with_check || w.with_check == p.with_check) && policy.with_check != p.with_check {
                policy.with_check = p.with_check.clone();
                adopted += 1;
            }
        }
        for n in &m.indexes {
            let w = comparable(&ws.indexes[n]);
            if w == comparable(&hs.indexes[n]) || w == comparable(&have.indexes[n]) {
                let comment = want.indexes[n].comment.clone();
                want.indexes[n] = Index { comment, ..have.indexes[n].clone() };
                adopted += 1;
            }
        }
    }
    adopted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_str;

    fn catalog(sql: &str) -> Catalog {
        parse_str("t.sql", sql).expect("parses").catalog
    }

    #[test]
    fn integer_constants_are_read_in_either_spelling() {
        assert_eq!(integer_constant("42"), Some(42));
        assert_eq!(integer_constant("-42"), Some(-42));
        assert_eq!(integer_constant("'-42'::integer"), Some(-42));
        assert_eq!(integer_constant("'3000000000'::bigint"), Some(3_000_000_000));
        for not in ["'42'::text", "42.0", "(42)", "-", "", "'42'", "1e3", "99999999999999999999"] {
            assert_eq!(integer_constant(not), None, "{not}");
        }
    }

    #[test]
    fn different_integer_defaults_need_no_server_but_other_differences_do() {
        let from = catalog("CREATE TABLE t (a integer DEFAULT 0, b bigint DEFAULT -1, c integer DEFAULT 7, d numeric DEFAULT 0, e integer DEFAULT 0);");
        let to = catalog("CREATE TABLE t (a integer DEFAULT 1, b bigint DEFAULT 2, c integer DEFAULT 007, d numeric DEFAULT 1, e bigint DEFAULT 1);");
        let found = find(&to, &from);
        let defaults: Vec<&str> =
            found.tables.iter().flat_map(|(_, m)| m.defaults.iter().map(String::as_str)).collect();
        // a and b surely differ; c is one value spelled two ways (the
        // server decides), d is not an integer column, e changes its type.
        assert_eq!(defaults, ["c", "d", "e"]);
    }
}
