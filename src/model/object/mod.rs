//! The long tail of object kinds, modelled once: an object is its kind, its
//! identity (what `DROP` names), its canonical `CREATE` text (what equality
//! compares) and what it uses. Everything a kind has of its own (its keyword,
//! how its identity is written, its options and their defaults, the catalog
//! query that prints it, whether `CREATE OR REPLACE` exists) is one `Spec` in
//! one file of this folder; parse, introspection, diff, ordering, rendering,
//! hazards and the model's DDL effects read the spec and handle every kind once.
//!
//! Adding a kind: a file here with its `Spec`, a variant in `GenericKind` (the
//! compiler then names the `spec` match arm to add), and its tests.

mod aggregate;
mod cast;
mod collation;
mod conversion;
mod event_trigger;
mod foreign;
mod op_class;
mod op_family;
mod operator;
mod publication;
mod rule;
mod statistics;
mod ts_configuration;
mod ts_dictionary;
mod ts_parser;
mod ts_template;

pub use publication::ALL_ACTIONS as PUBLISH_ACTIONS;

use std::fmt;

use serde::{Serialize, Serializer};

use super::{Dep, QualName};

/// A kind of object handled by the generic model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GenericKind {
    /// `CREATE COLLATION`.
    Collation,
    /// `CREATE OPERATOR`.
    Operator,
    /// `CREATE AGGREGATE` (ordinary aggregates; ordered-set ones are not read).
    Aggregate,
    /// `CREATE TEXT SEARCH TEMPLATE`.
    TextSearchTemplate,
    /// `CREATE TEXT SEARCH PARSER`.
    TextSearchParser,
    /// `CREATE TEXT SEARCH DICTIONARY`.
    TextSearchDictionary,
    /// `CREATE TEXT SEARCH CONFIGURATION`, with its mappings (`ALTER ... ADD MAPPING`).
    TextSearchConfiguration,
    /// `CREATE CAST (source AS target)`.
    Cast,
    /// `CREATE EVENT TRIGGER`.
    EventTrigger,
    /// `CREATE STATISTICS` (on columns).
    Statistics,
    /// `CREATE [DEFAULT] CONVERSION`.
    Conversion,
    /// `CREATE OPERATOR FAMILY`, with its loose members (`ALTER ... ADD`).
    OperatorFamily,
    /// `CREATE OPERATOR CLASS`.
    OperatorClass,
    /// `CREATE RULE` (a view's `_RETURN` rule is the view).
    Rule,
    /// `CREATE PUBLICATION`, with its tables and schemas (`ALTER ... ADD`).
    Publication,
    /// `CREATE FOREIGN DATA WRAPPER`.
    ForeignDataWrapper,
    /// `CREATE SERVER`.
    Server,
    /// `CREATE USER MAPPING`.
    UserMapping,
    /// `CREATE FOREIGN TABLE`.
    ForeignTable,
}

impl GenericKind {
    /// Every kind, in the order their creations are planned when nothing else decides.
    pub const ALL: &'static [GenericKind] = &[
        GenericKind::Collation,
        GenericKind::Operator,
        GenericKind::Aggregate,
        GenericKind::TextSearchTemplate,
        GenericKind::TextSearchParser,
        GenericKind::TextSearchDictionary,
        GenericKind::TextSearchConfiguration,
        GenericKind::Cast,
        GenericKind::EventTrigger,
        GenericKind::Statistics,
        GenericKind::Conversion,
        GenericKind::OperatorFamily,
        GenericKind::OperatorClass,
        GenericKind::Rule,
        GenericKind::Publication,
        GenericKind::ForeignDataWrapper,
        GenericKind::Server,
        GenericKind::UserMapping,
        GenericKind::ForeignTable,
    ];

    /// What the kind is, in one place.
    pub fn spec(self) -> &'static Spec {
        match self {
            GenericKind::Collation => &collation::SPEC,
            GenericKind::Operator => &operator::SPEC,
            GenericKind::Aggregate => &aggregate::SPEC,
            GenericKind::TextSearchTemplate => &ts_template::SPEC,
            GenericKind::TextSearchParser => &ts_parser::SPEC,
            GenericKind::TextSearchDictionary => &ts_dictionary::SPEC,
            GenericKind::TextSearchConfiguration => &ts_configuration::SPEC,
            GenericKind::Cast => &cast::SPEC,
            GenericKind::EventTrigger => &event_trigger::SPEC,
            GenericKind::Statistics => &statistics::SPEC,
            GenericKind::Conversion => &conversion::SPEC,
            GenericKind::OperatorFamily => &op_family::SPEC,
            GenericKind::OperatorClass => &op_class::SPEC,
            GenericKind::Rule => &rule::SPEC,
            GenericKind::Publication => &publication::SPEC,
            GenericKind::ForeignDataWrapper => &foreign::WRAPPER,
            GenericKind::Server => &foreign::SERVER,
            GenericKind::UserMapping => &foreign::USER_MAPPING,
            GenericKind::ForeignTable => &foreign::TABLE,
        }
    }

    /// The kind whose keyword (one or more words, e.g. `TEXT SEARCH
    /// DICTIONARY`) begins `words` (upper case), if any: the longest
    /// (`OPERATOR CLASS` before `OPERATOR`).
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Option<GenericKind> {
        // Every CREATE statement asks (a table's and an index's too): no
        // allocation per kind, and a kind whose first word differs costs one
        // comparison; words are counted only for the kinds that match.
        let matches = |k: &GenericKind| {
            let mut given = words.iter();
            k.spec().keyword.split(' ').all(|kw| given.next().is_some_and(|w| w.as_ref() == kw))
        };
        Self::ALL.iter().copied().filter(matches).max_by_key(|k| k.keyword_words())
    }

    /// How many words its keyword has.
    pub fn keyword_words(self) -> usize {
        self.spec().keyword.split(' ').count()
    }
}

/// How an object of a kind is named in `CREATE` and `DROP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// `schema.name`.
    Name,
    /// `schema.op`, with `(left, right)` from `LEFTARG` / `RIGHTARG` in `DROP`.
    Operator,
    /// `schema.name(argtypes)` or `schema.name(*)`.
    Arguments,
    /// `(source AS target)`, no schema; the statement is not `name (options)`
    /// but `CREATE CAST (...) WITH FUNCTION f(args) AS IMPLICIT` (`parse::cast`).
    Cast,
    /// A name without a schema; the statement is `CREATE EVENT TRIGGER name ON
    /// event [WHEN TAG IN (...)] EXECUTE FUNCTION f()` (`parse::event_trigger`).
    EventTrigger,
    /// `schema.name`; the statement is `CREATE STATISTICS name [(kinds)] ON
    /// columns FROM table` (`parse::statistics`).
    Statistics,
    /// `schema.name`; the statement is `CREATE [DEFAULT] CONVERSION name FOR
    /// 'encoding' TO 'encoding' FROM function` (`parse::conversion`).
    Conversion,
    /// `schema.name USING method` (operator classes and families; `parse::op_class`).
    Using,
    /// `name ON schema.table` (`parse::rule`).
    Rule,
    /// A name without a schema; the statement is `CREATE PUBLICATION name
    /// [FOR ...] [WITH (...)]` (`parse::publication`).
    Publication,
    /// Foreign data (`foreign.rs`): a wrapper's or server's name without a
    /// schema, a user mapping's `FOR role SERVER server`, a foreign table's
    /// `schema.name`; each statement in its own form (`parse::foreign`).
    Foreign,
}

/// What an option's value is, which decides its canonical spelling and what it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A function name (a dependency; `pg_catalog.` dropped).
    Function,
    /// A type (resolved to PostgreSQL's spelling; a user type is a dependency).
    Type,
    /// An operator, `OPERATOR(schema.op)` or a bare one.
    Operator,
    /// A string (re-quoted from its value).
    Text,
    /// A keyword (lower case, quotes dropped; `on`/`off` as `true`/`false`).
    Word,
    /// An integer.
    Integer,
    /// A flag written alone (`HASHES`); `= false` leaves it out.
    Flag,
    /// The name of an object of a generic kind (a dependency when it is not
    /// in `pg_catalog`, where the built-ins live and which is dropped).
    Object(GenericKind),
}

/// One option of a kind's `CREATE ... ( option = value, ... )`.
#[derive(Debug)]
pub struct OptionSpec {
    /// Its canonical spelling, as printed.
    pub name: &'static str,
    /// Other spellings PostgreSQL takes for it.
    pub aliases: &'static [&'static str],
    /// What its value is.
    pub value: Value,
    /// The value PostgreSQL assumes when it is not written (left out of the canonical text).
    pub default: Option<&'static str>,
}

/// Everything about one kind of object.
#[derive(Debug)]
pub struct Spec {
    /// The word after `CREATE` / `DROP`.
    pub keyword: &'static str,
    /// How it is named.
    pub signature: Signature,
    /// Its options, in canonical order.
    pub options: &'static [OptionSpec],
    /// Options that must stay equal for `CREATE OR REPLACE` to be used; `None`
    /// when the kind has no `OR REPLACE` (it is dropped and created again).
    pub replace_keeps: Option<&'static [&'static str]>,
    /// Two options that, written equal, are the third (`lc_collate` and
    /// `lc_ctype` are `locale`): the canonical form says it once.
    pub same_pair_is: Option<[&'static str; 3]>,
    /// Options not listed, which the kind's template or provider decides
    /// (a text search dictionary's): taken with this value class, printed in
    /// lower case after the listed ones, in the order written (PostgreSQL keeps it). `None`: an unknown option is an error.
    pub other_options: Option<Value>,
    /// Whether it is a function to those calling it (an aggregate lives in `pg_proc`).
    pub callable: bool,
    /// The system catalog its objects are rows of, for the probe that skips
    /// `catalog_query` when no object of the kind was made after initdb.
    pub stored_in: StoredIn,
    /// One catalog query (`$1`: the managed schemas) returning, per object not
    /// made by an extension, its `CREATE` statement and its comment; the
    /// parser reads the statement like a file's.
    pub catalog_query: &'static str,
}

/// A system catalog and its object-identifier column (`pg_aggregate` keys
/// its rows by the aggregate's function, `aggfnoid`).
#[derive(Debug, Clone, Copy)]
pub struct StoredIn {
    /// The catalog table, in `pg_catalog`.
    pub table: &'static str,
    /// Its column holding each row's object identifier.
    pub oid: &'static str,
}

impl Spec {
    /// The option spelled `name` (any case, any alias).
    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        let upper = name.to_ascii_uppercase();
        self.options.iter().find(|o| o.name.eq_ignore_ascii_case(&upper) || o.aliases.contains(&upper.as_str()))
    }
}

/// An object's key in the catalog: its kind and identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// Its kind.
    pub kind: GenericKind,
    /// What `DROP` names, e.g. `public.~<< (text, text)`.
    pub identity: String,
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.spec().keyword.to_ascii_lowercase(), self.identity)
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// One object of a generic kind.
#[derive(Debug, Clone, Serialize)]
pub struct Object {
    /// Its kind.
    pub kind: GenericKind,
    /// Its qualified name (an operator's is its symbol).
    pub name: QualName,
    /// What `DROP` names (see `ObjectId`).
    pub identity: String,
    /// Its options, canonical, in the spec's order: (name, value; empty for a flag).
    pub options: Vec<(String, String)>,
    /// What it uses (functions, types): orders plans, never compared.
    pub depends: Vec<Dep>,
    /// A text search configuration's mappings, one per token type, sorted:
    /// (token type, its dictionaries in order). The members of an operator
    /// class or family and of a publication, sorted: (the member's clause,
    /// what else it is known by: see `op_class` and `publication`). Empty for other kinds.
    pub mappings: Vec<(String, Vec<String>)>,
    /// `COMMENT ON`.
    pub comment: Option<String>,
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        self.kind == other.kind
            && self.identity == other.identity
            && self.options == other.options
            && self.mappings == other.mappings
            && self.comment == other.comment
    }
}

impl Object {
    /// Its key in the catalog.
    pub fn id(&self) -> ObjectId {
        ObjectId { kind: self.kind, identity: self.identity.clone() }
    }

    /// Its canonical `CREATE` statement (the comparison key and what a plan runs).
    pub fn definition(&self, replace: bool) -> String {
        let spec = self.kind.spec();
        let or_replace = if replace { "OR REPLACE " } else { "" };
        let name = match spec.signature {
            // An operator's identity carries its argument types for DROP only.
            Signature::Operator => self.identity.split(" (").next().unwrap_or(&self.identity),
            Signature::Name | Signature::Arguments => &self.identity,
            Signature::Cast => {
                let how = match (self.option("FUNCTION"), self.option("INOUT")) {
                    (Some(f), _) => format!("WITH FUNCTION {f}"),
                    (None, Some(_)) => "WITH INOUT".to_string(),
                    (None, None) => "WITHOUT FUNCTION".to_string(),
                };
                let context = self.option("AS").map(|c| format!(" AS {c}")).unwrap_or_default();
                return format!("CREATE CAST {} {how}{context}", self.identity);
            }
            Signature::Conversion => {
                let default = if self.option("DEFAULT").is_some() { "DEFAULT " } else { "" };
                return format!(
                    "CREATE {default}CONVERSION {} FOR {} TO {} FROM {}",
                    self.identity,
                    self.option("FOR").unwrap_or_default(),
                    self.option("TO").unwrap_or_default(),
                    self.option("FROM").unwrap_or_default()
                );
            }
            Signature::Statistics => {
                let kinds = self.option("KINDS").map(|k| format!(" ({k})")).unwrap_or_default();
                return format!(
                    "CREATE STATISTICS {}{kinds} ON {} FROM {}",
                    self.identity,
                    self.option("ON").unwrap_or_default(),
                    self.option("FROM").unwrap_or_default()
                );
            }
            Signature::Using => return op_class::definition(self),
            Signature::Rule => return rule::definition(self, replace),
            Signature::Publication => return publication::definition(self),
            Signature::Foreign => return foreign::definition(self),
            Signature::EventTrigger => {
                let tags = self.option("TAGS").map(|t| format!(" WHEN TAG IN ({t})")).unwrap_or_default();
                return format!(
                    "CREATE EVENT TRIGGER {} ON {}{tags} EXECUTE FUNCTION {}",
                    self.identity,
                    self.option("ON").unwrap_or_default(),
                    self.option("FUNCTION").unwrap_or_default()
                );
            }
        };
        let options: Vec<String> =
            self.options.iter().map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k} = {v}") }).collect();
        format!("CREATE {or_replace}{} {name} ({})", spec.keyword, options.join(", "))
    }

    /// What creates it: its `CREATE` statement, then a text search
    /// configuration's `ALTER ... ADD MAPPING`, one per token type.
    pub fn statements(&self, replace: bool) -> Vec<String> {
        let mut out = vec![self.definition(replace)];
        match self.kind.spec().signature {
            Signature::Using => return op_class::statements(self, out),
            Signature::Rule => return rule::statements(self, replace, out),
            Signature::Publication => return out,
            _ => {}
        }
        // What `CREATE` cannot say (`parse::object_alter` reads it back).
        match (self.kind, self.option("ENABLE"), self.option("STATISTICS")) {
            (GenericKind::EventTrigger, Some(state), _) => {
                let state = if state == "DISABLE" { state.to_string() } else { format!("ENABLE {state}") };
                out.push(format!("ALTER EVENT TRIGGER {} {state}", self.identity));
            }
            (GenericKind::Statistics, _, Some(n)) => {
                out.push(format!("ALTER STATISTICS {} SET STATISTICS {n}", self.identity))
            }
            _ => {}
        }
        out.extend(self.mappings.iter().map(|(token, dicts)| {
            format!(
                "ALTER {} {} ADD MAPPING FOR {token} WITH {}",
                self.kind.spec().keyword,
                self.identity,
                dicts.join(", ")
            )
        }));
        out
    }

    /// The objects of other generic kinds it names in its options and mappings.
    pub fn uses(&self) -> Vec<ObjectId> {
        let spec = self.kind.spec();
        if spec.signature == Signature::Using {
            return op_class::uses(self);
        }
        let mut out = Vec::new();
        let mut named = |kind: GenericKind, v: &str| {
            // Wrappers and servers have no schema.
            if v.contains('.') || kind.spec().signature == Signature::Foreign {
                out.push(ObjectId { kind, identity: v.to_string() });
            }
        };
        for (k, v) in &self.options {
            if let Some(Value::Object(kind)) = spec.option(k).map(|o| o.value) {
                named(kind, v);
            }
        }
        for (_, dicts) in self.mappings.iter().filter(|_| self.kind == GenericKind::TextSearchConfiguration) {
            for d in dicts {
                named(GenericKind::TextSearchDictionary, d);
            }
        }
        out
    }

    /// Whether `new` may be reached from this one by `ALTER` (`Change::AlterObject`):
    /// a publication's tables, schemas and options, an operator family's
    /// loose members, whether a rule fires.
    pub fn alterable_to(&self, new: &Object) -> bool {
        match self.kind {
            GenericKind::Publication => publication::alterable(self, new),
            GenericKind::OperatorFamily => true,
            GenericKind::Rule => rule::alterable(self, new),
            _ => false,
        }
    }

    /// The `ALTER` statements that take this object to `new` (see `alterable_to`).
    pub fn alter_statements(&self, new: &Object) -> Vec<String> {
        match self.kind {
            GenericKind::Publication => publication::alter(self, new),
            GenericKind::OperatorFamily => op_family::alter(self, new),
            GenericKind::Rule => rule::enable_statement(new).into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The value of option `name` (canonical spelling), if written.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    /// Whether `new` may replace this one in place (`CREATE OR REPLACE`).
    pub fn replaceable_by(&self, new: &Object) -> bool {
        match self.kind.spec().replace_keeps {
            Some(keeps) => keeps.iter().all(|k| self.option(k) == new.option(k)),
            None => false,
        }
    }
}
