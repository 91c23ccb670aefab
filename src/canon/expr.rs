//! Canonical text of expressions (defaults, checks, generated columns, index keys
//! and predicates). Both parsed files and, later, introspected catalogs pass
//! through `canonical`, so equal meaning gives equal text for the spellings it
//! knows: identifier case and quoting, function-name case, type aliases in casts,
//! redundant parentheses, the implicit cast PostgreSQL adds to a literal default,
//! and the schema of a `nextval` sequence.
//!
//! PostgreSQL also rewrites what it stores (`x IN ('a')` on varchar becomes
//! `(x)::text = ANY ((ARRAY['a'::character varying])::text[])`). Without a server
//! at hand, pgstate undoes the rewrites it knows, towards the simpler spelling:
//! implicit casts of literals and columns are dropped, `= ANY (ARRAY[...])` reads
//! as `IN (...)`, `BETWEEN` as two comparisons, and parentheses that precedence
//! makes redundant are removed. This is the parser-only mode; its fidelity is
//! measured by the conformance runner.

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions_mut, BinaryOperator, CastKind, DataType, Expr as SqlExpr, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, InTarget, ObjectName, ObjectNamePart, UnaryOperator, Value, ValueWithSpan,
};

use super::ident::{canonical_ident, fold};
use super::types;
use crate::model::{ColumnType, Expr, QualName};
use crate::quote::ast::sql as print;

/// Context for canonicalizing one expression.
pub struct Context<'a> {
    /// Schema that unqualified names resolve to.
    pub default_schema: &'a str,
    /// For a column default: the column's type, so a bare literal gets the cast
    /// PostgreSQL adds to it.
    pub column_type: Option<&'a ColumnType>,
}

/// The canonical text of `expr`, with the text as written kept beside it for
/// a plan to print (see `model::Expr`).
pub fn canonical(expr: &SqlExpr, ctx: &Context<'_>) -> Expr {
    canonical_over(expr, ctx, &|_| None)
}

/// The written text of `expr` as a plan prints it: the tree as parsed (every
/// parenthesis, cast and function spelling kept), string literals and quoted
/// names printed again from their values by `crate::quote`, and the
/// parentheses around the whole left to the statement that holds it.
/// `None` when it is the canonical text.
fn written(expr: &SqlExpr, canonical: &str) -> Option<String> {
    let mut outer = expr;
    while let SqlExpr::Nested(inner) = outer {
        outer = inner;
    }
    let written = print(outer);
    (written != canonical).then_some(written)
}

/// Like `canonical`, for an expression over columns whose types
/// `column_type` knows (a policy's): a cast of such a column is dropped only
/// when it stays within the type's family (`varchar` to `text`, `integer` to
/// `numeric`), which is what PostgreSQL adds by itself; a cast that changes
/// the comparison (`bigint` to `text`) is kept, since the expression is also
/// what the plan creates.
pub fn canonical_over(expr: &SqlExpr, ctx: &Context<'_>, column_type: &dyn Fn(&str) -> Option<ColumnType>) -> Expr {
    let mut e = canonical_text(expr, ctx, column_type);
    e.1 = written(expr, &e.0);
    e
}

/// The canonical text alone, printed so that it means what the tree does
/// (parentheses added where PostgreSQL's precedence needs them).
fn canonical_text(expr: &SqlExpr, ctx: &Context<'_>, column_type: &dyn Fn(&str) -> Option<ColumnType>) -> Expr {
    let mut e = strip_parens(expr.clone());
    // A default cast to another type than the column's changes the value
    // (a timestamp literal on a timestamptz column): it is kept as written.
    if let (Some(ty), SqlExpr::Cast { data_type, expr: inner, .. }) = (ctx.column_type, &e) {
        let literal = matches!(strip_parens((**inner).clone()), SqlExpr::Value(_));
        let cast = canon_cast_type(data_type, ctx.default_schema).to_string();
        if literal && cast != ty.without_typmod().to_string() && cast != ty.to_string() {
            let mut kept = e.clone();
            let _ = visit_expressions_mut(&mut kept, |node| {
                if let SqlExpr::Cast { data_type, kind, .. } = node {
                    *data_type = canon_cast_type(data_type, ctx.default_schema);
                    *kind = CastKind::DoubleColon;
                }
                ControlFlow::<()>::Continue(())
            });
            parenthesize(&mut kept);
            return Expr::new(print(&kept));
        }
    }
    let _ = visit_expressions_mut(&mut e, |node| {
        normalize_node(node, ctx, column_type);
        ControlFlow::<()>::Continue(())
    });
    if let Some(ty) = ctx.column_type {
        e = add_literal_cast(e, ty);
    }
    parenthesize(&mut e);
    Expr::new(print(&e))
}

fn strip_parens(mut e: SqlExpr) -> SqlExpr {
    while let SqlExpr::Nested(inner) = e {
        e = *inner;
    }
    e
}

fn canon_ident(i: &Ident) -> Ident {
    canonical_ident(&fold(i))
}

/// SQL-standard value functions written without parentheses (`CURRENT_TIMESTAMP`):
/// PostgreSQL prints them as upper-case keywords, not as identifiers.
const VALUE_FUNCTIONS: &[&str] = &[
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "localtime",
    "localtimestamp",
    "session_user",
    "user",
];

fn value_function(i: &Ident) -> Option<Ident> {
    let lower = i.value.to_lowercase();
    (i.quote_style.is_none() && VALUE_FUNCTIONS.contains(&lower.as_str())).then(|| Ident::new(lower.to_uppercase()))
}

/// Keywords PostgreSQL reads as the same function whether quoted or not (its
/// `type_func_name` keywords): their quotes carry nothing.
const PLAIN_CALL_KEYWORDS: &[&str] = &[
    "authorization",
    "binary",
    "collation",
    "concurrently",
    "cross",
    "current_schema",
    "freeze",
    "full",
    "ilike",
    "inner",
    "is",
    "isnull",
    "join",
    "left",
    "like",
    "natural",
    "notnull",
    "outer",
    "overlaps",
    "right",
    "similar",
    "tablesample",
    "verbose",
];

/// A function's name: folded, and quoted only for characters that need it,
/// since a function may be named like a keyword (`coalesce`, `left`). A
/// quoted keyword whose bare form is special syntax stays quoted:
/// `"position"(a, b)` is a call, `position(a, b)` a syntax error, and
/// `"trim"(x)` is not `trim(x)`.
fn function_name(name: &ObjectName) -> ObjectName {
    ObjectName(
        name.0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) => {
                    let folded = fold(i);
                    let plain = folded.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    let keyword = plain
                        && folded.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                        && !crate::quote::is_bare(&folded);
                    let special = keyword && i.quote_style.is_some() && !PLAIN_CALL_KEYWORDS.contains(&folded.as_str());
                    ObjectNamePart::Identifier(if special {
                        Ident::with_quote('"', folded)
                    } else if plain {
                        Ident::new(folded)
                    } else {
                        canonical_ident(&folded)
                    })
                }
                other => other.clone(),
            })
            .collect(),
    )
}

/// A type in a cast, spelled the way `format_type` would (bare, no quoting of
/// multi-word built-ins).
fn canon_cast_type(dt: &DataType, default_schema: &str) -> DataType {
    match types::resolve(dt, default_schema) {
        Ok(r) => DataType::Custom(
            ObjectName(vec![ObjectNamePart::Identifier(Ident::new(r.column_type.to_string()))]),
            vec![],
        ),
        Err(_) => dt.clone(),
    }
}

/// Undoes PostgreSQL's rewrites on one node: one arm per expression form it rewrites,
/// a single visitor so the forms are listed in one place.
fn normalize_node(node: &mut SqlExpr, ctx: &Context<'_>, column_type: &dyn Fn(&str) -> Option<ColumnType>) {
    match node {
        SqlExpr::Nested(inner) => {
            // Parentheses around an atom or another parenthesized expression carry no meaning.
            let atom = matches!(
                **inner,
                SqlExpr::Identifier(_)
                    | SqlExpr::CompoundIdentifier(_)
                    | SqlExpr::Value(_)
                    | SqlExpr::Function(_)
                    | SqlExpr::Nested(_)
                    | SqlExpr::Cast { .. }
            );
            if atom {
                // One level only: `((a -> 'k'))::integer` keeps the pair that the cast needs.
                *node = std::mem::replace(inner.as_mut(), SqlExpr::Value(Value::Null.into()));
            }
        }
        SqlExpr::Identifier(i) => *i = value_function(i).unwrap_or_else(|| canon_ident(i)),
        // A string is its value, however it was quoted (`E'..'`, `$$..$$`, `U&'..'`).
        SqlExpr::Value(v) => {
            if let Value::EscapedStringLiteral(s)
            | Value::UnicodeStringLiteral(s)
            | Value::TripleSingleQuotedString(s)
            | Value::DollarQuotedString(sqlparser::ast::DollarQuotedString { value: s, .. }) = &v.value
            {
                v.value = Value::SingleQuotedString(s.clone());
            }
        }
        SqlExpr::BinaryOp { left, op, right } => {
            let p = binary_precedence(op);
            let associative = matches!(op, BinaryOperator::And | BinaryOperator::Or);
            let comparison = p == PREC_COMPARISON;
            unwrap_if(left, |inner| precedence(inner) > p || (!comparison && precedence(inner) == p));
            unwrap_if(right, |inner| precedence(inner) > p || (associative && precedence(inner) == p));
        }
        SqlExpr::In { expr, target: InTarget::List(list), negated, .. } if list.len() == 1 => {
            *node = membership(expr, list.clone(), *negated);
            normalize_node(node, ctx, column_type);
        }
        SqlExpr::AnyOp { left, compare_op: BinaryOperator::Eq, right, .. } => {
            if let Some(list) = array_items(right) {
                *node = membership(left, list, false);
                normalize_node(node, ctx, column_type);
            }
        }
        SqlExpr::AllOp { left, compare_op: BinaryOperator::NotEq, right } => {
            if let Some(list) = array_items(right) {
                *node = membership(left, list, true);
                normalize_node(node, ctx, column_type);
            }
        }
        SqlExpr::Between { expr, negated: false, low, high } => {
            let mut ge = SqlExpr::BinaryOp { left: expr.clone(), op: BinaryOperator::GtEq, right: low.clone() };
            let mut le = SqlExpr::BinaryOp { left: expr.clone(), op: BinaryOperator::LtEq, right: high.clone() };
            // The new comparisons shed the parentheses they make redundant, as read ones do.
            normalize_node(&mut ge, ctx, column_type);
            normalize_node(&mut le, ctx, column_type);
            *node = SqlExpr::BinaryOp { left: Box::new(ge), op: BinaryOperator::And, right: Box::new(le) };
        }
        SqlExpr::CompoundIdentifier(parts) => {
            for p in parts.iter_mut() {
                *p = canon_ident(p);
            }
        }
        SqlExpr::Cast { data_type, kind, expr, .. } => {
            *data_type = canon_cast_type(data_type, ctx.default_schema);
            if matches!(kind, CastKind::Cast) {
                *kind = CastKind::DoubleColon;
            }
            let numeric_target = matches!(
                data_type.to_string().as_str(),
                "integer" | "bigint" | "smallint" | "numeric" | "real" | "double precision"
            );
            if is_implicit_cast(expr, data_type) && !changes_family(expr, data_type, column_type) {
                *node = strip_parens(std::mem::replace(expr.as_mut(), SqlExpr::Value(Value::Null.into())));
                if let SqlExpr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) = &*node {
                    // A quoted number cast to a number type is that number (PostgreSQL prints '-1'::integer).
                    let numeral = s.bytes().all(|b| b.is_ascii_digit() || b".eE+-".contains(&b));
                    if numeric_target && numeral && s.parse::<f64>().is_ok() && !s.is_empty() {
                        *node = number_expr(s);
                    }
                }
            }
        }
        SqlExpr::Function(f) => {
            if let (FunctionArguments::None, [ObjectNamePart::Identifier(i)]) = (&f.args, f.name.0.as_slice()) {
                if let Some(v) = value_function(i) {
                    f.name = ObjectName(vec![ObjectNamePart::Identifier(v)]);
                    return;
                }
            }
            let mut name = function_name(&f.name);
            // Functions in the default search path print unqualified (pg_dump qualifies them all).
            let default_schema = ctx.default_schema;
            if name.0.len() == 2
                && matches!(&name.0[0], ObjectNamePart::Identifier(i) if i.value == "pg_catalog" || i.value == default_schema)
            {
                name.0.remove(0);
            }
            f.name = name;
            if is_nextval(f) {
                qualify_nextval(f, ctx.default_schema);
            }
            if let Some(call) = substring_call(f) {
                *node = call;
            }
        }
        _ => {}
    }
}

// PostgreSQL's operator precedence, loosest first (see "Operator Precedence"
// in its manual).
/// `"substring"(s, from[, for])`, the call PostgreSQL prints for a plain
/// `substring(s, from, for)`, as sqlparser reads the plain one (it reads the
/// quoted one as an ordinary call): the two spellings meet, and the printed
/// `SUBSTRING(s, from, for)` reads back the same.
fn substring_call(f: &sqlparser::ast::Function) -> Option<SqlExpr> {
    let [ObjectNamePart::Identifier(name)] = f.name.0.as_slice() else { return None };
    let FunctionArguments::List(list) = &f.args else { return None };
    if name.value != "substring" || list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return None;
    }
    let args: Vec<&SqlExpr> = list
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (expr, from, count) = match args.as_slice() {
        [e, from] => (*e, *from, None),
        [e, from, count] => (*e, *from, Some(Box::new((*count).clone()))),
        _ => return None,
    };
    Some(SqlExpr::Substring {
        expr: Box::new(expr.clone()),
        substring_from: Some(Box::new(from.clone())),
        substring_for: count,
        special: true,
        shorthand: false,
    })
}

const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_IS: u8 = 4;
const PREC_COMPARISON: u8 = 5;
const PREC_IN: u8 = 6;
const PREC_OTHER: u8 = 7;
const PREC_ADD: u8 = 8;
const PREC_MUL: u8 = 9;
const PREC_EXP: u8 = 10;
const PREC_AT: u8 = 11;
const PREC_COLLATE: u8 = 12;
const PREC_UNARY: u8 = 13;
const PREC_SUBSCRIPT: u8 = 14;
const PREC_CAST: u8 = 15;
const PREC_ATOM: u8 = 16;

fn binary_precedence(op: &BinaryOperator) -> u8 {
    match op {
        BinaryOperator::Or => PREC_OR,
        BinaryOperator::And => PREC_AND,
        BinaryOperator::Eq
        | BinaryOperator::NotEq
        | BinaryOperator::Lt
        | BinaryOperator::LtEq
        | BinaryOperator::Gt
        | BinaryOperator::GtEq => PREC_COMPARISON,
        BinaryOperator::Plus | BinaryOperator::Minus => PREC_ADD,
        BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Modulo => PREC_MUL,
        BinaryOperator::PGExp => PREC_EXP,
        _ => PREC_OTHER,
    }
}

/// How tightly `e` binds as printed; 0 for what pgstate does not place,
/// which therefore always gets parentheses under an operator.
fn precedence(e: &SqlExpr) -> u8 {
    match e {
        SqlExpr::BinaryOp { op, .. } => binary_precedence(op),
        SqlExpr::UnaryOp { op: UnaryOperator::Not, .. } => PREC_NOT,
        SqlExpr::UnaryOp { op: UnaryOperator::Minus | UnaryOperator::Plus, .. } => PREC_UNARY,
        // Other prefix operators bind as "any other operator".
        SqlExpr::UnaryOp { .. } => PREC_OTHER,
        SqlExpr::IsNull(_)
        | SqlExpr::IsNotNull(_)
        | SqlExpr::IsTrue(_)
        | SqlExpr::IsFalse(_)
        | SqlExpr::IsNotTrue(_)
        | SqlExpr::IsNotFalse(_)
        | SqlExpr::IsUnknown(_)
        | SqlExpr::IsNotUnknown(_)
        | SqlExpr::IsDistinctFrom(..)
        | SqlExpr::IsNotDistinctFrom(..) => PREC_IS,
        SqlExpr::AnyOp { .. } | SqlExpr::AllOp { .. } => PREC_COMPARISON,
        SqlExpr::In { .. }
        | SqlExpr::Between { .. }
        | SqlExpr::Like { .. }
        | SqlExpr::ILike { .. }
        | SqlExpr::SimilarTo { .. } => PREC_IN,
        SqlExpr::AtTimeZone { .. } => PREC_AT,
        SqlExpr::Collate { .. } => PREC_COLLATE,
        SqlExpr::CompoundFieldAccess { .. } => PREC_SUBSCRIPT,
        SqlExpr::Cast { kind: CastKind::DoubleColon, .. } => PREC_CAST,
        SqlExpr::Cast { .. }
        | SqlExpr::Identifier(_)
        | SqlExpr::CompoundIdentifier(_)
        | SqlExpr::Value(_)
        | SqlExpr::Function(_)
        | SqlExpr::Nested(_)
        | SqlExpr::Array(_)
        | SqlExpr::Case { .. }
        | SqlExpr::Position { .. }
        | SqlExpr::Substring { .. }
        | SqlExpr::Trim { .. }
        | SqlExpr::Overlay { .. }
        | SqlExpr::Extract { .. }
        | SqlExpr::TypedString(_)
        | SqlExpr::Interval(_) => PREC_ATOM,
        _ => 0,
    }
}

/// Puts parentheses wherever PostgreSQL would otherwise group a printed
/// tree differently from what it is: normalization removes parentheses and
/// builds nodes (`CAST(a + b AS t)` becomes a `::` cast), and the printer
/// adds none of its own. Parentheses never change what PostgreSQL stores.
fn parenthesize(e: &mut SqlExpr) {
    let _ = visit_expressions_mut(e, |node| {
        match node {
            SqlExpr::BinaryOp { left, op, right } => {
                let p = binary_precedence(op);
                let non_associative = matches!(p, PREC_COMPARISON | PREC_IS | PREC_IN);
                let flat = matches!(op, BinaryOperator::And | BinaryOperator::Or);
                wrap_if(left, |q| q < p || (q == p && non_associative));
                wrap_if(right, |q| q < p || (q == p && !flat));
            }
            SqlExpr::UnaryOp { op, expr } => {
                let need = match op {
                    UnaryOperator::Not => PREC_NOT,
                    // sqlparser reads `-a * b` and `-5 ^ 2` as a minus over
                    // the product, PostgreSQL as a product of `-a`: printed
                    // bare, such an operand reads back as it was written.
                    UnaryOperator::Minus | UnaryOperator::Plus => PREC_MUL,
                    _ => PREC_ATOM,
                };
                wrap_if(expr, |q| q < need);
            }
            SqlExpr::Cast { kind: CastKind::DoubleColon, expr, .. } => wrap_if(expr, |q| q < PREC_CAST),
            SqlExpr::IsNull(x)
            | SqlExpr::IsNotNull(x)
            | SqlExpr::IsTrue(x)
            | SqlExpr::IsFalse(x)
            | SqlExpr::IsNotTrue(x)
            | SqlExpr::IsNotFalse(x)
            | SqlExpr::IsUnknown(x)
            | SqlExpr::IsNotUnknown(x) => wrap_if(x, |q| q <= PREC_IS),
            SqlExpr::IsDistinctFrom(a, b) | SqlExpr::IsNotDistinctFrom(a, b) => {
                wrap_if(a, |q| q <= PREC_IS);
                wrap_if(b, |q| q <= PREC_IS);
            }
            SqlExpr::In { expr, .. } => wrap_if(expr, |q| q <= PREC_IN),
            SqlExpr::Between { expr, low, high, .. } => {
                wrap_if(expr, |q| q <= PREC_IN);
                wrap_if(low, |q| q <= PREC_IN);
                wrap_if(high, |q| q <= PREC_IN);
            }
            SqlExpr::Like { expr, pattern, .. }
            | SqlExpr::ILike { expr, pattern, .. }
            | SqlExpr::SimilarTo { expr, pattern, .. } => {
                wrap_if(expr, |q| q <= PREC_IN);
                wrap_if(pattern, |q| q <= PREC_IN);
            }
            SqlExpr::AnyOp { left, .. } | SqlExpr::AllOp { left, .. } => wrap_if(left, |q| q <= PREC_COMPARISON),
            SqlExpr::AtTimeZone { timestamp, time_zone } => {
                wrap_if(timestamp, |q| q < PREC_AT);
                wrap_if(time_zone, |q| q <= PREC_AT);
            }
            SqlExpr::Collate { expr, .. } => wrap_if(expr, |q| q < PREC_COLLATE),
            SqlExpr::CompoundFieldAccess { root, access_chain } => {
                // `a[1]` and `t.a[1]` need none; `(a).b` and `(f(x))[1]` do.
                let subscript_first = matches!(access_chain.first(), Some(sqlparser::ast::AccessExpr::Subscript(_)));
                let plain =
                    subscript_first && matches!(**root, SqlExpr::Identifier(_) | SqlExpr::CompoundIdentifier(_));
                if !plain && !matches!(**root, SqlExpr::Nested(_)) {
                    wrap(root);
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Parentheses around `slot` when `needs` says its precedence calls for them.
fn wrap_if(slot: &mut Box<SqlExpr>, needs: impl Fn(u8) -> bool) {
    if needs(precedence(slot)) {
        wrap(slot);
    }
}

fn wrap(slot: &mut Box<SqlExpr>) {
    let inner = std::mem::replace(slot.as_mut(), SqlExpr::Value(Value::Null.into()));
    **slot = SqlExpr::Nested(Box::new(inner));
}

/// Removes one level of parentheses around `slot` when `redundant` says so.
fn unwrap_if(slot: &mut Box<SqlExpr>, redundant: impl Fn(&SqlExpr) -> bool) {
    if let SqlExpr::Nested(inner) = slot.as_ref() {
        if redundant(inner) {
            let inner = match std::mem::replace(slot.as_mut(), SqlExpr::Value(Value::Null.into())) {
                SqlExpr::Nested(inner) => inner,
                _ => unreachable!("checked above"),
            };
            *slot = inner;
        }
    }
}

/// Types PostgreSQL casts to by itself when it resolves operators and literals.
const IMPLICIT_CAST_TARGETS: &[&str] = &[
    "text",
    "character varying",
    "character",
    "bpchar",
    "name",
    "numeric",
    "double precision",
    "real",
    "bigint",
    "integer",
    "smallint",
    "text[]",
    "character varying[]",
    "character[]",
    "numeric[]",
    "bigint[]",
    "integer[]",
    "smallint[]",
    "double precision[]",
    "real[]",
];

/// Whether a cast is one PostgreSQL would have added itself: any cast of a bare
/// literal (an untyped literal takes its type from context), and casts of
/// columns and array literals to string and number types.
fn is_implicit_cast(expr: &SqlExpr, data_type: &DataType) -> bool {
    let target = data_type.to_string();
    let inner = match expr {
        SqlExpr::Nested(i) => i.as_ref(),
        other => other,
    };
    match inner {
        SqlExpr::Value(ValueWithSpan { value: Value::SingleQuotedString(_) | Value::Number(..), .. }) => {
            target != "regclass" && !target.starts_with("interval")
        }
        // `ARRAY[]` has no type without its cast.
        SqlExpr::Array(a) if a.elem.is_empty() => false,
        SqlExpr::Identifier(_) | SqlExpr::CompoundIdentifier(_) | SqlExpr::Array(_) => {
            IMPLICIT_CAST_TARGETS.contains(&target.as_str())
        }
        _ => false,
    }
}

/// Type families within which PostgreSQL casts by itself.
fn family(type_name: &str) -> Option<u8> {
    match type_name.trim_end_matches("[]") {
        "text" | "character varying" | "character" | "bpchar" | "name" => Some(0),
        "numeric" | "double precision" | "real" | "bigint" | "integer" | "smallint" => Some(1),
        _ => None,
    }
}

/// Whether `expr` is a column of known type that a cast to `data_type` takes
/// to another family.
fn changes_family(expr: &SqlExpr, data_type: &DataType, column_type: &dyn Fn(&str) -> Option<ColumnType>) -> bool {
    let name = match strip_parens(expr.clone()) {
        SqlExpr::Identifier(i) => fold(&i),
        SqlExpr::CompoundIdentifier(parts) => match parts.last() {
            Some(i) => fold(i),
            None => return false,
        },
        _ => return false,
    };
    let Some(ty) = column_type(&name) else { return false };
    let from = ty.without_typmod().to_string();
    let from = if ty.schema.is_some() { None } else { family(&from) };
    from.is_none() || from != family(&data_type.to_string())
}

fn number_expr(s: &str) -> SqlExpr {
    match s.strip_prefix('-') {
        Some(abs) => SqlExpr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: Box::new(SqlExpr::Value(Value::Number(abs.to_string(), false).into())),
        },
        None => SqlExpr::Value(Value::Number(s.to_string(), false).into()),
    }
}

/// `x IN (list)`, or `x = a` for a one-element list, as PostgreSQL stores it.
fn membership(left: &SqlExpr, mut list: Vec<SqlExpr>, negated: bool) -> SqlExpr {
    if list.len() == 1 {
        let op = if negated { BinaryOperator::NotEq } else { BinaryOperator::Eq };
        return SqlExpr::BinaryOp { left: Box::new(left.clone()), op, right: Box::new(list.remove(0)) };
    }
    SqlExpr::In { expr: Box::new(left.clone()), target: InTarget::List(list), negated, global: false }
}

/// The elements of `ARRAY[...]` (in parentheses or not).
fn array_items(e: &SqlExpr) -> Option<Vec<SqlExpr>> {
    match e {
        SqlExpr::Nested(inner) => array_items(inner),
        SqlExpr::Array(a) => Some(a.elem.clone()),
        _ => None,
    }
}

fn is_nextval(f: &sqlparser::ast::Function) -> bool {
    f.name.0.len() == 1 && matches!(&f.name.0[0], ObjectNamePart::Identifier(i) if i.value == "nextval")
}

/// `nextval('seq')` and `nextval('seq'::regclass)` become `nextval('schema.seq'::regclass)`.
fn qualify_nextval(f: &mut sqlparser::ast::Function, default_schema: &str) {
    let FunctionArguments::List(list) = &mut f.args else { return };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_mut_slice() else { return };
    let literal = match &*arg {
        SqlExpr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => s.clone(),
        SqlExpr::Cast { expr, .. } => match &**expr {
            SqlExpr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => s.clone(),
            _ => return,
        },
        _ => return,
    };
    let Some(name) = parse_regclass(&literal, default_schema) else { return };
    *arg = SqlExpr::Cast {
        kind: CastKind::DoubleColon,
        expr: Box::new(SqlExpr::Value(Value::SingleQuotedString(name.sql()).into())),
        data_type: DataType::Custom(ObjectName(vec![ObjectNamePart::Identifier(Ident::new("regclass"))]), vec![]),
        format: None,
    };
}

/// Reads the text of a `regclass` literal (`'s.t'`, `'"S"."t"'`) as a qualified name.
pub fn parse_regclass(text: &str, default_schema: &str) -> Option<QualName> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix('"') {
            let mut name = String::new();
            let mut chars = stripped.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '"' {
                    if stripped[i + 1..].starts_with('"') {
                        name.push('"');
                        chars.next();
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    name.push(c);
                }
            }
            parts.push(name);
            rest = &stripped[end?..];
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            parts.push(rest[..end].to_lowercase());
            rest = &rest[end..];
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    match parts.as_slice() {
        [name] => Some(QualName::new(default_schema, name.clone())),
        [schema, name] => Some(QualName::new(schema.clone(), name.clone())),
        _ => None,
    }
}

/// PostgreSQL stores a literal default with a cast to the column's type
/// (`'{}'` on jsonb is `'{}'::jsonb`); numbers and booleans stay bare.
fn add_literal_cast(e: SqlExpr, ty: &ColumnType) -> SqlExpr {
    let is_string = matches!(
        &e,
        SqlExpr::Value(ValueWithSpan { value: Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_), .. })
    );
    if !is_string {
        return e;
    }
    SqlExpr::Cast {
        kind: CastKind::DoubleColon,
        expr: Box::new(e),
        data_type: DataType::Custom(
            ObjectName(vec![ObjectNamePart::Identifier(Ident::new(ty.without_typmod().to_string()))]),
            vec![],
        ),
        format: None,
    }
}

/// The sequence a `nextval(...)` default draws from, if the expression is one.
pub fn nextval_target(expr: &Expr) -> Option<QualName> {
    let rest = expr.0.strip_prefix("nextval('")?;
    let inner = rest.strip_suffix("'::regclass)")?;
    parse_regclass(&inner.replace("''", "'"), "public")
}

/// The expression with every reference to column `from` renamed to `to`, as
/// PostgreSQL does (it stores column numbers, not names), in its canonical
/// text and in its written one alike. Text that does not parse is kept.
pub fn rename_column_ref(expr: &Expr, from: &str, to: &str) -> Expr {
    let canonical = rename_in(&expr.0, from, to).unwrap_or_else(|| expr.0.clone());
    // The written text keeps its spelling but for the name; if it cannot be
    // read (it always can: it was printed from a tree), the canonical one is printed.
    let written = expr.1.as_ref().and_then(|w| rename_in(w, from, to)).filter(|w| *w != canonical);
    Expr(canonical, written)
}

/// `text` parsed, its references to column `from` renamed, printed again.
/// The tree is the one read from `text` but for the names, so its printing
/// gives back the same tokens, which PostgreSQL reads as it read `text`;
/// adding parentheses by sqlparser's reading of precedence could change that
/// (it differs from PostgreSQL's for a unary minus).
fn rename_in(text: &str, from: &str, to: &str) -> Option<String> {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    let mut e = Parser::new(&PostgreSqlDialect {}).try_with_sql(text).ok()?.parse_expr().ok()?;
    let _ = visit_expressions_mut(&mut e, |node| {
        match node {
            SqlExpr::Identifier(i) if fold(i) == from => *i = canonical_ident(to),
            SqlExpr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last_mut() {
                    if fold(last) == from {
                        *last = canonical_ident(to);
                    }
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    Some(print(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn canon(sql: &str, ty: Option<&ColumnType>) -> String {
        let e = Parser::new(&PostgreSqlDialect {}).try_with_sql(sql).unwrap().parse_expr().unwrap();
        canonical(&e, &Context { default_schema: "public", column_type: ty }).0
    }

    #[test]
    fn spellings_meet() {
        assert_eq!(canon("NOW()", None), canon("now()", None));
        assert_eq!(canon("pg_catalog.now()", None), "now()");
        assert_eq!(canon("((A > 0))", None), canon("a > 0", None));
        assert_eq!(canon("CAST(x AS int)", None), canon("x::integer", None));
        assert_eq!(canon("\"Abc\" + 1", None), "\"Abc\" + 1");
        assert_ne!(canon("CURRENT_TIMESTAMP", None), canon("now()", None));
        assert_eq!(canon("current_timestamp", None), "CURRENT_TIMESTAMP");
    }

    #[test]
    fn postgres_rewrites_read_back_as_written() {
        let pairs = [
            (
                "((agent_type)::text = ANY ((ARRAY['custom'::character varying, 'template_based'::character varying])::text[]))",
                "agent_type IN ('custom', 'template_based')",
            ),
            ("((rating >= (0.0)::double precision) AND (rating <= (5.0)::double precision))", "rating >= 0.0 AND rating <= 5.0"),
            ("(price > (0)::numeric)", "price > 0"),
            ("((w * h) * 2)", "w * h * 2"),
            ("(2 * (w + h))", "2 * (w + h)"),
            ("x BETWEEN 1 AND 5", "x >= 1 AND x <= 5"),
            ("public.uuid_generate_v4()", "uuid_generate_v4()"),
            ("(x <> ALL (ARRAY['a'::text, 'b'::text]))", "x NOT IN ('a', 'b')"),
            ("((a = 1) OR ((b = 2) AND (c = 3)))", "a = 1 OR b = 2 AND c = 3"),
            ("(p = ANY (ARRAY[0]))", "p = 0"),
            ("p IN (0)", "p = 0"),
        ];
        for (stored, written) in pairs {
            assert_eq!(canon(stored, None), canon(written, None), "{stored}");
        }
        // Parentheses that change the meaning stay.
        assert_eq!(canon("(a OR b) AND c", None), "(a OR b) AND c");
        assert_eq!(canon("a - (b - c)", None), "a - (b - c)");
        assert_eq!(canon("'-1'::integer", Some(&ColumnType::builtin("integer"))), canon("-1", None));
    }

    #[test]
    fn literal_defaults_gain_the_column_cast() {
        let jsonb = ColumnType::builtin("jsonb");
        assert_eq!(canon("'{}'", Some(&jsonb)), "'{}'::jsonb");
        assert_eq!(canon("'{}'::jsonb", Some(&jsonb)), "'{}'::jsonb");
        let mut vc = ColumnType::builtin("character varying");
        vc.typmod = Some("50".into());
        assert_eq!(canon("'user'", Some(&vc)), "'user'::character varying");
        assert_eq!(canon("'user'::varchar", Some(&vc)), "'user'::character varying");
        assert_eq!(canon("0", Some(&ColumnType::builtin("integer"))), "0");
        // character(3): the literal's cast is bpchar, never character (which means character(1)).
        let mut ch = ColumnType::builtin("character");
        ch.typmod = Some("3".into());
        assert_eq!(canon("'JPN'", Some(&ch)), "'JPN'::bpchar");
        assert_eq!(canon("'JPN'::bpchar", Some(&ch)), "'JPN'::bpchar");
        // A cast to another type than the column's is part of the value.
        let tz = ColumnType::builtin("timestamp with time zone");
        assert_eq!(canon("'2020-01-01'::timestamp", Some(&tz)), "'2020-01-01'::timestamp without time zone");
        // Only number types turn a quoted number into a number.
        let money = ColumnType::builtin("money");
        assert_eq!(canon("'1.00'::money", Some(&money)), "'1.00'::money");
    }

    #[test]
    fn nextval_is_qualified() {
        let a = canon("nextval('t_id_seq')", None);
        assert_eq!(a, "nextval('public.t_id_seq'::regclass)");
        assert_eq!(canon("nextval('public.t_id_seq'::regclass)", None), a);
        assert_eq!(nextval_target(&Expr::new(a)), Some(QualName::new("public", "t_id_seq")));
    }
}
