//! CREATE statements for schemas, extensions, types, sequences and domains:
//! the first phase, so tables find every type they use.

use sqlparser::ast::{ObjectName, SchemaName, Statement, UserDefinedTypeRepresentation};

use super::Builder;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::canon::names::Taken;
use crate::model::RenameHint;
use crate::model::{EnumType, Extension, QualName, Schema, Sequence};
use crate::parse::columns::seq_options;
use crate::parse::source::At;
use crate::parse::statement::{Located, Stmt};

impl Builder<'_> {
    /// Adds one statement's object to the catalog. One arm per statement kind the builder
    /// accepts; long because there are many.
    pub(super) fn definition(&mut self, s: &Located) {
        let at = self.at(s);
        match &s.stmt {
            Stmt::Domain { def, not_null } => return self.domain(def, *not_null, at),
            // OR REPLACE over an existing one (in a revision) keeps its comment, as PostgreSQL does.
            Stmt::Routine(r, replace) => {
                let id = r.id();
                let mut r = (**r).clone();
                match self.cat.routines.get(&id) {
                    Some(old) if *replace => r.comment = old.comment.clone(),
                    Some(_) => return self.error(at, format!("{} {id} is defined twice", r.kind.sql().to_lowercase())),
                    None => {}
                }
                self.cat.routines.insert(id, r);
                return;
            }
            Stmt::Object(o, replace) => {
                let id = o.id();
                let mut o = (**o).clone();
                match self.cat.objects.get(&id) {
                    Some(old) if *replace => o.comment = old.comment.clone(),
                    Some(_) => return self.error(at, format!("{id} is defined twice")),
                    None => {}
                }
                self.cat.objects.insert(id, o);
                return;
            }
            Stmt::Trigger(t, replace) => {
                let id = t.id();
                let mut t = (**t).clone();
                match self.cat.triggers.get(&id) {
                    Some(old) if *replace => t.comment = old.comment.clone(),
                    Some(_) => return self.error(at, format!("trigger {id} is defined twice")),
                    None => {}
                }
                self.trigger_at.push((id.clone(), at));
                self.cat.triggers.insert(id, t);
                return;
            }
            _ => {}
        }
        let Stmt::Sql(stmt) = &s.stmt else { return };
        match stmt.as_ref() {
            Statement::CreateSchema { schema_name, if_not_exists, .. } => {
                let name = match schema_name {
                    SchemaName::Simple(n) => n.0.last().and_then(|p| p.as_ident()).map(fold),
                    SchemaName::NamedAuthorization(n, _) => n.0.last().and_then(|p| p.as_ident()).map(fold),
                    SchemaName::UnnamedAuthorization(i) => Some(fold(i)),
                };
                let Some(name) = name else { return self.error(at, "unsupported schema name") };
                if name == "public" || name == self.default_schema {
                    return;
                }
                if self.cat.schemas.contains_key(&name) {
                    if !if_not_exists {
                        self.error(at, format!("schema {name} is defined twice"));
                    }
                    return;
                }
                self.cat.schemas.insert(name.clone(), Schema { name, comment: None });
            }
            Statement::CreateExtension(ext) => {
                let name = fold(&ext.name);
                let schema = Some(ext.schema.as_ref().map_or(self.default_schema.clone(), fold));
                if self.cat.extensions.contains_key(&name) && !ext.if_not_exists {
                    return self.error(at, format!("extension {name} is defined twice"));
                }
                self.cat.extensions.insert(name.clone(), Extension { name, schema });
            }
            Statement::CreateType { name, representation } => {
                let Some(q) = self.qual(name, at) else { return };
                match representation {
                    Some(UserDefinedTypeRepresentation::Composite { attributes }) => {
                        self.composite(q, attributes, at)
                    }
                    Some(UserDefinedTypeRepresentation::Range { options }) => self.range(q, options, at),
                    Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                        if self.cat.has_type(&q) {
                            return self.error(at, format!("type {q} is defined twice"));
                        }
                        for l in labels {
                            if let Some((_, old)) = s.hints.iter().find(|(line, _)| *line == l.span.start.line) {
                                self.hints.push(RenameHint::EnumValue {
                                    name: q.clone(),
                                    value: l.value.clone(),
                                    from: old.clone(),
                                });
                            }
                        }
                        let labels: Vec<String> = labels.iter().map(|l| l.value.clone()).collect();
                        let mut seen = std::collections::HashSet::new();
                        if let Some(dup) = labels.iter().find(|l| !seen.insert(*l)) {
                            return self.error(at, format!("enum {q} lists the label {dup:?} twice"));
                        }
                        // PostgreSQL refuses (does not cut) a label longer than a name.
                        if let Some(long) = labels.iter().find(|l| l.len() > crate::canon::limits::MAX_IDENT) {
                            return self.error(at, format!("enum {q}: the label {long:?} is longer than 63 bytes"));
                        }
                        self.cat.enums.insert(q.clone(), EnumType { name: q, labels, comment: None });
                    }
                    _ => self.error_help(
                        at,
                        format!("unsupported statement: CREATE TYPE {q} (only enum, composite and range types are supported)"),
                        format!("pgstate reads: {}", crate::parse::statement::SUPPORTED),
                    ),
                }
            }
            Statement::CreateSequence { name, sequence_options, temporary, if_not_exists } => {
                let Some(q) = self.qual(name, at) else { return };
                if *temporary {
                    return self.error(at, "temporary sequences are not part of a schema");
                }
                if self.cat.sequences.contains_key(&q) {
                    if !if_not_exists {
                        self.error(at, format!("sequence {q} is defined twice"));
                    }
                    return;
                }
                let options = match seq_options(sequence_options, crate::model::SeqType::BigInt) {
                    Ok(o) => o,
                    Err(e) => return self.error(at, e),
                };
                let mut owned_by = None;
                for o in sequence_options {
                    if let sqlparser::ast::SequenceOptions::OwnedBy(Some(owner)) = o {
                        owned_by = self.owner(owner, at);
                    }
                }
                self.cat.sequences.insert(q.clone(), Sequence { name: q, options, owned_by, comment: None });
            }
            _ => {}
        }
    }

    pub(super) fn composite(
        &mut self,
        q: QualName,
        attributes: &[sqlparser::ast::UserDefinedTypeCompositeAttributeDef],
        at: At,
    ) {
        if self.cat.has_type(&q) {
            return self.error(at, format!("type {q} is defined twice"));
        }
        let mut composite =
            crate::model::CompositeType { name: q.clone(), attributes: Default::default(), comment: None };
        for a in attributes {
            let name = fold(&a.name);
            let data_type = match crate::canon::types::resolve(&a.data_type, &self.default_schema) {
                Ok(r) if r.serial.is_none() => r.column_type,
                Ok(_) => return self.error(at, format!("type {q}: serial is not a type")),
                Err(e) => return self.error(at, format!("type {q}, attribute {name}: {e}")),
            };
            if let Some(t) = data_type.custom() {
                self.type_uses.push((q.clone(), name.clone(), t, at));
            }
            let collation = a.collation.as_ref().map(crate::parse::names::collation_name);
            let attribute = crate::model::Attribute { name: name.clone(), data_type, collation };
            if composite.attributes.insert(name.clone(), attribute).is_some() {
                return self.error(at, format!("type {q} has attribute {name} twice"));
            }
        }
        self.cat.composites.insert(q, composite);
    }

    pub(super) fn range(&mut self, q: QualName, options: &[sqlparser::ast::UserDefinedTypeRangeOption], at: At) {
        use sqlparser::ast::UserDefinedTypeRangeOption as O;
        if self.cat.has_type(&q) {
            return self.error(at, format!("type {q} is defined twice"));
        }
        let mut range = crate::model::RangeType {
            name: q.clone(),
            subtype: crate::model::ColumnType::builtin(""),
            opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: None,
            multirange: None,
            comment: None,
        };
        let mut subtype = None;
        for o in options {
            match o {
                O::Subtype(dt) => match crate::canon::types::resolve(dt, &self.default_schema) {
                    Ok(r) if r.serial.is_none() => subtype = Some(r.column_type),
                    Ok(_) => return self.error(at, format!("range type {q}: serial is not a type")),
                    Err(e) => return self.error(at, format!("range type {q}: {e}")),
                },
                O::SubtypeOpClass(n) => range.opclass = Some(sql_routine_name(n, &self.default_schema)),
                O::Collation(n) => range.collation = Some(crate::parse::names::collation_name(n)),
                O::Canonical(n) => range.canonical = Some(sql_routine_name(n, &self.default_schema)),
                O::SubtypeDiff(n) => range.subtype_diff = Some(sql_routine_name(n, &self.default_schema)),
                O::MultirangeTypeName(n) => match self.qual(n, at) {
                    Some(m) if m != crate::model::RangeType::default_multirange(&q) => range.multirange = Some(m),
                    Some(_) => {}
                    None => return,
                },
            }
        }
        let Some(subtype) = subtype else {
            return self.error(at, format!("range type {q}: SUBTYPE is required"));
        };
        if let Some(t) = subtype.custom() {
            self.type_uses.push((q.clone(), String::new(), t, at));
        }
        range.subtype = subtype;
        self.cat.ranges.insert(q, range);
    }

    pub(super) fn domain(&mut self, def: &sqlparser::ast::CreateDomain, not_null: bool, at: At) {
        let Some(q) = self.qual(&def.name, at) else { return };
        if self.cat.has_type(&q) {
            return self.error(at, format!("type {q} is defined twice"));
        }
        let base = match crate::canon::types::resolve(&def.data_type, &self.default_schema) {
            Ok(r) if r.serial.is_none() => r.column_type,
            Ok(_) => return self.error(at, format!("domain {q}: serial is not a type")),
            Err(e) => return self.error(at, format!("domain {q}: {e}")),
        };
        let ctx = Context { default_schema: &self.default_schema, column_type: Some(&base) };
        let default = def.default.as_ref().map(|d| canonical(d, &ctx));
        let mut checks = crate::model::Map::default();
        let mut taken = Taken::default();
        let mut unnamed = Vec::new();
        for c in &def.constraints {
            match c {
                sqlparser::ast::TableConstraint::Check(ch) => {
                    let expr =
                        canonical(&ch.expr, &Context { default_schema: &self.default_schema, column_type: None });
                    match &ch.name {
                        Some(n) => {
                            let n = fold(n);
                            taken.insert(&n);
                            if checks.insert(n.clone(), expr).is_some() {
                                self.error(at, format!("constraint {n} for domain {q} is defined twice"));
                            }
                        }
                        None => unnamed.push(expr),
                    }
                }
                other => {
                    self.error(at, format!("domain {q}: unsupported constraint {other} (only CHECK and NOT NULL)"))
                }
            }
        }
        for expr in unnamed {
            checks.insert(taken.choose(&q.name, None, "check"), expr);
        }
        if let Some(t) = base.custom() {
            self.type_uses.push((q.clone(), String::new(), t, at));
        }
        let collation = def.collation.as_ref().map(fold);
        let domain =
            crate::model::Domain { name: q.clone(), base, collation, default, not_null, checks, comment: None };
        self.cat.domains.insert(q, domain);
    }

    /// `table.column` or `schema.table.column`.
    pub(super) fn owner(&mut self, name: &ObjectName, at: At) -> Option<(QualName, String)> {
        let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
        match parts.as_slice() {
            [t, c] => Some((QualName::new(&self.default_schema, t.clone()), c.clone())),
            [s, t, c] => Some((QualName::new(s.clone(), t.clone()), c.clone())),
            _ => {
                self.error(at, format!("OWNED BY expects table.column, found {name}"));
                None
            }
        }
    }
}

/// A function's or operator class's name as SQL: parts folded and quoted as
/// needed, `pg_catalog.` (where the built-in ones live) and the default
/// schema left out, so that a name PostgreSQL prints qualified and one
/// written bare compare equal (both resolve through the search path).
fn sql_routine_name(name: &ObjectName, default_schema: &str) -> String {
    let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
    let parts = match parts.as_slice() {
        [schema, rest @ ..] if (schema == "pg_catalog" || schema == default_schema) && !rest.is_empty() => {
            rest.to_vec()
        }
        _ => parts,
    };
    parts.iter().map(|p| crate::canon::quote_ident(p)).collect::<Vec<_>>().join(".")
}
