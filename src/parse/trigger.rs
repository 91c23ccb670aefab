//! `CREATE [CONSTRAINT] TRIGGER`. sqlparser reads the statement except the
//! trigger function's arguments (string literals, which it takes for
//! argument declarations): those are read here and the rest handed to it.

use sqlparser::ast::{
    DeferrableInitial, ObjectName, Statement, TriggerEvent, TriggerObject, TriggerObjectKind, TriggerPeriod,
    TriggerReferencingType,
};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::names::object_qual_name;
use super::routine::ReadError;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::model::{Dep, Trigger, TriggerEnabled, TriggerTiming};

fn word_is(t: &TokenWithSpan, w: &str) -> bool {
    matches!(&t.token, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

/// Takes the argument list of `EXECUTE FUNCTION f(args)` out of `tokens`,
/// returning the tokens with `f()` and the arguments as PostgreSQL stores
/// them (text).
pub fn split_trigger_args(mut tokens: Vec<TokenWithSpan>) -> Result<(Vec<TokenWithSpan>, Vec<String>), ReadError> {
    let whole = tokens.last().map(|t| t.span).unwrap_or(sqlparser::tokenizer::Span::empty());
    let Some(exec) = tokens.iter().rposition(|t| word_is(t, "EXECUTE")) else {
        return Err(("expected EXECUTE FUNCTION in CREATE TRIGGER".into(), whole));
    };
    let Some(open) = tokens[exec..].iter().position(|t| t.token == Token::LParen).map(|i| i + exec) else {
        return Err(("expected ( after the trigger function's name".into(), whole));
    };
    let Some(close) = tokens.iter().rposition(|t| t.token == Token::RParen).filter(|&c| c > open) else {
        return Err(("expected ) after the trigger function's arguments".into(), whole));
    };
    let mut args = Vec::new();
    let mut expect_value = true;
    let mut i = open + 1;
    while i < close {
        let t = &tokens[i];
        match &t.token {
            Token::Comma if !expect_value => expect_value = true,
            Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) | Token::NationalStringLiteral(s)
                if expect_value =>
            {
                args.push(s.clone());
                expect_value = false;
            }
            Token::Number(n, _) if expect_value => {
                args.push(n.clone());
                expect_value = false;
            }
            Token::Minus if expect_value => {
                if let Some(Token::Number(n, _)) = tokens.get(i + 1).map(|t| &t.token) {
                    args.push(format!("-{n}"));
                    i += 1;
                    expect_value = false;
                } else {
                    return Err(("unexpected - in trigger arguments".into(), t.span));
                }
            }
            Token::Word(w) if expect_value => {
                args.push(if w.quote_style.is_some() { w.value.clone() } else { w.value.to_lowercase() });
                expect_value = false;
            }
            other => return Err((format!("unexpected {other} in trigger arguments"), t.span)),
        }
        i += 1;
    }
    tokens.drain(open + 1..close);
    Ok((tokens, args))
}

/// Lowers sqlparser's `CREATE TRIGGER` into the model.
pub fn lower_trigger(stmt: &Statement, args: Vec<String>, default_schema: &str) -> Result<Trigger, String> {
    let Statement::CreateTrigger(ct) = stmt else { return Err("expected CREATE TRIGGER".into()) };
    let qual = |n: &ObjectName| object_qual_name(n, default_schema);
    if ct.name.0.len() != 1 {
        return Err(format!("trigger name {} cannot be qualified", ct.name));
    }
    let name = ct.name.0[0].as_ident().map(fold).ok_or("bad trigger name")?;
    let table = qual(&ct.table_name)?;
    let timing = match ct.period {
        Some(TriggerPeriod::Before) => TriggerTiming::Before,
        Some(TriggerPeriod::After) => TriggerTiming::After,
        Some(TriggerPeriod::InsteadOf) => TriggerTiming::InsteadOf,
        _ => return Err("expected BEFORE, AFTER or INSTEAD OF".into()),
    };
    let mut t = Trigger {
        table: table.clone(),
        name,
        timing,
        insert: false,
        update: false,
        update_of: vec![],
        delete: false,
        truncate: false,
        for_each_row: matches!(
            ct.trigger_object,
            Some(TriggerObjectKind::ForEach(TriggerObject::Row) | TriggerObjectKind::For(TriggerObject::Row))
        ),
        when: ct.condition.as_ref().map(|e| canonical(e, &Context { default_schema, column_type: None })),
        old_table: None,
        new_table: None,
        function: QualName::new("", ""),
        args,
        constraint: None,
        enabled: TriggerEnabled::Origin,
        comment: None,
        depends: vec![Dep::Relation(table.clone())],
    };
    for e in &ct.events {
        match e {
            TriggerEvent::Insert => t.insert = true,
            TriggerEvent::Delete => t.delete = true,
            TriggerEvent::Truncate => t.truncate = true,
            TriggerEvent::Update(cols) => {
                t.update = true;
                for c in cols {
                    let c = fold(c);
                    t.depends.push(Dep::Column(table.clone(), c.clone()));
                    t.update_of.push(c);
                }
            }
        }
    }
    for r in &ct.referencing {
        let n = r.transition_relation_name.0.last().and_then(|p| p.as_ident()).map(fold).ok_or("bad name")?;
        match r.refer_type {
            TriggerReferencingType::OldTable => t.old_table = Some(n),
            TriggerReferencingType::NewTable => t.new_table = Some(n),
        }
    }
    if ct.is_constraint {
        let c = ct.characteristics.as_ref();
        let deferrable = c.and_then(|c| c.deferrable).unwrap_or(false);
        let deferred = c.and_then(|c| c.initially).is_some_and(|i| i == DeferrableInitial::Deferred);
        t.constraint = Some((deferrable || deferred, deferred));
    }
    if ct.referenced_table_name.is_some() {
        return Err("unsupported: CREATE CONSTRAINT TRIGGER ... FROM".into());
    }
    let body = ct.exec_body.as_ref().ok_or("expected EXECUTE FUNCTION")?;
    t.function = trigger_function(&body.func_desc.name, default_schema)?;
    t.depends.push(Dep::Routine(t.function.clone()));
    if let Some(w) = &t.when {
        t.depends.extend(crate::canon::refs::routines_used(w, default_schema).into_iter().map(Dep::Routine));
    }
    Ok(t)
}

use crate::model::QualName;

/// PostgreSQL's own trigger functions, which an unqualified name always means
/// (`pg_catalog` is searched first): `tsvector_update_trigger(...)` is
/// `pg_catalog.tsvector_update_trigger`, never one in the user's schema.
const CATALOG_TRIGGER_FUNCTIONS: &[&str] =
    &["suppress_redundant_updates_trigger", "tsvector_update_trigger", "tsvector_update_trigger_column"];

/// The function a trigger executes: an unqualified name in the default
/// schema, unless it is one of PostgreSQL's own.
fn trigger_function(name: &ObjectName, default_schema: &str) -> Result<QualName, String> {
    let q = object_qual_name(name, default_schema)?;
    if name.0.len() == 1 && CATALOG_TRIGGER_FUNCTIONS.contains(&q.name.as_str()) {
        return Ok(QualName::new("pg_catalog", q.name));
    }
    Ok(q)
}
