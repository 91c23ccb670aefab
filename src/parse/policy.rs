//! `CREATE POLICY` lowered to a `model::Policy`, with what its expressions
//! refer to.

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions, visit_relations, CreatePolicy, CreatePolicyCommand, CreatePolicyType, Expr as SqlExpr, Owner,
};

use super::names::object_qual_name;
use crate::canon::expr::{canonical_over, Context};
use crate::canon::ident::fold;
use crate::model::{Dep, Policy, PolicyCommand, QualName, Table};

/// The policy `cp` describes on `table` (already resolved), or why it cannot be read.
pub fn lower(cp: &CreatePolicy, table: &Table, default_schema: &str) -> Result<Policy, String> {
    let name = fold(&cp.name);
    let command = match cp.command {
        None | Some(CreatePolicyCommand::All) => PolicyCommand::All,
        Some(CreatePolicyCommand::Select) => PolicyCommand::Select,
        Some(CreatePolicyCommand::Insert) => PolicyCommand::Insert,
        Some(CreatePolicyCommand::Update) => PolicyCommand::Update,
        Some(CreatePolicyCommand::Delete) => PolicyCommand::Delete,
    };
    // PostgreSQL's own rules, so that a plan never carries a policy it refuses.
    if command == PolicyCommand::Insert && cp.using.is_some() {
        return Err(format!("policy {name}: only WITH CHECK expression allowed for INSERT"));
    }
    if matches!(command, PolicyCommand::Select | PolicyCommand::Delete) && cp.with_check.is_some() {
        return Err(format!("policy {name}: WITH CHECK cannot be applied to SELECT or DELETE"));
    }
    let roles = roles(&name, cp.to.as_deref().unwrap_or(&[]))?;
    let mut policy = Policy {
        name,
        permissive: !matches!(cp.policy_type, Some(CreatePolicyType::Restrictive)),
        command,
        roles,
        using: None,
        with_check: None,
        comment: None,
        depends: Vec::new(),
    };
    set_expressions(&mut policy, table, cp.using.as_ref(), cp.with_check.as_ref(), default_schema);
    Ok(policy)
}

/// `ALTER POLICY ... [TO roles] [USING (...)] [WITH CHECK (...)]` applied to `old`.
pub fn alter(
    old: &Policy,
    table: &Table,
    to: Option<&[Owner]>,
    using: Option<&SqlExpr>,
    with_check: Option<&SqlExpr>,
    default_schema: &str,
) -> Result<Policy, String> {
    let mut policy = old.clone();
    if let Some(to) = to {
        policy.roles = roles(&old.name, to)?;
    }
    // The clauses not written stay; their dependencies are found again from
    // the parsed text of the kept ones.
    let kept = |e: &Option<crate::model::Expr>| -> Option<SqlExpr> {
        e.as_ref().and_then(|e| {
            sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
                .try_with_sql(&e.0)
                .and_then(|mut p| p.parse_expr())
                .ok()
        })
    };
    let using = using.cloned().or_else(|| kept(&old.using));
    let with_check = with_check.cloned().or_else(|| kept(&old.with_check));
    set_expressions(&mut policy, table, using.as_ref(), with_check.as_ref(), default_schema);
    Ok(policy)
}

fn roles(policy: &str, to: &[Owner]) -> Result<Vec<String>, String> {
    let mut roles = Vec::new();
    for owner in to {
        match owner {
            Owner::Ident(i) => roles.push(fold(i)),
            // Resolved to a role name when the statement runs: the desired
            // state would depend on who applies it.
            other => {
                return Err(format!(
                    "policy {policy}: TO {other} is resolved when the policy is created; name the role"
                ))
            }
        }
    }
    Policy::normalize_roles(&mut roles);
    Ok(roles)
}

fn set_expressions(
    policy: &mut Policy,
    table: &Table,
    using: Option<&SqlExpr>,
    with_check: Option<&SqlExpr>,
    default_schema: &str,
) {
    let ctx = Context { default_schema, column_type: None };
    let types = |c: &str| table.columns.get(c).map(|c| c.data_type.clone());
    policy.using = using.map(|e| canonical_over(e, &ctx, &types));
    policy.with_check = with_check.map(|e| canonical_over(e, &ctx, &types));
    let mut depends = Vec::new();
    for e in using.into_iter().chain(with_check) {
        collect_deps(e, table, default_schema, &mut depends);
    }
    depends.sort();
    depends.dedup();
    policy.depends = depends;
}

/// What `expr`, written in a policy of `table`, refers to: columns of the
/// table, relations named in subqueries, functions called, types cast to.
/// Unqualified function names are taken to be in `default_schema`: only the
/// planner's ordering uses them, and a built-in never matches a managed routine.
pub fn collect_deps(expr: &SqlExpr, table: &Table, default_schema: &str, out: &mut Vec<Dep>) {
    let _ = visit_relations(expr, |rel| {
        if let Ok(q) = object_qual_name(rel, default_schema) {
            out.push(Dep::Relation(q));
        }
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_expressions(expr, |e| {
        match e {
            SqlExpr::Identifier(i) => column(&fold(i), table, out),
            SqlExpr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last() {
                    column(&fold(last), table, out);
                }
            }
            SqlExpr::Function(f) => {
                if let Ok(q) = object_qual_name(&f.name, default_schema) {
                    out.push(Dep::Routine(q));
                }
            }
            SqlExpr::Cast { data_type, .. } => {
                if let Some(t) =
                    crate::canon::types::resolve(data_type, default_schema).ok().and_then(|r| r.column_type.custom())
                {
                    out.push(Dep::Type(t));
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

fn column(name: &str, table: &Table, out: &mut Vec<Dep>) {
    if table.columns.contains_key(name) {
        out.push(Dep::Column(table.name.clone(), name.to_string()));
    }
}

/// The table a policy statement names.
pub fn table_of(cp: &CreatePolicy, default_schema: &str) -> Result<QualName, String> {
    object_qual_name(&cp.table_name, default_schema)
}
