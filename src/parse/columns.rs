//! Column definitions: type, nullability, default, identity, generated
//! expression, collation, and the constraints written on the column.

use sqlparser::ast::{
    ColumnDef, ColumnOption, Expr as SqlExpr, GeneratedAs, SequenceOptions, TableConstraint, UnaryOperator, Value,
};

use super::constraints::{from_table_constraint, RawConstraint};
use super::names::collation_name;
use super::source::At;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::canon::memo::Memo;
use crate::canon::types::resolve;
use crate::model::{Column, Identity, SeqOptions, SeqType};

/// A column as written, with what it implies elsewhere.
#[derive(Clone)]
pub struct ParsedColumn {
    /// The column.
    pub column: Column,
    /// Constraints written on it.
    pub constraints: Vec<RawConstraint>,
    /// `Some` when declared `serial`: the sequence type to create.
    pub serial: Option<SeqType>,
}

/// Evaluates an integer literal (possibly negated).
pub fn int_value(e: &SqlExpr) -> Result<i64, String> {
    match e {
        SqlExpr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse::<i64>().map_err(|_| format!("{n} is not a 64-bit integer")),
            other => Err(format!("expected a number, found {other}")),
        },
        SqlExpr::UnaryOp { op: UnaryOperator::Minus, expr } => match &**expr {
            // Parsed with its sign, so that the smallest bigint fits.
            SqlExpr::Value(v) => match &v.value {
                Value::Number(n, _) => {
                    format!("-{n}").parse::<i64>().map_err(|_| format!("-{n} is not a 64-bit integer"))
                }
                other => Err(format!("expected a number, found {other}")),
            },
            other => int_value(other).map(|v| -v),
        },
        SqlExpr::UnaryOp { op: UnaryOperator::Plus, expr } => int_value(expr),
        SqlExpr::Nested(inner) => int_value(inner),
        other => Err(format!("expected a number, found {other}")),
    }
}

/// Sequence options with PostgreSQL's defaults filled in.
pub fn seq_options(opts: &[SequenceOptions], default_type: SeqType) -> Result<SeqOptions, String> {
    let mut data_type = default_type;
    let mut increment = 1;
    for o in opts {
        match o {
            SequenceOptions::DataType(dt) => {
                let r = resolve(dt, "public")?;
                data_type = match r.column_type.base.as_str() {
                    "smallint" => SeqType::SmallInt,
                    "integer" => SeqType::Integer,
                    "bigint" => SeqType::BigInt,
                    other => return Err(format!("a sequence must be smallint, integer or bigint, not {other}")),
                };
            }
            SequenceOptions::IncrementBy(e, _) => increment = int_value(e)?,
            _ => {}
        }
    }
    if increment == 0 {
        return Err("INCREMENT must not be zero".into());
    }
    let mut out = SeqOptions::defaults(data_type, increment);
    let mut start = None;
    for o in opts {
        match o {
            SequenceOptions::MinValue(Some(e)) => out.min = int_value(e)?,
            SequenceOptions::MaxValue(Some(e)) => out.max = int_value(e)?,
            SequenceOptions::StartWith(e, _) => start = Some(int_value(e)?),
            SequenceOptions::Cache(e) => out.cache = int_value(e)?,
            SequenceOptions::Cycle(no) => out.cycle = !no,
            _ => {}
        }
    }
    out.start = start.unwrap_or(if increment > 0 { out.min } else { out.max });
    if out.min > out.max {
        return Err(format!("MINVALUE ({}) must be less than MAXVALUE ({})", out.min, out.max));
    }
    if out.start < out.min || out.start > out.max {
        return Err(format!("START value ({}) must be between MINVALUE and MAXVALUE", out.start));
    }
    Ok(out)
}

/// The sequence type matching an identity column's type.
pub fn identity_type(column: &Column) -> Result<SeqType, String> {
    column
        .data_type
        .integer_type()
        .ok_or_else(|| format!("identity column type must be smallint, integer, or bigint, not {}", column.data_type))
}

/// Converts one column definition.
pub fn column(def: &ColumnDef, default_schema: &str, at: At) -> Result<ParsedColumn, String> {
    column_with(def, at, &mut Memo::new(default_schema))
}

/// `column`, taking the type and default spellings `memo` has already made canonical.
pub fn column_with(def: &ColumnDef, at: At, memo: &mut Memo<'_>) -> Result<ParsedColumn, String> {
    let default_schema = memo.default_schema();
    let name = fold(&def.name);
    let resolved = memo.resolve(&def.data_type)?;
    let mut column = Column::new(name.clone(), resolved.column_type);
    let mut constraints = Vec::new();
    let mut default_expr = None;
    for opt in &def.options {
        let constraint_name = opt.name.clone();
        let mut inline = |tc: TableConstraint| -> Result<(), String> {
            let mut c = from_table_constraint(&tc, Some(&name), default_schema, at)?;
            if c.name.is_none() {
                c.name = constraint_name.as_ref().map(fold);
            }
            constraints.push(c);
            Ok(())
        };
        match &opt.option {
            ColumnOption::Null => column.not_null = false,
            ColumnOption::NotNull => {
                column.not_null = true;
                column.not_null_constraint.name = constraint_name.as_ref().map(fold);
            }
            ColumnOption::Default(e) => {
                if default_expr.is_some() {
                    return Err(format!("multiple default values specified for column {name}"));
                }
                default_expr = Some(e);
            }
            ColumnOption::PrimaryKey(pk) => inline(pk.clone().into())?,
            ColumnOption::Unique(u) => inline(u.clone().into())?,
            ColumnOption::ForeignKey(fk) => inline(fk.clone().into())?,
            ColumnOption::Check(ch) => inline(ch.clone().into())?,
            ColumnOption::Collation(c) => column.collation = Some(collation_name(c)),
            ColumnOption::Generated { generated_as, sequence_options, generation_expr, .. } => match generation_expr {
                Some(e) => {
                    column.generated = Some(Box::new(canonical(e, &Context { default_schema, column_type: None })));
                }
                None => {
                    let always = match generated_as {
                        GeneratedAs::Always => true,
                        GeneratedAs::ByDefault => false,
                        GeneratedAs::ExpStored => return Err("GENERATED without an expression".into()),
                    };
                    let seq_type = identity_type(&column)?;
                    let options = seq_options(sequence_options.as_deref().unwrap_or(&[]), seq_type)?;
                    column.identity = Some(Box::new(Identity { always, options }));
                    column.not_null = true;
                }
            },
            other => return Err(format!("unsupported column option: {other}")),
        }
    }
    if let Some(e) = default_expr {
        if column.identity.is_some() {
            return Err(format!("both default and identity specified for column {name}"));
        }
        if resolved.serial.is_some() {
            return Err(format!("multiple default values specified for column {name} (serial has its own)"));
        }
        column.default = Some(memo.default(e, &column.data_type));
    }
    if resolved.serial.is_some() {
        column.not_null = true;
    }
    Ok(ParsedColumn { column, constraints, serial: resolved.serial })
}
