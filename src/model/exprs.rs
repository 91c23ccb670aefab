//! One walker over every expression the model holds, for code that treats
//! them alike whatever they belong to (drift's rendering gives equal
//! expressions one spelling on both sides).
//!
//! A new field that holds an `Expr` must be visited here.

use super::{Catalog, ConstraintKind, Expr, IndexKey, IndexKeyExpr};

impl Catalog {
    /// Calls `f` on every expression: column defaults and generation
    /// expressions, checks, exclusion elements and predicates, index keys and
    /// predicates, policies, partition keys, domain defaults and checks,
    /// trigger conditions and routine argument defaults.
    pub fn visit_exprs(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        let key = |k: &mut IndexKey, f: &mut dyn FnMut(&mut Expr)| {
            if let IndexKeyExpr::Expr(e) = &mut k.expr {
                f(e);
            }
        };
        for t in self.tables.values_mut() {
            for c in t.columns.values_mut() {
                c.default.iter_mut().chain(c.generated.as_deref_mut()).for_each(&mut *f);
            }
            for c in t.constraints.values_mut() {
                match &mut c.kind {
                    ConstraintKind::Check { expr, .. } => f(expr),
                    ConstraintKind::Exclusion { elements, predicate, .. } => {
                        elements.iter_mut().for_each(|(k, _)| key(k, f));
                        predicate.iter_mut().for_each(&mut *f);
                    }
                    _ => {}
                }
            }
            for i in t.indexes.values_mut() {
                i.keys.iter_mut().for_each(|k| key(k, f));
                i.predicate.iter_mut().for_each(&mut *f);
            }
            for p in t.policies.values_mut() {
                p.using.iter_mut().chain(p.with_check.iter_mut()).for_each(&mut *f);
            }
            if let Some(k) = &mut t.partition_by {
                k.keys.iter_mut().for_each(&mut *f);
            }
        }
        for d in self.domains.values_mut() {
            d.default.iter_mut().chain(d.checks.values_mut()).for_each(&mut *f);
        }
        for t in self.triggers.values_mut() {
            t.when.iter_mut().for_each(&mut *f);
        }
        for r in self.routines.values_mut() {
            r.args.iter_mut().flat_map(|a| a.default.iter_mut()).for_each(&mut *f);
        }
    }

    /// Gives each expression that compares equal to one in `like` the
    /// spelling `like` has for it, and each table the column order `like`'s
    /// table of that name has (columns `like` lacks keep their place after
    /// the others). Neither changes what the catalog means: equal expressions
    /// are equal, and PostgreSQL cannot reorder columns, so pgstate never
    /// compares their order. Two renderings then differ only where the
    /// catalogs do.
    pub fn spelled_like(&mut self, like: &Catalog) {
        let mut spellings: std::collections::HashMap<String, Option<String>> = std::collections::HashMap::new();
        let mut like = like.clone();
        like.visit_exprs(&mut |e| {
            spellings.entry(e.0.clone()).or_insert_with(|| e.1.clone());
        });
        self.visit_exprs(&mut |e| {
            if let Some(written) = spellings.get(&e.0) {
                e.1 = written.clone();
            }
        });
        for (name, t) in self.tables.iter_mut() {
            let Some(want) = like.tables.get(name) else { continue };
            let mut columns = std::mem::take(&mut t.columns);
            let mut ordered = super::Map::default();
            for c in want.columns.keys() {
                if let Some(col) = columns.shift_remove(c) {
                    ordered.insert(c.clone(), col);
                }
            }
            ordered.extend(columns);
            t.columns = ordered;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, ColumnType, QualName, Table};

    fn table(cols: &[(&str, Option<Expr>)]) -> Catalog {
        let mut cat = Catalog::default();
        let mut t = Table::new(QualName::new("public", "t"));
        for (n, d) in cols {
            let mut c = Column::new(*n, ColumnType::builtin("integer"));
            c.default = d.clone();
            t.columns.insert(n.to_string(), c);
        }
        cat.tables.insert(t.name.clone(), t);
        cat
    }

    #[test]
    fn equal_expressions_take_the_other_spelling_and_columns_its_order() {
        let live = Expr("1".into(), Some("(1)::INTEGER".into()));
        let file = Expr("1".into(), None);
        let other = Expr("2".into(), Some("'2'::integer".into()));
        let mut have = table(&[("a", Some(live)), ("c", None), ("b", Some(other.clone())), ("x", None)]);
        let want = table(&[("a", Some(file)), ("b", None), ("c", None)]);
        have.spelled_like(&want);
        let t = &have.tables[&QualName::new("public", "t")];
        assert_eq!(t.columns.keys().collect::<Vec<_>>(), ["a", "b", "c", "x"]);
        assert_eq!(t.columns["a"].default.as_ref().map(|e| e.to_string()), Some("1".into()));
        // An expression the other side does not have keeps its own spelling.
        assert_eq!(t.columns["b"].default.as_ref().map(|e| e.to_string()), Some(other.to_string()));
    }
}
