use serde::{Serialize, Serializer};
use std::fmt;

use super::{ColumnType, Dep, Expr, QualName};

/// Function or procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    /// `CREATE FUNCTION`.
    Function,
    /// `CREATE PROCEDURE`.
    Procedure,
}

impl RoutineKind {
    /// The SQL keyword.
    pub fn sql(self) -> &'static str {
        match self {
            RoutineKind::Function => "FUNCTION",
            RoutineKind::Procedure => "PROCEDURE",
        }
    }
}

/// An argument's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgMode {
    /// `IN` (the default).
    In,
    /// `OUT`.
    Out,
    /// `INOUT`.
    InOut,
    /// `VARIADIC`.
    Variadic,
}

impl ArgMode {
    /// Whether the argument is part of the call signature (identity).
    pub fn is_input(self) -> bool {
        !matches!(self, ArgMode::Out)
    }
}

/// One argument of a routine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arg {
    /// Its mode.
    pub mode: ArgMode,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its type.
    pub data_type: ColumnType,
    /// `DEFAULT`, canonical.
    pub default: Option<Expr>,
}

/// `IMMUTABLE`, `STABLE` or `VOLATILE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Volatility {
    /// `IMMUTABLE`.
    Immutable,
    /// `STABLE`.
    Stable,
    /// `VOLATILE` (the default).
    Volatile,
}

/// `PARALLEL SAFE | RESTRICTED | UNSAFE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Parallel {
    /// `PARALLEL SAFE`.
    Safe,
    /// `PARALLEL RESTRICTED`.
    Restricted,
    /// `PARALLEL UNSAFE` (the default).
    Unsafe,
}

/// What identifies a routine: its name and the types of its input arguments,
/// printed `schema.name(type1, type2)` like `pg_get_function_identity_arguments`
/// without argument names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutineId {
    /// Its qualified name.
    pub name: QualName,
    /// Types of the IN, INOUT and VARIADIC arguments, in order.
    pub args: Vec<ColumnType>,
}

impl fmt::Display for RoutineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args.iter().map(ToString::to_string).collect();
        write!(f, "{}({})", self.name.sql(), args.join(", "))
    }
}

impl Serialize for RoutineId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl PartialOrd for RoutineId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RoutineId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

/// A function or procedure.
#[derive(Debug, Clone, Serialize)]
pub struct Routine {
    /// Its qualified name.
    pub name: QualName,
    /// Function or procedure.
    pub kind: RoutineKind,
    /// Its arguments, in order (without `RETURNS TABLE` columns).
    pub args: Vec<Arg>,
    /// Canonical return type text (`integer`, `SETOF t`, `TABLE(a integer)`,
    /// `trigger`, `void`, `record` for OUT arguments); `None` for procedures.
    pub returns: Option<String>,
    /// `LANGUAGE`, lower-case.
    pub language: String,
    /// The body as PostgreSQL stores it (`prosrc`), verbatim; compared on
    /// `canon::body::body_key`. A SQL-standard body is the whole clause as
    /// printed: `RETURN` and the canonical expression, or `BEGIN ATOMIC`, its
    /// statements each ended by `;`, `END` (a file's spelling and the
    /// server's deparse meet through `normalize`).
    pub body: String,
    /// The whitespace-insensitive key of the body that decides equality
    /// (`canon::body::body_key`, set by whoever builds the routine).
    #[serde(skip)]
    pub body_key: String,
    /// Whether the body is SQL-standard (`RETURN expr` or `BEGIN ATOMIC ... END`), not a string.
    pub sql_body: bool,
    /// The object file of a C function (`AS 'file', 'symbol'`).
    pub object_file: Option<String>,
    /// `IMMUTABLE` / `STABLE` / `VOLATILE`.
    pub volatility: Volatility,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`).
    pub strict: bool,
    /// `SECURITY DEFINER`.
    pub security_definer: bool,
    /// `LEAKPROOF`.
    pub leakproof: bool,
    /// `WINDOW`.
    pub window: bool,
    /// `PARALLEL`.
    pub parallel: Parallel,
    /// `COST`, when not the default for the language.
    pub cost: Option<f64>,
    /// `ROWS`, when not the default (1000 for set-returning functions).
    pub rows: Option<f64>,
    /// `SET name TO value` options in order, as `name=value` (like `proconfig`).
    pub config: Vec<String>,
    /// `COMMENT ON FUNCTION / PROCEDURE`.
    pub comment: Option<String>,
    /// What it refers to (types of its arguments, relations of a SQL body); not compared.
    pub depends: Vec<Dep>,
}

impl Routine {
    /// Its identity.
    pub fn id(&self) -> RoutineId {
        RoutineId {
            name: self.name.clone(),
            args: self.args.iter().filter(|a| a.mode.is_input()).map(|a| a.data_type.clone()).collect(),
        }
    }
}

impl PartialEq for Routine {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.kind == o.kind
            && self.args == o.args
            && self.returns == o.returns
            && self.language == o.language
            && self.sql_body == o.sql_body
            && self.body_key == o.body_key
            && self.object_file == o.object_file
            && self.volatility == o.volatility
            && self.strict == o.strict
            && self.security_definer == o.security_definer
            && self.leakproof == o.leakproof
            && self.window == o.window
            && self.parallel == o.parallel
            && self.cost == o.cost
            && self.rows == o.rows
            && self.config == o.config
            && self.comment == o.comment
    }
}
