//! The TOML form of a schema. Each document is translated to SQL text, which
//! is then parsed like any SQL file, so both forms meet the same model and the
//! same checks. SQL fragments (types, defaults, expressions) are parsed one by
//! one first, so a bad fragment is reported at its place in the TOML file.

use indexmap::IndexMap;
use serde::Deserialize;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use toml::Spanned;

use super::diagnostic::SchemaError;
use super::source::SourceFile;
use crate::canon::{quote_ident, quote_idents, quote_literal};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    schemas: Vec<Spanned<String>>,
    #[serde(default)]
    extensions: Vec<Spanned<String>>,
    #[serde(default, rename = "enum")]
    enums: Vec<EnumDef>,
    #[serde(default, rename = "table")]
    tables: Vec<TableDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnumDef {
    name: Spanned<String>,
    values: Vec<String>,
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableDef {
    name: Spanned<String>,
    #[serde(default)]
    unlogged: bool,
    comment: Option<String>,
    renamed_from: Option<String>,
    #[serde(default, rename = "column")]
    columns: Vec<ColumnDef>,
    #[serde(default, rename = "constraint")]
    constraints: Vec<ConstraintDef>,
    #[serde(default, rename = "index")]
    indexes: Vec<IndexDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnDef {
    name: String,
    #[serde(rename = "type")]
    data_type: Spanned<String>,
    #[serde(default)]
    not_null: bool,
    default: Option<Spanned<String>>,
    #[serde(default)]
    primary_key: bool,
    #[serde(default)]
    unique: bool,
    references: Option<Spanned<String>>,
    on_delete: Option<Spanned<String>>,
    on_update: Option<Spanned<String>>,
    identity: Option<Spanned<String>>,
    generated: Option<Spanned<String>>,
    collation: Option<String>,
    comment: Option<String>,
    renamed_from: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintDef {
    name: Option<String>,
    primary_key: Option<Vec<String>>,
    unique: Option<Vec<String>>,
    #[serde(default)]
    nulls_not_distinct: bool,
    check: Option<Spanned<String>>,
    foreign_key: Option<Vec<String>>,
    references: Option<Spanned<String>>,
    on_delete: Option<Spanned<String>>,
    on_update: Option<Spanned<String>>,
    #[serde(default)]
    match_full: bool,
    #[serde(default)]
    deferrable: bool,
    #[serde(default)]
    initially_deferred: bool,
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexDef {
    name: Option<String>,
    columns: Vec<Spanned<String>>,
    #[serde(default)]
    unique: bool,
    using: Option<String>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(rename = "where")]
    predicate: Option<Spanned<String>>,
    comment: Option<String>,
}

struct Writer<'a> {
    file: &'a SourceFile,
    sql: String,
    errors: Vec<SchemaError>,
}

impl Writer<'_> {
    fn error<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        let span = at.span();
        self.errors.push(SchemaError::new(
            self.file,
            (span.start, span.end.saturating_sub(span.start).max(1)).into(),
            message,
            "here",
        ));
    }

    /// A SQL fragment that must parse as exactly one `what` (an expression or a type).
    fn fragment(&mut self, value: &Spanned<String>, what: Fragment) -> String {
        let text = value.get_ref();
        let dialect = PostgreSqlDialect {};
        let ok = Parser::new(&dialect).try_with_sql(text).and_then(|mut p| {
            match what {
                Fragment::Expr => p.parse_expr().map(|_| ())?,
                Fragment::Type => p.parse_data_type().map(|_| ())?,
                Fragment::IndexKey => p.parse_order_by_expr().map(|_| ())?,
            }
            Ok(p.peek_token().token == Token::EOF)
        });
        match ok {
            Ok(true) => text.clone(),
            Ok(false) => {
                self.error(value, format!("{text:?} is not a single {}", what.label()));
                "NULL".into()
            }
            Err(e) => {
                self.error(value, format!("{text:?} is not a valid {}: {e}", what.label()));
                "NULL".into()
            }
        }
    }

    fn action(&mut self, value: &Option<Spanned<String>>, clause: &str) -> String {
        let Some(v) = value else { return String::new() };
        let words = match v.get_ref().to_lowercase().replace(['_', '-'], " ").as_str() {
            "cascade" => "CASCADE",
            "set null" => "SET NULL",
            "set default" => "SET DEFAULT",
            "restrict" => "RESTRICT",
            "no action" => "NO ACTION",
            other => {
                let other = other.to_string();
                self.error(
                    v,
                    format!("unknown action {other:?}: use cascade, set null, set default, restrict or no action"),
                );
                return String::new();
            }
        };
        format!(" {clause} {words}")
    }

    /// `table(col, ...)` or `table`: the target of a foreign key.
    fn target(&mut self, value: &Spanned<String>) -> String {
        let text = value.get_ref().trim();
        let (table, cols) = match text.split_once('(') {
            Some((t, rest)) => {
                (t.trim(), Some(rest.trim_end_matches(')').split(',').map(str::trim).collect::<Vec<_>>()))
            }
            None => (text, None),
        };
        let table_sql = table.split('.').map(quote_ident).collect::<Vec<_>>().join(".");
        match cols {
            Some(cols) if cols.iter().all(|c| !c.is_empty()) => {
                format!("{table_sql} ({})", quote_idents(&cols))
            }
            Some(_) => {
                self.error(value, "expected table(column, ...)");
                table_sql
            }
            None => table_sql,
        }
    }
}

#[derive(Clone, Copy)]
enum Fragment {
    Expr,
    Type,
    IndexKey,
}

impl Fragment {
    fn label(self) -> &'static str {
        match self {
            Fragment::Expr => "SQL expression",
            Fragment::Type => "type",
            Fragment::IndexKey => "index key",
        }
    }
}

fn qualified(name: &str) -> String {
    name.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

/// Translates a TOML schema file into an equivalent SQL source.
pub fn to_sql(file: &SourceFile) -> Result<SourceFile, Vec<SchemaError>> {
    let doc: Document = toml::from_str(&file.text).map_err(|e| {
        let span = e.span().unwrap_or(0..1);
        vec![SchemaError::new(
            file,
            (span.start, (span.end - span.start).max(1)).into(),
            format!("invalid TOML schema: {}", e.message()),
            "here",
        )]
    })?;
    let mut w = Writer { file, sql: String::new(), errors: Vec::new() };
    for s in &doc.schemas {
        w.sql.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {};\n", quote_ident(s.get_ref())));
    }
    for e in &doc.extensions {
        w.sql.push_str(&format!("CREATE EXTENSION IF NOT EXISTS {};\n", quote_ident(e.get_ref())));
    }
    for e in &doc.enums {
        let values = e.values.iter().map(|v| quote_literal(v)).collect::<Vec<_>>().join(", ");
        let name = qualified(e.name.get_ref());
        w.sql.push_str(&format!("CREATE TYPE {name} AS ENUM ({values});\n"));
        if let Some(c) = &e.comment {
            w.sql.push_str(&format!("COMMENT ON TYPE {name} IS {};\n", quote_literal(c)));
        }
    }
    for t in &doc.tables {
        table(&mut w, t);
    }
    if w.errors.is_empty() {
        Ok(SourceFile::new(format!("{} (as SQL)", file.name), w.sql))
    } else {
        Err(w.errors)
    }
}

/// Writes one TOML table as `CREATE TABLE` and its companions. Long because every
/// field is written in the order SQL needs them.
fn table(w: &mut Writer<'_>, t: &TableDef) {
    let name = qualified(t.name.get_ref());
    let mut lines = Vec::new();
    let mut seen = IndexMap::new();
    for c in &t.columns {
        if seen.insert(c.name.clone(), ()).is_some() {
            w.error(&c.data_type, format!("column {} is defined twice in table {}", c.name, t.name.get_ref()));
        }
        let mut line = format!("{} {}", quote_ident(&c.name), w.fragment(&c.data_type, Fragment::Type));
        if let Some(coll) = &c.collation {
            line.push_str(&format!(" COLLATE {}", qualified(coll)));
        }
        if let Some(g) = &c.generated {
            line.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", w.fragment(g, Fragment::Expr)));
        }
        if let Some(id) = &c.identity {
            match id.get_ref().to_lowercase().replace('_', " ").as_str() {
                "always" => line.push_str(" GENERATED ALWAYS AS IDENTITY"),
                "by default" => line.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
                _ => w.error(id, "identity is \"always\" or \"by default\""),
            }
        }
        if let Some(d) = &c.default {
            line.push_str(&format!(" DEFAULT {}", w.fragment(d, Fragment::Expr)));
        }
        if c.not_null {
            line.push_str(" NOT NULL");
        }
        if c.primary_key {
            line.push_str(" PRIMARY KEY");
        }
        if c.unique {
            line.push_str(" UNIQUE");
        }
        if let Some(r) = &c.references {
            line.push_str(&format!(" REFERENCES {}", w.target(r)));
            line.push_str(&w.action(&c.on_delete, "ON DELETE"));
            line.push_str(&w.action(&c.on_update, "ON UPDATE"));
        }
        lines.push((line, c.renamed_from.as_ref().map(|f| format!(" -- @renamed from={f}"))));
    }
    for c in &t.constraints {
        let mut line = c.name.as_ref().map(|n| format!("CONSTRAINT {} ", quote_ident(n))).unwrap_or_default();
        match (&c.primary_key, &c.unique, &c.check, &c.foreign_key) {
            (Some(cols), None, None, None) => line.push_str(&format!("PRIMARY KEY ({})", quote_idents(cols))),
            (None, Some(cols), None, None) => {
                let nnd = if c.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" };
                line.push_str(&format!("UNIQUE{nnd} ({})", quote_idents(cols)));
            }
            (None, None, Some(expr), None) => line.push_str(&format!("CHECK ({})", w.fragment(expr, Fragment::Expr))),
            (None, None, None, Some(cols)) => {
                let Some(r) = &c.references else {
                    w.error(&t.name, "a foreign_key constraint needs `references = \"table(column, ...)\"`");
                    continue;
                };
                line.push_str(&format!("FOREIGN KEY ({}) REFERENCES {}", quote_idents(cols), w.target(r)));
                if c.match_full {
                    line.push_str(" MATCH FULL");
                }
                line.push_str(&w.action(&c.on_delete, "ON DELETE"));
                line.push_str(&w.action(&c.on_update, "ON UPDATE"));
            }
            _ => {
                w.error(
                    &t.name,
                    "each [[table.constraint]] has exactly one of primary_key, unique, check, foreign_key",
                );
                continue;
            }
        }
        if c.deferrable || c.initially_deferred {
            line.push_str(" DEFERRABLE");
        }
        if c.initially_deferred {
            line.push_str(" INITIALLY DEFERRED");
        }
        lines.push((line, None));
    }
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    let hint = t.renamed_from.as_ref().map(|f| format!(" -- @renamed from={f}")).unwrap_or_default();
    // Hints are line comments, so each goes after its line's comma.
    let body: String = lines
        .iter()
        .enumerate()
        .map(|(i, (line, hint))| {
            let comma = if i + 1 < lines.len() { "," } else { "" };
            format!("    {line}{comma}{}\n", hint.as_deref().unwrap_or(""))
        })
        .collect();
    w.sql.push_str(&format!("CREATE {unlogged}TABLE {name} ({hint}\n{body});\n"));
    if let Some(c) = &t.comment {
        w.sql.push_str(&format!("COMMENT ON TABLE {name} IS {};\n", quote_literal(c)));
    }
    for c in t.columns.iter().filter(|c| c.comment.is_some()) {
        let text = quote_literal(c.comment.as_deref().unwrap_or_default());
        w.sql.push_str(&format!("COMMENT ON COLUMN {name}.{} IS {text};\n", quote_ident(&c.name)));
    }
    for c in &t.constraints {
        if let (Some(n), Some(text)) = (&c.name, &c.comment) {
            w.sql.push_str(&format!(
                "COMMENT ON CONSTRAINT {} ON {name} IS {};\n",
                quote_ident(n),
                quote_literal(text)
            ));
        }
    }
    for i in &t.indexes {
        let keys: Vec<String> = i.columns.iter().map(|k| w.fragment(k, Fragment::IndexKey)).collect();
        let unique = if i.unique { "UNIQUE " } else { "" };
        let index_name = i.name.as_ref().map(|n| format!("{} ", quote_ident(n))).unwrap_or_default();
        let using = i.using.as_ref().map(|m| format!(" USING {}", quote_ident(m))).unwrap_or_default();
        let include =
            if i.include.is_empty() { String::new() } else { format!(" INCLUDE ({})", quote_idents(&i.include)) };
        let pred =
            i.predicate.as_ref().map(|p| format!(" WHERE {}", w.fragment(p, Fragment::Expr))).unwrap_or_default();
        w.sql.push_str(&format!(
            "CREATE {unique}INDEX {index_name}ON {name}{using} ({}){include}{pred};\n",
            keys.join(", ")
        ));
        if let (Some(n), Some(text)) = (&i.name, &i.comment) {
            let schema =
                t.name.get_ref().split_once('.').map(|(s, _)| format!("{}.", quote_ident(s))).unwrap_or_default();
            w.sql.push_str(&format!("COMMENT ON INDEX {schema}{} IS {};\n", quote_ident(n), quote_literal(text)));
        }
    }
}
